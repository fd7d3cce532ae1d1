#include "kernel-types.h"

struct kmod_priv {
  struct genl_multicast_group grp;
  struct kvm_mmio_fragment frag;
  struct list_head node;
  u32 count;
};

/* Uses a kernel struct only through a pointer: its size does not matter. */
int kmod_remove(struct kmod_priv *p, struct list_head *head) {
  return (int)p->count + (head->next == head);
}
