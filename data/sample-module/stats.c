#include "sample.h"

__percpu_var struct sample_stats sample_cpu_stats;

void sample_account(struct sample_priv *priv, unsigned int len) {
  priv->stats.packets++;
  priv->stats.bytes += len;
  sample_cpu_stats.packets++;
}

unsigned long long sample_total(const struct sample_priv *priv) {
  return priv->stats.bytes + sample_cpu_stats.bytes;
}
