// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-bench: what guest_memfd features cost.
 *
 * Direct map: populates 256 MiB of guest_memfd with and without
 * GUEST_MEMFD_FLAG_NO_DIRECT_MAP, once by faulting every page through the
 * VMM's mapping and once with fallocate(), and reports the time per MiB,
 * the ratio to plain guest_memfd, the direct-map TLB flushes per MiB
 * (/proc/vmstat direct_map_tlb_flushes), and how many times the kernel had
 * to split a huge direct-map mapping (direct_map_level{2,3}_splits, x86
 * only) per MiB: on the first run, on later runs, and when freeing.  Times
 * are the best of three runs.
 *
 * read()/write(): the time to fill 256 MiB of a new file with pwrite() in
 * 2 MiB chunks against mmap() and memcpy(), with and without direct map.
 *
 * Conversion: the time of one KVM_SET_MEMORY_ATTRIBUTES2 call on a 4 KiB,
 * 2 MiB and 1 GiB range of a 1 GiB file, with nothing allocated and with the
 * range allocated (then also per folio), and the memory the shareability
 * state takes for a 1 GiB file whose every other page is private (slab
 * growth, /proc/meminfo SUnreclaim, per private range and against the
 * memory it describes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "gmem-util.h"

#define SIZE	(256UL << 20)
#define RUNS	3
#define CONV_FILE	(1UL << 30)
#define PAGE	4096UL

static long vmstat(const char *key)
{
	char name[64];
	long val, sum = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &val) == 2) {
		if (!strncmp(name, key, strlen(key)))
			sum = (sum < 0 ? 0 : sum) + val;
	}
	fclose(f);
	return sum;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A new guest_memfd of @size bytes with @flags; exits on failure. */
static int new_gmem(int vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd args = { .size = size, .flags = flags };
	int fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);

	if (fd < 0) {
		perror("KVM_CREATE_GUEST_MEMFD");
		exit(1);
	}
	return fd;
}

struct populate_stats {
	double best;		/* seconds, best of RUNS */
	long flushes;		/* direct-map TLB flushes, all runs */
	long first_splits;	/* direct-map splits populating, first run */
	long later_splits;	/* the same, later runs */
	long close_splits;	/* direct-map splits freeing, all runs */
	long collapses;		/* direct-map collapses populating, all runs */
};

static long dm_splits(void)
{
	long l2 = vmstat("direct_map_level2_splits");
	long l3 = vmstat("direct_map_level3_splits");

	return l2 < 0 || l3 < 0 ? -1 : l2 + l3;
}

/*
 * Populate SIZE bytes of a new guest_memfd RUNS times, by faulting every page
 * through the VMM's mapping or with fallocate(), and count what it cost.
 */
static void populate(int vm, uint64_t flags, int use_fallocate,
		     struct populate_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->best = 1e9;

	for (int run = 0; run < RUNS; run++) {
		long s0 = dm_splits(), f0 = vmstat("direct_map_tlb_flushes"), s1;
		long c0 = vmstat("direct_map_level2_collapses");
		int fd = new_gmem(vm, SIZE, flags);
		double t0, t;
		char *mem;

		mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (mem == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}

		t0 = now();
		if (use_fallocate) {
			if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, SIZE)) {
				perror("fallocate");
				exit(1);
			}
		} else {
			for (unsigned long off = 0; off < SIZE; off += 4096)
				mem[off] = 1;
		}
		t = now() - t0;
		if (t < st->best)
			st->best = t;
		s1 = dm_splits();
		st->flushes += vmstat("direct_map_tlb_flushes") - f0;
		if (c0 >= 0)
			st->collapses += vmstat("direct_map_level2_collapses") - c0;
		if (!run)
			st->first_splits = s1 - s0;
		else
			st->later_splits += s1 - s0;

		munmap(mem, SIZE);
		close(fd);
		st->close_splits += dm_splits() - s1;
	}
}

