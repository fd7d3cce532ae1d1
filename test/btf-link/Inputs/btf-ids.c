/* BTF_ID() symbols as include/linux/btf_ids.h lays them out: a list of ids
 * (one name the BTF does not have), a set, and a set8 with flags, for
 * resolve-btfids-7x.test. */
#include "common.h"

struct b_only {
  struct shared_thing *owner;
  struct list_head *head;
};
struct b_only b_state;

int c_func(struct b_only *b) { return b->owner->x; }

asm(".pushsection .BTF_ids,\"a\"\n"
    ".local __BTF_ID__struct__shared_thing__1\n"
    "__BTF_ID__struct__shared_thing__1: .zero 4\n"
    ".local __BTF_ID__struct__device__2\n"
    "__BTF_ID__struct__device__2: .zero 4\n"
    ".local __BTF_ID__func__c_func__3\n"
    "__BTF_ID__func__c_func__3: .zero 4\n"
    ".local __BTF_ID__typedef__u32__4\n"
    "__BTF_ID__typedef__u32__4: .zero 4\n"
    ".local __BTF_ID__struct__not_there__5\n"
    "__BTF_ID__struct__not_there__5: .zero 4\n"
    ".local __BTF_ID__set__the_set\n"
    "__BTF_ID__set__the_set: .zero 4\n"
    ".local __BTF_ID__struct__b_only__6\n"
    "__BTF_ID__struct__b_only__6: .zero 4\n"
    ".local __BTF_ID__struct__list_head__7\n"
    "__BTF_ID__struct__list_head__7: .zero 4\n"
    ".local __BTF_ID__struct__shared_thing__8\n"
    "__BTF_ID__struct__shared_thing__8: .zero 4\n"
    ".size __BTF_ID__set__the_set, 16\n"
    ".local __BTF_ID__set8__the_set8\n"
    "__BTF_ID__set8__the_set8: .zero 8\n"
    ".local __BTF_ID__func__c_func__9\n"
    "__BTF_ID__func__c_func__9: .zero 4\n"
    ".long 5\n"
    ".local __BTF_ID__struct__b_only__10\n"
    "__BTF_ID__struct__b_only__10: .zero 4\n"
    ".long 7\n"
    ".size __BTF_ID__set8__the_set8, 24\n"
    ".popsection\n");
