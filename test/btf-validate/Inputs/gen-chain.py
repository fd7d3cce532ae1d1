#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Print a btf-asm listing of a long chain, for the kernel's depth limits.

    gen-chain.py structs N   N structs, each holding the next by value
    gen-chain.py consts N    N CONSTs, each naming the next, then an INT
    gen-chain.py enum N      one ENUM of N enumerators (vlen N)
"""
import sys

what, n = sys.argv[1], int(sys.argv[2])
if what == "structs":
    for i in range(1, n + 1):
        print("[%d] STRUCT 's%d' size=4 vlen=1" % (i, i))
        print("\t'm' type_id=%d bits_offset=0" % (i + 1))
    print("[%d] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED" % (n + 1))
elif what == "consts":
    for i in range(1, n + 1):
        print("[%d] CONST '(anon)' type_id=%d" % (i, i + 1))
    print("[%d] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED" % (n + 1))
elif what == "enum":
    print("[1] ENUM 'big' encoding=UNSIGNED size=4 vlen=%d" % n)
    for i in range(n):
        print("\t'e%d' val=%d" % (i, i))
else:
    sys.exit("gen-chain: structs, consts or enum")
