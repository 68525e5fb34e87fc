# k8s-delete: cloudctl-k8s tenant delete says what it did whatever stops it. A
# timeout or a SIGINT/SIGTERM after the server accepted the DELETE prints the
# tenant's record (result=deleting: the namespace is going, not known gone) and
# exits 75 or 130; a signal during the wait ends it at once, and one during the
# DELETE lets the DELETE finish first. Each case reads the stand-in's store.
# Tenants are named del-PID-*, so that other tests may use the server at once.
. "$(dirname "$0")/lib.sh"
P=del-$$
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
K=cloudctl-k8s
. "$SRC/tests/k8s/standin-env.sh" k8s-delete
# phase NS: the namespace's phase in the store, or "gone"
phase() {
	api GET "/api/v1/namespaces/$1" | py "d['status']['phase'] if d['kind'] == 'Namespace' else 'gone'"
}

# on exit: the delay ended, and every namespace of this run deleted
cleanup_hook() {
	local ns
	api POST /standin/delay '{"method":"DELETE","seconds":0}' > /dev/null 2>&1
	for ns in $(api GET /api/v1/namespaces | py "' '.join(i['metadata']['name'] for i in d['items'])"); do
		case $ns in "$P"-*) api DELETE "/api/v1/namespaces/$ns" > /dev/null 2>&1 ;; esac
	done
}

# ---- interrupted while waiting: the wait ends at once, the record says deleting ----
for sig in INT TERM; do
	N=$P-${sig,,}
	$K tenant apply "$N" > /dev/null || fail "tenant apply $N" "exit $?"
	$K -v tenant delete "$N" --wait -o kv > "$T/out" 2> "$T/err" &
	pid=$!
	until_said "waiting for namespace $N to go" || fail "SIG$sig: delete --wait says it waits" "$(cat "$T/err")"
	kill -$sig $pid
	t0=$(date +%s%N)
	wait $pid; rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect "SIG$sig during tenant delete --wait: the record, exit 130" 130 "kind=tenant name=$N result=deleting"
	assert "SIG$sig: -v said each step, then one line on the interruption" test "$(sed 1d "$T/err")" = \
		"cloudctl-k8s: tenant delete: reading namespace $N: it must be this tenant's
cloudctl-k8s: tenant delete: deleting namespace $N and everything in it
cloudctl-k8s: tenant delete: waiting for namespace $N to go (at most 300 s)
cloudctl-k8s: tenant delete: interrupted (SIG$sig): namespace \"$N\" is being deleted, not gone yet"
	assert "SIG$sig: the wait ended at once ($ms ms), not when the namespace went" test "$ms" -lt 700
	assert "SIG$sig: the namespace is being deleted or gone" grep -qxE 'Terminating|gone' <(phase "$N")
done

# ---- interrupted during the DELETE: it finishes, then the record ----
if api POST /standin/delay '{"method":"DELETE","seconds":1.5}' | grep -q '"DELETE"'; then
	N=$P-flight
	$K tenant apply "$N" > /dev/null || fail "tenant apply $N" "exit $?"
	$K -v tenant delete "$N" --wait -o kv > "$T/out" 2> "$T/err" &
	pid=$!
	until_said "deleting namespace $N" || fail "delete says it deletes" "$(cat "$T/err")"
	kill -INT $pid
	wait $pid; rc=$?
	api POST /standin/delay '{"method":"DELETE","seconds":0}' > /dev/null
	expect "SIGINT during the DELETE: it is answered, then the record, exit 130" 130 "kind=tenant name=$N result=deleting"
	assert "SIGINT during the DELETE: no wait after it" test "$(grep -c 'waiting for namespace' "$T/err")" = 0
	assert "SIGINT during the DELETE: the namespace is being deleted or gone" grep -qxE 'Terminating|gone' <(phase "$N")
else
	skip "interrupted DELETE" "the running stand-in has no /standin/delay (restart it: tests/services/kube-apiserver-stop.sh)"
fi

# ---- a timeout: the record, exit 75 ----
N=$P-timeout
$K tenant apply "$N" > /dev/null || fail "tenant apply $N" "exit $?"
run $K tenant delete "$N" --wait --timeout 1ms -o kv
expect "tenant delete --wait timing out: the record, exit 75" 75 "kind=tenant name=$N result=deleting" \
	"cloudctl-k8s: tenant delete: timed out waiting for namespace \"$N\" to go (it is being deleted)"

# ---- a bad --timeout is refused before anything is deleted ----
N=$P-bad
$K tenant apply "$N" > /dev/null || fail "tenant apply $N" "exit $?"
run $K tenant delete "$N" --wait --timeout soon -o kv
expect "tenant delete --timeout soon: 64, nothing deleted" 64 "" \
	"cloudctl-k8s: tenant delete: --timeout 'soon': not a duration (e.g. 30s, 5m)"
assert "--timeout soon: the namespace is untouched" test "$(phase "$N")" = Active
