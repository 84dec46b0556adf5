#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: everything a patch series must pass before it lands.
#   1. checkpatch --strict on every patch     2. patches/ == the work tree
#   3. the maple tree's userspace tests (the series fixes lib/maple_tree.c)
#   4. for x86_64 and arm64: kernel build (no new warnings), selftests, VMM,
#      boot under QEMU TCG and run tests/ARCH.list
# The last line is "N passed, N failed[, N skipped]", counting every check
# and every test program; the exit status is non-zero if anything failed.
#   check.sh [--debug]
. "$(dirname "$0")/lib.sh"

flavour=
[ "${1:-}" = --debug ] && flavour=debug
arches=${ARCHES:-$GN_ARCHES}
summary=$GN_LOGS/check${flavour:+-$flavour}-summary-${arches// /-}.txt
mkdir -p "$GN_LOGS"
: >"$summary"
t0=$(date +%s)

record() { # record pass|fail NAME
	echo "$1 $2" >>"$summary"
}
check_step() { # check_step NAME command...: a check that passes or fails as a whole
	local name=$1
	shift
	if step "$name" "$@"; then record pass "$name"; else record fail "$name"; return 1; fi
}

if [ -z "$flavour" ]; then
	check_step checkpatch "$GN_ROOT/scripts/checkpatch.sh" || true
	check_step "series-applies" "$GN_ROOT/scripts/export.sh" --check || true
	check_step "maple-tree-tests" "$GN_ROOT/scripts/maple-test.sh" || true
fi
for arch in $arches; do
	check_arch "$arch"
	check_step "build-$arch" "$GN_ROOT/scripts/build-kernel.sh" "$arch" $flavour || continue
	check_step "selftests-build-$arch" "$GN_ROOT/scripts/build-selftests.sh" "$arch" $flavour || continue
	check_step "vmm-build-$arch" "$GN_ROOT/scripts/build-vmm.sh" "$arch" $flavour || continue
	list=$GN_ROOT/tests/$arch.list
	if [ -n "$flavour" ]; then
		# Debug kernels leave out the tests of tests/debug.skip.
		awk 'NR == FNR { if (!/^#/ && NF) skip[$1] = 1; next } !($2 in skip)' \
			"$GN_ROOT/tests/debug.skip" "$list" >"$GN_LOGS/$arch.list"
		list=$GN_LOGS/$arch.list
	fi
	"$GN_ROOT/scripts/boot.sh" "$arch" "$list" check $flavour || true
	tag=$arch${flavour:+-$flavour}-check-$(basename "$list" .list)
	sed "s/^\([a-z]*\) /\1 $arch:/" "$GN_LOGS/results-$tag.txt" >>"$summary"
done
# Build only: x86_64 with SEV-SNP and TDX (configs/coco.config), as
# distributions build KVM; QEMU TCG cannot run either.
if [ -z "$flavour" ] && [[ " $arches " == *" x86_64 "* ]]; then
	check_step "build-x86_64-coco" "$GN_ROOT/scripts/build-kernel.sh" x86_64 coco || true
fi

dt=$(($(date +%s) - t0))
pass=$(grep -c '^pass' "$summary" || true)
fail=$(grep -c '^fail' "$summary" || true)
skip=$(grep -c '^skip' "$summary" || true)
echo
echo "== make check${flavour:+-$flavour} summary ($((dt / 60))m$((dt % 60))s; details: $summary) =="
for arch in $arches; do
	echo "  $arch: $(grep -c "^pass $arch:" "$summary" || true) passed," \
		"$(grep -c "^fail $arch:" "$summary" || true) failed," \
		"$(grep -c "^skip $arch:" "$summary" || true) skipped"
done
grep '^fail' "$summary" | sed 's/^fail /  FAILED: /' || true
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
