/* Types shared by the sample module's two translation units: the link step
   must keep one copy of each. */
#ifndef SAMPLE_H
#define SAMPLE_H

#include "kernel-types.h"

enum sample_state { SAMPLE_IDLE, SAMPLE_RUNNING, SAMPLE_STOPPED = -1 };

struct sample_stats {
  u64 packets;
  u64 bytes;
  unsigned int errors : 12;
  unsigned int dropped : 20;
};

/* Holds kernel structs by value: their sizes must match the running kernel
   for this module's BTF to load there. */
struct sample_priv {
  struct list_head node;
  struct genl_multicast_group group;
  struct kvm_mmio_fragment frag;
  struct sample_stats stats;
  enum sample_state state;
  int (*xmit)(struct sample_priv *priv, struct sk_buff *skb);
};

int sample_xmit(struct sample_priv *priv, struct sk_buff *skb);
void sample_account(struct sample_priv *priv, unsigned int len);

#endif
