#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel of the work tree for one arch:
#   build-kernel.sh ARCH [debug|coco]
# Output goes to $GN_BUILD/ARCH[-debug] (O= build), compiled through ccache.
# The .config is regenerated (allnoconfig + configs/ fragments) only when the
# fragments change, so rebuilds stay incremental.  Warnings in files that the
# series touches fail the build.
. "$(dirname "$0")/lib.sh"

arch=${1:-}
check_arch "$arch"
flavour=${2:-}
case "$flavour" in
"" | debug) ;;
coco) [ "$arch" = x86_64 ] || die "the coco flavour is x86_64 only" ;;
*) die "unknown kernel flavour '$flavour' (debug, coco)" ;;
esac
need_tree

out=$GN_BUILD/$arch${flavour:+-$flavour}
frags="$GN_ROOT/configs/common.config $GN_ROOT/configs/$arch.config"
[ -n "$flavour" ] && frags="$frags $GN_ROOT/configs/$flavour.config"
read -r -a kargs <<<"$(kmake_args "$arch")"
cross=
[ "$arch" = arm64 ] && cross=aarch64-linux-gnu-
kmake() {
	make -C "$GN_TREE" O="$out" "${kargs[@]}" LOCALVERSION= CC="ccache ${cross}gcc" HOSTCC="ccache gcc" \
		KBUILD_BUILD_USER=gmem-next KBUILD_BUILD_HOST=gmem-next \
		KBUILD_BUILD_TIMESTAMP="2026-01-01" "$@"
}
mkdir -p "$out" "$GN_LOGS"
log=$GN_LOGS/build-$arch${flavour:+-$flavour}.log

# 0. A build directory made from another base (say, a newer 7.3.x) is
#    started afresh: file times alone would not show what changed.
base=$(git -C "$GN_TREE" rev-parse "$GN_BASE_TAG")
if [ -f "$out/.gmem-next-base" ] && [ "$(cat "$out/.gmem-next-base")" != "$base" ]; then
	msg "  the base changed since $out was built: starting it afresh"
	find "$out" -mindepth 1 -maxdepth 1 ! -name kselftest ! -name vmm -exec rm -rf {} +
fi
echo "$base" >"$out/.gmem-next-base"

# 1. Configuration.
cfg_id=$(cat $frags | sha256sum | cut -c1-16)-$(base_version)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.gmem-next-config" 2>/dev/null)" != "$cfg_id" ]; then
	(cd "$GN_TREE" && env "${kargs[@]}" CROSS_COMPILE="$cross" \
		scripts/kconfig/merge_config.sh -n -O "$out" $frags) >"$log.config" 2>&1 ||
		die "configuration failed, see $log.config"
	# merge_config only warns when a requested value did not stick: that is an error here.
	if grep -qE 'Value requested for|differs:' "$log.config"; then
		grep -A2 -E 'Value requested for|differs:' "$log.config" >&2
		die "configs/ asks for options this kernel does not accept (above); fix the fragments"
	fi
	echo "$cfg_id" >"$out/.gmem-next-config"
	msg "  configured $arch${flavour:+ ($flavour)}: $(grep -c '=[ym]' "$out/.config") options enabled"
fi

# 2. Objects of files the series touches are rebuilt so their warnings are seen
#    (ccache replays them cheaply).
touched=$(git -C "$GN_TREE" diff --name-only "$GN_BASE_TAG" HEAD -- '*.c' || true)
for f in $touched; do rm -f "$out/${f%.c}.o"; done

# 3. Build, with a progress line every 30 s.
case "$arch" in x86_64) target=bzImage ;; arm64) target=Image ;; esac
modular=
grep -q '^CONFIG_MODULES=y' "$out/.config" && modular=1
kmake -j"$JOBS" "$target" ${modular:+modules} >"$log" 2>&1 &
pid=$!
t0=$(date +%s)
while kill -0 $pid 2>/dev/null; do
	for _ in $(seq 30); do kill -0 $pid 2>/dev/null && sleep 1; done
	kill -0 $pid 2>/dev/null || break
	msg "  [$arch] $(grep -cE '^  (CC|AS|LD|AR)' "$log") steps, $(($(date +%s) - t0))s"
done
if ! wait $pid; then
	grep -E 'error|Error' "$log" | head -n 20 >&2
	die "kernel build failed for $arch, full log: $log"
fi
bad=
for f in $touched; do
	if grep -E "^(\.\./)*$f:[0-9]+:[0-9]+: warning:" "$log" >&2; then bad=1; fi
done
[ -z "$bad" ] || die "the series adds compiler warnings (above); log: $log"

# 4. Modules (x86_64's KVM), installed below the build directory for the
#    initramfs, with the modules.dep that busybox modprobe reads.
rm -rf "$out/modules-root"
if [ -n "$modular" ]; then
	kmake INSTALL_MOD_PATH="$out/modules-root" INSTALL_MOD_STRIP=1 modules_install \
		>>"$log" 2>&1 || die "make modules_install failed for $arch, see $log"
	msg "  modules: $(find "$out/modules-root" -name '*.ko' | wc -l) ($(find "$out/modules-root" -name 'kvm*.ko' -printf '%f ' | sed 's/ $//'))"
fi

# 5. Exported headers for the selftests and the example VMM.
kmake headers >>"$log" 2>&1 || die "make headers failed for $arch, see $log"
msg "  kernel: $out/$(kernel_image "$arch" | sed "s|^$GN_BUILD/$arch/||")"
