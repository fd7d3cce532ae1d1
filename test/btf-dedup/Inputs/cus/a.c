#include "common.h"
struct list global_list;
int walk(struct list *l, enum color c) { return l->head ? (int)c : 0; }
