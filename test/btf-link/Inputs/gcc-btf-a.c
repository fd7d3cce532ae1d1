/* One object of a module compiled with gcc -gbtf (test/btf-link/gcc-btf.test):
   what GCC 12's BTF writes differently from the DWARF route (pahole 1.24):
   FUNCs of declarations, of inlined and of pointer prototypes, VARs of
   every global, char encodings, per-dimension arrays, FWDs with a size,
   enums it loses. */
#include "kernel-types.h"
#include <stdarg.h>

/* As Linux 6.1's BTF has them: a signed ENUM and an ENUM64. */
enum rpm_status {
  RPM_INVALID = -1,
  RPM_ACTIVE = 0,
  RPM_RESUMING,
  RPM_SUSPENDED,
  RPM_SUSPENDING,
};
enum hmm_pfn_flags {
  HMM_PFN_VALID = 1UL << 63,
  HMM_PFN_WRITE = 1UL << 62,
  HMM_PFN_ERROR = 1UL << 61,
  HMM_PFN_ORDER_SHIFT = 56,
  HMM_PFN_REQ_FAULT = HMM_PFN_VALID,
  HMM_PFN_REQ_WRITE = HMM_PFN_WRITE,
  HMM_PFN_FLAGS = 0xFFUL << HMM_PFN_ORDER_SHIFT,
};

struct kmod_priv {
  struct genl_multicast_group grp;
  struct kvm_mmio_fragment frag;
  struct list_head node;
  u32 count;
};

/* Declared only, and unknown to the base: a FWD in the module's BTF. */
struct gbtf_opaque;

struct gbtf_state {
  struct kmod_priv *priv;
  struct gbtf_opaque *opaque;
  enum rpm_status status;
  enum hmm_pfn_flags pfn;
  signed char sc;
  unsigned char uc;
  _Bool ok;
  float ratio;
  unsigned int mode : 3, level : 5;
  char names[4][8];
  int (*cb)(struct gbtf_state *, void *);
  const volatile int *cvp;
  union {
    int u1;
    short u2;
  };
  int tail[];
};

struct gbtf_state gbtf_global;
static int gbtf_calls;
__attribute__((section(".data..percpu"))) int kmod_hits;
__attribute__((section(".data..percpu"))) struct list_head gbtf_pcpu_list;

extern int gbtf_printk(const char *fmt, ...);

static inline int gbtf_inlined(int x) { return x + 1; }

__attribute__((noinline)) static int gbtf_static(struct gbtf_state *s,
                                                 int n) {
  gbtf_calls++;
  return s->status + n;
}

int kmod_probe(struct kmod_priv *p, struct sk_buff *skb) {
  return p->grp.flags + (int)p->frag.len + kmod_hits + (skb != 0) +
         gbtf_static(&gbtf_global, gbtf_inlined(gbtf_calls));
}

int gbtf_log(int level, ...) {
  va_list ap;
  va_start(ap, level);
  int v = va_arg(ap, int);
  va_end(ap);
  return gbtf_printk("%d", v + level);
}
