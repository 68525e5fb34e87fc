# report-completion: cloudctl-report's --help, man page and completions say what
# it does: every option of each verb is in all three, -o offers the verb's own
# formats (report: no kv, but html and prom), and the default verb completes
# (`cloudctl-report vm<TAB>`, options after a file operand).
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
R=cloudctl-report
MAN=$SRC/man/cloudctl-report.1

# ---- the option tables, --help, man page and completions agree ----
for verb in report diff; do
	$R $verb --help > "$T/help.$verb"
	opts=$(sed -n 's/^ *\(-[a-z], \)\{0,1\}--\([a-z-]*\).*/\2/p' "$T/help.$verb" | sort -u)
	assert "$verb --help lists options" test -n "$opts"
	for o in $opts; do
		assert "$verb --$o: in the man page" grep -q "^\.\(It\|Op\) Fl -$o\b\|Fl -$o\b" "$MAN"
		assert "$verb --$o: in the bash completion" grep -q -- " --$o\b" "$SRC/completions/cloudctl-report.bash"
		assert "$verb --$o: in the fish completion" grep -q -- "-l $o\b" "$SRC/completions/cloudctl-report.fish"
		assert "$verb --$o: in the zsh completion" grep -q -- "--$o\b" "$SRC/completions/_cloudctl-report"
	done
done
for f in table md csv json html prom; do
	assert "format $f: its own entry under OUTPUT FORMATS" \
		bash -c "sed -n '/^\.Sh OUTPUT FORMATS/,/^\.Sh METRICS/p' '$MAN' | grep -q '^\.Ss $f\$\|^\.It Cm $f\$'"
	run $R -q -o $f --allow-empty < /dev/null
	expect_rc "format $f: accepted" 0
done
run $R -o kv --allow-empty < /dev/null
expect "report -o kv: refused (it is not a report format)" 64 "" "cloudctl-report: report: unknown output format 'kv' (table md csv json html prom)"

# ---- bash: complete WORDS... in $T/cwd -> the sorted candidates ----
mkdir -p "$T/cwd" && : > "$T/cwd/vms.rec" && : > "$T/cwd/vmx.rec" && : > "$T/cwd/hosts.rec"
rcomp() {
	(cd "$T/cwd" && bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cloudctl_report
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$SRC/completions/cloudctl-report.bash" "$@")
}
if $R --completion bash | grep -q 'local first='; then
	for c in "cloudctl-report -o ''|csv html json md prom table " \
		"cloudctl-report report -o ''|csv html json md prom table " \
		"cloudctl-report vms.rec -o ''|csv html json md prom table " \
		"cloudctl-report diff -o ''|csv json kv md table tsv " \
		"cloudctl-report vm|vms.rec vmx.rec " \
		"cloudctl-report ''|diff hosts.rec report vms.rec vmx.rec " \
		"cloudctl-report d|diff " \
		"cloudctl-report vms.rec --gr|--group-by " \
		"cloudctl-report vms.rec -g ''|host state tenant " \
		"cloudctl-report -q vms.rec h|hosts.rec " \
		"cloudctl-report --allow|--allow-empty " \
		"cloudctl-report --write x.prom --all|--allow-empty " \
		"cloudctl-report diff --ex|--exit-code " \
		"cloudctl-report diff --all|--allow-empty " \
		"cloudctl-report diff vms.rec h|hosts.rec "; do
		words=${c%%|*} want=${c#*|}
		eval "set -- $words"
		assert "bash: $words<TAB> -> $want" test "$(rcomp "$@")" = "$want"
	done
else
	skip "bash: the default verb and each verb's -o" "the generator in lib/complete.c knows no default verb yet"
fi

# ---- fish ----
if command -v fish >/dev/null && $R --completion fish | grep -q "not __fish_seen_subcommand_from"; then
	fcomp() { (cd "$T/cwd" && fish -c "source '$SRC/completions/cloudctl-report.fish'; complete -C '$1'" | cut -f1 | sort | tr '\n' ' '); }
	for c in "cloudctl-report -o |csv html json md prom table " \
		"cloudctl-report report -o |csv html json md prom table " \
		"cloudctl-report diff -o |csv json kv md table tsv " \
		"cloudctl-report vm|vms.rec vmx.rec " \
		"cloudctl-report vms.rec --gr|--group-by " \
		"cloudctl-report diff --ex|--exit-code "; do
		assert "fish: ${c%%|*}<TAB> -> ${c#*|}" test "$(fcomp "${c%%|*}")" = "${c#*|}"
	done
else
	skip "fish: the default verb and each verb's -o" "fish not installed, or lib/complete.c knows no default verb yet"
fi

# ---- --help: -o names the formats the verb takes ----
if grep -q "(the default)" "$T/help.report"; then
	assert "report --help: -o lists the report formats" \
		grep -qx '  -o, --output FORMAT       table (the default), md, csv, json, html or prom' "$T/help.report"
	$R --help > "$T/help"
	assert "--help: -o says which formats go with which verb" grep -qx '  -o, --output FORMAT       kv, table, json, tsv, csv or md (default: table on a terminal, else kv; $CLOUDCTL_OUTPUT); report: table (the default), md, csv, json, html or prom' "$T/help"
	assert "--help: the verb may be left out" grep -qx 'Usage: cloudctl-report \[OPTIONS\] \[VERB\] \[ARGS\]' "$T/help"
else
	skip "--help: -o of report" "lib/opts.c still prints the record formats for every verb"
fi
