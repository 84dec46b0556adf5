#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make export: write the work tree's commits (base..HEAD) to patches/ as a
# git format-patch series with a cover letter and a quilt-style series file.
# --check: write nothing, fail if patches/ differs from what export would write.
. "$(dirname "$0")/lib.sh"

check=
[ "${1:-}" = --check ] && check=1
need_tree
ver=$(base_version)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$GN_TREE"

base=$(git rev-parse "$GN_BASE_TAG")
n=$(git rev-list --count "$base"..HEAD)
if [ -n "$(git rev-list --merges "$base"..HEAD)" ]; then
	die "the work tree has merge commits; a patch series must be linear"
fi

if [ "$n" -gt 0 ]; then
	git format-patch -q --zero-commit --no-cover-letter --numbered \
		--signature=gmem-next -o "$out" "$base"..HEAD
fi
(cd "$out" && ls | grep -E '^[0-9]{4}-.*\.patch$' | sort) >"$out/series.tmp" || true

# The cover letter: subject and text are kept from the existing one; the rest
# (shortlog, diffstat, base) is regenerated so that it always matches.
old=$GN_ROOT/patches/0000-cover-letter.patch
subject="gmem-next: guest_memfd direct-map removal, in-place conversion and HugeTLB"
blurb="(no description yet)"
if [ -f "$old" ]; then
	subject=$(sed -n 's/^Subject: \[[^]]*\] //p' "$old" | head -n1)
	blurb=$(awk '
		!body && /^$/ { body = 1; next }
		!body { next }
		/^[^ ].* \([0-9]+\):$/ || /^base: / { exit }
		{ print }' "$old")
fi
date=$(git log -1 --format=%aD HEAD)
{
	printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n'
	printf 'From: %s\n' "$GN_IDENT"
	printf 'Date: %s\n' "$date"
	printf 'Subject: [PATCH 0/%d] %s\n\n' "$n" "$subject"
	printf '%s\n' "$blurb" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
	printf '\n'
	if [ "$n" -gt 0 ]; then
		git shortlog "$base"..HEAD | sed -e '/^$/d'
		printf '\n'
		git diff --stat=72 --summary "$base" HEAD
		printf '\n'
	fi
	printf 'base: Linux %s (Debian linux-source-7.3 %s)\n' "${ver%%-*}" "$ver"
	printf 'base-commit: %s\n' "$base"
	printf -- '-- \ngmem-next\n'
} >"$out/0000-cover-letter.patch"
mv "$out/series.tmp" "$out/series"

if [ -n "$check" ]; then
	if diff -ru "$GN_ROOT/patches" "$out" >"$out.diff" 2>&1; then
		rm -f "$out.diff"
		msg "patches/ matches the work tree ($n patches)"
		exit 0
	fi
	head -n 40 "$out.diff" >&2
	rm -f "$out.diff"
	die "patches/ differs from the work tree's commits: run 'make export' (or 'make tree' to discard tree commits you no longer want)"
fi

rm -rf "$GN_ROOT/patches.new"
cp -r "$out" "$GN_ROOT/patches.new"
rm -rf "$GN_ROOT/patches"
mv "$GN_ROOT/patches.new" "$GN_ROOT/patches"
printf '%s %s\n' "$(git rev-parse HEAD)" \
	"$( (cd "$GN_ROOT/patches" && cat series $(cat series)) | sha256sum | cut -c1-16)" \
	>"$(git -C "$GN_TREE" rev-parse --absolute-git-dir)/gmem-next-state"
msg "exported $n patches to patches/ (cover letter: patches/0000-cover-letter.patch)"
