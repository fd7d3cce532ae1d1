#include "common.h"

struct b_only {
  struct shared_thing *owner;
  struct list_head *head;
};
__percpu_var struct b_only b_state;

int b_func(struct shared_thing *t) {
  return a_func(t, &t->dev) + (int)b_state.owner->flags;
}
