# k8s-wait: cloudctl-k8s wait says at once what it cannot wait for: an object that
# does not exist (66, unless waiting for its deletion), a kind without status
# conditions or a condition its kind does not have (65, one line, before waiting on
# anything), no records on stdin (65); and what happened: "was deleted" only for an
# object deleted while waited on. Against the stand-in API server, in namespace wait-PID.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
K=cloudctl-k8s
. "$SRC/tests/k8s/standin-env.sh" k8s-wait
NS=wait-$$
cleanup_hook() { api DELETE "/api/v1/namespaces/$NS" > /dev/null 2>&1; }
api POST /api/v1/namespaces "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$NS\"}}" > /dev/null
$K apply -n "$NS" -f "$SRC/tests/cli/data/k8s/web.yaml" -o kv > "$T/applied" || fail "apply web.yaml" "exit $?"
$K rollout status -n "$NS" deployment/web --timeout 20s > /dev/null 2>&1

# Each case: NAME|EXIT|ARGS (words)|STDERR after "cloudctl-k8s: " (empty: none, and a record)
t0=$(date +%s)
while IFS='|' read -r name want args msg; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # ARGS are words
	run $K wait -n "$NS" --timeout 20s -o kv $args
	if [ -z "$msg" ]; then expect_rc "wait: $name" "$want"; else expect "wait: $name" "$want" "" "cloudctl-k8s: $msg"; fi
done <<EOT
a deployment that is available|0|--for condition=Available deployment/web|
the condition in another case|0|--for condition=available=TRUE deploy/web|
a deployment that never was|66|--for condition=Available deployment/never|deployment/never: does not exist (in namespace $NS)
a pod that never was|66|--for condition=Ready pod/never|pod/never: does not exist (in namespace $NS)
the deletion of what never was|0|--for delete configmap/never|
a ConfigMap has no conditions|65|--for condition=Available configmap/web-config|configmap/web-config: a ConfigMap has no status conditions: nothing to wait for (--for delete waits for its deletion)
a Secret has none|65|--for condition=Ready secret/anything|secret/anything: a Secret has no status conditions: nothing to wait for (--for delete waits for its deletion)
a NetworkPolicy has none|65|--for condition=Ready netpol/x|netpol/x: a NetworkPolicy has no status conditions: nothing to wait for (--for delete waits for its deletion)
a RoleBinding has none|65|--for condition=Ready rolebinding/x|rolebinding/x: a RoleBinding has no status conditions: nothing to wait for (--for delete waits for its deletion)
a ResourceQuota has none|65|--for condition=Ready quota/x|quota/x: a ResourceQuota has no status conditions: nothing to wait for (--for delete waits for its deletion)
a Deployment has no Ready|65|--for condition=Ready deployment/web|deployment/web: a Deployment has no condition Ready (its conditions: Available, Progressing, ReplicaFailure)
a ReplicaSet has no Available|65|--for condition=Available rs/x|rs/x: a ReplicaSet has no condition Available (its conditions: ReplicaFailure)
an HPA has no Ready|65|--for condition=Ready hpa/x|hpa/x: a HorizontalPodAutoscaler has no condition Ready (its conditions: AbleToScale, ScalingActive, ScalingLimited)
checked before waiting on the first|65|--for condition=Available deployment/web configmap/web-config|configmap/web-config: a ConfigMap has no status conditions: nothing to wait for (--for delete waits for its deletion)
an unknown kind|66|--for condition=Ready frobs/x|frobs/x: the server has no resource type "frobs"
EOT
assert "none of the refusals waited (the table took $(( $(date +%s) - t0 )) s)" test $(( $(date +%s) - t0 )) -lt 15
run $K wait -n "$NS" --for condition=Available deployment/web configmap/web-config -o kv
assert "a refused target: no record for the others either" test ! -s "$T/out"

# records on stdin: apply's, with a ConfigMap among them; none at all
run sh -c "$K wait --for condition=Available --timeout 20s - < '$T/applied'"
expect "wait -: apply's records with a ConfigMap: refused with its line" 65 "" \
	"cloudctl-k8s: <stdin>:1: configmap/web-config: a ConfigMap has no status conditions: nothing to wait for (--for delete waits for its deletion)"
run sh -c "grep kind=deployment '$T/applied' | $K wait --for condition=Available --timeout 20s -o kv -"
expect "wait -: the deployment's record" 0 "kind=deployment name=web namespace=$NS for=condition=Available"
run sh -c "$K wait --for condition=Available - < /dev/null"
expect "wait -: no records (the command before the pipe failed)" 65 "" \
	"cloudctl-k8s: no records on stdin: nothing to wait for (did the command before the pipe fail?)"

# deleted while waited on: "was deleted"
$K apply -n "$NS" -f "$SRC/tests/cli/data/k8s/stuck.yaml" > /dev/null
( sleep 1; api DELETE "/apis/apps/v1/namespaces/$NS/deployments/stuck" > /dev/null ) &
run $K wait -n "$NS" --for condition=Available deployment/stuck --timeout 15s
wait
expect "wait: an object deleted while waited on" 66 "" \
	"cloudctl-k8s: deployment/stuck: was deleted while waiting for Available (in namespace $NS)"
run $K rollout status -n "$NS" deployment/never --timeout 5s
expect "rollout status of a deployment that never was" 66 "" "cloudctl-k8s: deployment/never: does not exist (in namespace $NS)"

# interrupted: a wait makes nothing, so a signal ends it at once, after the records of the
# waits already done (killed, it lost them in stdout's buffer), exit 130.
$K apply -n "$NS" -f "$SRC/tests/cli/data/k8s/stuck.yaml" > /dev/null
while IFS='|' read -r sig args last records; do
	# shellcheck disable=SC2086 # ARGS are words
	$K -v -n "$NS" $args --timeout 20s -o kv > "$T/out" 2> "$T/err" &
	pid=$!
	until_said "$last: waiting" || fail "$args: -v says it waits for $last" "$(cat "$T/err")"
	kill -"$sig" $pid
	wait $pid; rc=$?
	expect "SIG$sig during $args: the records of what was done, exit 130" 130 "$records"
	assert "SIG$sig during $args: it says so" test "$(tail -1 "$T/err")" = \
		"cloudctl-k8s: $last: interrupted (SIG$sig) while waiting: the records say which waits were done"
done <<EOT
TERM|wait --for delete configmap/never configmap/web-config|configmap/web-config|kind=configmap name=never namespace=$NS for=delete
INT|rollout status deployment/web deployment/stuck|deployment/stuck|kind=deployment name=web namespace=$NS rollout=complete
EOT
