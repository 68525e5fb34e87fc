# shellcheck shell=bash
# kube-standin: a self-test of the stand-in Kubernetes API server (tests/services/kube-apiserver.py)
# with curl: discovery, server-side apply (create, update, no-op, conflicts, force, shared
# ownership, removal), managedFields, Status errors (401, 403, 404, 409, 410, 422), lists
# (pagination, selectors), watch, compaction, namespace deletion, the simulated controllers.
# Each check compares exact fields, read from the JSON with python3.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
# its own stand-in: it resets and compacts the store, under the other tests' feet otherwise
# shellcheck source=tests/k8s/standin-private.sh
. "$SRC/tests/k8s/standin-private.sh"

if ! "$SRC/tests/services/kube-apiserver-start.sh" > "$T/start.out" 2>&1; then
	fail "stand-in starts" "$(tail -n 3 "$T/start.out")"
	exit 0
fi
set -a; . "$SVC/kube-apiserver/env"; set +a
D=$KUBE_STANDIN_DIR
ADMIN=$(sed -n 's/,cloudctl-admin,.*//p' "$D/tokens.csv")
VIEWER=$(sed -n 's/,viewer,.*//p' "$D/tokens.csv")

# req [-t TOKEN|-n (no credentials)|-c CERT] METHOD PATH [curl args...]: body in $T/body, status in
# $code (000 and an empty body when curl fails, so that no check reads an older answer)
req() {
	local auth=(-H "Authorization: Bearer $ADMIN")
	case $1 in
	-t) auth=(-H "Authorization: Bearer $2"); shift 2 ;;
	-n) auth=(); shift ;;
	-c) auth=(--cert "$D/$2.crt" --key "$D/$2.key"); shift 2 ;;
	esac
	local m=$1 p=$2; shift 2
	: >"$T/body"
	code=$(curl -s --max-time 10 --cacert "$KUBE_STANDIN_CA" "${auth[@]}" -X "$m" -o "$T/body" \
		-w '%{http_code}' "$KUBE_STANDIN_URL$p" "$@")
}
# keep NAME / back NAME: put the last answer aside, and make it the last answer again
keep() { cp "$T/body" "$T/kept-$1"; echo "$code" >"$T/kept-$1.code"; }
back() { cp "$T/kept-$1" "$T/body"; code=$(cat "$T/kept-$1.code"); }
# apply [-t TOKEN] PATH JSON: server-side apply, as cloudctl sends it
apply() {
	local t=(); [ "$1" = -t ] && { t=(-t "$2"); shift 2; }
	req "${t[@]}" PATCH "$1" -H 'Content-Type: application/apply-patch+yaml' --data-binary "$2"
}
mpatch() { req PATCH "$1" -H 'Content-Type: application/merge-patch+json' --data-binary "$2"; }
post() { req POST "$1" -H 'Content-Type: application/json' --data-binary "$2"; }
# The interpreter itself, not a wrapper (a pyenv shim costs ~1 s a call); -S: no site
# packages, faster to start, and json is all the checks need.
PY="$(python3 -S -c 'import sys; print(sys.executable)') -S"
# val EXPR: a python expression over d (the last JSON body; raw its text) and code, printed
# (strings bare, the rest as JSON)
val() {
	$PY - "$T/body" "$code" "$1" <<'PY' 2>&1
import json, sys
raw = open(sys.argv[1]).read()
try:
    d = json.loads(raw)
except ValueError:
    d = None  # a watch stream: read raw
code = int(sys.argv[2])
mf = lambda m: next((e for e in d["metadata"].get("managedFields", []) if e["manager"] == m), None)
v = eval(sys.argv[3])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
PY
}
# want NAME EXPR EXPECTED: the value of EXPR must print exactly as EXPECTED
want() {
	local got; got=$(val "$2")
	if [ "$got" = "$3" ]; then ok "$1"; else fail "$1" "got [$got], want [$3]; body: $(head -c 300 "$T/body")"; fi
}
# status_is NAME CODE REASON MESSAGE: a Status object, exactly
status_is() {
	want "$1" "[code, d['kind'], d['apiVersion'], d['status'], d['code'], d['reason'], d['message'], {k: v for k, v in d['metadata'].items() if k != 'continue'}]" \
		"$($PY -c 'import json,sys; print(json.dumps([int(sys.argv[1]), "Status", "v1", "Failure", int(sys.argv[1]), sys.argv[2], sys.argv[3], {}], sort_keys=True))' "$2" "$3" "$4")"
}

