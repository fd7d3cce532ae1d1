/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions. */
/* With same-name-v2.c: two objects that each define static helpers of the
   same names, as minix's itree_v1.c and itree_v2.c include
   itree_common.c (dwarf-fallback-same-name.test). Here sweep() takes a
   16-bit block and trim() is inlined everywhere. */
typedef unsigned short block_t;
static int sweep(block_t *p, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += p[i];
  return s;
}
static inline int trim(int x) { return x & 0xff; }
struct ops1 {
  int (*sweep)(block_t *, int);
};
struct ops1 v1_ops = {sweep};
int v1_total(block_t *p, int n) { return trim(sweep(p, n)); }
