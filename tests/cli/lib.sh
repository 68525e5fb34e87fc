# lib.sh: sourced by tests/cli/*.sh. Each check prints "ok - NAME" or
# "FAIL - NAME: why" (with the difference); tests/run counts the lines.
set -u
T=$(mktemp -d /tmp/cloudctl-cli.XXXXXX)
trap 'cleanup_hook; rm -rf "$T"' EXIT
cleanup_hook() { :; }
SVC=${CLOUDCTL_SVC_DIR:-/var/tmp/cloudctl-svc}

ok() { echo "ok - $1"; }
fail() { echo "FAIL - $1: $2"; }
skip() { echo "skip - $1: $2"; }

# run CMD...: stdout to $T/out, stderr to $T/err, exit code to $rc
run() { "$@" > "$T/out" 2> "$T/err"; rc=$?; }
# run_in INPUT CMD...: the same with INPUT on stdin
run_in() { local in=$1; shift; printf '%s' "$in" | "$@" > "$T/out" 2> "$T/err"; rc=$?; }

# expect NAME WANT_RC WANT_STDOUT [WANT_STDERR]: compare exactly
expect() {
	local name=$1 want_rc=$2 want_out=$3
	local got_out; got_out=$(cat "$T/out")
	if [ "$rc" != "$want_rc" ]; then
		fail "$name" "exit $rc, want $want_rc; stderr: $(head -c 400 "$T/err")"; return 1; fi
	if [ "$got_out" != "$want_out" ]; then
		fail "$name" "stdout differs:$(diff <(echo "$want_out") <(echo "$got_out") | head -20 | sed 's/^/\n    /' | tr -d '\n' | sed 's/\\n/\n/g')"
		return 1; fi
	if [ $# -ge 4 ] && [ "$(cat "$T/err")" != "$4" ]; then
		fail "$name" "stderr is [$(cat "$T/err")], want [$4]"; return 1; fi
	ok "$name"
}

# expect_rc NAME WANT_RC [STDERR_PATTERN]: exit code, and a grep -E pattern on stderr
expect_rc() {
	local name=$1 want_rc=$2
	if [ "$rc" != "$want_rc" ]; then fail "$name" "exit $rc, want $want_rc; stderr: $(head -c 400 "$T/err")"; return 1; fi
	if [ $# -ge 3 ] && ! grep -qE -- "$3" "$T/err"; then fail "$name" "stderr [$(cat "$T/err")] lacks /$3/"; return 1; fi
	ok "$name"
}

# assert NAME CONDITION-CMD...: ok when the command succeeds
assert() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name" "not true: $*"; fi; }

# field KEY < kv-record: the value of KEY in the first record (bare values only)
field() { sed -n '1p' | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }

have_libvirtd() { virsh -c qemu:///system version >/dev/null 2>&1; }

# os_delete_servers [--all-projects] --prefix P | ID|NAME...: delete with the openstack
# client (the cloud of OS_CLOUD) the servers named, or every one whose name starts with P,
# then wait until its list shows none of them (2 min at most; then a "#" line on stderr
# says which are left, and 1). --all-projects: an admin's list of every project's servers.
# Not `openstack server delete --wait`: that waits for one server after another and
# sleeps between its looks, 44 s for 8 servers that Nova deletes in 5.
os_delete_servers() {
	local all=() i left
	[ "${1:-}" = --all-projects ] && { all=(--all-projects); shift; }
	# shellcheck disable=SC2046 # IDs, one word each
	[ "${1:-}" = --prefix ] && set -- $(openstack server list "${all[@]}" --name "^$2" -f value -c ID 2>/dev/null)
	[ $# -gt 0 ] || return 0
	openstack server delete "$@" >/dev/null 2>&1
	for i in $(seq 120); do
		left=$(openstack server list "${all[@]}" -f value -c ID -c Name 2>/dev/null |
			awk -v want=" $* " 'index(want, " " $1 " ") || index(want, " " $2 " ")')
		[ -z "$left" ] && return 0
		sleep 1
	done
	echo "# os_delete_servers: still listed after 2 min: $(echo "$left" | tr '\n' ' ')" >&2
	return 1
}

# vgx NAME WANT_RC BIN ARGS...: BIN under memcheck (definite leaks are errors); ok when
# valgrind saw nothing and the exit code is WANT_RC
vgx() {
	local name=$1 want=$2; shift 2
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		--suppressions=${CLOUDCTL_SRC:-.}/tests/valgrind.supp "$@" >"$T/out" 2>"$T/err" <"${VG_IN:-/dev/null}"
	local r=$?
	if [ $r = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: $name" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"
	elif [ $r != "$want" ]; then fail "valgrind: $name" "exit $r, want $want: $(head -c 300 "$T/err")"
	else ok "valgrind: $name"; fi
}