req POST /standin/reset
want "reset" "[code, d['reset']]" '[200, true]'

# --- discovery ---
req GET /api
want "discovery: /api" "[d['kind'], d['versions']]" '["APIVersions", ["v1"]]'
req GET /api/v1
want "discovery: /api/v1 namespaces" "[r for r in d['resources'] if r['name'] == 'namespaces'][0]['shortNames'] + [str(r['namespaced']) for r in d['resources'] if r['name'] == 'namespaces']" '["ns", "False"]'
want "discovery: /api/v1 lists exactly the core resources" "sorted(r['name'] for r in d['resources'])" \
	'["configmaps", "limitranges", "namespaces", "namespaces/status", "pods", "pods/status", "resourcequotas", "resourcequotas/status", "secrets", "serviceaccounts", "services", "services/status"]'
want "discovery: short names" "{r['name']: r.get('shortNames') for r in d['resources'] if '/' not in r['name']}" \
	'{"configmaps": ["cm"], "limitranges": ["limits"], "namespaces": ["ns"], "pods": ["po"], "resourcequotas": ["quota"], "secrets": null, "serviceaccounts": ["sa"], "services": ["svc"]}'
req GET /apis
want "discovery: /apis groups and preferred versions" "[(g['name'], [v['version'] for v in g['versions']], g['preferredVersion']['groupVersion']) for g in d['groups']]" \
	'[["apps", ["v1"], "apps/v1"], ["autoscaling", ["v2", "v1"], "autoscaling/v2"], ["networking.k8s.io", ["v1"], "networking.k8s.io/v1"], ["rbac.authorization.k8s.io", ["v1"], "rbac.authorization.k8s.io/v1"]]'
req GET /apis/apps/v1
want "discovery: apps/v1" "[(r['name'], r['singularName'], r['kind'], r['namespaced'], r.get('shortNames'), r['verbs']) for r in d['resources'] if r['name'] in ('deployments', 'deployments/status')]" \
	'[["deployments", "deployment", "Deployment", true, ["deploy"], ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]], ["deployments/status", "", "Deployment", true, null, ["get", "patch", "update"]]]'
req GET /apis/autoscaling/v1
want "discovery: autoscaling/v1 too" "[d['groupVersion'], [r['name'] for r in d['resources']]]" '["autoscaling/v1", ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]]'
req GET /apis/batch/v1
status_is "an unlisted group is 404" 404 NotFound "the server could not find the requested resource"
req GET /api/v1/namespaces/default/widgets
status_is "an unlisted resource is 404" 404 NotFound "the server could not find the requested resource"
req GET /api/v1/namespaces/default/configmaps/x/scale
status_is "an unlisted subresource is 404" 404 NotFound "the server could not find the requested resource"

