#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build tools/testing/selftests/kvm of the work tree, statically, for one arch
# (arm64 cross-compiled), against the headers of that arch's kernel build.
#   build-selftests.sh ARCH [debug]
. "$(dirname "$0")/lib.sh"

arch=${1:-}
check_arch "$arch"
need_tree
kout=$GN_BUILD/$arch${2:+-$2}
[ -d "$kout/usr/include/linux" ] || die "no kernel headers in $kout/usr/include: build the $arch kernel first (make kernel ARCH=$arch)"
out=$GN_BUILD/$arch/kselftest/kvm
mkdir -p "$out" "$GN_LOGS"
log=$GN_LOGS/selftests-$arch.log

args=(ARCH="$arch" OUTPUT="$out" KHDR_INCLUDES="-isystem $kout/usr/include"
	EXTRA_CFLAGS="-static -O2" LDFLAGS="-static")
[ "$arch" = arm64 ] && args+=(CROSS_COMPILE=aarch64-linux-gnu-)
if ! make -C "$GN_TREE/tools/testing/selftests/kvm" -j"$JOBS" "${args[@]}" >"$log" 2>&1; then
	grep -E 'error' "$log" | head -n 20 >&2
	die "KVM selftests failed to build for $arch, full log: $log"
fi
msg "  selftests: $(find "$out" -type f -perm -u+x ! -name '*.o' | wc -l) programs in $out"
