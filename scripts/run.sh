#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make run: build the x86_64 kernel and the example VMM, boot the kernel under
# QEMU and run the VMM inside it.  ARCH=arm64 runs it on arm64 instead.
. "$(dirname "$0")/lib.sh"

arch=${ARCH:-x86_64}
check_arch "$arch"
step "build $arch kernel" "$GN_ROOT/scripts/build-kernel.sh" "$arch"
step "build $arch example VMM" "$GN_ROOT/scripts/build-vmm.sh" "$arch"
"$GN_ROOT/scripts/boot.sh" "$arch" "$GN_ROOT/tests/run.list" run
