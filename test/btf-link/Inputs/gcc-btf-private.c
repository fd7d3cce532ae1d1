/* Enums of the module's own that GCC 12's BTF encodes differently from the
   DWARF route, with nothing in the base to recover them from
   (docs/LinkStep.md, "GCC's -gbtf objects"). */
enum gbtf_sign { GBTF_NEG = -1, GBTF_POS = 2 };
enum gbtf_wide { GBTF_WIDE = 0x100000000ULL };

int gbtf_private(enum gbtf_sign s, enum gbtf_wide w) { return s + (int)w; }