/* A new shared 1 GiB guest_memfd, nothing allocated. */
static int conv_file(int vm)
{
	return new_gmem(vm, CONV_FILE, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
}

static void convert(int fd, uint64_t offset, uint64_t size, int private)
{
	struct kvm_memory_attributes2 args = {
		.offset = offset,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	if (ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &args)) {
		perror("KVM_SET_MEMORY_ATTRIBUTES2");
		exit(1);
	}
}

/*
 * Microseconds per conversion of the first @size bytes of a new file, to
 * private and back @iters times, best of RUNS; @allocated: fallocate() the
 * range first.
 */
static double convert_us(int vm, uint64_t size, int allocated, int iters)
{
	int fd = conv_file(vm);
	double best = 1e9;

	if (allocated && fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, size)) {
		perror("fallocate");
		exit(1);
	}
	for (int run = 0; run < RUNS; run++) {
		double t0 = now(), t;

		for (int i = 0; i < iters; i++) {
			convert(fd, 0, size, 1);
			convert(fd, 0, size, 0);
		}
		t = now() - t0;
		if (t < best)
			best = t;
	}
	close(fd);
	return best * 1e6 / (2 * iters);
}

static void bench_conversion(int vm)
{
	static const struct {
		const char *name;
		uint64_t size;
		int iters;
	} sizes[] = {
		{ "4 KiB", PAGE, 2000 },
		{ "2 MiB", 2UL << 20, 500 },
		{ "1 GiB", CONV_FILE, 500 },
	};
	double us[3];
	long slab0, slab1, ranges;
	double t0, t;
	int fd;

	printf("gmem-bench: KVM_SET_MEMORY_ATTRIBUTES2 on a 1 GiB file, us per call, best of %d\n", RUNS);
	printf("  %-6s %12s %12s %16s\n", "range", "unallocated", "allocated",
	       "allocated/folio");
	for (int i = 0; i < 3; i++) {
		int iters_alloc = sizes[i].size == CONV_FILE ? 2 : sizes[i].iters / 10;
		double alloc = convert_us(vm, sizes[i].size, 1, iters_alloc);

		us[i] = convert_us(vm, sizes[i].size, 0, sizes[i].iters);
		printf("  %-6s %12.1f %12.1f %16.3f\n", sizes[i].name, us[i], alloc,
		       alloc / (sizes[i].size / PAGE));
	}
	printf("  unallocated 1 GiB / 2 MiB: %.2fx (goal: <= 2x)\n", us[2] / us[1]);

	fd = conv_file(vm);
	slab0 = file_key_value("/proc/meminfo", "SUnreclaim");
	t0 = now();
	for (uint64_t off = 0; off < CONV_FILE; off += 2 * PAGE)
		convert(fd, off, PAGE, 1);
	t = now() - t0;
	slab1 = file_key_value("/proc/meminfo", "SUnreclaim");
	ranges = gmem_fdinfo(fd, "gmem-private-ranges");
	printf("gmem-bench: every other page of a 1 GiB file private: %ld ranges in %.2f s\n",
	       ranges, t);
	printf("  shareability state: %ld KiB of slab (%.1f bytes per private range), %.3f%% of the 1 GiB it describes (goal: < 1%%)\n",
	       slab1 - slab0, (slab1 - slab0) * 1024.0 / ranges,
	       (slab1 - slab0) * 100.0 / (CONV_FILE >> 10));

	/* One call over all of it, each way, replaces the whole tree. */
	t0 = now();
	convert(fd, 0, CONV_FILE, 0);
	t = now() - t0;
	printf("  all shared in one call: %.1f ms, %ld ranges left\n", t * 1e3,
	       gmem_fdinfo(fd, "gmem-private-ranges"));
	for (uint64_t off = 0; off < CONV_FILE; off += 2 * PAGE)
		convert(fd, off, PAGE, 1);
	t0 = now();
	convert(fd, 0, CONV_FILE, 1);
	t = now() - t0;
	printf("  all private in one call: %.1f ms, %ld range(s) left\n", t * 1e3,
	       gmem_fdinfo(fd, "gmem-private-ranges"));
	close(fd);
}

