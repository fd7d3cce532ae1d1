# Prints a listing of N structs, each embedding the next by value (N - 1
# levels of nesting).
import sys

n = int(sys.argv[1])
print("[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED")
for i in range(2, n + 2):
    print("[%d] STRUCT 's%d' size=4 vlen=1" % (i, i))
    print("\t'm' type_id=%d bits_offset=0" % (i + 1 if i < n + 1 else 1))
