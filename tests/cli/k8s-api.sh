# k8s-api: the verbs of cloudctl-k8s that talk to an API server (tenant
# apply/delete/list, apply, get, wait, rollout status), against the stand-in API
# server of tests/services/kube-apiserver.py: the records they print, the state
# of the server afterwards, and the requests it saw.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
D=$SRC/tests/cli/data/k8s
K=cloudctl-k8s
# its own stand-in: it resets the store and counts the requests the server saw
. "$SRC/tests/k8s/standin-env.sh" k8s-api private
requests() { api GET /standin/requests; }

api POST /standin/reset > /dev/null

# ---- tenant apply: server-side apply of what tenant render prints ----
TARGS=(--admin alice --view group:auditors --allow-from-namespace ingress-nginx --pods 20)
run $K tenant apply team-a "${TARGS[@]}" -o kv -c kind,name,namespace,result
expect "tenant apply creates the ten objects" 0 "kind=namespace name=team-a result=created
kind=resourcequota name=team-a-quota namespace=team-a result=created
kind=limitrange name=team-a-limits namespace=team-a result=created
kind=rolebinding name=team-a-admin namespace=team-a result=created
kind=rolebinding name=team-a-view namespace=team-a result=created
kind=networkpolicy name=default-deny-ingress namespace=team-a result=created
kind=networkpolicy name=allow-same-namespace namespace=team-a result=created
kind=networkpolicy name=allow-from-ingress-nginx namespace=team-a result=created
kind=networkpolicy name=allow-dns-egress namespace=team-a result=created"
requests > "$T/req.json"
assert "every write was a PATCH, apply-patch+yaml, fieldManager=cloudctl" python3 -c "
import json,sys
r=[x for x in json.load(open('$T/req.json'))['items'] if x['method']!='GET']
ok=len(r)==9 and all(x['method']=='PATCH' and x['contentType'].startswith('application/apply-patch+yaml')
	and 'fieldManager=cloudctl' in x['query'] for x in r)
sys.exit(not ok)"
api GET /api/v1/namespaces/team-a/resourcequotas/team-a-quota > "$T/q.json"
assert "the server holds the quota the options asked for" test \
	"$(py "d['spec']['hard']['requests.cpu'], d['spec']['hard']['pods'], d['metadata']['labels']['cloudctl.dev/tenant']" < "$T/q.json")" = "8 20 team-a"
assert "the quota's fields are managed by cloudctl with Apply" test \
	"$(py "[(m['manager'], m['operation']) for m in d['metadata']['managedFields'] if m['manager']=='cloudctl']" < "$T/q.json")" = "[('cloudctl', 'Apply')]"

run $K tenant apply team-a "${TARGS[@]}" -o kv -c kind,name,result
assert "a second tenant apply changes nothing it need not (9 applied)" test "$(grep -c 'result=applied' "$T/out")" = 9

run $K tenant list -o kv -c name,phase,quota.requests.cpu.hard,quota.requests.cpu.used,quota.pods.hard
expect "tenant list: the tenant and its quota" 0 "name=team-a phase=Active quota.requests.cpu.hard=8 quota.requests.cpu.used=0 quota.pods.hard=20"

# another manager takes a field: apply conflicts (409) until forced
api PATCH '/api/v1/namespaces/team-a/resourcequotas/team-a-quota?fieldManager=ops-edit' \
	'{"spec":{"hard":{"requests.cpu":"6"}}}' application/merge-patch+json > /dev/null
run $K tenant apply team-a "${TARGS[@]}" --cpu 4
expect_rc "a field another manager owns: conflict, exit 73" 73 'ResourceQuota/team-a-quota: Apply failed with .* conflict.*ops-edit.*requests.cpu'
assert "the conflict left the other manager's value" test \
	"$(api GET /api/v1/namespaces/team-a/resourcequotas/team-a-quota | py "d['spec']['hard']['requests.cpu']")" = 6
run $K tenant apply team-a "${TARGS[@]}" --cpu 4 --force-conflicts
expect_rc "--force-conflicts takes the field" 0
assert "the forced value is on the server" test \
	"$(api GET /api/v1/namespaces/team-a/resourcequotas/team-a-quota | py "d['spec']['hard']['requests.cpu']")" = 4
run $K tenant apply team-a "${TARGS[@]}" --cpu 2 --dry-run -o kv -c kind,name,dry_run
assert "--dry-run: the server answers for every object" test "$(grep -c 'dry_run=true' "$T/out")" = 9
assert "--dry-run: nothing stored" test \
	"$(api GET /api/v1/namespaces/team-a/resourcequotas/team-a-quota | py "d['spec']['hard']['requests.cpu']")" = 4
