// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#include <linux/slab.h>
#include "demo.h"
int demo_add(struct demo_state *s, int v)
{
	struct demo_item *it = kmalloc(sizeof(*it), GFP_KERNEL);
	if (!it)
		return -ENOMEM;
	it->value = v;
	spin_lock(&s->lock);
	list_add(&it->node, &s->items);
	s->count++;
	spin_unlock(&s->lock);
	return 0;
}
void demo_clear(struct demo_state *s)
{
	struct demo_item *it, *n;
	list_for_each_entry_safe(it, n, &s->items, node) {
		list_del(&it->node);
		kfree(it);
	}
}
