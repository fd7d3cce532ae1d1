/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
 *
 * A fuzzing seed (utils/fuzz/make-seeds.sh): every kind of type a kernel
 * module's DWARF holds, per-CPU and ordinary variables, static and global
 * functions. No headers, so that it builds for any target.
 */
typedef unsigned long ulong_t;
enum color { RED = -1, GREEN, BLUE = 7 };
enum big { HUGE = 0x100000000ULL };
enum { ANON_A = 1, ANON_B };
struct node;
struct list {
  struct list *next, *prev;
};
union val {
  long l;
  double d;
  char c[8];
};
struct flags {
  unsigned a : 3, b : 5;
  signed c : 7;
  _Bool on;
};
struct __attribute__((packed)) packed {
  char c;
  int i;
};
struct holder {
  const volatile int cv;
  int *__restrict rp;
  struct list head;
  union val v;
  struct flags f;
  struct packed p;
  int matrix[3][4];
  void (*callback)(int, const char *, ...);
  int (*table[2])(void);
  struct {
    int x;
  } inner;
  union {
    int i;
    float fl;
  };
  enum color col;
  enum big b;
  struct node *opaque;
  ulong_t size;
  long double ld;
  _Complex double cd;
  char tail[];
};
__attribute__((section(".data..percpu"))) int percpu_counter;
__attribute__((section(".data..percpu"))) struct list percpu_list;
struct holder *global_holder;
const char *names[4] = {"a", "b"};

static __attribute__((noinline)) int helper(struct holder *h, int n) {
  return h->matrix[n][0] + n + percpu_counter;
}

int use(struct holder *h, enum color c, union val v) {
  return helper(h, 1) + c + (int)v.l;
}

#ifdef __clang__
int __attribute__((btf_type_tag("user"))) * tagged;
int __attribute__((btf_decl_tag("kfunc"))) decl_tagged(int x) { return x; }
#endif