# --- authentication and authorization ---
req -n GET /api/v1/namespaces
status_is "no credentials: 401" 401 Unauthorized Unauthorized
req -t not-a-token GET /api/v1/namespaces
status_is "unknown token: 401" 401 Unauthorized Unauthorized
req -t "$VIEWER" GET /api/v1/namespaces
want "viewer may list" "[code, d['kind'], [i['metadata']['name'] for i in d['items']]]" '[200, "NamespaceList", ["default", "kube-public", "kube-system"]]'
apply -t "$VIEWER" '/api/v1/namespaces/team-a?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}'
status_is "viewer may not patch: 403" 403 Forbidden 'namespaces "team-a" is forbidden: User "viewer" cannot patch resource "namespaces" in API group "" at the cluster scope'
want "403 details" "d['details']" '{"kind": "namespaces", "name": "team-a"}'
req -t "$VIEWER" DELETE /apis/apps/v1/namespaces/default/deployments/web
status_is "viewer may not delete in a namespace: 403" 403 Forbidden 'deployments.apps "web" is forbidden: User "viewer" cannot delete resource "deployments" in API group "apps" in the namespace "default"'
req -c viewer POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' -d '{}'
status_is "viewer certificate may not create: 403" 403 Forbidden 'configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "default"'
req -c admin GET /api/v1/namespaces/default
want "admin certificate (CN, O=system:masters) may read" "[code, d['metadata']['name'], d['status']['phase']]" '[200, "default", "Active"]'
# the kubeconfig files carry working credentials
kc() { sed -n "s/^ *$2: //p" "$1" | head -1; }
req -t "$(kc "$KUBE_STANDIN_KUBECONFIG" token)" GET /api/v1/namespaces/kube-system
want "kubeconfig: the admin token" "[code, d['metadata']['name']]" '[200, "kube-system"]'
req -t "$(kc "$KUBE_STANDIN_KUBECONFIG_BADTOKEN" token)" GET /api/v1/namespaces
status_is "kubeconfig-badtoken: 401" 401 Unauthorized Unauthorized
req -t "$(kc "$KUBE_STANDIN_KUBECONFIG_VIEWER" token)" DELETE /api/v1/namespaces/kube-public
want "kubeconfig-viewer: read-only" "[code, d['reason']]" '[403, "Forbidden"]'
kc "$KUBE_STANDIN_KUBECONFIG_DATA" client-certificate-data | base64 -d > "$T/data.crt"
kc "$KUBE_STANDIN_KUBECONFIG_DATA" client-key-data | base64 -d > "$T/data.key"
kc "$KUBE_STANDIN_KUBECONFIG_DATA" certificate-authority-data | base64 -d > "$T/data-ca.crt"
code=$(curl -s -o "$T/body" -w '%{http_code}' --cacert "$T/data-ca.crt" --cert "$T/data.crt" --key "$T/data.key" \
	-X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"from-cert"}}' "$KUBE_STANDIN_URL/api/v1/namespaces/default/configmaps")
want "kubeconfig-data: the inline certificate authenticates (CN=cloudctl-admin, O=system:masters)" "[code, d['metadata']['name']]" '[201, "from-cert"]'
assert "kubeconfig-cert: certificate and key files" test -s "$(kc "$KUBE_STANDIN_KUBECONFIG_CERT" client-certificate)" -a -s "$(kc "$KUBE_STANDIN_KUBECONFIG_CERT" client-key)"
req -t "$VIEWER" POST /standin/reset
status_is "the test endpoints need system:masters" 403 Forbidden 'forbidden: User "viewer" cannot post path "/standin/reset"'

# --- server-side apply ---
NS='{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"env":"dev"}}}'
apply '/api/v1/namespaces/team-a?fieldManager=cloudctl' "$NS"
want "apply creates a namespace: 201" "[code, d['metadata']['labels'], d['status']['phase'], d['spec']]" \
	'[201, {"env": "dev", "kubernetes.io/metadata.name": "team-a"}, "Active", {"finalizers": ["kubernetes"]}]'
DEPLOY='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"team-a","labels":{"app":"web","tier":"front"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}}'
DPATH=/apis/apps/v1/namespaces/team-a/deployments/web
apply "$DPATH?fieldManager=cloudctl" "$DEPLOY"
want "apply creates a deployment: 201" "[code, d['metadata']['generation'], d['spec']['replicas'], d['spec']['strategy']['type']]" '[201, 1, 2, "RollingUpdate"]'
want "managedFields: the applier's entry" "[(e['manager'], e['operation'], e['apiVersion'], e['fieldsType']) for e in d['metadata']['managedFields']]" '[["cloudctl", "Apply", "apps/v1", "FieldsV1"]]'
want "managedFields: FieldsV1 of the applied fields" "mf('cloudctl')['fieldsV1']" \
	'{"f:metadata": {"f:labels": {"f:app": {}, "f:tier": {}}}, "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}, "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}}}}}}}'
