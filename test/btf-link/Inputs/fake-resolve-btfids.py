#!/usr/bin/env python3
# Stands in for Linux's resolve_btfids in test/btf-link/resolve-btfids.test:
# prints its arguments, with the -b file's name replaced by where it is
# copied (FAKE_RESOLVE_BTFIDS_COPY), so that the test can look at the base
# btf-resolve-btfids gave it after the temporary file is gone.
import os
import shutil
import sys

args = sys.argv[1:]
out = []
i = 0
while i < len(args):
    a = args[i]
    if a in ("-b", "--btf_base") and i + 1 < len(args):
        shutil.copy(args[i + 1], os.environ["FAKE_RESOLVE_BTFIDS_COPY"])
        out += [a, "<base copied>"]
        i += 2
        continue
    if a.startswith("--btf_base="):
        shutil.copy(a[len("--btf_base="):], os.environ["FAKE_RESOLVE_BTFIDS_COPY"])
        out.append("--btf_base=<base copied>")
    else:
        out.append(os.path.basename(a))
    i += 1
print("resolve_btfids " + " ".join(out))
sys.exit(int(os.environ.get("FAKE_RESOLVE_BTFIDS_EXIT", "0")))
