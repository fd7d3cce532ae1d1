/* Types BTF has no kind for, in an object built without the plugin. */
struct with_complex {
  _Complex double z;
  _Atomic int counter;
  int n;
};
struct with_complex wc;
int wc_get(struct with_complex *w) { return w->n + w->counter; }