rv1=$(val "d['metadata']['resourceVersion']")
apply "$DPATH?fieldManager=cloudctl" "${DEPLOY/nginx:1.25/nginx:1.26}"
want "apply updates: 200, generation 2, new resourceVersion" "[code, d['metadata']['generation'], d['spec']['template']['spec']['containers'][0]['image'], d['metadata']['resourceVersion'] != '$rv1']" '[200, 2, "nginx:1.26", true]'
sleep 0.5 # let the deployment controller write its status
req GET "$DPATH"
rv2=$(val "d['metadata']['resourceVersion']")
apply "$DPATH?fieldManager=cloudctl" "${DEPLOY/nginx:1.25/nginx:1.26}"
want "apply no-op: 200, same resourceVersion and generation" "[code, d['metadata']['resourceVersion'], d['metadata']['generation']]" "[200, \"$rv2\", 2]"
want "status is not the applier's" "[e['manager'] + '/' + e['operation'] + '/' + e.get('subresource', '') for e in d['metadata']['managedFields']]" '["cloudctl/Apply/", "kube-controller-manager/Update/status"]'

apply "$DPATH" "$DEPLOY"
status_is "apply without fieldManager: 422 as the real server" 422 Invalid 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
apply "$DPATH?fieldManager=cloudctl" 'apiVersion: apps/v1'
want "apply with a YAML body: 400 saying only JSON is read" "[code, d['reason'], d['message'][:44]]" '[400, "BadRequest", "error decoding YAML: the stand-in API server"]'
apply "$DPATH?fieldManager=cloudctl" '{"apiVersion":"apps/v1beta1","kind":"Deployment","metadata":{"name":"web"}}'
status_is "apply with another version: 400" 400 BadRequest 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1'
apply "$DPATH?fieldManager=cloudctl" '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"other"}}'
status_is "apply with another name: 400" 400 BadRequest 'the name of the object (other) does not match the name on the URL (web)'

# conflicts between managers
SCALE='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}}'
apply "$DPATH?fieldManager=autoscaler" "$SCALE"
status_is "a field of another applier: 409" 409 Conflict 'Apply failed with 1 conflict: conflict with "cloudctl": .spec.replicas'
want "409 causes" "d['details']" '{"causes": [{"field": ".spec.replicas", "message": "conflict with \"cloudctl\"", "reason": "FieldManagerConflict"}]}'
apply "$DPATH?fieldManager=autoscaler&force=true" "$SCALE"
want "force takes the field" "[code, d['spec']['replicas'], mf('autoscaler')['fieldsV1'], 'f:replicas' in mf('cloudctl')['fieldsV1']['f:spec']]" '[200, 5, {"f:spec": {"f:replicas": {}}}, false]'
mpatch "$DPATH?fieldManager=kubectl-edit" '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}'
want "merge patch: an Update manager from fieldManager" "[code, mf('kubectl-edit')['operation'], mf('kubectl-edit')['fieldsV1']]" \
	'[200, "Update", {"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {"f:image": {}}}}}}}]'
apply "$DPATH?fieldManager=cloudctl" "${DEPLOY/\"replicas\":2,/}"
status_is "a conflict with an Update manager" 409 Conflict "$(printf 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="web"].image')"
apply "$DPATH?fieldManager=cloudctl" "$DEPLOY"
status_is "conflicts with two managers, sorted" 409 Conflict "$(printf 'Apply failed with 2 conflicts: conflicts with "autoscaler":\n- .spec.replicas\nconflicts with "kubectl-edit" using apps/v1:\n- .spec.template.spec.containers[name="web"].image')"
apply "$DPATH?fieldManager=cloudctl" "$(sed 's/"replicas":2,//; s/nginx:1.25/nginx:1.27/' <<<"$DEPLOY")"
want "same value: shared ownership" "[code, mf('cloudctl')['fieldsV1']['f:spec']['f:template']['f:spec']['f:containers']['k:{\"name\":\"web\"}'], mf('kubectl-edit')['fieldsV1']]" \
	'[200, {".": {}, "f:image": {}, "f:name": {}, "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}}, {"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {"f:image": {}}}}}}}]'
