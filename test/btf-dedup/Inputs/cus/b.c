#include "common.h"
/* This CU completes the struct the others only declare. */
struct opaque {
	struct list *owner;
	u32 refs;
};
struct opaque the_opaque;
int poke(struct node *n) { return n->priv ? (int)n->priv->refs : 0; }
