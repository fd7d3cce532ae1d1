/* Bitfields, an enum, varargs and a per-CPU variable, for GCC's DWARF:
   with -gdwarf-4 GCC places bitfields with DWARF 2's DW_AT_bit_offset
   (from the storage unit's most significant bit), with DWARF 5 with
   DW_AT_data_bit_offset. */
typedef unsigned long long u64;
struct bits {
  unsigned int a : 3;
  int b : 5;
  char c;
  u64 d : 40;
  _Bool flag : 1;
  unsigned short tail;
  long long e : 33;
};
enum sign { NEG = -2, POS = 2 };
struct bits g_bits;
__attribute__((section(".data..percpu"))) int pc;
int f(struct bits *b, enum sign s, int n, ...) { return b->a + b->e + s + pc; }
