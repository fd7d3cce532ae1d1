/* A pointer with a btf_type_tag, made an attribute tag for the link step's
   checks by release (kernel-version.test). */
struct holder {
  int __attribute__((btf_type_tag("user"))) *p;
  long n;
};
struct holder the_holder;
int use_holder(struct holder *h) { return *h->p + (int)h->n; }
