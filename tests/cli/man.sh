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

# Every option of every verb's table (as --help lists them) is in the tool's page, by its
# long name or its letter, and every option the page defines (an .It Fl line) is in a table.
BIN=${CLOUDCTL_BIN:-$SRC/${CLOUDCTL_BUILD:-build}/bin}
for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-report; do
	verbs=$("$BIN/$t" --help | sed -n '/^Verbs:/,/^$/p' | awk 'NF > 1 && $1 != "Verbs:" { print $1 }')
	# "-o --output" per option, short letter or "-" when none
	{ "$BIN/$t" --help; for v in $verbs; do "$BIN/$t" "$v" --help; done; } |
		sed -nE 's/^  (-[a-zA-Z]), (--[a-z0-9-]+).*/\1 \2/p; s/^      (--[a-z0-9-]+).*/- \1/p' | sort -u > "$T/table"
	page=$SRC/man/$t.1
	grep -oE 'Fl -[a-z0-9-]+' "$page" | sed 's/^Fl -/--/' | sort -u > "$T/longs"
	grep -oE 'Fl [a-zA-Z]\b' "$page" | sed 's/^Fl /-/' | sort -u > "$T/shorts"
	missing=$(while read -r s l; do
		grep -qx -- "$l" "$T/longs" || grep -qx -- "$s" "$T/shorts" || echo "$l"
	done < "$T/table" | tr '\n' ' ')
	assert "$t: every option of its tables is in $t(1)${missing:+ (missing: $missing)}" test -z "$missing"
	# the options the page defines, but --completion (hidden, in every page)
	extra=$(grep -E '^\.It .*Fl -' "$page" | grep -oE 'Fl -[a-z0-9-]+' | sed 's/^Fl -/--/' | sort -u |
		while read -r l; do [ "$l" = --completion ] || awk '{ print $2 }' "$T/table" | grep -qx -- "$l" || echo "$l"; done | tr '\n' ' ')
	assert "$t: every option $t(1) defines is in a table${extra:+ (not in any: $extra)}" test -z "$extra"
done