want "dropped field owned by another stays" "d['spec']['replicas']" '5'
apply "$DPATH?fieldManager=cloudctl" "$(sed 's/"replicas":2,//; s/nginx:1.25/nginx:1.27/; s/,"tier":"front"//' <<<"$DEPLOY")"
want "a field the applier dropped and nobody else owns is removed" "[code, d['metadata']['labels']]" '[200, {"app": "web"}]'
apply "$DPATH?fieldManager=cloudctl&dryRun=All" "$(sed 's/"replicas":2,//; s/nginx:1.25/nginx:1.27/; s/"front"/"back"/' <<<"$DEPLOY")"
want "dryRun=All answers the result" "[code, d['metadata']['labels']]" '[200, {"app": "web", "tier": "back"}]'
req GET "$DPATH"
want "dryRun=All stores nothing" "d['metadata']['labels']" '{"app": "web"}'

# --- status objects of the other verbs ---
CM='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"a":"1"}}'
post /api/v1/namespaces/team-a/configmaps "$CM"
want "POST creates: 201, manager from the User-Agent" "[code, d['metadata']['managedFields'][0]['manager'], d['metadata']['managedFields'][0]['fieldsV1']]" '[201, "curl", {"f:data": {".": {}, "f:a": {}}}]'
cm_rv=$(val "d['metadata']['resourceVersion']")
post /api/v1/namespaces/team-a/configmaps "$CM"
status_is "POST again: 409 AlreadyExists" 409 AlreadyExists 'configmaps "settings" already exists'
want "AlreadyExists details" "d['details']" '{"kind": "configmaps", "name": "settings"}'
req PUT /api/v1/namespaces/team-a/configmaps/settings -H 'Content-Type: application/json' \
	-d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\",\"resourceVersion\":\"$cm_rv\"},\"data\":{\"a\":\"2\"}}"
want "PUT with the current resourceVersion: 200" "[code, d['data']]" '[200, {"a": "2"}]'
req PUT /api/v1/namespaces/team-a/configmaps/settings -H 'Content-Type: application/json' \
	-d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\",\"resourceVersion\":\"$cm_rv\"},\"data\":{\"a\":\"3\"}}"
status_is "PUT with a stale resourceVersion: 409 Conflict" 409 Conflict 'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again'
req GET /apis/apps/v1/namespaces/team-a/deployments/nope
status_is "GET missing: 404" 404 NotFound 'deployments.apps "nope" not found'
want "404 details" "d['details']" '{"group": "apps", "kind": "deployments", "name": "nope"}'
apply '/api/v1/namespaces/nope/configmaps/x?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}'
status_is "apply into a missing namespace: 404" 404 NotFound 'namespaces "nope" not found'
apply '/api/v1/namespaces/Team_A?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"Team_A"}}'
status_is "invalid namespace name: 422" 422 Invalid "Namespace \"Team_A\" is invalid: metadata.name: Invalid value: \"Team_A\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
want "422 causes" "[d['details']['kind'], d['details']['name'], [c['reason'] + ' ' + c['field'] for c in d['details']['causes']]]" '["Namespace", "Team_A", ["FieldValueInvalid metadata.name"]]'
post /api/v1/namespaces/team-a/secrets "$CM"
status_is "a ConfigMap posted as a Secret: 400" 400 BadRequest 'the kind in the data (ConfigMap) does not match the expected kind (Secret)'
req DELETE /api/v1/namespaces/team-a/configmaps/settings
want "DELETE: a Success Status" "[code, d['kind'], d['status'], d['details']['name'], d['details']['kind']]" '[200, "Status", "Success", "settings", "configmaps"]'
mpatch "/api/v1/namespaces/team-a/status?fieldManager=tester" '{"metadata":{"labels":{"x":"y"}},"status":{"phase":"Active","extra":"1"}}'
want "/status: a merge patch changes only status" "[code, d['status'], 'x' in d['metadata']['labels'], mf('tester')['subresource'], mf('tester')['fieldsV1']]" \
	'[200, {"extra": "1", "phase": "Active"}, false, "status", {"f:status": {"f:extra": {}}}]'
