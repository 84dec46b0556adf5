# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the gmem-next scripts.  Sourced, not run.

set -euo pipefail

GN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GN_CACHE=${GN_CACHE:-$HOME/.cache/gmem-next}
GN_SRC=$GN_CACHE/src
GN_TREE=${GN_TREE:-$GN_CACHE/linux}
GN_BUILD=${GN_BUILD:-$GN_CACHE/build}
GN_LOGS=${GN_LOGS:-$GN_CACHE/logs}
GN_BASE_TAG=gmem-next-base
GN_ARCHES="x86_64 arm64"
GN_IDENT="gmem-next developers <gmem-next@lists.invalid>"

export CCACHE_DIR=${CCACHE_DIR:-$GN_CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Paths below the cache are hashed relative to the build directory, so a
# tree and build directory at another place under it (CI's) share the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$GN_CACHE}
JOBS=${JOBS:-$(nproc)}

msg() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A long step: one line when it starts, one with its duration when it ends.
# Usage: step "what" command [args...]
step() {
	local what=$1 t0 rc=0
	shift
	t0=$(date +%s)
	msg "==> $what"
	"$@" || rc=$?
	local dt=$(($(date +%s) - t0))
	if [ $rc = 0 ]; then
		msg "<== $what: done in $((dt / 60))m$((dt % 60))s"
	else
		msg "<== $what: FAILED after $((dt / 60))m$((dt % 60))s (exit $rc)"
	fi
	return $rc
}

check_arch() {
	case "${1:-}" in
	x86_64 | arm64) ;;
	"") die "no ARCH given (one of: $GN_ARCHES)" ;;
	*) die "unknown ARCH '$1' (one of: $GN_ARCHES)" ;;
	esac
}

# Kernel make variables for an arch.
kmake_args() {
	case "$1" in
	x86_64) echo "ARCH=x86_64" ;;
	arm64) echo "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" ;;
	esac
}

kernel_image() {
	case "$1" in
	x86_64) echo "$GN_BUILD/$1/arch/x86/boot/bzImage" ;;
	arm64) echo "$GN_BUILD/$1/arch/arm64/boot/Image" ;;
	esac
}

# The base version recorded by `make deps`.
base_version() {
	[ -f "$GN_SRC/VERSION" ] || die "no base kernel in $GN_SRC: run 'make deps' first"
	cat "$GN_SRC/VERSION"
}

need_tree() {
	[ -e "$GN_TREE/.git" ] && git -C "$GN_TREE" rev-parse -q --verify "$GN_BASE_TAG" >/dev/null ||
		die "no work tree at $GN_TREE: run 'make tree' first"
}

# Deterministic git identity and dates for commits the scripts make.
git_bot() {
	GIT_AUTHOR_NAME="gmem-next developers" GIT_AUTHOR_EMAIL=gmem-next@lists.invalid \
	GIT_COMMITTER_NAME="gmem-next developers" GIT_COMMITTER_EMAIL=gmem-next@lists.invalid \
		git "$@"
}
