// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#include <linux/spinlock.h>
#include <linux/list.h>
struct demo_item { struct list_head node; int value; };
struct demo_state { spinlock_t lock; struct list_head items; unsigned long count; };
int demo_add(struct demo_state *s, int v);
void demo_clear(struct demo_state *s);
