/* struct filename of Linux 6.1 (include/linux/fs.h), whose last member is
 * a const array: GCC's DWARF qualifies the array and its elements, clang's
 * the elements only. */
typedef struct {
  int counter;
} atomic_t;
struct audit_names;
struct filename {
  const char *name;
  const char *uptr;
  atomic_t refcnt;
  struct audit_names *aname;
  const char iname[];
};
int filename_len(struct filename *f) { return f->iname[0] + f->refcnt.counter; }
