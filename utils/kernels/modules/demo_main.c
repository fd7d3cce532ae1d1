// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
//
// A two-object module: its own struct embeds a spinlock_t, 4 bytes on
// Debian's generic kernels and 32 under PREEMPT_RT.
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include "demo.h"
static struct demo_state *state;
static int __init demo_init(void)
{
	state = kzalloc(sizeof(*state), GFP_KERNEL);
	if (!state)
		return -ENOMEM;
	spin_lock_init(&state->lock);
	INIT_LIST_HEAD(&state->items);
	return demo_add(state, 42);
}
static void __exit demo_exit(void)
{
	demo_clear(state);
	kfree(state);
}
module_init(demo_init);
module_exit(demo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("btfkit real-kernel suite: a two-object module");
