#include "common.h"

/* A third object sharing the module's types, with a static of the same
   name as nothing else and a function taking a base type only by pointer. */
__percpu_var int c_counter;
int c_func(struct device *d, struct shared_thing *t) {
  return d->id + b_func(t) + c_counter;
}
