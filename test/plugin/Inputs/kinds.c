/* Every BTF kind the plugin emits, for the lit tests and the differential
 * comparison with pahole (test/plugin/pahole-diff.test). */
#define __tag(x) __attribute__((btf_type_tag(x)))
#define __dtag(x) __attribute__((btf_decl_tag(x)))
#define __percpu_sec __attribute__((section(".data..percpu")))

typedef unsigned long long u64;
typedef signed char s8;

struct list_head {
  struct list_head *next, *prev;
};

struct bits {
  unsigned int a : 3;
  int b : 5;
  char c;
  u64 d : 40;
  _Bool flag : 1;
  unsigned short tail;
};

union value {
  int i;
  float f;
  double d;
  long double ld;
  u64 raw;
};

enum color { RED, GREEN = 5, BLUE };
enum sign { NEG = -2, POS = 2 };
enum big { BIG = 0x100000000ULL };
enum sbig { SBIG_NEG = -0x100000000LL };

struct opaque;
union opaque_u;

struct flex {
  int n;
  struct list_head node;
  short data[];
};

struct nest {
  int grid[2][3][4];
  char name[16];
  struct {
    int x, y;
  } anon_point;
  union {
    long l;
    void *p;
  };
  int (*callback)(struct nest *, const char *fmt, ...);
  void (*handlers[4])(void);
  const volatile u64 *restrict cvr;
  int __attribute__((vector_size(16))) vec;
  struct opaque *op;
  union opaque_u *opu;
};

struct tagged {
  int __tag("user") *uptr;
  int __tag("a") __tag("b") *two;
  int plain __dtag("member_tag");
} __dtag("struct_tag");

typedef struct tagged tagged_t __dtag("typedef_tag");
typedef void vfn_t(int);

__percpu_sec int pcpu_counter;
__percpu_sec struct list_head pcpu_list;
__percpu_sec static u64 pcpu_static[3];
int plain_global = 3;
static int unused_static; /* dropped: never used */
const char rodata_msg[] = "hi";
int dtag_global __dtag("var_tag") = 1;

static int helper(int x) { return x * 2 + (int)pcpu_static[0]; }

__attribute__((noinline)) static int kept_static(struct flex *f) {
  return f->n + helper(f->data[0]);
}

int sum(int n, ...) { return n; }

int __dtag("func_tag") tagged_fn(int a __dtag("param_tag"), tagged_t *t) {
  return a + t->plain + *t->uptr;
}

long use_all(struct bits *b, union value *v, enum color c, enum sign s,
             enum big g, enum sbig sg, struct nest *n, struct flex *f,
             s8 small, vfn_t *fp, const void *cv, __int128 wide,
             unsigned __int128 uwide) {
  fp(1);
  return b->a + v->i + c + s + (long)g + (long)sg + n->grid[1][2][3] +
         kept_static(f) + small + (cv != 0) + (long)wide + (long)uwide +
         pcpu_counter + plain_global + rodata_msg[0] +
         dtag_global + (pcpu_list.next != 0);
}

extern int external_fn(int);
int calls_external(void) { return external_fn(helper(3)); }
