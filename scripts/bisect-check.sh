#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bisect-check: build every patch of the series in turn, on both arches,
# in a separate git worktree (the work tree itself is not touched).
. "$(dirname "$0")/lib.sh"

need_tree
# Laid out like the work tree and its build directories (linux/ next to
# build/ARCH), so that ccache, which hashes paths relative to $GN_CACHE
# subdirectories, shares objects with the normal builds.
wt=$GN_CACHE/bisect/linux
commits=$(git -C "$GN_TREE" rev-list --reverse "$GN_BASE_TAG"..HEAD)
[ -n "$commits" ] || { msg "the series is empty: nothing to bisect"; exit 0; }
if [ ! -d "$wt" ]; then
	mkdir -p "$(dirname "$wt")"
	git -C "$GN_TREE" worktree prune
	step "create bisect worktree $wt" git -C "$GN_TREE" worktree add -q --detach "$wt" "$GN_BASE_TAG"
fi
i=0
total=$(wc -w <<<"$commits")
for c in $commits; do
	i=$((i + 1))
	git -C "$wt" checkout -q --detach "$c"
	for arch in ${ARCHES:-$GN_ARCHES}; do
		step "[$i/$total] $(git -C "$wt" log -1 --format=%s) ($arch)" \
			env GN_TREE="$wt" GN_BUILD="$GN_CACHE/bisect/build" \
			"$GN_ROOT/scripts/build-kernel.sh" "$arch" ||
			die "patch $i/$total ($(git -C "$wt" log -1 --format='%h %s')) does not build on $arch"
	done
done
msg "all $total patches build on ${ARCHES:-$GN_ARCHES}"
