#include "common.h"

__percpu_var int a_counter;
__percpu_var unsigned long a_stamp;
struct shared_thing a_thing;

int a_func(struct shared_thing *t, struct device *d) {
  return t->x + d->id + a_counter;
}
