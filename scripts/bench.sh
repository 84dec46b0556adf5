#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: build the kernel and gmem-bench for ARCH (default x86_64), boot,
# and run the benchmarks of tests/bench.list.  A report, not a test.
. "$(dirname "$0")/lib.sh"

arch=${ARCH:-x86_64}
check_arch "$arch"
step "build $arch kernel" "$GN_ROOT/scripts/build-kernel.sh" "$arch"
step "build $arch KVM selftests" "$GN_ROOT/scripts/build-selftests.sh" "$arch"
khdr=$GN_BUILD/$arch/usr/include
cross=
[ "$arch" = arm64 ] && cross=aarch64-linux-gnu-
mkdir -p "$GN_BUILD/$arch/bench"
make -s -C "$GN_ROOT/bench" O="$GN_BUILD/$arch/bench" KHDR="$khdr" CROSS_COMPILE="$cross" ||
	die "gmem-bench failed to build for $arch"
"$GN_ROOT/scripts/boot.sh" "$arch" "$GN_ROOT/tests/bench.list" run
# A boot of its own for guest_memfd_hugetlb_perf_test, with 1 GiB of guest
# memory in 2M pages and one 1G page reserved: memory the other benchmarks
# (the pool of unmapped pages takes 2M blocks) must not lose.
GN_HUGEPAGES="hugepagesz=2M hugepages=520 hugepagesz=1G hugepages=1" \
	"$GN_ROOT/scripts/boot.sh" "$arch" "$GN_ROOT/tests/bench-hugetlb.list" run
