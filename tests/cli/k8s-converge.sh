# k8s-converge: tenant apply converges to exactly what it is asked for: run again
# with less, it removes the tenant's objects it no longer renders, only those it
# made (its label and cloudctl's Apply in managedFields), never another's; and a
# SIGINT or SIGTERM midway ends it after the object in flight with a record for
# every object applied, exit 130. Each check reads the stand-in API server's store.
# Tenants are named conv-PID-*, so that other tests may use the server at once.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
K=cloudctl-k8s
. "$SRC/tests/k8s/standin-env.sh" k8s-converge
P=conv-$$
cleanup_hook() {
	api POST /standin/delay '{"method":"PATCH","seconds":0}' > /dev/null 2>&1
	for ns in "$P-a" "$P-b" "$P-c" "$P-d"; do api DELETE "/api/v1/namespaces/$ns" > /dev/null 2>&1; done
}
PATHS='/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings
/apis/networking.k8s.io/v1/namespaces/NS/networkpolicies
/api/v1/namespaces/NS/resourcequotas
/api/v1/namespaces/NS/limitranges'
# stored NS [SELECTOR]: Kind/name of every object of the tenant kinds in NS (with SELECTOR: only those), sorted
stored() {
	local p
	for p in $PATHS; do
		api GET "${p//NS/$1}${2:+?labelSelector=$2}" |
			python3 -c "import json,sys; d=json.load(sys.stdin); [print(d['kind'][:-4] + '/' + i['metadata']['name']) for i in d['items']]"
	done | sort
}
# rendered NS ARGS...: Kind/name of what tenant render makes for these options, less the Namespace, sorted
rendered() {
	$K tenant render "$@" -o json |
		python3 -c "import json,sys; [print(i['kind'] + '/' + i['metadata']['name']) for i in json.load(sys.stdin)['items'] if i['kind'] != 'Namespace']" | sort
}

# ---- apply, then again with less ----
A=$P-a
run $K tenant apply "$A" --admin alice --edit bob --allow-from-namespace ingress-nginx --allow-from-namespace monitoring
expect_rc "first apply" 0
# another's objects in the namespace: one with the tenant's label copied, made by kubectl; one without
api POST "/apis/networking.k8s.io/v1/namespaces/$A/networkpolicies?fieldManager=kubectl-create" \
	"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"theirs-labelled\",\"labels\":{\"cloudctl.dev/tenant\":\"$A\"}},\"spec\":{\"podSelector\":{}}}" > /dev/null
api POST "/apis/rbac.authorization.k8s.io/v1/namespaces/$A/rolebindings?fieldManager=kubectl-create" \
	'{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"theirs"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"carol"}]}' > /dev/null
run $K tenant apply "$A" --edit bob --allow-from-namespace monitoring --open-egress -o kv -c kind,name,result
expect "a re-apply with less removes what is no longer asked for" 0 "kind=namespace name=$A result=applied
kind=resourcequota name=$A-quota result=applied
kind=limitrange name=$A-limits result=applied
kind=rolebinding name=$A-edit result=applied
kind=networkpolicy name=default-deny-ingress result=applied
kind=networkpolicy name=allow-same-namespace result=applied
kind=networkpolicy name=allow-from-monitoring result=applied
kind=rolebinding name=$A-admin result=deleted
kind=networkpolicy name=allow-dns-egress result=deleted
kind=networkpolicy name=allow-from-ingress-nginx result=deleted"
assert "the store holds exactly the rendered set and the others' objects" test \
	"$(stored "$A")" = "$( (rendered "$A" --edit bob --allow-from-namespace monitoring --open-egress
		printf '%s\n' NetworkPolicy/theirs-labelled RoleBinding/theirs) | sort)"

# the table: each apply leaves exactly its rendered set under the tenant's label
while read -r name args; do
	# shellcheck disable=SC2086 # ARGS are words
	run $K tenant apply "$A" $args
	# shellcheck disable=SC2086
	assert "converges: $name" test "$rc:$(stored "$A" "cloudctl.dev/tenant=$A" | grep -vx NetworkPolicy/theirs-labelled)" = \
		"0:$(rendered "$A" $args)"
done <<'EOT'
everything --admin alice --admin group:ops --edit bob --view carol --allow-from-namespace a --allow-from-namespace b --pods 10 --storage 1Gi
no-view-no-b --admin alice --admin group:ops --edit bob --allow-from-namespace a
open-egress --open-egress --admin alice
nothing-optional
back-again --view carol --allow-from-namespace b
EOT
assert "the others' objects are still there" test \
	"$(stored "$A" | grep theirs | tr '\n' ' ')" = "NetworkPolicy/theirs-labelled RoleBinding/theirs "

# --dry-run: the server is asked, nothing is removed
before=$(stored "$A")
run $K tenant apply "$A" --dry-run -o kv -c kind,name,result,dry_run
assert "--dry-run reports the removal (result=deleted dry_run=true)" \
	grep -qx "kind=rolebinding name=$A-view result=deleted dry_run=true" "$T/out"
assert "--dry-run removes nothing" test "$(stored "$A")" = "$before"

# ---- interrupted midway: what exists, and exit 130 ----
if api POST /standin/delay '{"method":"PATCH","seconds":0.3}' | grep -q '"PATCH"'; then
	for sig in INT TERM; do
		N=$P-$( [ $sig = INT ] && echo b || echo c)
		$K tenant apply "$N" --admin alice -o kv -c kind,name > "$T/out" 2> "$T/err" &
		pid=$!
		sleep 1.1
		kill -$sig $pid
		wait $pid; rc=$?
		n=$(wc -l < "$T/out")
		expect_rc "SIG$sig during tenant apply: exit 130, saying how far it got" 130 \
			"tenant apply: interrupted \(SIG$sig\) after $n of 7 objects: the records say which exist; run it again to finish"
		assert "SIG$sig: some objects applied, not all ($n)" test "$n" -gt 1 -a "$n" -lt 7
		[ $sig = INT ] && n_b=$n
		got=$(sed 's/^kind=\([a-z]*\) name=/\1\//' "$T/out" | grep -v '^namespace/' | sort)
		want=$(stored "$N" | tr 'A-Z' 'a-z')
		assert "SIG$sig: a record for every object that exists, and no other" test "$got" = "$want"
	done
	api POST /standin/delay '{"method":"PATCH","seconds":0}' > /dev/null
	run $K tenant apply "$P-b" --admin alice -o kv -c kind,name,result
	assert "run again, it finishes" test "$rc:$(grep -c result=created "$T/out")" = "0:$((7 - n_b))"
else
	skip "interrupted tenant apply" "the running stand-in has no /standin/delay (restart it: tests/services/kube-apiserver-stop.sh)"
fi

# a namespace that is not this tenant's is not taken over
O=$P-d
api POST /api/v1/namespaces "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$O\",\"labels\":{\"team\":\"payments\"}}}" > /dev/null
run $K tenant apply "$O" --admin alice
expect "tenant apply refuses an existing namespace that is not a tenant's (73)" 73 "" \
	"cloudctl-k8s: tenant apply: namespace \"$O\" exists and is not this tenant's (no label cloudctl.dev/tenant=$O): not taking it over (label it so to make it one)"
assert "its labels are unchanged and nothing was put in it" test \
	"$(api GET "/api/v1/namespaces/$O" | py "d['metadata']['labels']")|$(stored "$O")" = "{'team': 'payments', 'kubernetes.io/metadata.name': '$O'}|"
