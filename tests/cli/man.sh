# man: every page in man/ is clean mdoc for groff (-ww) and mandoc's linter, and every
# tool has its page.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
for f in "$SRC"/man/*.[17]; do
	n=$(basename "$f")
	run groff -mdoc -ww -z "$f"
	expect "$n: groff -mdoc -ww: no warning" 0 "" ""
	if command -v mandoc >/dev/null; then
		run mandoc -Tlint -W warning "$f"
		expect "$n: mandoc -Tlint: no warning" 0 "" ""
	else skip "$n: mandoc -Tlint" "mandoc not installed (apt-get install mandoc)"; fi
done
for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-report; do
	assert "$t has a man page" test -s "$SRC/man/$t.1"
done

# Every option of every verb's table (as --help lists them: the self-check of
# tests/unit/test_opts_tables.c holds every option to having help, so none is
# missing from it) is in the tool's page by its long name, and the letter it has
# is on every .It line that defines it; every option the page
# defines (an .It Fl line, long or letter) is in a table.
BIN=${CLOUDCTL_BIN:-$SRC/${CLOUDCTL_BUILD:-build}/bin}
for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-report; do
	verbs=$("$BIN/$t" --help | sed -n '/^Verbs:/,/^$/p' | awk 'NF > 1 && $1 != "Verbs:" { print $1 }')
	# "-o --output" per option, short letter or "-" when none
	{ "$BIN/$t" --help; for v in $verbs; do "$BIN/$t" "$v" --help; done; } |
		sed -nE 's/^  (-[a-zA-Z]), (--[a-z0-9-]+).*/\1 \2/p; s/^      (--[a-z0-9-]+).*/- \1/p' | sort -u > "$T/table"
	assert "$t: its tables have options" test -s "$T/table"
	page=$SRC/man/$t.1
	grep -oE 'Fl -[a-z0-9-]+' "$page" | sed 's/^Fl -/--/' | sort -u > "$T/longs"
	grep -E '^\.It' "$page" > "$T/its"
	missing=$(while read -r s l; do grep -qx -- "$l" "$T/longs" || echo "$l"; done < "$T/table" | tr '\n' ' ')
	assert "$t: every option of its tables is in $t(1)${missing:+ (missing: $missing)}" test -z "$missing"
	noletter=$(while read -r s l; do
		[ "$s" = - ] && continue
		def=$(grep -E -- "Fl ${l#-}( |$)" "$T/its")
		[ -z "$def" ] || ! printf '%s\n' "$def" | grep -vqE -- "Fl ${s#-}( |$)" || echo "$s,$l"
	done < "$T/table" | tr '\n' ' ')
	assert "$t: an option's letter is on every .It line defining it${noletter:+ (not: $noletter)}" test -z "$noletter"
	# the options the page defines, but --completion (hidden, in every page)
	extra=$(grep -oE 'Fl -[a-z0-9-]+' "$T/its" | sed 's/^Fl -/--/' | sort -u |
		while read -r l; do [ "$l" = --completion ] || awk '{ print $2 }' "$T/table" | grep -qx -- "$l" || echo "$l"; done | tr '\n' ' ')
	assert "$t: every option $t(1) defines is in a table${extra:+ (not in any: $extra)}" test -z "$extra"
	extra=$(grep -oE 'Fl [a-zA-Z]( |$)' "$T/its" | awk '{ print "-" $2 }' | sort -u |
		while read -r s; do awk '{ print $1 }' "$T/table" | grep -qx -- "$s" || echo "$s"; done | tr '\n' ' ')
	assert "$t: every letter $t(1) defines is in a table${extra:+ (not in any: $extra)}" test -z "$extra"
done
