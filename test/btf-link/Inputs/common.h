/* Types shared by the objects of the test module. */
struct list_head {
  struct list_head *next, *prev;
};
struct device {
  struct list_head node;
  int id;
};
typedef unsigned int u32;

/* Defined by the module, used by several objects. */
struct shared_thing {
  u32 x;
  struct device dev; /* embedded by value: its size matters */
  struct list_head link;
  unsigned long flags;
};

#define __percpu_var __attribute__((section(".data..percpu")))

int a_func(struct shared_thing *t, struct device *d);
int b_func(struct shared_thing *t);
