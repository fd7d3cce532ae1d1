/* Types pahole 1.24 cannot encode (it stops at _Atomic and _Complex):
 * checked against fixed expectations only. */
struct atomics {
  _Atomic int counter;
  _Atomic(long *) ptr;
};
struct atomics at;
_Complex double z;
_Complex float zf;
double use(struct atomics *a) { return a->counter + __real__ z + __imag__ zf; }
