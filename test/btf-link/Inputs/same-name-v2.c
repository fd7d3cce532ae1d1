/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions. */
/* The second object of dwarf-fallback-same-name.test: sweep() over a
   32-bit block, and trim() kept out of line (its address is taken). */
typedef unsigned int block_t;
static int sweep(block_t *p, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s ^= p[i];
  return s;
}
static int trim(int x) { return x & 0xffff; }
struct ops2 {
  int (*sweep)(block_t *, int);
  int (*trim)(int);
};
struct ops2 v2_ops = {sweep, trim};
int v2_total(block_t *p, int n) { return trim(sweep(p, n)); }
