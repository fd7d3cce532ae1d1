/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
 *
 * The libbpf side of utils/bench/relocate-bench.sh: distills every module of
 * the corpus with btf__distill_base() and relocates the result onto a target
 * kernel's BTF with btf__relocate(), timing each call. Needs a libbpf that
 * has them (>= 1.5, e.g. its current head; Debian 12's 1.1 does not): the
 * script builds this file against $LIBBPF_HEAD.
 *
 *   libbpf-relocate-bench BASE.btf TARGET.btf MODULE.btf...
 *
 * Prints "module<TAB>distill_us<TAB>relocate_us<TAB>verdict" per module and a
 * TOTAL line (microseconds). Loading files is not timed.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread by default (steady on a shared machine); wall
 * time with BENCH_CLOCK=wall.
 */
static clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(bench_clock, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *module_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
	struct btf *base, *target;
	double total_distill = 0, total_relocate = 0;
	int i, n = 0, fails = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: %s BASE.btf TARGET.btf MODULE.btf...\n", argv[0]);
		return 2;
	}
	if (getenv("BENCH_CLOCK") && !strcmp(getenv("BENCH_CLOCK"), "wall"))
		bench_clock = CLOCK_MONOTONIC;
	base = btf__parse_raw(argv[1]);
	target = btf__parse_raw(argv[2]);
	if (!base || !target) {
		fprintf(stderr, "cannot load %s or %s\n", argv[1], argv[2]);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		struct btf *split, *dist_base = NULL, *dist_split = NULL;
		double t0, t1, t2;
		int err;

		split = btf__parse_raw_split(argv[i], base);
		if (!split) {
			fprintf(stderr, "cannot load %s\n", argv[i]);
			return 2;
		}
		t0 = now_us();
		err = btf__distill_base(split, &dist_base, &dist_split);
		t1 = now_us();
		if (err) {
			fprintf(stderr, "%s: distill failed: %d\n", argv[i], err);
			return 2;
		}
		err = btf__relocate(dist_split, target);
		t2 = now_us();
		printf("%s\t%.1f\t%.1f\t%s\n", module_name(argv[i]), t1 - t0, t2 - t1,
		       err ? "fail" : "ok");
		total_distill += t1 - t0;
		total_relocate += t2 - t1;
		fails += err != 0;
		n++;
		btf__free(dist_split);
		btf__free(dist_base);
		btf__free(split);
	}
	printf("TOTAL\t%.1f\t%.1f\t%d modules, %d fail\n", total_distill,
	       total_relocate, n, fails);
	btf__free(target);
	btf__free(base);
	return 0;
}