run $K tenant apply team-b --dry-run
expect_rc "--dry-run of a new tenant: its namespace is not there for the rest (as on a real server)" 66 'namespaces "team-b" not found'
assert "--dry-run: no namespace made" test "$(api GET /api/v1/namespaces/team-b | py "d.get('code')")" = 404

# ---- apply -f, get, wait, rollout status ----
run $K apply -n team-a -f "$D/web.yaml" -o kv -c kind,name,namespace,api,result
expect "apply -f: one record per object" 0 "kind=configmap name=web-config namespace=team-a api=v1 result=created
kind=deployment name=web namespace=team-a api=apps/v1 result=created"
run $K rollout status -n team-a deployment/web -o kv --timeout 20s
expect "rollout status: complete" 0 "kind=deployment name=web namespace=team-a rollout=complete"
run $K get -n team-a deploy web -o kv -c kind,name,replicas,ready,available
expect "get deploy NAME: the replica counts" 0 "kind=deployment name=web replicas=2 ready=2 available=2"
$K apply -n team-a -f "$D/web.yaml" -o kv > "$T/applied"
run sh -c "grep kind=deployment '$T/applied' | $K wait --for condition=Available -o kv"
expect "wait reads apply's records on stdin (their namespace)" 0 "kind=deployment name=web namespace=team-a for=condition=Available"
run $K wait -n team-a --for condition=Available deployment/web -o kv
expect "wait --for condition=Available" 0 "kind=deployment name=web namespace=team-a for=condition=Available"
run $K get configmaps -n team-a -l app=web -o kv -c name
expect "get -l selector" 0 "name=web-config"
run $K get cm -A -l app=web -o kv -c name,namespace
expect "get -A" 0 "name=web-config namespace=team-a"
run $K get hpa -o kv
expect_rc "get: the group's preferred version (autoscaling/v2) is used" 0
assert "the request went to autoscaling/v2" sh -c "curl -sS --cacert '$KUBE_STANDIN_DIR/ca.crt' -H 'Authorization: Bearer $ADMIN_TOKEN' '$KUBE_STANDIN_URL/standin/requests' | grep -q '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers'"
run $K get frobnicators
expect "get: an unknown kind" 66 "" "cloudctl-k8s: get: the server has no resource type \"frobnicators\""
run $K get deploy web -n team-a -l app=web
expect "get: names and a selector (which would be passed over)" 64 "" "cloudctl-k8s: get: objects named (web) cannot also be chosen by --selector"
run $K get deploy web -A
expect "get: names and -A (a name is looked up in one namespace)" 64 "" "cloudctl-k8s: get: objects named (web) cannot also be chosen by --all-namespaces (a name is looked up in one namespace: -n)"
run $K get deploy nothere -n team-a
expect_rc "get: a missing object: 66 with the server's message" 66 'deployments.apps "nothere" not found'

run $K apply -n team-a -f "$D/stuck.yaml" -o kv
run $K wait -n team-a --for condition=Available deployment/stuck --timeout 2s
expect "wait: timeout, exit 75" 75 "" "cloudctl-k8s: deployment/stuck: timed out after 2s waiting for Available"
run $K apply -n team-a -f "$D/failing.yaml" -o kv
run $K rollout status -n team-a deployment/failing --timeout 10s
expect_rc "rollout status: a progress deadline exceeded fails" 1 'deployment "failing" exceeded its progress deadline'

# the history is compacted while a wait watches: it reads again and goes on (410)
( sleep 1.5; api POST /standin/compact > /dev/null; sleep 0.5
  sed '/annotations:/d; /standin.cloudctl.dev/d' "$D/stuck.yaml" | $K apply -n team-a -f - > /dev/null ) &
run $K wait -n team-a --for condition=Available deployment/stuck --timeout 15s -o kv
wait
expect "wait goes on after 410 Expired" 0 "kind=deployment name=stuck namespace=team-a for=condition=Available"

( sleep 1; api DELETE /api/v1/namespaces/team-a/configmaps/web-config > /dev/null ) &
run $K wait -n team-a --for delete configmap/web-config --timeout 10s -o kv
wait
expect "wait --for delete" 0 "kind=configmap name=web-config namespace=team-a for=delete"
run $K wait -n team-a --for delete configmap/never-was -o kv
expect "wait --for delete of what is not there" 0 "kind=configmap name=never-was namespace=team-a for=delete"

