/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions. */
/* GCC -O2 inlines first() into second() and second() into third() and
   keeps out-of-line copies for the table: first and second each get an
   abstract instance where they are defined and a concrete one after
   all the other functions (dwarf-fallback-func-order.test). */
struct ops {
  int (*a)(int);
  int (*b)(int);
  int (*c)(int);
};
static int first(int x) { return x * 3 + 1; }
static int second(int x) { return first(x) * 5 + 2; }
static int third(int x) { return second(x) - 7; }
struct ops tbl = {.a = first, .b = second, .c = third};