req DELETE '/api/v1/namespaces/default/configmaps?labelSelector=none'
want "deletecollection: nothing selected" "[code, d['kind'], d['items']]" '[200, "ConfigMapList", []]'
req DELETE '/api/v1/namespaces/default/configmaps'
want "deletecollection: the deleted objects" "[code, [i['metadata']['name'] for i in d['items']]]" '[200, ["from-cert"]]'
req DELETE /api/v1/namespaces/default
status_is "default may not be deleted" 403 Forbidden 'namespaces "default" is forbidden: this namespace may not be deleted'

# --- lists: pagination, selectors ---
for i in 1 2 3 4 5; do
	labels=',"labels":{"app":"b"}'; [ $i -le 2 ] && labels=',"labels":{"app":"a"}'; [ $i = 5 ] && labels=
	apply "/api/v1/namespaces/team-a/configmaps/cm-$i?fieldManager=cloudctl" \
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-$i\"$labels}}"
	[ "$code" = 201 ] || fail "configmap cm-$i" "apply answered $code: $(head -c 300 "$T/body")"
done
req GET '/api/v1/namespaces/team-a/configmaps?limit=2'
want "limit=2: first page" "[d['kind'], [i['metadata']['name'] for i in d['items']], d['metadata']['remainingItemCount'], bool(d['metadata']['continue'])]" '["ConfigMapList", ["cm-1", "cm-2"], 3, true]'
cont=$(val "d['metadata']['continue']"); list_rv=$(val "d['metadata']['resourceVersion']")
# changes after the first page must not show in the next ones (a consistent snapshot)
apply '/api/v1/namespaces/team-a/configmaps/cm-9?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-9"}}'
mpatch '/api/v1/namespaces/team-a/configmaps/cm-3' '{"data":{"changed":"yes"}}'
req GET "/api/v1/namespaces/team-a/configmaps?limit=2&continue=$cont"
want "continue: the next page, from the first page's snapshot" "[[(i['metadata']['name'], i.get('data')) for i in d['items']], d['metadata']['resourceVersion']]" "[[[\"cm-3\", null], [\"cm-4\", null]], \"$list_rv\"]"
cont=$(val "d['metadata']['continue']")
req GET "/api/v1/namespaces/team-a/configmaps?limit=2&continue=$cont"
want "continue: the last page has no token" "[[i['metadata']['name'] for i in d['items']], d['metadata'].get('continue')]" '[["cm-5"], null]'
sel() { req GET "/api/v1/configmaps?labelSelector=$($PY -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))' "$1")"; }
sel 'app=a';             want "labelSelector app=a (cluster-wide list)" "[i['metadata']['name'] for i in d['items']]" '["cm-1", "cm-2"]'
sel 'app!=a';            want "labelSelector app!=a" "[i['metadata']['name'] for i in d['items']]" '["cm-3", "cm-4", "cm-5", "cm-9"]'
sel 'app';               want "labelSelector app" "[i['metadata']['name'] for i in d['items']]" '["cm-1", "cm-2", "cm-3", "cm-4"]'
sel '!app';              want "labelSelector !app" "[i['metadata']['name'] for i in d['items']]" '["cm-5", "cm-9"]'
sel 'app in (b, c)';     want "labelSelector app in (b, c)" "[i['metadata']['name'] for i in d['items']]" '["cm-3", "cm-4"]'
sel 'app notin (b),app'; want "labelSelector app notin (b),app" "[i['metadata']['name'] for i in d['items']]" '["cm-1", "cm-2"]'
req GET '/api/v1/configmaps?fieldSelector=metadata.name%3Dcm-3'
want "fieldSelector metadata.name" "[(i['metadata']['namespace'], i['metadata']['name']) for i in d['items']]" '[["team-a", "cm-3"]]'
req GET '/api/v1/configmaps?fieldSelector=metadata.namespace%21%3Dteam-a'
want "fieldSelector metadata.namespace!=" "d['items']" '[]'
req GET '/api/v1/configmaps?fieldSelector=data.a%3D1'
status_is "unsupported field selector: 400" 400 BadRequest 'field label not supported: data.a'

# --- watch ---
req GET /api/v1/namespaces/team-a/configmaps
wrv=$(val "d['metadata']['resourceVersion']")
curl -sN --max-time 10 --cacert "$KUBE_STANDIN_CA" -H "Authorization: Bearer $ADMIN" \
	"$KUBE_STANDIN_URL/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion=$wrv&timeoutSeconds=2" > "$T/watch" &
