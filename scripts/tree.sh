#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make tree: the kernel work tree.  The base source becomes a git repository
# (base commit tagged $GN_BASE_TAG) and patches/ is applied on top with git am.
# It never discards a developer's work: a tree with uncommitted edits, or with
# commits that are not in patches/, is left alone.
. "$(dirname "$0")/lib.sh"

ver=$(base_version)
tarball=$GN_SRC/linux-source-$ver.tar.xz
[ -f "$tarball" ] || die "base tarball $tarball is missing: run 'make deps'"
state=$(git -C "$GN_TREE" rev-parse --absolute-git-dir 2>/dev/null || echo "$GN_TREE/.git")/gmem-next-state
# Bump when make_base changes what the base commit holds: trees made by an
# older version are then re-created (if they hold no unexported work).
base_id="$ver format-3"

patches_id() {
	(cd "$GN_ROOT/patches" && cat series $(cat series) 2>/dev/null) | sha256sum | cut -c1-16
}

make_base() {
	local tmp=$GN_TREE.new
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1
	cd "$tmp"
	# Debian's .gitignore ignores everything at the top level (its packaging
	# repository holds only debian/), which would hide new files from
	# `git status` and `git add`.  Drop that block; the series never touches
	# .gitignore, so it applies to a plain v7.3.x tree all the same.
	sed -i '/^# Debian packaging: ignore everything/,$d' .gitignore
	sed -i '${/^#$/d}' .gitignore
	sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' .gitignore
	git init -q -b gmem-next
	git config user.name "gmem-next developers"
	git config user.email gmem-next@lists.invalid
	git config gc.auto 0
	git add -A -f .
	# Fixed dates so that the base commit is the same on every machine.
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
		git_bot commit -q -m "Linux $(make -s kernelversion) (Debian linux-source-7.3 $ver)"
	git tag "$GN_BASE_TAG"
	printf '%s\n' "$base_id" >.git/gmem-next-base-version
	cd - >/dev/null
	rm -rf "$GN_TREE"
	mv "$tmp" "$GN_TREE"
}

apply_series() {
	cd "$GN_TREE"
	git checkout -q -B gmem-next "$GN_BASE_TAG"
	git reset -q --hard "$GN_BASE_TAG"
	local n=0 p
	while read -r p; do
		case "$p" in '' | '#'*) continue ;; esac
		[ -f "$GN_ROOT/patches/$p" ] || die "patches/series names $p, which does not exist"
		if ! git_bot am -q --whitespace=nowarn "$GN_ROOT/patches/$p" >/dev/null 2>"$GN_LOGS/git-am.log"; then
			git am --abort 2>/dev/null || true
			git reset -q --hard "$GN_BASE_TAG"
			die "patches/$p does not apply to the base ($ver); see $GN_LOGS/git-am.log"
		fi
		n=$((n + 1))
	done <"$GN_ROOT/patches/series"
	printf '%s %s\n' "$(git rev-parse HEAD)" "$(patches_id)" >"$state"
	msg "work tree $GN_TREE: base $ver + $n patches"
}

mkdir -p "$GN_CACHE" "$GN_LOGS" "$(dirname "$GN_TREE")"
[ -f "$GN_ROOT/patches/series" ] || die "patches/series is missing"

if [ -d "$GN_TREE/.git" ]; then
	cd "$GN_TREE"
	if [ -n "$(git status --porcelain)" ]; then
		git status --short | head -n 10 >&2
		die "the work tree $GN_TREE has uncommitted changes: commit them (then 'make export') or stash them; nothing was touched"
	fi
	if [ -f .git/rebase-apply/applying ] || [ -d .git/rebase-merge ]; then
		die "a git am/rebase is in progress in $GN_TREE: finish or abort it first"
	fi
	head=$(git rev-parse HEAD)
	read -r applied applied_id <"$state" 2>/dev/null || applied=
	if [ "$head" != "$applied" ]; then
		# Local commits: fine only if patches/ already holds exactly them.
		if ! "$GN_ROOT/scripts/export.sh" --check >/dev/null 2>&1; then
			die "the work tree $GN_TREE has commits that are not in patches/ (git -C $GN_TREE log $GN_BASE_TAG..): run 'make export' first; nothing was touched"
		fi
		printf '%s %s\n' "$head" "$(patches_id)" >"$state"
		applied_id=$(patches_id)
	fi
	if [ "$(cat .git/gmem-next-base-version 2>/dev/null)" != "$base_id" ]; then
		step "rebuild work tree on base $ver" make_base
		step "apply patches/" apply_series
	elif [ "$applied_id" != "$(patches_id)" ]; then
		step "apply patches/ (changed since the tree was made)" apply_series
	else
		msg "work tree $GN_TREE is up to date ($(git rev-list --count "$GN_BASE_TAG"..) patches on $ver)"
	fi
else
	[ -e "$GN_TREE" ] && die "$GN_TREE exists but is not a git work tree: move it away first"
	step "extract base $ver into a git tree" make_base
	step "apply patches/" apply_series
fi
