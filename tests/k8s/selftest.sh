#!/bin/bash
# tests/k8s/selftest.sh: proves validate.js and kubectl-oracle.sh on the hand-written manifests
# in testdata/: the correct tenant passes, each broken one fails for its own reason, and
# kubectl's objects equal the tenant's once both are normalised. Prints "ok - NAME",
# "FAIL - NAME: why" or "skip - NAME: why" lines (the format of tests/cli/lib.sh); exit 1 on
# any FAIL. Runs setup.sh first (npm registry needed the first time only).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
D=$HERE/testdata
T=$(mktemp -d /tmp/cloudctl-k8s-selftest.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
fail() { echo "FAIL - $1: $2"; fails=$((fails + 1)); }
skip() { echo "skip - $1: $2"; }

"$HERE/setup.sh" > "$T/setup" 2>&1; rc=$?
if [ $rc = 69 ]; then skip "k8s manifests" "$(tail -1 "$T/setup")"; exit 0; fi
if [ $rc != 0 ]; then fail "k8s setup" "$(cat "$T/setup")"; exit 1; fi

# valid NAME FILE N: validate.js accepts FILE and reports N valid objects
valid() {
	node "$HERE/validate.js" "$2" > "$T/out" 2>&1; local rc=$?
	local n; n=$(grep -c ': valid$' "$T/out")
	if [ $rc = 0 ] && [ "$n" = "$3" ] && [ "$(wc -l < "$T/out")" = "$3" ]; then ok "$1"
	else fail "$1" "exit $rc, $n valid of $3: $(tr '\n' '|' < "$T/out")"; fi
}
# invalid NAME FILE LINE: validate.js exits 1 and prints exactly LINE among its lines
invalid() {
	node "$HERE/validate.js" "$2" > "$T/out" 2>&1; local rc=$?
	if [ $rc = 1 ] && grep -qxF -- "$3" "$T/out"; then ok "$1"
	else fail "$1" "exit $rc, want 1 and the line [$3]; got: $(tr '\n' '|' < "$T/out")"; fi
}

valid "validate: correct tenant stream" "$D/tenant-ok.yaml" 8
valid "validate: JSON List" "$D/tenant-ok-list.json" 2
invalid "validate: RoleBinding without roleRef" "$D/bad-rolebinding-no-roleref.yaml" \
	"RoleBinding/acme-admin: INVALID: schema: data must have required property roleRef"
invalid "validate: NetworkPolicy policyTypes [Sideways]" "$D/bad-networkpolicy-sideways.yaml" \
	"NetworkPolicy/default-deny: INVALID: schema: data/spec/policyTypes/0 must be equal to one of the allowed values"
invalid "validate: ResourceQuota cpu 16GB" "$D/bad-quota-16GB.yaml" \
	'ResourceQuota/acme-quota: INVALID: schema: data/spec/hard/cpu must match format "quantity"'
invalid "validate: namespaced object without namespace" "$D/bad-no-namespace.yaml" \
	"NetworkPolicy/default-deny: INVALID: missing metadata.namespace (NetworkPolicy is namespaced)"
invalid "validate: unknown apiVersion for a kind" "$D/bad-unknown-kind.yaml" \
	"NetworkPolicy/default-deny: INVALID: unknown kind networking.k8s.io/v1beta1/NetworkPolicy (not in validate.js KINDS)"
invalid "validate: unknown kind" "$D/bad-unknown-kind2.yaml" \
	"NetworkPolicy/default-deny: INVALID: unknown kind v1/NetworkPolicy (not in validate.js KINDS)"
invalid "validate: no apiVersion" "$D/bad-no-apiversion.yaml" \
	"ResourceQuota/acme-quota: INVALID: missing apiVersion"
invalid "validate: no metadata.name" "$D/bad-no-name.yaml" \
	"LimitRange/?: INVALID: missing metadata.name"
invalid "validate: bad namespace name" "$D/bad-namespace-name.yaml" \
	'Namespace/Acme_Corp: INVALID: metadata.name "Acme_Corp" must be an RFC 1123 label (lower-case alphanumerics and "-", at most 63)'
invalid "validate: YAML 1.1 boolean as a label value" "$D/bad-yaml11-bool.yaml" \
	"ConfigMap/acme-settings: INVALID: schema: data/metadata/labels/cloudctl.example~1managed must be string"
invalid "validate: bad item in a List" "$D/bad-list-item.json" \
	"RoleBinding/acme-admin: INVALID: schema: data must have required property roleRef"
invalid "validate: no objects" "$D/bad-empty.yaml" "INVALID: no objects read"

Q=requests.cpu=8,requests.memory=16Gi,limits.cpu=16,limits.memory=32Gi,pods=50
"$HERE/kubectl-oracle.sh" acme "$Q" > "$T/oracle" 2> "$T/err"; rc=$?
if [ $rc = 77 ]; then
	skip "kubectl oracle" "$(cat "$T/err")"
elif [ $rc != 0 ]; then
	fail "kubectl oracle" "exit $rc: $(cat "$T/err")"
else
	"$HERE/kubectl-oracle.sh" --normalise "$D/tenant-ok.yaml" > "$T/norm" 2> "$T/err"
	grep -E '"kind":"(Namespace|ResourceQuota)"|"name":"acme-admin"' "$T/norm" > "$T/mine"
	if [ "$(wc -l < "$T/oracle")" = 3 ] && cmp -s "$T/oracle" "$T/mine"; then
		ok "kubectl oracle equals the tenant's Namespace, ResourceQuota, RoleBinding"
	else fail "kubectl oracle" "differs: $(diff "$T/oracle" "$T/mine" | tr '\n' '|')"; fi
	if sed 's/^/---\n/' "$T/oracle" | node "$HERE/validate.js" - > "$T/out" 2>&1 &&
		[ "$(grep -c ': valid$' "$T/out")" = 3 ]; then ok "validate: kubectl's objects"
	else fail "validate: kubectl's objects" "$(tr '\n' '|' < "$T/out")"; fi
fi
[ $fails = 0 ]
