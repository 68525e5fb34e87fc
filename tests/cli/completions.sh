# completions: the committed scripts in completions/ are exactly what the option
# tables generate, they parse in their shells, and they complete what they should.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
for t in cloudctl-vm cloudctl-report cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-net; do
	for sh in bash zsh fish; do
		case $sh in bash) f=$t.bash ;; zsh) f=_$t ;; fish) f=$t.fish ;; esac
		$t --completion $sh > "$T/gen"
		assert "$t $sh completion is up to date (make completions)" cmp -s "$T/gen" "$SRC/completions/$f"
	done
	assert "$t bash completion parses" bash -n "$SRC/completions/$t.bash"
	if command -v zsh >/dev/null; then assert "$t zsh completion parses" zsh -n "$SRC/completions/_$t"
	else skip "$t zsh completion parses" "zsh not installed"; fi
done

# bash: complete WORDS... -> the sorted candidates
bcomp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cloudctl_vm; printf "%s\n" "${COMPREPLY[@]}" | sort' \
		_ "$SRC/completions/cloudctl-vm.bash" "$@"
}
assert "bash: verbs" test "$(bcomp cloudctl-vm st | tr '\n' ' ')" = "start stats stop "
assert "bash: verb options" test "$(bcomp cloudctl-vm list --st | tr '\n' ' ')" = "--state --stats "
assert "bash: option values" test "$(bcomp cloudctl-vm create --domain-type '' | tr '\n' ' ')" = "kvm qemu "
assert "bash: after a global option with an argument" test "$(bcomp cloudctl-vm -C test:///default wait --state sh | tr '\n' ' ')" = "shutoff "
assert "bash: VM names from the tool itself" test "$(LIBVIRT_DEFAULT_URI=test:///default bcomp cloudctl-vm show t | tr '\n' ' ')" = "test "
if command -v fish >/dev/null; then
	fcomp() { fish -c "source '$SRC/completions/cloudctl-vm.fish'; complete -C '$1'" | cut -f1 | sort | tr '\n' ' '; }
	assert "fish: verbs" test "$(fcomp 'cloudctl-vm st')" = "start stats stop "
	assert "fish: verb options" test "$(fcomp 'cloudctl-vm list --st')" = "--state --stats "
	assert "fish: option values" test "$(fcomp 'cloudctl-vm wait --state ')" = "paused running shutoff "
	fnet() { fish -c "source '$SRC/completions/cloudctl-net.fish'; complete -C '$1'" | cut -f1 | sort | tr '\n' ' '; }
	assert "fish: a verb's action words" test "$(fnet 'cloudctl-net tenant ')" = "create delete "
else skip "fish completions" "fish not installed"; fi
rcomp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cloudctl_report; printf "%s\n" "${COMPREPLY[@]}" | sort' \
		_ "$SRC/completions/cloudctl-report.bash" "$@"
}
assert "bash: a verb's own output formats" test "$(rcomp cloudctl-report report -o '' | tr '\n' ' ')" = "csv html json md prom table "
assert "bash: record formats elsewhere" test "$(rcomp cloudctl-report diff -o '' | tr '\n' ' ')" = "csv json kv md table tsv "

# Every option of every verb's table (as --help lists it) is offered by the bash completion
# after that verb, and completing "--" offers nothing that is in no table.
BIN=${CLOUDCTL_BIN:-$SRC/${CLOUDCTL_BUILD:-build}/bin}
comp() { # TOOL WORDS...: the sorted candidates of TOOL's bash completion
	local t=$1; shift
	bash -c '. "$1"; shift; fn=$1; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); $fn; printf "%s\n" "${COMPREPLY[@]}" | sort -u' \
		_ "$SRC/completions/$t.bash" "_${t//-/_}" "$t" "$@"
}
for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-report; do
	for v in $("$BIN/$t" --help | sed -n '/^Verbs:/,/^$/p' | awk 'NF > 1 && $1 != "Verbs:" { print $1 }'); do
		"$BIN/$t" "$v" --help | sed -nE 's/^  -[a-zA-Z], (--[a-z0-9-]+).*/\1/p; s/^      (--[a-z0-9-]+).*/\1/p' | sort -u > "$T/table"
		comp "$t" "$v" -- | grep -- '^--' > "$T/offered"
		missing=$(comm -23 "$T/table" "$T/offered" | tr '\n' ' ') extra=$(comm -13 "$T/table" "$T/offered" | tr '\n' ' ')
		assert "$t $v: bash completion offers every option of the table${missing:+ (missing: $missing)}${extra:+ (extra: $extra)}" \
			test -z "$missing$extra"
	done
done
# a tool with a default verb completes it without the verb's name
assert "bash: the default verb's options (cloudctl-build ./app --re)" test "$(comp cloudctl-build ./app --re | tr '\n' ' ')" = "--repo "
assert "bash: the default verb's options first (cloudctl-report --gr)" test "$(comp cloudctl-report --gr | tr '\n' ' ')" = "--group-by "
assert "bash: the default verb's formats (cloudctl-report -o)" test "$(comp cloudctl-report -o '' | tr '\n' ' ')" = "csv html json md prom table "
mkdir -p "$T/c" && touch "$T/c/vms.rec"
assert "bash: the default verb's operands beside the verbs (cloudctl-report <TAB>)" \
	test "$(cd "$T/c" && comp cloudctl-report '' | tr '\n' ' ')" = "diff report vms.rec "
assert "bash: the default verb's file operand (cloudctl-report vm<TAB>)" test "$(cd "$T/c" && comp cloudctl-report vm | tr '\n' ' ')" = "vms.rec "
