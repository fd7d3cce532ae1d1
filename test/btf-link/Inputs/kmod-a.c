#include "kernel-types.h"

/* Embeds two kernel structs by value: their sizes must match on load. */
struct kmod_priv {
  struct genl_multicast_group grp;
  struct kvm_mmio_fragment frag;
  struct list_head node;
  u32 count;
};

__attribute__((section(".data..percpu"))) int kmod_hits;

int kmod_probe(struct kmod_priv *p, struct sk_buff *skb) {
  return p->grp.flags + (int)p->frag.len + kmod_hits + (skb != 0);
}
