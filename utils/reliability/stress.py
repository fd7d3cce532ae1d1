#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Concurrency and kill tests of btfkit's cache and writers (issue 16).

    utils/reliability/stress.py --build-dir BUILD [--short | --rounds N]

Each check is bounded (a number of runs, not a time) and stops by itself:

  concurrent  compilations with the plugin against one base and one cold
              cache directory, several at once: every object is byte for
              byte the cache-off build's.
  truncate    the cache entry truncated in place (and rewritten) in a loop
              while compilations read it: none may crash (SIGBUS from a
              mapping was the defect), and every object is the cache-off
              build's.
  kill-lld    ld.lld-btf killed (SIGKILL) at spread-out points of a link:
              the output is then absent or a merged module, never lld's
              unmerged output; the temporaries left are removed by the next
              writer once stale.
  kill-link   btf-link rewriting a module in place, killed the same way: the
              module is the old file or the new one, whole.

--short is what CI runs (ctest reliability-stress, a few seconds); the
default is ten times as many runs, the long form to run before changing
the cache or a writer. Needs clang, ld.lld and llvm-readelf of the LLVM
the build uses (--llvm-bin, LLVM 19's by default) and the corpus
(BUILD/corpus, unpacked by ctest's corpus-prepare).
"""
import argparse
import glob
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNIT = os.path.join(SRC, "test", "plugin", "Inputs", "listhead.c")
UNIT2 = os.path.join(SRC, "test", "plugin", "Inputs", "kinds.c")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Stress:
    def __init__(self, build, rounds, work):
        self.build = build
        self.rounds = rounds
        self.work = work
        self.bin = os.path.join(build, "bin")
        self.plugin = os.path.join(build, "lib", "btfkit-plugin.so")
        self.base = os.path.join(work, "base.btf")
        shutil.copy(os.path.join(build, "corpus", "vmlinux-6.1.0-50-amd64.btf"), self.base)
        self.failures = []
        self.rng = random.Random(1)  # fixed: the same points every run

    def fail(self, what):
        print("FAIL: " + what)
        self.failures.append(what)

    def compile(self, src, out, cache, check=True):
        env = dict(os.environ, BTFKIT_CACHE_DIR=cache, BTFKIT_BASE=self.base)
        r = subprocess.run(
            ["clang", "-g", "-O2", "-fpass-plugin=" + self.plugin, "-c", src, "-o", out],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        if check and r.returncode != 0:
            self.fail("%s: clang exited %d: %s" % (out, r.returncode, r.stderr.decode()[-500:]))
        return r.returncode

    def reference(self, src):
        out = os.path.join(self.work, "ref-%s.o" % os.path.basename(src))
        if not os.path.exists(out):
            self.compile(src, out, "off")
        return digest(out)

    def run_parallel(self, jobs, width):
        """Runs (src, out, cache) compilations, width at a time."""
        pending = list(jobs)
        running = []
        codes = []
        while pending or running:
            while pending and len(running) < width:
                src, out, cache = pending.pop()
                env = dict(os.environ, BTFKIT_CACHE_DIR=cache, BTFKIT_BASE=self.base)
                p = subprocess.Popen(
                    ["clang", "-g", "-O2", "-fpass-plugin=" + self.plugin, "-c", src, "-o", out],
                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                running.append((p, src, out))
            p, src, out = running.pop(0)
            _, err = p.communicate(timeout=300)
            codes.append((p.returncode, src, out, err))
        return codes

    def concurrent(self):
        n = 4 * self.rounds
        cache = os.path.join(self.work, "cache-concurrent")
        jobs = []
        for i in range(n):
            src = UNIT if i % 2 == 0 else UNIT2
            jobs.append((src, os.path.join(self.work, "c%d.o" % i), cache))
        for code, src, out, err in self.run_parallel(jobs, 4):
            if code != 0:
                self.fail("concurrent: %s exited %d: %s" % (out, code, err.decode()[-300:]))
            elif digest(out) != self.reference(src):
                self.fail("concurrent: %s differs from the cache-off build" % out)
        print("concurrent: %d compilations, 4 at once, from a cold cache" % n)

    def truncate(self):
        cache = os.path.join(self.work, "cache-truncate")
        self.compile(UNIT, os.path.join(self.work, "warm.o"), cache)
        (entry,) = glob.glob(cache + "/base-*.idx")
        state = {"good": open(entry, "rb").read()}
        stop = threading.Event()
        cuts = [0]

        def damage():
            rng = random.Random(2)
            while not stop.is_set():
                good = state["good"]
                try:
                    # In place, as the attack did: the same inode
                    # shrinks under the readers, then grows back.
                    fd = os.open(entry, os.O_WRONLY)
                    os.ftruncate(fd, rng.randrange(len(good)))
                    time.sleep(0.002)
                    os.pwrite(fd, good, 0)
                    os.close(fd)
                    cuts[0] += 1
                except OSError:
                    pass  # replaced by a compilation's rewrite meanwhile
                # A compilation that found the entry cut rewrote it (a new
                # file at the name): keep attacking that one.
                try:
                    now = open(entry, "rb").read()
                    if len(now) == len(good):
                        state["good"] = now
                except OSError:
                    pass

        t = threading.Thread(target=damage)
        t.start()
        n = 5 * self.rounds
        try:
            jobs = [(UNIT, os.path.join(self.work, "t%d.o" % i), cache) for i in range(n)]
            results = self.run_parallel(jobs, 2)
        finally:
            stop.set()
            t.join()
        for code, src, out, err in results:
            if code != 0:
                sig = -code if code < 0 else 0
                self.fail("truncate: %s exited %d%s: %s" % (
                    out, code, " (signal %d)" % sig if sig else "", err.decode()[-300:]))
            elif digest(out) != self.reference(src):
                self.fail("truncate: %s differs from the cache-off build" % out)
        print("truncate: %d compilations while the entry was cut %d times" % (n, cuts[0]))

    def module_state(self, path):
        """'absent', 'merged' or 'unmerged' (a module lld wrote, not merged)."""
        if not os.path.exists(path):
            return "absent"
        r = subprocess.run(["llvm-readelf", "-S", path], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        secs = r.stdout.decode()
        if ".BTF.btfkit" in secs or ".BTF.base" not in secs:
            return "unmerged"
        return "merged"

    def kill_points(self, argv, env, n, check):
        """Runs argv n times, killing it after a delay spread over its run
        time (measured first); check(i) judges what was left."""
        check(-1, before=True)
        t0 = time.monotonic()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        span = time.monotonic() - t0
        for i in range(n):
            check(i, before=True)
            p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            # A little past the measured span too: the rename is the end.
            time.sleep(1.3 * span * (i + self.rng.random()) / n)
            p.send_signal(signal.SIGKILL)
            p.wait()
            check(i, before=False)
        return span

    def kill_lld(self):
        cache = os.path.join(self.work, "cache-kill")
        objs = []
        for i, src in enumerate((UNIT, UNIT2)):
            o = os.path.join(self.work, "k%d.o" % i)
            self.compile(src, o, cache)
            objs.append(o)
        out_dir = os.path.join(self.work, "kill-lld")
        os.makedirs(out_dir)
        out = os.path.join(out_dir, "m.ko")
        env = dict(os.environ, BTFKIT_CACHE_DIR=cache)
        argv = [os.path.join(self.bin, "ld.lld-btf"), "-r", "--build-id=none"] + objs + [
            "-o", out, "--btf-base=" + self.base]
        states = {}

        def check(i, before):
            if before:
                if os.path.exists(out):
                    os.unlink(out)
                return
            s = self.module_state(out)
            states[s] = states.get(s, 0) + 1
            if s == "unmerged":
                self.fail("kill-lld: point %d left an unmerged module at %s" % (i, out))

        n = 15 * self.rounds
        self.kill_points(argv, env, n, check)
        left = [f for f in os.listdir(out_dir) if ".btfkit-tmp" in f]
        # Killed writers' temporaries: removed by the next writer once stale.
        old = time.time() - 3600
        for f in left:
            os.utime(os.path.join(out_dir, f), (old, old))
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        after = [f for f in os.listdir(out_dir) if ".btfkit-tmp" in f]
        if after:
            self.fail("kill-lld: stale temporaries not removed: %s" % after)
        if self.module_state(out) != "merged":
            self.fail("kill-lld: the final link did not leave a merged module")
        print("kill-lld: %d kill points: %s; %d temporaries left, all removed by the next link"
              % (n, ", ".join("%s %d" % kv for kv in sorted(states.items())), len(left)))

    def kill_link(self):
        cache = os.path.join(self.work, "cache-kill")
        out_dir = os.path.join(self.work, "kill-link")
        os.makedirs(out_dir)
        unmerged = os.path.join(out_dir, "unmerged.ko")
        objs = sorted(glob.glob(os.path.join(self.work, "k*.o")))
        subprocess.run(["ld.lld", "-r", "--build-id=none"] + objs + ["-o", unmerged], check=True)
        mod = os.path.join(out_dir, "m.ko")
        merged = os.path.join(out_dir, "merged.ko")
        env = dict(os.environ, BTFKIT_CACHE_DIR=cache)
        link = [os.path.join(self.bin, "btf-link"), "--base=" + self.base]
        subprocess.run(link + [unmerged, "-o", merged], env=env, check=True)
        old, new = digest(unmerged), digest(merged)
        seen = {}

        def check(i, before):
            if before:
                shutil.copy(unmerged, mod)
                return
            d = digest(mod) if os.path.exists(mod) else None
            s = "old" if d == old else "new" if d == new else "broken"
            seen[s] = seen.get(s, 0) + 1
            if s == "broken":
                self.fail("kill-link: point %d left a module that is neither the old nor the new" % i)

        n = 15 * self.rounds
        self.kill_points(link + [mod], env, n, check)
        print("kill-link: %d kill points: %s" % (n, ", ".join("%s %d" % kv for kv in sorted(seen.items()))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--short", action="store_true", help="CI's bounded form")
    ap.add_argument("--rounds", type=int, help="scale of every check (default 30, 3 with --short)")
    ap.add_argument("--llvm-bin", default="/usr/lib/llvm-19/bin",
                    help="bin folder of the LLVM the build uses (clang, ld.lld, llvm-readelf)")
    args = ap.parse_args()
    rounds = args.rounds or (3 if args.short else 30)
    build = os.path.abspath(args.build_dir)
    # The plugin loads only into the clang of the LLVM it was built against.
    os.environ["PATH"] = args.llvm_bin + os.pathsep + os.environ.get("PATH", "")
    for tool in ("clang", "ld.lld", "llvm-readelf"):
        if not os.path.exists(os.path.join(args.llvm_bin, tool)):
            sys.exit("stress: %s not found in %s" % (tool, args.llvm_bin))
    if not os.path.exists(os.path.join(build, "corpus", ".prepared")):
        sys.exit("stress: the corpus is not unpacked in %s/corpus (ctest -R corpus-prepare)" % build)
    with tempfile.TemporaryDirectory(prefix="btfkit-stress-") as work:
        s = Stress(build, rounds, work)
        s.concurrent()
        s.truncate()
        s.kill_lld()
        s.kill_link()
        if s.failures:
            print("%d passed, %d failed" % (4 - len(set(f.split(":")[0] for f in s.failures)),
                                            len(set(f.split(":")[0] for f in s.failures))))
            return 1
    print("stress: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
