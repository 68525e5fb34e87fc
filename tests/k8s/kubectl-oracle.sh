#!/bin/bash
# tests/k8s/kubectl-oracle.sh: what kubectl itself makes of a tenant, as normalised JSON lines,
# to compare with what cloudctl writes (normalised the same way with --normalise).
#
#   kubectl-oracle.sh [--user USER] [--label K=V]... [--namespace-label K=V]... NAME [QUOTA...]
#       QUOTA: RESOURCE=QUANTITY pairs, comma-separated and/or as separate arguments
#       (e.g. requests.cpu=8,requests.memory=16Gi pods=50); USER defaults to alice. Runs, with
#       KUBECONFIG=/dev/null (no cluster is contacted):
#         kubectl create namespace NAME --dry-run=client -o yaml
#         kubectl create quota NAME-quota -n NAME --hard=QUOTA --dry-run=client -o yaml
#         kubectl create rolebinding NAME-admin -n NAME --clusterrole=admin --user=USER --dry-run=client -o yaml
#       and prints the three objects normalised, one per line, in that order. With --label, each
#       object also goes through `kubectl label --local -f - K=V... -o yaml` (offline too); with
#       --namespace-label only the Namespace does (e.g. --label cloudctl.dev/tenant=team-a
#       --namespace-label env=dev). Without QUOTA the quota has no spec.
#   kubectl-oracle.sh --normalise [FILE|-]
#       Reads a YAML stream / JSON object / v1 List (items flattened) from FILE or stdin and prints
#       every object normalised, one per line, in input order. Needs no kubectl.
#
# Normalised: read as the API server reads YAML (k8s-yaml.js), then metadata.creationTimestamp
# dropped when null, status and spec dropped when they are {}, and printed as compact JSON with
# the keys of every object sorted (code-point order). Nothing else changes: labels, annotations,
# field order in lists, the spelling of quantities all count.
#
# What kubectl v1.32.4 prints (and Debian 12's kubernetes-client v1.20.2 prints the same bytes)
# for NAME=acme, QUOTA=requests.cpu=8,requests.memory=16Gi,limits.cpu=16,limits.memory=32Gi,pods=50:
#   apiVersion: v1                  | apiVersion: v1              | apiVersion: rbac.authorization.k8s.io/v1
#   kind: Namespace                 | kind: ResourceQuota         | kind: RoleBinding
#   metadata:                       | metadata:                   | metadata:
#     creationTimestamp: null       |   creationTimestamp: null   |   creationTimestamp: null
#     name: acme                    |   name: acme-quota          |   name: acme-admin
#   spec: {}                        |   namespace: acme           |   namespace: acme
#   status: {}                      | spec:                       | roleRef:
#                                   |   hard:                     |   apiGroup: rbac.authorization.k8s.io
#                                   |     limits.cpu: "16"        |   kind: ClusterRole
#                                   |     limits.memory: 32Gi     |   name: admin
#                                   |     pods: "50"              | subjects:
#                                   |     requests.cpu: "8"       | - apiGroup: rbac.authorization.k8s.io
#                                   |     requests.memory: 16Gi   |   kind: User
#                                   | status: {}                  |   name: alice
# (the RoleBinding has no status; the quota without QUOTA args is "spec: {}"), normalised:
#   {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"acme"}}
#   {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"acme-quota","namespace":"acme"},"spec":{"hard":{"limits.cpu":"16","limits.memory":"32Gi","pods":"50","requests.cpu":"8","requests.memory":"16Gi"}}}
#   {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"acme-admin","namespace":"acme"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"admin"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"alice"}]}
# kubectl parses each quantity and prints it back: always as a string, canonicalised when it
# is not already canonical: requests.cpu=8000m -> "8", 16384Mi -> "16Gi", 0.5 -> "500m", 1.5 ->
# "1500m", 1000000k -> "1G", but 1e9 and 050 stay as written. A quantity kubectl cannot parse
# (16GB, 8x) makes it exit 1 with "error: quantities must match the regular expression ..." and
# so does this script. kubectl does not check names client-side: "create namespace Bad_Name"
# prints an object (validate.js rejects it).
#
# Exit: 0; 1 kubectl or the input failed (message on stderr); 64 usage; 69 node or the npm
# packages missing (run tests/k8s/setup.sh); 77 kubectl not installed: a skip, reason on stderr.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ME=kubectl-oracle.sh
usage() { echo "usage: $ME [--user USER] [--label K=V]... [--namespace-label K=V]... NAME [RESOURCE=QUANTITY[,...]]... | $ME --normalise [FILE|-]" >&2; exit 64; }

