#include "sample.h"

/* A per-CPU counter: encoded as a VAR in the module's .data..percpu DATASEC. */
__percpu_var unsigned long sample_calls;

int sample_xmit(struct sample_priv *priv, struct sk_buff *skb) {
  sample_calls++;
  if (priv->state != SAMPLE_RUNNING || !skb)
    return -1;
  sample_account(priv, priv->frag.len);
  return priv->group.flags;
}

int sample_init(struct sample_priv *priv) {
  priv->node.next = priv->node.prev = &priv->node;
  priv->state = SAMPLE_RUNNING;
  priv->xmit = sample_xmit;
  return 0;
}
