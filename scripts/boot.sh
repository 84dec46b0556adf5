#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the built kernel of one arch under QEMU TCG with a busybox initramfs
# that runs a list of programs, and judge the result from the serial log.
#   boot.sh ARCH LIST [run|check] [debug]
# LIST lines: "TIMEOUT PROGRAM [ARGS...]"; PROGRAM is found in the arch's
# selftest output (kselftest/kvm) or in the example VMM's build directory.
# Exit 0 only if every program reported and passed (or skipped), the guest
# neither panicked nor warned, and the run finished within its time limit.
. "$(dirname "$0")/lib.sh"

arch=${1:-}
check_arch "$arch"
list=${2:-}
[ -f "$list" ] || die "test list '$list' not found"
mode=${3:-check}
case "$mode" in run | check) ;; *) die "unknown mode '$mode' (run or check)" ;; esac
flavour=${4:-}
kout=$GN_BUILD/$arch${flavour:+-$flavour}
kernel=$(kernel_image "$arch" | sed "s|^$GN_BUILD/$arch/|$kout/|")
[ -f "$kernel" ] || die "no $arch kernel at $kernel: run 'make kernel ARCH=$arch' first"
tag=$arch${flavour:+-$flavour}-$mode-$(basename "$list" .list)
log=$GN_LOGS/boot-$tag.log
results=$GN_LOGS/results-$tag.txt
mkdir -p "$GN_LOGS"

# 1. The initramfs.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,tests,etc/gmem-next}
case "$arch" in
x86_64) cp /bin/busybox "$root/bin/busybox" ;;
arm64) cp "$GN_SRC/busybox-arm64" "$root/bin/busybox" ;;
esac
cp "$GN_ROOT/initramfs/init" "$root/init"
# Modules of a modular kernel (x86_64's KVM): /init loads them.
[ -d "$kout/modules-root/lib/modules" ] && cp -a "$kout/modules-root/lib" "$root/lib"
chmod +x "$root/init"
echo "$mode" >"$root/etc/gmem-next/mode"
if [ -n "$flavour" ]; then
	for f in setup teardown; do
		[ -f "$GN_ROOT/initramfs/$f-$flavour" ] &&
			cp "$GN_ROOT/initramfs/$f-$flavour" "$root/etc/gmem-next/$f"
	done
fi
# Debug kernels (KASAN, lockdep) run several times slower: scale the limits.
scale=${GN_TIMEOUT_SCALE:-1}
[ -n "$flavour" ] && scale=${GN_TIMEOUT_SCALE:-4}
grep -v '^[[:space:]]*\(#\|$\)' "$list" | awk -v s="$scale" '{ $1 = $1 * s; print }' \
	>"$root/etc/gmem-next/list"
planned=$(wc -l <"$root/etc/gmem-next/list")
strip=strip
[ "$arch" = arm64 ] && strip=aarch64-linux-gnu-strip
while read -r _ prog _; do
	# Helper scripts the lists name (initramfs/tools/), copied as they are.
	if [ -f "$GN_ROOT/initramfs/tools/$prog" ]; then
		cp "$GN_ROOT/initramfs/tools/$prog" "$root/tests/$prog"
		continue
	fi
	src=
	for d in "$GN_BUILD/$arch/kselftest/kvm" "$GN_BUILD/$arch/vmm" "$GN_BUILD/$arch/bench"; do
		[ -f "$d/$prog" ] && src=$d/$prog && break
	done
	[ -n "$src" ] || die "$list names $prog, which was not built for $arch"
	mkdir -p "$root/tests/$(dirname "$prog")"
	# Stripped: the static test programs are mostly symbols otherwise.
	"$strip" -o "$root/tests/$prog" "$src"
done <"$root/etc/gmem-next/list"
initrd=$GN_BUILD/$arch/initramfs-$tag.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"

# 2. Boot.  The time limit is the sum of the per-program limits plus boot time.
limit=$((120 + $(awk '{s += $1} END {print s + 0}' "$root/etc/gmem-next/list")))
# HugeTLB pools for guest_memfd_hugetlb_test: 64 2M pages and one 1G page,
# reserved at boot while memory is not fragmented (make bench asks for more
# through GN_HUGEPAGES).  x86_64 optimizes their vmemmap (HVO), which
# splitting a huge page of a guest_memfd file restores and merging optimizes
# again; the arm64 configs have no HVO.
hugepages=${GN_HUGEPAGES:-"hugepagesz=2M hugepages=64 hugepagesz=1G hugepages=1"}
case "$arch" in
x86_64)
	qemu=(qemu-system-x86_64 -M q35 -accel tcg,thread=single -cpu max
		-append "console=ttyS0 panic=-1 loglevel=5 $hugepages hugetlb_free_vmemmap=on ${GN_CMDLINE:-}")
	;;