NORMALISE_JS='
"use strict";
const fs = require("fs");
const { loadDocs } = require(process.env.K8S_DIR + "/k8s-yaml.js");
const src = process.argv[1] === undefined || process.argv[1] === "-" ? 0 : process.argv[1];
let docs;
try { docs = loadDocs(fs.readFileSync(src, "utf8")); }
catch (e) { console.error(`kubectl-oracle.sh --normalise: ${e.message.split("\n")[0]}`); process.exit(1); }
const objs = [];
const flat = (d) => (d && d.kind === "List" && Array.isArray(d.items) ? d.items.forEach(flat) : objs.push(d));
docs.forEach(flat);
const isObj = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const empty = (x) => isObj(x) && Object.keys(x).length === 0;
const enc = (x) => Array.isArray(x) ? "[" + x.map(enc).join(",") + "]"
  : isObj(x) ? "{" + Object.keys(x).sort().map((k) => JSON.stringify(k) + ":" + enc(x[k])).join(",") + "}"
  : JSON.stringify(x);
for (const o of objs) {
  if (isObj(o)) {
    if (isObj(o.metadata) && o.metadata.creationTimestamp === null) delete o.metadata.creationTimestamp;
    if (empty(o.status)) delete o.status;
    if (empty(o.spec)) delete o.spec;
  }
  console.log(enc(o));
}
if (!objs.length) { console.error("kubectl-oracle.sh --normalise: no objects read"); process.exit(1); }
'
normalise() { # [FILE|-]
	if ! command -v node >/dev/null 2>&1; then
		echo "$ME: node missing; run tests/k8s/setup.sh (it names the apt-get line)" >&2; exit 69; fi
	if ! (cd "$HERE" && node -e 'require("js-yaml")' 2>/dev/null); then
		echo "$ME: js-yaml not installed in $HERE/node_modules; run tests/k8s/setup.sh" >&2; exit 69; fi
	K8S_DIR=$HERE node -e "$NORMALISE_JS" "$@"
}

if [ "${1:-}" = --normalise ] || [ "${1:-}" = --normalize ]; then
	[ $# -le 2 ] || usage
	shift; normalise "${1:--}"; exit $?
fi

user=alice labels=() nslabels=()
while [ $# -ge 2 ]; do
	case $1 in
	--user) user=$2 ;;
	--label) labels+=("$2") ;;
	--namespace-label) nslabels+=("$2") ;;
	*) break ;;
	esac
	shift 2
done
[ $# -ge 1 ] && [ -n "$1" ] && [ "${1#-}" = "$1" ] || usage
name=$1; shift
hard=$(IFS=,; echo "$*")
if ! command -v kubectl >/dev/null 2>&1; then
	echo "$ME: skip: kubectl not installed (not needed by cloudctl; Debian 12: apt-get install kubernetes-client)" >&2
	exit 77
fi
export KUBECONFIG=/dev/null
T=$(mktemp -d /tmp/cloudctl-k8s-oracle.XXXXXX)
trap 'rm -rf "$T"' EXIT
k() { # FILE LABELS ARGS...: kubectl ARGS --dry-run=client -o yaml [| kubectl label LABELS] > FILE, or stop
	local f=$1 l=$2; shift 2
	if ! kubectl "$@" --dry-run=client -o yaml > "$T/$f" 2> "$T/err"; then
		echo "$ME: kubectl $* failed: $(cat "$T/err")" >&2; exit 1; fi
	[ -n "$l" ] || return 0
	# shellcheck disable=SC2086 # $l: K=V words, split on purpose (K=V holds no blanks)
	if ! kubectl label --local -f "$T/$f" $l -o yaml > "$T/$f.l" 2> "$T/err"; then
		echo "$ME: kubectl label --local $l failed: $(cat "$T/err")" >&2; exit 1; fi
	mv "$T/$f.l" "$T/$f"
}
for l in "${labels[@]}" "${nslabels[@]}"; do
	case $l in *[[:space:]]*) echo "$ME: label '$l' contains blanks" >&2; exit 64 ;; *=*) ;; *) usage ;; esac
done
nsl="${labels[*]}"; [ ${#nslabels[@]} = 0 ] || nsl="${nsl:+$nsl }${nslabels[*]}"
k 1 "$nsl" create namespace "$name"
k 2 "${labels[*]}" create quota "$name-quota" -n "$name" ${hard:+"--hard=$hard"}
k 3 "${labels[*]}" create rolebinding "$name-admin" -n "$name" --clusterrole=admin "--user=$user"
{ cat "$T/1"; echo ---; cat "$T/2"; echo ---; cat "$T/3"; } | normalise -