wpid=$!
curl -sN --max-time 10 --cacert "$KUBE_STANDIN_CA" -H "Authorization: Bearer $ADMIN" \
	"$KUBE_STANDIN_URL/api/v1/namespaces/team-a/configmaps?watch=true&fieldSelector=metadata.name%3Dcm-1&timeoutSeconds=2" > "$T/watch2" &
wpid2=$!
sleep 0.3
apply '/api/v1/namespaces/team-a/configmaps/w?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w"},"data":{"k":"1"}}'
apply '/api/v1/namespaces/team-a/configmaps/w?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w"},"data":{"k":"2"}}'
w_rv=$(val "d['metadata']['resourceVersion']")
wait $wpid $wpid2
cp "$T/watch" "$T/body"; code=200
want "watch from a resourceVersion: ADDED then MODIFIED" "[json.loads(l)['type'] + ' ' + json.loads(l)['object']['metadata']['name'] + ' ' + json.dumps(json.loads(l)['object'].get('data')) for l in raw.splitlines()]" \
	'["ADDED w {\"k\": \"1\"}", "MODIFIED w {\"k\": \"2\"}"]'
cp "$T/watch2" "$T/body"
want "watch without a resourceVersion: synthetic ADDED, fieldSelector honoured" "[json.loads(l)['type'] + ' ' + json.loads(l)['object']['metadata']['name'] for l in raw.splitlines()]" '["ADDED cm-1"]'
req POST /standin/compact
req GET "/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion=$wrv&timeoutSeconds=2"
want "watch from before the compaction: an ERROR event, 410 Expired" "[code, [(json.loads(l)['type'], json.loads(l)['object']['code'], json.loads(l)['object']['reason'], json.loads(l)['object']['message']) for l in raw.splitlines()]]" \
	"[200, [[\"ERROR\", 410, \"Expired\", \"too old resource version: $wrv ($w_rv)\"]]]"
req GET "/api/v1/namespaces/team-a/configmaps?limit=2&continue=$cont"
status_is "a continue token from before the compaction: 410 Expired" 410 Expired "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
want "and a token to go on from now" "[bool(d['metadata']['continue'])]" '[true]'

# --- namespace deletion ---
apply '/api/v1/namespaces/team-b?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-b"}}'
apply '/api/v1/namespaces/team-b/configmaps/c?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}'
nrv=$(val "d['metadata']['resourceVersion']")
curl -sN --max-time 10 --cacert "$KUBE_STANDIN_CA" -H "Authorization: Bearer $ADMIN" \
	"$KUBE_STANDIN_URL/api/v1/configmaps?watch=1&resourceVersion=$nrv&timeoutSeconds=3" > "$T/watch3" &
wpid3=$!
req DELETE /api/v1/namespaces/team-b
keep delete
apply '/api/v1/namespaces/team-b/configmaps/d?fieldManager=cloudctl' '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"}}'
keep terminating
back delete
want "DELETE namespace: Terminating, deletionTimestamp set" "[code, d['kind'], d['status']['phase'], bool(d['metadata'].get('deletionTimestamp'))]" '[200, "Namespace", "Terminating", true]'
back terminating
status_is "no new content in a terminating namespace: 403" 403 Forbidden 'configmaps "d" is forbidden: unable to create new content in namespace team-b because it is being terminated'
sleep 1.5
req GET /api/v1/namespaces/team-b
status_is "the namespace is gone ~1 s later" 404 NotFound 'namespaces "team-b" not found'
req GET /api/v1/namespaces/team-b/configmaps/c
status_is "and what was in it" 404 NotFound 'configmaps "c" not found'
wait $wpid3
cp "$T/watch3" "$T/body"
want "a watch saw the content DELETED" "[json.loads(l)['type'] + ' ' + json.loads(l)['object']['metadata']['name'] for l in raw.splitlines()]" '["DELETED c"]'

