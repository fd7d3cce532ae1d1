#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Run one command once per kernel release and print what each run said,
for the rules that differ between releases (versions.test).

    by-version.py VERSIONS -- COMMAND ARG...

VERSIONS is a comma-separated list (6.1,6.6,6.12,7.2). "{v}" in the command
is replaced by each release in turn. Every line the run printed (stdout,
then stderr) is printed as "V: line", then "V: exit N". The command runs in
the folder of its last argument, which it is given by its base name, so
that messages name the file the same way on every machine.
"""
import os
import subprocess
import sys


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: by-version.py VERSIONS -- COMMAND ARG...")
    versions = sys.argv[1].split(",")
    cmd = sys.argv[3:]
    folder = os.path.dirname(cmd[-1]) or "."
    cmd[-1] = os.path.basename(cmd[-1])
    for v in versions:
        r = subprocess.run([a.replace("{v}", v) for a in cmd], cwd=folder,
                           capture_output=True, text=True)
        for line in (r.stdout + r.stderr).splitlines():
            print("%s: %s" % (v, line))
        print("%s: exit %d" % (v, r.returncode))


if __name__ == "__main__":
    main()
