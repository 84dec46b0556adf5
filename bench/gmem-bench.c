// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-bench: what taking guest memory out of the direct map costs.
 *
 * Populates 256 MiB of guest_memfd with and without
 * GUEST_MEMFD_FLAG_NO_DIRECT_MAP, once by faulting every page through the
 * VMM's mapping and once with fallocate(), and reports the time per MiB,
 * the ratio to plain guest_memfd, and how many times the kernel had to split
 * a huge direct-map mapping (/proc/vmstat direct_map_level{2,3}_splits,
 * x86 only), per MiB.  Each measurement is the best of three runs.
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

#define SIZE	(256UL << 20)
#define RUNS	3

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

/* Seconds to populate SIZE bytes of a new guest_memfd, best of RUNS. */
static double populate(int vm, uint64_t flags, int use_fallocate, long *splits)
{
	double best = 1e9;

	for (int run = 0; run < RUNS; run++) {
		struct kvm_create_guest_memfd args = { .size = SIZE, .flags = flags };
		long s0 = vmstat("direct_map_level");
		double t0, t;
		char *mem;
		int fd;

		fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
		if (fd < 0) {
			perror("KVM_CREATE_GUEST_MEMFD");
			exit(1);
		}
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
		if (t < best)
			best = t;
		if (!run)
			*splits = s0 < 0 ? -1 : vmstat("direct_map_level") - s0;

		munmap(mem, SIZE);
		close(fd);
	}
	return best;
}

int main(void)
{
	const uint64_t plain = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	const uint64_t no_dm = plain | GUEST_MEMFD_FLAG_NO_DIRECT_MAP;
	int kvm, vm, flags;

	kvm = open("/dev/kvm", O_RDWR);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("KVM_CREATE_VM");
		return 1;
	}
	flags = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	if (flags < 0 || !(flags & GUEST_MEMFD_FLAG_NO_DIRECT_MAP)) {
		printf("gmem-bench: GUEST_MEMFD_FLAG_NO_DIRECT_MAP not supported here\n");
		return 4;
	}

	printf("gmem-bench: populate %lu MiB of guest_memfd, best of %d\n", SIZE >> 20, RUNS);
	printf("  %-10s %14s %14s %7s %24s\n", "how", "plain ms/MiB",
	       "no-dmap ms/MiB", "ratio", "direct-map splits/MiB");
	for (int f = 0; f <= 1; f++) {
		long s_plain, s_nodm;
		double t_plain = populate(vm, plain, f, &s_plain);
		double t_nodm = populate(vm, no_dm, f, &s_nodm);
		double mib = SIZE >> 20;

		printf("  %-10s %14.4f %14.4f %7.2f %11.3f / %-11.3f\n",
		       f ? "fallocate" : "fault", t_plain * 1e3 / mib, t_nodm * 1e3 / mib,
		       t_nodm / t_plain, s_plain / mib, s_nodm / mib);
	}
	printf("  TLB flushes: one per fault (fault), one per fallocate() call\n");
	return 0;
}