# --- simulated controllers ---
# poll_for SECONDS PATH EXPR: GET PATH until EXPR is true
poll_for() {
	local i; for ((i = 0; i < $1 * 10; i++)); do
		req GET "$2"; [ "$(val "$3")" = true ] && return 0; sleep 0.1
	done; return 1
}
apply "/apis/apps/v1/namespaces/team-a/deployments/api?fieldManager=cloudctl" "$(sed 's/"web"/"api"/g' <<<"$DEPLOY")"
want "a new deployment is not available at once" "[d.get('status', {}).get('availableReplicas', 0)]" '[0]'
if poll_for 3 /apis/apps/v1/namespaces/team-a/deployments/api "any(c['type'] == 'Available' and c['status'] == 'True' for c in d.get('status', {}).get('conditions', []))"; then
	want "deployment becomes Available" "[d['status'][k] for k in ('observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas')] + [(c['type'], c['status'], c['reason']) for c in d['status']['conditions']]" \
		'[1, 2, 2, 2, 2, ["Available", "True", "MinimumReplicasAvailable"], ["Progressing", "True", "NewReplicaSetAvailable"]]'
else
	fail "deployment becomes Available" "not within 3 s: $(head -c 300 "$T/body")"
fi
apply "/apis/apps/v1/namespaces/team-a/deployments/stuck?fieldManager=cloudctl" "$(sed 's/"web"/"stuck"/g; s/"labels":{"app":"stuck","tier":"front"}/"annotations":{"standin.cloudctl.dev\/stuck":"true"}/' <<<"$DEPLOY")"
apply "/apis/apps/v1/namespaces/team-a/deployments/failing?fieldManager=cloudctl" "$(sed 's/"web"/"failing"/g; s/"labels":{"app":"failing","tier":"front"}/"annotations":{"standin.cloudctl.dev\/fail":"true"}/' <<<"$DEPLOY")"
sleep 1
req GET /apis/apps/v1/namespaces/team-a/deployments/stuck
want "stuck deployment: never available" "[d['status']['observedGeneration'], d['status'].get('availableReplicas', 0)] + [(c['type'], c['status'], c['reason']) for c in d['status']['conditions']]" \
	'[1, 0, ["Available", "False", "MinimumReplicasUnavailable"], ["Progressing", "True", "ReplicaSetUpdated"]]'
req GET /apis/apps/v1/namespaces/team-a/deployments/failing
want "failing deployment: ProgressDeadlineExceeded" "[(c['type'], c['status'], c['reason']) for c in d['status']['conditions']]" \
	'[["Available", "False", "MinimumReplicasUnavailable"], ["Progressing", "False", "ProgressDeadlineExceeded"]]'
apply /api/v1/namespaces/team-a/resourcequotas/quota?fieldManager=cloudctl \
	'{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"quota"},"spec":{"hard":{"pods":"10","requests.cpu":"4","count/configmaps":"20","count/deployments.apps":"5"}}}'
if poll_for 2 /api/v1/namespaces/team-a/resourcequotas/quota "'used' in d.get('status', {})"; then
	want "quota status: hard and used" "d['status']" \
		'{"hard": {"count/configmaps": "20", "count/deployments.apps": "5", "pods": "10", "requests.cpu": "4"}, "used": {"count/configmaps": "7", "count/deployments.apps": "4", "pods": "0", "requests.cpu": "0"}}'
else
	fail "quota status: hard and used" "no status within 2 s: $(head -c 300 "$T/body")"
fi
apply '/apis/autoscaling/v2/namespaces/team-a/horizontalpodautoscalers/web?fieldManager=cloudctl' \
	'{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},"spec":{"minReplicas":1,"maxReplicas":3,"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}}}'
req GET /apis/autoscaling/v1/namespaces/team-a/horizontalpodautoscalers/web
want "one store for both autoscaling versions" "[code, d['apiVersion'], d['spec']['maxReplicas']]" '[200, "autoscaling/v1", 3]'

# --- the request log ---
req GET /standin/requests
want "the request log shows how the client applied" "[(r['method'], r['contentType'], r['query'], r['user'], r['code']) for r in d['items'] if r['path'] == '$DPATH'][0]" \
	'["PATCH", "application/apply-patch+yaml", "fieldManager=cloudctl", "cloudctl-admin", 201]'