static void bench_direct_map(int vm)
{
	const uint64_t plain = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	const uint64_t no_dm = plain | GUEST_MEMFD_FLAG_NO_DIRECT_MAP;
	const double mib = SIZE >> 20;
	const int has_splits = dm_splits() >= 0;

	printf("gmem-bench: populate %lu MiB of guest_memfd, time best of %d, counters per MiB over all runs\n",
	       SIZE >> 20, RUNS);
	printf("  %-10s %12s %12s %6s %12s %14s %14s\n", "how", "plain ms/MiB",
	       "no-dmap ms/MiB", "ratio", "flushes/MiB", "splits 1st/later", "splits freeing");
	for (int f = 0; f <= 1; f++) {
		struct populate_stats p, n;

		populate(vm, plain, f, &p);
		populate(vm, no_dm, f, &n);
		printf("  %-10s %12.4f %14.4f %6.2f %12.4f ", f ? "fallocate" : "fault",
		       p.best * 1e3 / mib, n.best * 1e3 / mib, n.best / p.best,
		       n.flushes / (mib * RUNS));
		if (has_splits)
			printf("%7.3f/%-7.3f %14.3f\n", n.first_splits / mib,
			       n.later_splits / (mib * (RUNS - 1)),
			       n.close_splits / (mib * RUNS));
		else
			printf("%16s %14s\n", "n/a", "n/a");
		if (n.collapses)
			printf("  %-10s direct-map 2M collapses while populating: %.3f/MiB\n",
			       "", n.collapses / (mib * RUNS));
		if (p.flushes || (has_splits && (p.first_splits || p.later_splits)))
			printf("  (plain guest_memfd: %ld flushes, %ld splits: something else is changing the direct map)\n",
			       p.flushes, p.first_splits + p.later_splits);
	}
	printf("  goals with NO_DIRECT_MAP: fault ratio <= 1.1, <= %.3f flushes/MiB (one per 2 MiB), 0 splits after the first run\n",
	       0.5);
}

/*
 * Fill SIZE bytes of a new guest_memfd from a buffer: with pwrite() in 2 MiB
 * chunks, or through mmap() and memcpy().  Best of RUNS; flushes per MiB over
 * all runs.
 */
static double fill_file(int vm, uint64_t flags, int use_pwrite, const char *src,
			double *flushes_per_mib)
{
	const size_t chunk = 2UL << 20;
	long f0 = vmstat("direct_map_tlb_flushes");
	double best = 1e9;

	for (int run = 0; run < RUNS; run++) {
		int fd = new_gmem(vm, SIZE, flags);
		double t0, t;
		char *mem;

		t0 = now();
		if (use_pwrite) {
			for (size_t off = 0; off < SIZE; off += chunk) {
				if (pwrite(fd, src + off, chunk, off) != (ssize_t)chunk) {
					perror("pwrite");
					exit(1);
				}
			}
		} else {
			mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (mem == MAP_FAILED) {
				perror("mmap");
				exit(1);
			}
			memcpy(mem, src, SIZE);
			munmap(mem, SIZE);
		}
		t = now() - t0;
		if (t < best)
			best = t;
		close(fd);
	}
	*flushes_per_mib = (vmstat("direct_map_tlb_flushes") - f0) / (double)((SIZE >> 20) * RUNS);
	return best;
}

static void bench_pwrite(int vm)
{
	const uint64_t plain = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	const uint64_t flags[] = { plain, plain | GUEST_MEMFD_FLAG_NO_DIRECT_MAP };
	const double mib = SIZE >> 20;
	char *src = malloc(SIZE);

	if (!src) {
		perror("malloc");
		exit(1);
	}
	memset(src, 0x5a, SIZE);
	printf("gmem-bench: fill %lu MiB of a new guest_memfd from a buffer, best of %d\n",
	       SIZE >> 20, RUNS);
	printf("  %-14s %-12s %10s %10s %12s\n", "file", "how", "ms/MiB", "MiB/s",
	       "flushes/MiB");
	for (int i = 0; i < 2; i++) {
		for (int w = 1; w >= 0; w--) {
			double fl, t = fill_file(vm, flags[i], w, src, &fl);

			printf("  %-14s %-12s %10.4f %10.1f %12.4f\n",
			       i ? "no-direct-map" : "plain", w ? "pwrite" : "mmap+memcpy",
			       t * 1e3 / mib, mib / t, fl);
		}
	}
	free(src);
}

int main(void)
{
	int kvm, vm, flags, attrs;

	kvm = open("/dev/kvm", O_RDWR);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("KVM_CREATE_VM");
		return 1;
	}
	flags = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	attrs = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES);
	if (flags < 0 || !(flags & GUEST_MEMFD_FLAG_NO_DIRECT_MAP))
		printf("gmem-bench: GUEST_MEMFD_FLAG_NO_DIRECT_MAP not supported here\n");
	else
		bench_direct_map(vm);
	bench_pwrite(vm);
	if (attrs <= 0 || !(attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		printf("gmem-bench: KVM_SET_MEMORY_ATTRIBUTES2 not supported here\n");
	else
		bench_conversion(vm);
	return 0;
}
