/* Kernel-style code for the pahole comparison: ops tables, per-CPU
 * statistics, bitfields, unions, flexible arrays, hlists. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef _Bool bool;
#define __percpu __attribute__((section(".data..percpu")))

struct hlist_node {
  struct hlist_node *next, **pprev;
};
struct hlist_head {
  struct hlist_node *first;
};

struct device;
struct sk_buff;

struct pcpu_stats {
  u64 rx_packets, rx_bytes;
  u64 tx_packets, tx_bytes;
  u32 errors[4];
};

struct drv_ops {
  int (*open)(struct device *dev);
  void (*close)(struct device *dev);
  long (*xmit)(struct sk_buff *skb, struct device *dev, unsigned int flags);
  const char *(*name)(const struct device *dev);
};

struct ring_desc {
  u64 addr;
  u32 len : 16, flags : 8, owner : 1, reserved : 7;
  union {
    u32 csum;
    struct {
      u16 start, offset;
    };
  };
};

struct my_priv {
  struct hlist_head buckets[16];
  const struct drv_ops *ops;
  struct pcpu_stats *stats;
  unsigned long state;
  bool up;
  u8 mac[6];
  struct ring_desc ring[];
};

__percpu struct pcpu_stats drv_stats;
__percpu int drv_cpu_id;
static __percpu u64 drv_irq_count;

static int drv_open(struct device *dev) { return dev != 0; }
static void drv_close(struct device *dev) { drv_irq_count++; }
static long drv_xmit(struct sk_buff *skb, struct device *dev,
                     unsigned int flags) {
  drv_stats.tx_packets++;
  return (long)skb + flags;
}
static const char *drv_name(const struct device *dev) { return "drv"; }

const struct drv_ops my_ops = {drv_open, drv_close, drv_xmit, drv_name};

__attribute__((noinline)) int drv_probe(struct my_priv *p, unsigned long arg) {
  p->ops = &my_ops;
  p->up = arg & 1;
  return p->ring[0].len + p->mac[0] + drv_cpu_id;
}

void drv_remove(struct my_priv *p) { p->ops->close(0); }
