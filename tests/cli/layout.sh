#!/bin/bash
# layout.sh: README.md's Layout section is the map of the tree. It names every
# directory that git tracks (a "DIR/**" line stands for DIR and all under it) and
# no directory that git does not track. Needs git and the source tree, nothing else.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

if ! git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	skip layout "not a git checkout: no list of tracked directories"
	exit 0
fi

# map_entries README: the first word of each line of the Layout section's code block
map_entries() {
	awk '/^## Layout$/ { in_section = 1; next }
	     in_section && /^## / { exit }
	     in_section && /^```/ { if (in_block) exit; in_block = 1; next }
	     in_block && NF { print $1 }' "$1"
}

# check_map README TRACKED-DIRS-FILE: one line per disagreement, exit 1 if any
check_map() {
	local readme=$1 tracked=$2 e d bad=0
	local -a exact=() subtree=()
	while read -r e; do
		case $e in
		*/\*\*) subtree+=("${e%/\*\*}") ;;
		*/) exact+=("${e%/}") ;;
		*) echo "map line \"$e\": a directory ends with / or /**"; bad=1 ;;
		esac
	done < <(map_entries "$readme")
	for e in "${exact[@]}" "${subtree[@]}"; do
		grep -qxF -- "$e" "$tracked" || { echo "the map names $e/, which git does not track"; bad=1; }
	done
	while read -r d; do
		covered=0
		for e in "${exact[@]}"; do [ "$d" = "$e" ] && covered=1; done
		for e in "${subtree[@]}"; do case $d in "$e" | "$e"/*) covered=1 ;; esac; done
		[ $covered = 1 ] || { echo "the map does not name $d/"; bad=1; }
	done < "$tracked"
	return $bad
}

git -C "$SRC" ls-files | sed -n 's,/[^/]*$,,p' | sort -u > "$T/parents"
# every ancestor too: a directory holding only directories is still in the tree
while read -r d; do
	echo "$d"
	while [ "${d%/*}" != "$d" ]; do d=${d%/*}; echo "$d"; done
done < "$T/parents" | sort -u > "$T/tracked"

run check_map "$SRC/README.md" "$T/tracked"
expect "layout: README's map names every tracked directory and no other" 0 ""

# the check can fail: a line dropped and a directory that does not exist
sed -e '/^lib\/git\/ /d' -e 's,^man/ ,man/\nlib/nothere/ ,' "$SRC/README.md" > "$T/README.bad"
run check_map "$T/README.bad" "$T/tracked"
expect "layout: a missing and a made-up directory are both named" 1 \
"the map names lib/nothere/, which git does not track
the map does not name lib/git/"
