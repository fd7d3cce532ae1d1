/* Which functions get a FUNC: those that reach the object file. */
static int inlined(int x) { return x + 1; }
__attribute__((noinline)) static int survives(int x) { return x * 3; }
__attribute__((noinline)) static int dae(int used, int unused) {
  return used * 7;
}
inline int c99_inline(int x) { return x - 1; } /* no external definition */
int unnamed(int) { return 0; }                 /* C23: no parameter name */
extern int declared(int);

/* A kfunc set as Linux's BTF_SET8_START/BTF_ID_FLAGS emit it. */
__asm__(".pushsection .BTF_ids,\"a\"\n"
    "__BTF_ID__set8__my_kfunc_ids:\n .zero 8\n"
    "__BTF_ID__func__my_kfunc__1:\n .zero 4\n .long 0\n"
    ".popsection\n");
__attribute__((noinline)) int my_kfunc(int a) { return a; }

int entry(int a, int b) {
  return inlined(a) + survives(b) + dae(a, b) + c99_inline(a) + declared(b) +
         unnamed(a) + my_kfunc(b);
}
