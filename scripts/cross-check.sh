#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make cross-check: compile what the series changes in mm/, lib/, kernel/
# and KVM for architectures that are not booted here (riscv, s390), with
# their defconfigs, so that an arch-specific header or export problem shows
# before a maintainer's build bot finds it.  loongarch has no cross compiler
# in Debian 12.
#   cross-check.sh [ARCH...]
. "$(dirname "$0")/lib.sh"

need_tree
arches=${*:-riscv s390}
declare -A cross=([riscv]=riscv64-linux-gnu- [s390]=s390x-linux-gnu-)
declare -A pkg=([riscv]=gcc-riscv64-linux-gnu [s390]=gcc-s390x-linux-gnu)
mkdir -p "$GN_LOGS"
# The directories whose objects the series changes, plus the arch's KVM.
dirs=$(git -C "$GN_TREE" diff --name-only "$GN_BASE_TAG" HEAD -- '*.c' |
	grep -vE '^(tools|arch)/' | xargs -r -n1 dirname | sort -u)
rc=0
for arch in $arches; do
	[ -n "${cross[$arch]:-}" ] || die "no cross compiler known for '$arch' (known: ${!cross[*]})"
	if ! command -v "${cross[$arch]}gcc" >/dev/null; then
		if [ "$(id -u)" = 0 ]; then s=; else s=sudo; fi
		$s apt-get install -y -q "${pkg[$arch]}" >"$GN_LOGS/apt-cross-$arch.log" 2>&1 ||
			die "cannot install ${pkg[$arch]}, see $GN_LOGS/apt-cross-$arch.log"
	fi
	out=$GN_BUILD/cross-$arch
	log=$GN_LOGS/cross-$arch.log
	km=(make -C "$GN_TREE" O="$out" ARCH="$arch" CROSS_COMPILE="${cross[$arch]}"
		CC="ccache ${cross[$arch]}gcc" -j"$JOBS")
	mkdir -p "$out"
	[ -f "$out/.config" ] || "${km[@]}" defconfig >"$log" 2>&1
	targets=
	for d in $dirs arch/$arch/kvm; do targets="$targets $d/"; done
	if step "cross-build $arch:$targets" "${km[@]}" $targets >>"$log" 2>&1 &&
		! grep -E ': (warning|error):' "$log" | grep -F -f <(git -C "$GN_TREE" diff --name-only "$GN_BASE_TAG" HEAD) >&2; then
		msg "  $arch: ok"
	else
		grep -E ': (warning|error):|Error' "$log" | head -n 20 >&2
		msg "  $arch: FAILED, log: $log"
		rc=1
	fi
done
exit $rc
