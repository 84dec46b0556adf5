#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make checkpatch: scripts/checkpatch.pl --strict on every patch in patches/.
. "$(dirname "$0")/lib.sh"

need_tree
bad=0
n=0
while read -r p; do
	case "$p" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	# spdxcheck.py needs python3-ply and python3-git: use the system python3.
	# "does MAINTAINERS need updating?" is answered below, file by file.
	# The work tree's history is one commit (the Debian source), so the
	# ids of Fixes: tags cannot be looked up; their format is still checked.
	out=$(cd "$GN_TREE" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --quiet \
		--ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID --summary-file "$GN_ROOT/patches/$p" 2>&1) || true
	# New files must belong to a MAINTAINERS section more specific than
	# THE REST, so that their patches reach the right list.
	for f in $(awk '/^diff --git a\//{f=$4} /^new file mode/{sub("^b/","",f); print f}' \
		"$GN_ROOT/patches/$p"); do
		sections=$(cd "$GN_TREE" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
			--sections -f "$f" 2>/dev/null | grep -E '^[A-Z0-9].*[A-Z]' | grep -vx 'THE REST' || true)
		[ -n "$sections" ] || out="$out${out:+$'\n'}$f: not covered by any MAINTAINERS section"
	done
	[ -z "$out" ] && continue
	bad=$((bad + 1))
	msg "checkpatch: $p"
	printf '%s\n' "$out" | sed 's/^/    /'
done <"$GN_ROOT/patches/series"
while read -r p; do
	case "$p" in '' | '#'*) continue ;; esac
	grep -q "^Signed-off-by: $GN_IDENT\$" "$GN_ROOT/patches/$p" ||
		{ msg "checkpatch: $p lacks 'Signed-off-by: $GN_IDENT'"; bad=$((bad + 1)); }
	grep -q "^From: $GN_IDENT\$" "$GN_ROOT/patches/$p" ||
		{ msg "checkpatch: $p is not authored by $GN_IDENT"; bad=$((bad + 1)); }
done <"$GN_ROOT/patches/series"
if [ $bad -gt 0 ]; then
	die "checkpatch --strict: $bad problem(s) in $n patches"
fi
msg "checkpatch --strict: $n patches clean"
