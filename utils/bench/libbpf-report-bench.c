/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
 *
 * The libbpf side of utils/bench/report-bench.sh: the job of
 * `btf-relocate --report --built-against=VMLINUZ --base-btf=K...` written
 * as the loop a packager would write with libbpf (>= 1.5, built against a
 * libbpf head build): the kernels' vmlinuz decompressed (libzstd, liblzma,
 * zlib) and their .BTF parsed once; then per module, its .ko.xz decompressed
 * (liblzma), its .BTF parsed as split BTF over the built-against kernel,
 * distilled with btf__distill_base(), and relocated with btf__relocate()
 * onto each kernel (a fresh copy of the distilled split each time, as
 * btf__relocate() rewrites it in place). One thread, as libbpf is used.
 *
 *   libbpf-report-bench BUILT_AGAINST KERNEL... -- MODULE...
 *
 * Prints, per kernel, how many modules relocate and how many fail, and the
 * CPU time of the phases ("phase_cpu_ms=...").
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

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

static void die(const char *what, const char *path)
{
	fprintf(stderr, "libbpf-report-bench: %s: %s\n", path, what);
	exit(2);
}

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		die("cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? n : 1);
	if (fread(buf, 1, n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	*size = n;
	return buf;
}

/* Decompresses one xz stream, in one call (retried with more room). */
static unsigned char *unxz(const unsigned char *in, size_t in_size, size_t *out_size,
			   const char *path)
{
	size_t cap = in_size * 8 + 4096, pos = 0, in_pos = 0;
	unsigned char *out = malloc(cap);
	uint64_t memlimit = UINT64_MAX;
	lzma_ret r;

	for (;;) {
		r = lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos, in_size, out,
					      &pos, cap);
		if (r == LZMA_OK)
			break;
		if (r != LZMA_BUF_ERROR || cap > (1u << 30))
			die("xz data is corrupt", path);
		cap *= 2;
		out = realloc(out, cap);
		pos = in_pos = 0;
	}
	*out_size = pos;
	return out;
}

static unsigned char *unzstd(const unsigned char *in, size_t in_size, size_t out_size,
			     const char *path)
{
	unsigned char *out = malloc(out_size + 1);
	ZSTD_DStream *s = ZSTD_createDStream();
	ZSTD_inBuffer src = { in, in_size, 0 };
	ZSTD_outBuffer dst = { out, out_size + 1, 0 };
	size_t r;

	do {
		r = ZSTD_decompressStream(s, &dst, &src);
		if (ZSTD_isError(r))
			die("zstd data is corrupt", path);
	} while (r != 0 && src.pos < src.size);
	ZSTD_freeDStream(s);
	return out;
}

/* The .BTF section of an ELF image, or NULL. */
static const void *elf_btf(const unsigned char *image, size_t size, size_t *btf_size,
			   Elf **keep)
{
	Elf *elf = elf_memory((char *)image, size);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".BTF"))
			continue;
		d = elf_getdata(scn, NULL);
		*btf_size = d->d_size;
		*keep = elf;
		return d->d_buf;
	}
	elf_end(elf);
	return NULL;
}

/* A kernel's BTF from its vmlinuz (bzImage, zstd or xz payload). */
static struct btf *load_kernel(const char *path)
{
	size_t size, btf_size, payload_len, vmlinux_size = 0;
	unsigned char *img = read_file(path, &size), *vmlinux;
	const unsigned char *payload;
	const void *data;
	struct btf *btf;
	uint32_t off, len;
	Elf *elf;

	if (size < 0x250 || memcmp(img + 0x202, "HdrS", 4))
		die("not a bzImage", path);
	memcpy(&off, img + 0x248, 4);
	memcpy(&len, img + 0x24c, 4);
	payload = img + ((img[0x1f1] ? img[0x1f1] : 4) + 1) * 512 + off;
	payload_len = len;
	memcpy(&len, payload + payload_len - 4, 4);
	if (!memcmp(payload, "\x28\xb5\x2f\xfd", 4)) {
		vmlinux = unzstd(payload, payload_len - 4, len, path);
		vmlinux_size = len;
	} else {
		vmlinux = unxz(payload, payload_len - 4, &vmlinux_size, path);
	}
	data = elf_btf(vmlinux, vmlinux_size, &btf_size, &elf);
	if (!data)
		die("no .BTF in the vmlinux", path);
	btf = btf__new(data, btf_size);
	if (!btf)
		die("libbpf cannot parse its BTF", path);
	elf_end(elf);
	free(vmlinux);
	free(img);
	return btf;
}

int main(int argc, char **argv)
{
	int nk = 0, i, k, first_mod = 0, bad = 0;
	struct btf *kernels[64], *built;
	int loads[64] = { 0 }, fails[64] = { 0 };
	double t0, t_kernels, t_unxz = 0, t_parse = 0, t_distill = 0, t_reloc = 0, t;

	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			first_mod = i + 1;
			break;
		}
	if (!first_mod || argc < 4) {
		fprintf(stderr, "usage: %s BUILT_AGAINST KERNEL... -- MODULE...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	elf_version(EV_CURRENT);
	t0 = cpu_ms();
	built = load_kernel(argv[1]);
	for (i = 2; i < first_mod - 1 && nk < 64; i++)
		kernels[nk++] = load_kernel(argv[i]);
	t_kernels = cpu_ms() - t0;

	for (i = first_mod; i < argc; i++) {
		size_t size, ko_size, btf_size;
		unsigned char *xz, *ko;
		struct btf *split, *dist_base = NULL, *dist_split = NULL;
		const void *data, *raw;
		__u32 raw_size;
		Elf *elf;

		t = cpu_ms();
		xz = read_file(argv[i], &size);
		ko = unxz(xz, size, &ko_size, argv[i]);
		t_unxz += cpu_ms() - t;
		t = cpu_ms();
		data = elf_btf(ko, ko_size, &btf_size, &elf);
		split = data ? btf__new_split(data, btf_size, built) : NULL;
		t_parse += cpu_ms() - t;
		if (!split) {
			fprintf(stderr, "%s: no BTF libbpf reads\n", argv[i]);
			bad = 1;
			goto next;
		}
		t = cpu_ms();
		if (btf__distill_base(split, &dist_base, &dist_split)) {
			fprintf(stderr, "%s: btf__distill_base failed\n", argv[i]);
			bad = 1;
			goto next;
		}
		t_distill += cpu_ms() - t;
		t = cpu_ms();
		raw = btf__raw_data(dist_split, &raw_size);
		for (k = 0; k < nk; k++) {
			struct btf *copy = btf__new_split(raw, raw_size, dist_base);

			if (copy && !btf__relocate(copy, kernels[k]))
				loads[k]++;
			else
				fails[k]++;
			btf__free(copy);
		}
		t_reloc += cpu_ms() - t;
next:
		btf__free(dist_split);
		btf__free(dist_base);
		btf__free(split);
		if (data)
			elf_end(elf);
		free(ko);
		free(xz);
	}
	for (k = 0; k < nk; k++)
		printf("kernel %d: %d relocate, %d fail\n", k, loads[k], fails[k]);
	printf("kernels_cpu_ms=%.0f unxz_cpu_ms=%.0f parse_cpu_ms=%.0f distill_cpu_ms=%.0f "
	       "relocate_cpu_ms=%.0f\n",
	       t_kernels, t_unxz, t_parse, t_distill, t_reloc);
	return bad ? 2 : 0;
}
