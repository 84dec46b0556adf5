#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test ARCH=a: the develop loop for one arch.  Build the kernel, the KVM
# selftests and the example VMM, boot, run tests/ARCH.list.
#   test.sh ARCH [debug] [LIST]
. "$(dirname "$0")/lib.sh"

arch=${1:-}
check_arch "$arch"
flavour=${2:-}
list=${3:-$GN_ROOT/tests/$arch.list}
step "build $arch kernel${flavour:+ ($flavour)}" "$GN_ROOT/scripts/build-kernel.sh" "$arch" $flavour
step "build $arch KVM selftests" "$GN_ROOT/scripts/build-selftests.sh" "$arch" $flavour
step "build $arch example VMM" "$GN_ROOT/scripts/build-vmm.sh" "$arch" $flavour
"$GN_ROOT/scripts/boot.sh" "$arch" "$list" check $flavour