arm64)
	qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
		-cpu max,lpa2=off,pauth-impdef=on -accel tcg,thread=single
		-append "console=ttyAMA0 panic=-1 loglevel=5 $hugepages ${GN_CMDLINE:-}")
	;;
esac
qemu+=(-smp 2 -m 4G -nic none -nographic -no-reboot -kernel "$kernel" -initrd "$initrd")

show() {
	if [ "$mode" = run ]; then
		# The programs' own output: after the init's banner, without kernel
		# messages or TAP plumbing.
		awk '/GMEM-NEXT: kernel/ { on = 1; print "  booted: " substr($0, index($0, "kernel")); fflush(); next }
		     on && !/^(\[ *[0-9]+\.[0-9]+\]|TAP version|1\.\.|GMEM-NEXT-DONE|ok |# \[)/ { print; fflush() }' || true
	else
		grep --line-buffered -E '^(ok|not ok) |GMEM-NEXT-ERROR' | sed -u "s/^/  [$arch] /" || true
	fi
}
msg "==> boot $arch ($mode, $planned programs, limit ${limit}s); serial log: $log"
t0=$(date +%s)
# The init prints a line as each program starts and when it ends, and kills a
# program that overruns its own limit, so a console silent for longer than
# the largest limit means the guest itself hangs: stop it then.
idle_limit=$((60 + $(awk '$1 > m {m = $1} END {print m + 0}' "$root/etc/gmem-next/list")))
: >"$log"
# QEMU's exit status says little (poweroff and panic both exit 0): the log decides.
timeout --foreground -k 10 "$limit" "${qemu[@]}" </dev/null 2>&1 | sed -u 's/\r$//' | tee "$log" | show &
runner=$!
hung=
while kill -0 $runner 2>/dev/null; do
	sleep 5
	if [ $(($(date +%s) - $(stat -c %Y "$log"))) -gt $idle_limit ]; then
		hung=1
		pkill -f -- "-initrd $initrd" || true
		break
	fi
done
wait $runner || true
dt=$(($(date +%s) - t0))

# 3. Judge the log.
problems=()
if [ -n "$hung" ]; then
	problems+=("the guest hung: no console output for ${idle_limit}s (stopped)")
elif ! grep -q GMEM-NEXT-DONE "$log"; then
	problems+=("the run did not finish (guest crash, or time limit ${limit}s reached)")
fi
grep -q 'GMEM-NEXT-ERROR' "$log" && problems+=("$(grep -m1 GMEM-NEXT-ERROR "$log")")
kbad=$(grep -E '^\[ *[0-9]+\.[0-9]+\] .*(Kernel panic|BUG:|Oops|general protection fault|cut here|Call Trace:|WARNING: )' "$log" | head -n 5 || true)
[ -n "$kbad" ] && problems+=("the guest kernel reported a problem:
$kbad")

grep -E '^(ok|not ok) [0-9]+ ' "$log" |
	awk '{ st = ($1 == "ok") ? (/# SKIP/ ? "skip" : "pass") : "fail";
	       name = ($1 == "ok") ? $3 : $4; print st, name }' >"$results" || true
while read -r _ prog _; do
	grep -q " $prog\$" "$results" || echo "fail $prog (did not report)" >>"$results"
done <"$root/etc/gmem-next/list"
# Whatever went wrong beyond the programs' own results counts as a failure too.
[ ${#problems[@]} -gt 0 ] && echo "fail (guest:${tag})" >>"$results"
pass=$(grep -c '^pass' "$results" || true)
fail=$(grep -c '^fail' "$results" || true)
skip=$(grep -c '^skip' "$results" || true)
[ "$fail" -gt 0 ] && problems+=("failed: $(grep '^fail' "$results" | cut -d' ' -f2- | tr '\n' ' ')")

msg "<== boot $arch: $pass passed, $fail failed, $skip skipped in $((dt / 60))m$((dt % 60))s"
if [ ${#problems[@]} -gt 0 ]; then
	for p in "${problems[@]}"; do msg "  [$arch] PROBLEM: $p"; done
	msg "  [$arch] serial log: $log"
	exit 1
fi
