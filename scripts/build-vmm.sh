#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the example VMM (vmm/) for one arch against that arch's kernel headers.
#   build-vmm.sh ARCH [debug]
. "$(dirname "$0")/lib.sh"

arch=${1:-}
check_arch "$arch"
khdr=$GN_BUILD/$arch${2:+-$2}/usr/include
[ -d "$khdr/linux" ] || die "no kernel headers in $khdr: build the $arch kernel first (make kernel ARCH=$arch)"
out=$GN_BUILD/$arch/vmm
mkdir -p "$out"
cross=
[ "$arch" = arm64 ] && cross=aarch64-linux-gnu-
make -s -C "$GN_ROOT/vmm" O="$out" KHDR="$khdr" CROSS_COMPILE="$cross" ||
	die "the example VMM failed to build for $arch"
