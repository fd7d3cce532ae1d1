#!/usr/bin/env bash
# Loading BTF, btfkit against libbpf and bpftool, side by side in one run.
#
#   utils/bench/run-bench.sh [REPETITIONS]     (default 5)
#
# Builds the benchmark harness into build-bench/ (-DBTFKIT_BUILD_BENCHMARKS=ON,
# Release), then:
#   1. parse-bench: vmlinux (btf__parse_raw against BTFFile::load) and all
#      corpus modules over it (btf__parse_split against BTFFile::load), each
#      repeated REPETITIONS times by Google Benchmark;
#   2. `btf-dump --format=raw` against `bpftool btf dump file` on vmlinux,
#      one process per run, REPETITIONS runs each, interleaved;
# and prints medians (wall and CPU time) and the ratios anchor/btfkit.
# CPU time (user + system) is the fair figure on a shared machine; wall
# time is printed too. The corpus is $BTFKIT_CORPUS_DIR, else build/corpus.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
reps=${1:-5}
build=${BTFKIT_BENCH_BUILD_DIR:-$root/build-bench}
corpus=${BTFKIT_CORPUS_DIR:-$root/build/corpus}
[ -f "$corpus/vmlinux-6.1.0-50-amd64.btf" ] ||
  { echo "run-bench: no corpus in $corpus (run ctest -R corpus-prepare)" >&2; exit 1; }
command -v bpftool >/dev/null || { echo "run-bench: bpftool not found" >&2; exit 1; }

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DBTFKIT_BUILD_BENCHMARKS=ON -DBTFKIT_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j "${BTFKIT_JOBS:-2}" parse-bench btf-dump >/dev/null

json=$(mktemp)
trap 'rm -f "$json"' EXIT
"$build/bin/parse-bench" "$corpus" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out="$json" --benchmark_out_format=json >/dev/null

python3 - "$json" "$reps" "$build/bin/btf-dump" \
  "$corpus/vmlinux-6.1.0-50-amd64.btf" <<'PY'
import json, os, resource, statistics, subprocess, sys, time

path, reps, btf_dump, vmlinux = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = {}
for b in json.load(open(path))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        rows[b["run_name"]] = (b["real_time"], b["cpu_time"])

def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1e3, cpu * 1e3

dumps = {"btf-dump/btfkit": [], "btf-dump/bpftool": []}
cmds = {"btf-dump/btfkit": [btf_dump, "--format=raw", vmlinux],
        "btf-dump/bpftool": ["bpftool", "btf", "dump", "file", vmlinux]}
for name, cmd in cmds.items():  # warm the page cache
    run(cmd)
for _ in range(reps):
    for name, cmd in cmds.items():
        dumps[name].append(run(cmd))
for name, runs in dumps.items():
    rows[name] = (statistics.median(r[0] for r in runs),
                  statistics.median(r[1] for r in runs))

print("%-26s %12s %12s" % ("benchmark (median of %d)" % reps, "wall ms", "cpu ms"))
for name in sorted(rows):
    print("%-26s %12.2f %12.2f" % (name, rows[name][0], rows[name][1]))
print()
print("%-26s %12s %12s" % ("anchor / btfkit", "wall", "cpu"))
for task, anchor in (("ParseVmlinux", "libbpf"), ("ParseAllModules", "libbpf"),
                     ("btf-dump", "bpftool")):
    a, b = rows["%s/%s" % (task, anchor)], rows["%s/btfkit" % task]
    print("%-26s %11.2fx %11.2fx" % ("%s (%s)" % (task, anchor), a[0] / b[0], a[1] / b[1]))
PY
