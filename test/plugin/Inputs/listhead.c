/* A kernel-like struct the base has (struct list_head), held by value, through a typedef/const chain and an array, and only through a pointer. */
struct list_head {
  struct list_head *next, *prev;
};
typedef struct list_head lh_t;

struct my_item {
  int id;
  struct list_head node;
};
struct my_queue {
  const lh_t heads[2];
};
struct my_ref {
  struct list_head *head;
};

struct my_item items[4];
struct my_queue queue;

int count(struct my_item *it, struct my_ref *r) {
  int n = 0;
  for (struct list_head *p = r->head->next; p != r->head; p = p->next)
    n++;
  return n + it->id + (queue.heads[0].next != 0);
}
