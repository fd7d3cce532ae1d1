/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
 *
 * The libbpf side of utils/bench/distill-bench.sh: the job `btf-distill
 * --output-dir` does, written with libbpf's API. The base is parsed once;
 * each module is parsed as split BTF over it, distilled with
 * btf__distill_base(), and both results are written as raw BTF:
 * OUTDIR/<stem>.btf (the new split) and OUTDIR/<stem>.base.btf (the
 * distilled base), the names btf-distill gives raw inputs. Needs libbpf
 * >= 1.5 (the script builds it against a libbpf head build).
 *
 *   libbpf-distill-bench BASE.btf OUTDIR MODULE.btf...
 *
 * Prints "distill_cpu_ms=..." (the btf__distill_base() calls alone).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

static int write_raw(const struct btf *btf, const char *dir, const char *stem,
		     const char *suffix)
{
	char path[4096];
	const void *data;
	__u32 size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s", dir, stem, suffix);
	data = btf__raw_data(btf, &size);
	if (!data)
		return -1;
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	struct btf *base;
	double distill = 0;
	int i, bad = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: %s BASE.btf OUTDIR MODULE.btf...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	base = btf__parse_raw(argv[1]);
	if (!base) {
		fprintf(stderr, "cannot load %s\n", argv[1]);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		struct btf *split, *dist_base = NULL, *dist_split = NULL;
		const char *slash = strrchr(argv[i], '/');
		char stem[1024];
		char *dot;
		double t0;

		snprintf(stem, sizeof(stem), "%s", slash ? slash + 1 : argv[i]);
		dot = strrchr(stem, '.');
		if (dot)
			*dot = 0;
		split = btf__parse_raw_split(argv[i], base);
		if (!split) {
			fprintf(stderr, "cannot load %s\n", argv[i]);
			bad = 1;
			continue;
		}
		t0 = cpu_ms();
		if (btf__distill_base(split, &dist_base, &dist_split)) {
			fprintf(stderr, "%s: btf__distill_base failed\n", argv[i]);
			bad = 1;
		} else {
			distill += cpu_ms() - t0;
			if (write_raw(dist_split, argv[2], stem, ".btf") ||
			    write_raw(dist_base, argv[2], stem, ".base.btf")) {
				fprintf(stderr, "%s: cannot write\n", stem);
				bad = 1;
			}
		}
		btf__free(dist_split);
		btf__free(dist_base);
		btf__free(split);
	}
	btf__free(base);
	printf("distill_cpu_ms=%.1f\n", distill);
	return bad;
}