# ---- pages, bad files ----
run $K apply -n team-a -f "$D/many.json" -o kv
assert "apply of a 600-item List" test "$(grep -c result=created "$T/out")" = 600
run $K get cm -n team-a -l batch=many -o kv -c name
assert "get follows continue tokens past 500" test "$(wc -l < "$T/out")" = 600
n0=$(requests | py "len(d['items'])")
run $K apply -n team-a -f "$D/bad-noname.yaml"
expect "apply: an object without a name: nothing sent" 65 "" "cloudctl-k8s: $D/bad-noname.yaml: object 2: needs apiVersion, kind and metadata.name"
run $K apply -n team-a -f "$D/bad-yaml.yaml"
expect_rc "apply: a file that is not YAML" 65 'bad-yaml.yaml:5:'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: twice\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\ndata:\n  a: b\n' > "$T/twice.yaml"
run $K apply -n team-a -f "$T/twice.yaml"
expect "apply: one object twice in a stream (the second would undo the first)" 65 "" "cloudctl-k8s: $T/twice.yaml: object 3: ConfigMap/twice is object 1 too: one of them would silently undo the other"
run $K apply -f /nonexistent.yaml
expect "apply: a missing file" 66 "" "cloudctl-k8s: apply: -f '/nonexistent.yaml': No such file or directory"
assert "the bad files sent nothing" test "$(requests | py "len(d['items'])")" = "$n0"
run $K apply -n other -f "$D/stuck.yaml"
expect_rc "apply into a namespace that does not exist" 66 'namespaces "other" not found'

# ---- credentials ----
run $K get ns --kubeconfig "$KUBE_STANDIN_DIR/kubeconfig-badtoken"
expect_rc "a wrong token: 401, exit 77" 77 'Unauthorized'
run $K tenant apply team-a --kubeconfig "$KUBE_STANDIN_DIR/kubeconfig-viewer"
expect_rc "a read-only user: 403, exit 77, the server's message" 77 'User "viewer" cannot patch resource "namespaces"'
run $K get ns team-a -o kv -c name --kubeconfig "$KUBE_STANDIN_DIR/kubeconfig-viewer"
expect "a read-only user may get" 0 "name=team-a"
for kc in kubeconfig-cert kubeconfig-data; do
	run $K get ns team-a -o kv -c name,phase --kubeconfig "$KUBE_STANDIN_DIR/$kc"
	expect "client certificate ($kc)" 0 "name=team-a phase=Active"
done
# insecure-skip-tls-verify instead of the CA; neither: the TLS check fails
sed 's|certificate-authority: .*|insecure-skip-tls-verify: true|' "$KC" > "$T/kc-insecure"
run $K get ns team-a -o kv -c name --kubeconfig "$T/kc-insecure"
expect "insecure-skip-tls-verify" 0 "name=team-a"
sed '/certificate-authority: /d' "$KC" > "$T/kc-noca"
run env SSL_CERT_FILE=/dev/null CURL_CA_BUNDLE= $K get ns team-a --kubeconfig "$T/kc-noca"
expect_rc "a server certificate nobody vouches for is refused: 77" 77 'certificate'
# an exec credential plugin (client.authentication.k8s.io/v1) that prints the token
cat > "$T/cred.sh" <<EOS
#!/bin/sh
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "\$(cat '$T/tok')"
EOS
chmod +x "$T/cred.sh"; printf '%s' "$ADMIN_TOKEN" > "$T/tok"
sed "s|^    token: .*|    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: $T/cred.sh\n      interactiveMode: Never|" "$KC" > "$T/kc-exec"
run $K get ns team-a -o kv -c name --kubeconfig "$T/kc-exec"
expect "exec credential plugin" 0 "name=team-a"
run $K -vv get ns team-a --kubeconfig "$KC" -o kv
assert "-vv traces do not show the token" sh -c "! grep -qF '$ADMIN_TOKEN' '$T/err' && grep -q 'Authorization: <redacted>' '$T/err'"

# ---- tenant delete ----
run $K tenant delete default
expect "tenant delete refuses a namespace of Kubernetes itself before asking" 64 "" \
	"cloudctl-k8s: tenant delete: 'default' is a namespace of Kubernetes itself (default, kube-*), not one for a tenant"
api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"not-a-tenant"}}' > /dev/null
run $K tenant delete not-a-tenant
expect "tenant delete refuses a namespace that is not a tenant's" 65 "" \
	"cloudctl-k8s: tenant delete: namespace \"not-a-tenant\" is not a tenant's (no label cloudctl.dev/tenant=not-a-tenant): not deleting it"
assert "and it is still there" test "$(api GET /api/v1/namespaces/not-a-tenant | py "d['status']['phase']")" = Active
run $K tenant delete team-a --wait --timeout 20s -o kv
expect "tenant delete --wait" 0 "kind=tenant name=team-a result=deleted"
assert "the namespace and what was in it are gone" test \
	"$(api GET /api/v1/namespaces/team-a/resourcequotas/team-a-quota | py "d['code']")" = 404
run $K tenant delete team-a
expect_rc "tenant delete of a tenant that is not there: 66" 66 'namespaces "team-a" not found'
run $K tenant list -o kv
expect "tenant list: none left" 0 ""
