#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make deps: host packages, the trixie-backports source (pinned low) and the
# base kernel source from Debian's linux-source-7.3, cached in $GN_SRC.
. "$(dirname "$0")/lib.sh"

HOST_PKGS="make gcc git flex bison bc libelf-dev libssl-dev ccache cpio busybox-static kmod
	qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross dwarves
	uuid-dev liburcu-dev xz-utils perl python3 python3-ply python3-git rsync ca-certificates"
BPO_LIST=/etc/apt/sources.list.d/gmem-next-trixie-backports.sources
BPO_PIN=/etc/apt/preferences.d/gmem-next-trixie-backports

read -r SRC_PKG SRC_VER < <(grep -v '^#' "$GN_ROOT/configs/base-version")

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

updated=
apt_update() {
	[ -n "$updated" ] && return 0
	as_root apt-get update -q >"$GN_LOGS/apt-update.log" 2>&1 ||
		die "apt-get update failed, see $GN_LOGS/apt-update.log"
	updated=1
}

mkdir -p "$GN_SRC" "$GN_LOGS"

# 1. The low-priority trixie-backports source: only linux-source-7.3 comes from it.
if [ ! -f "$BPO_LIST" ] || [ ! -f "$BPO_PIN" ]; then
	msg "adding trixie-backports as an apt source (pin 100)"
	as_root tee "$BPO_LIST" >/dev/null <<'EOT'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	as_root tee "$BPO_PIN" >/dev/null <<'EOT'
Package: *
Pin: release n=trixie-backports
Pin-Priority: 100
EOT
	stale=1
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	msg "adding arm64 as a foreign dpkg architecture (for busybox-static:arm64)"
	as_root dpkg --add-architecture arm64
	stale=1
fi
[ -n "$(ls /var/lib/apt/lists/*trixie-backports*Packages* 2>/dev/null)" ] || stale=1
[ -n "$(ls /var/lib/apt/lists/*binary-arm64_Packages* 2>/dev/null)" ] || stale=1
[ -n "${stale:-}" ] && apt_update

# 2. Host packages, only what is missing.
missing=
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt_update
	# Nothing may come from trixie-backports but the kernel source.
	if as_root apt-get -s install -y $missing | grep '^Inst' | grep -q 'trixie'; then
		die "installing$missing would pull packages from trixie-backports; check $BPO_PIN"
	fi
	step "install host packages:$missing" \
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing \
		>"$GN_LOGS/apt-install.log" 2>&1 ||
		die "apt-get install failed, see $GN_LOGS/apt-install.log"
fi
if apt-get -s -o Debug::NoLocking=1 upgrade 2>/dev/null | grep '^Inst' | grep -q trixie; then
	die "an upgrade would take packages from trixie-backports: the pin in $BPO_PIN is not in effect"
fi

# 3. busybox for the arm64 initramfs (the host's busybox-static serves x86_64).
bb_arm64=$GN_SRC/busybox-arm64
if [ ! -x "$bb_arm64" ]; then
	apt_update
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) ||
		die "cannot download busybox-static:arm64 (is arm64 in 'dpkg --print-foreign-architectures'?)"
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	cp "$tmp/x/bin/busybox" "$bb_arm64.tmp" && mv "$bb_arm64.tmp" "$bb_arm64"
	rm -rf "$tmp"
fi

# 4. The base kernel source.
deb=$(ls "$GN_SRC/${SRC_PKG}_${SRC_VER}_all.deb" 2>/dev/null || true)
if [ -z "$deb" ]; then
	apt_update
	avail=$(apt-cache madison "$SRC_PKG" 2>/dev/null | awk '{print $3}' | sort -V | uniq)
	use=
	if grep -qxF "$SRC_VER" <<<"$avail"; then
		use=$SRC_VER
	else
		use=$(awk -v v="${SRC_VER%.*}." 'index($0, v) == 1' <<<"$avail" | tail -n1)
		[ -n "$use" ] && warn "$SRC_PKG $SRC_VER is gone from the archive; using $use instead"
	fi
	[ -n "$use" ] || die "cannot get $SRC_PKG (wanted $SRC_VER; archive has: ${avail:-nothing}).
  Is trixie-backports reachable ($BPO_LIST)? A cached copy would be $GN_SRC/${SRC_PKG}_${SRC_VER}_all.deb"
	(cd "$GN_SRC" && step "download $SRC_PKG $use" apt-get download -q "$SRC_PKG=$use" 2>&1 |
		grep -v 'unsandboxed' || true)
	deb=$(ls "$GN_SRC/${SRC_PKG}_${use}_all.deb" 2>/dev/null) ||
		die "download of $SRC_PKG $use failed"
	newest=$(tail -n1 <<<"$avail")
	[ "$newest" != "$use" ] && msg "note: a newer $SRC_PKG ($newest) exists; configs/base-version pins $use"
fi
ver=$(dpkg-deb -f "$deb" Version)
tarball=$GN_SRC/linux-source-$ver.tar.xz
if [ ! -f "$tarball" ]; then
	step "unpack $SRC_PKG $ver" sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' > '$tarball.tmp' && mv '$tarball.tmp' '$tarball'"
fi
printf '%s\n' "$ver" >"$GN_SRC/VERSION"
msg "base kernel: $SRC_PKG $ver ($(basename "$tarball"))"
