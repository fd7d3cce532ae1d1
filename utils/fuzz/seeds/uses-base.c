/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
 *
 * A fuzzing seed (utils/fuzz/make-seeds.sh): types of utils/fuzz/base.btf
 * used by value, through pointers and typedefs, so that a fragment built
 * against that base has a distilled base with embedded composites.
 */
struct node {
  struct node *next;
  int flags : 3;
  int mode : 5;
  union {
    unsigned long l;
    char c[8];
  } u;
};
typedef struct node node_t;
enum state { S_NEG = -1, S_ON = 1 };
struct opaque;
struct wrapper {
  struct node n;
  node_t *p;
  enum state s;
  struct opaque *o;
  double d;
};
__attribute__((section(".data..percpu"))) int counter;
__attribute__((section(".data..percpu"))) struct wrapper percpu_wrapper;

int walk(struct node *n, unsigned long count, ...) {
  return n->flags + (int)count + counter;
}

int wrap(struct wrapper *w) { return walk(&w->n, 1) + w->s; }
