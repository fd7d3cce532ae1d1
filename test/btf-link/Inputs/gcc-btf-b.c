/* The other object of test/btf-link/gcc-btf.test's module. */
#include "kernel-types.h"

struct kmod_priv {
  struct genl_multicast_group grp;
  struct kvm_mmio_fragment frag;
  struct list_head node;
  u32 count;
};

enum gbtf_mode { GBTF_OFF, GBTF_ON = 5, GBTF_MAX = 0x7fffffff };
typedef unsigned long gbtf_ul;

gbtf_ul gbtf_counter;
const char *gbtf_name = "gbtf";
void (*gbtf_hook)(int);
__attribute__((section(".data..percpu"))) gbtf_ul gbtf_pcpu;

int kmod_remove(struct kmod_priv *p, struct list_head *head) {
  return (int)p->count + (head->next == head);
}

int gbtf_mode_of(struct kmod_priv *p, enum gbtf_mode m, unsigned long long q) {
  return (int)p->count + m + (int)q + (int)gbtf_pcpu;
}

int gbtf_none(void) { return 0; }
