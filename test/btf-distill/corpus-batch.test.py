# Compares btf-distill --output-dir results with the corpus oracle table:
#   corpus-batch.test.py ORACLE.tsv OUTDIR STEP
# checks every STEP-th module (sorted) of the table.
import hashlib
import os
import subprocess
import sys

oracle, out, step = sys.argv[1], sys.argv[2], int(sys.argv[3])


def digest(args):
    text = subprocess.run(["btf-dump"] + args, check=True,
                          stdout=subprocess.PIPE).stdout
    return hashlib.sha256(text).hexdigest()[:16]


rows = [l.rstrip("\n").split("\t") for l in open(oracle)][1:]
rows.sort()
files = os.listdir(out)
done = sum(f.endswith(".base.btf") for f in files)
checked = differ = 0
for i, row in enumerate(rows):
    if i % step:
        continue
    mod, base, split = row[0], row[1], row[2]
    b = os.path.join(out, mod + ".base.btf")
    s = os.path.join(out, mod + ".btf")
    checked += 1
    if digest([b]) != base or digest([s, "--base-btf=" + b]) != split:
        differ += 1
        print("DIFFERS:", mod)
print("%d modules distilled; %d checked against the oracle, %d differ"
      % (done, checked, differ))
