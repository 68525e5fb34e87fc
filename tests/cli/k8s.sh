# k8s: cloudctl-k8s tenant render (byte-exact, valid against the official
# Kubernetes schemas through the npm package kubernetes-models, and the same
# objects as kubectl's offline generators) and inventory (Kubespray, INI, JSON).
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
D=$SRC/tests/cli/data
K=cloudctl-k8s
TENANT_ARGS=(--admin alice --edit group:devs --view user:bob --allow-from-namespace ingress-nginx --pods 50
	--storage 100Gi --label env=dev --default-request cpu=250m,memory=256Mi --default-limit cpu=1,memory=1Gi)

run $K tenant render team-a "${TENANT_ARGS[@]}"
expect "tenant render" 0 "$(cat "$D/tenant-team-a.yaml")"
cp "$T/out" "$T/a.yaml"; $K tenant render team-a "${TENANT_ARGS[@]}" > "$T/b.yaml"
assert "same flags, same bytes" cmp -s "$T/a.yaml" "$T/b.yaml"
run $K tenant render team-a -o json
expect_rc "tenant render -o json" 0
assert "-o json is a v1 List of 6 items" python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(not (d['kind']=='List' and len(d['items'])==6))"
run $K tenant render team-b --open-egress -o json
assert "--open-egress leaves the egress policy out" python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(any(i['metadata']['name']=='allow-dns-egress' for i in d['items']))"

if [ -d "$SRC/tests/k8s/node_modules/kubernetes-models" ] && command -v node >/dev/null; then
	run node "$SRC/tests/k8s/validate.js" "$T/a.yaml"
	expect_rc "kubernetes-models: every rendered object is valid" 0
	assert "kubernetes-models: all ten objects checked" test "$(grep -c ': valid$' "$T/out")" = 10
	$K tenant render team-c -o json > "$T/list.json"
	run node "$SRC/tests/k8s/validate.js" "$T/list.json"
	expect_rc "kubernetes-models: the -o json List is valid" 0
	sed 's/^  - Ingress$/  - Sideways/' "$T/a.yaml" > "$T/broken.yaml"
	run node "$SRC/tests/k8s/validate.js" "$T/broken.yaml"
	expect_rc "kubernetes-models does reject a broken manifest" 1
else
	skip "kubernetes-models validation" "tests/k8s not set up (tests/k8s/setup.sh needs node and npm)"
fi

if command -v kubectl >/dev/null && [ -x "$SRC/tests/k8s/kubectl-oracle.sh" ]; then
	run "$SRC/tests/k8s/kubectl-oracle.sh" --label cloudctl.dev/tenant=team-a team-a \
		requests.cpu=8,limits.cpu=8,requests.memory=16Gi,limits.memory=16Gi
	expect_rc "kubectl's generators ran" 0
	cp "$T/out" "$T/kubectl.jsonl"
	$K tenant render team-a --admin alice | "$SRC/tests/k8s/kubectl-oracle.sh" --normalise > "$T/ours.jsonl"
	for kind in Namespace ResourceQuota RoleBinding; do
		assert "same $kind as kubectl create --dry-run=client" \
			test "$(grep "\"kind\":\"$kind\"" "$T/kubectl.jsonl")" = "$(grep "\"kind\":\"$kind\"" "$T/ours.jsonl")"
	done
else
	skip "kubectl comparison" "kubectl not installed (apt-get install kubernetes-client)"
fi

# bad input: one line, exit 64, nothing printed
run $K tenant render Team_A
expect "invalid name" 64 "" "cloudctl-k8s: tenant: 'Team_A' is not a valid namespace name (RFC 1123: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit)"
run $K tenant render "$(printf 'a%.0s' $(seq 1 64))"
expect_rc "a 64-character name" 64 "is not a valid namespace name"
run $K tenant render team-a --memory 16GB
expect "16GB is not a quantity" 64 "" "cloudctl-k8s: tenant: --memory '16GB': not a Kubernetes quantity (e.g. 8, 500m, 16Gi)"
run $K tenant render team-a --cpu -1
expect "-1 is not a quantity" 64 "" "cloudctl-k8s: tenant: --cpu '-1': not a Kubernetes quantity (e.g. 8, 500m, 16Gi)"
run $K tenant render team-a --default-limit gpu=1
expect "bad --default-limit" 64 "" "cloudctl-k8s: tenant: --default-limit 'gpu=1': expected cpu=QUANTITY,memory=QUANTITY"
run $K tenant render team-a --allow-from-namespace Bad.NS
expect "bad --allow-from-namespace" 64 "" "cloudctl-k8s: tenant: --allow-from-namespace 'Bad.NS': not a valid namespace name"
run $K tenant render team-a --frobnicate
expect "unknown flag" 64 "" "cloudctl-k8s: tenant: unknown option '--frobnicate' (see 'cloudctl-k8s tenant --help')"
run $K tenant frob team-a
expect "unknown tenant action" 64 "" "cloudctl-k8s: tenant: unknown action 'frob' (render, apply, delete, list)"
run $K tenant apply team-a --kubeconfig /nonexistent
expect "tenant apply without a kubeconfig" 66 "" "cloudctl-k8s: kubeconfig: --kubeconfig '/nonexistent': No such file or directory"
run $K tenant apply Team_A --kubeconfig /nonexistent
expect_rc "a bad tenant name is refused before the kubeconfig is read" 64
for q in 8 500m 16Gi 1.5 2e3 100k; do
	run $K tenant render q --cpu "$q"; assert "quantity '$q' accepted" test "$rc" = 0
done

# inventory
run $K inventory < "$D/inventory-input.txt"
expect "inventory: Kubespray hosts.yaml" 0 "$(cat "$D/inventory.yaml")"
run $K inventory --format ini --control-plane 3 < "$D/inventory-input.txt"
expect "inventory: INI, three control-plane nodes" 0 "$(cat "$D/inventory.ini")"
run $K inventory --format json < "$D/inventory-input.txt"
expect "inventory: Ansible JSON" 0 "$(cat "$D/inventory.json")"
printf 'kind=vm name=b ip=10.0.0.2 tag.role=control-plane\nkind=vm name=a ip=10.0.0.1 tag.role=worker\nkind=vm name=c ip=10.0.0.3 tag.role=master\n' > "$T/roles"
run $K inventory --format ini < "$T/roles"
assert "roles decide the control plane" bash -c "sed -n '/^\[kube_control_plane\]/,/^$/p' $T/out | tr '\n' ' ' | grep -qx '\[kube_control_plane\] b c  '"
run $K inventory --etcd 2 < "$D/inventory-input.txt"
expect "even etcd" 64 "" "cloudctl-k8s: inventory: --etcd 2: etcd needs an odd number of members (1, 3, 5...)"
run $K inventory --etcd 5 < "$D/inventory-input.txt"
expect "etcd larger than the hosts" 64 "" "cloudctl-k8s: inventory: --etcd 5: more than the 4 hosts"
printf 'kind=vm name=a ip=10.0.0.1\nkind=vm name=b state=shutoff\n' > "$T/noip"
run $K inventory < "$T/noip"
expect "a VM without an address" 65 "" "cloudctl-k8s: <stdin>:2: vm 'b' has no address (ip): start it and wait for one (cloudctl-vm wait --ip)"
run $K inventory < /dev/null
expect "no records" 65 "" "cloudctl-k8s: inventory: no vm records on stdin (pipe in 'cloudctl-vm list')"
run bash -c "cloudctl-vm -C test:///default list | $K inventory --format ini"
expect_rc "cloudctl-vm list | cloudctl-k8s inventory" 0
assert "the VM's address from cloudctl-vm" grep -qx 'test ansible_host=192.168.122.3 ip=192.168.122.3 access_ip=192.168.122.3' "$T/out"
printf 'kind=vm name=a ip=10.0.0.1\nkind=vm name=a ip=10.0.0.2\n' > "$T/dup"
run $K inventory < "$T/dup"
expect "a name twice" 65 "" "cloudctl-k8s: <stdin>:2: vm 'a' appears twice (line 1 too): an inventory needs unique names"
run $K inventory -o ini < "$D/inventory-input.txt" --control-plane 3
expect "-o picks the format too" 0 "$(cat "$D/inventory.ini")"

# tenant: every value is checked before it reaches a manifest, for render and
# apply alike (apply checks before it reads the kubeconfig: 64, not 66).
# Each case: NAME|ARGS (words; the tenant's name first)|STDERR after "cloudctl-k8s: tenant: "
while IFS='|' read -r name args msg; do
	[ -n "$name" ] || continue
	for verb in render apply; do
		# shellcheck disable=SC2086 # ARGS are words
		run $K tenant $verb $args --kubeconfig /nonexistent
		expect "tenant $verb refuses $name" 64 "" "cloudctl-k8s: tenant: $msg"
	done
done <<'EOT'
a name of Kubernetes itself|kube-system|'kube-system' is a namespace of Kubernetes itself (default, kube-*), not one for a tenant
the default namespace|default|'default' is a namespace of Kubernetes itself (default, kube-*), not one for a tenant
a name with a dot|team.a|'team.a' is not a valid namespace name (RFC 1123: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit)
an admin that is everyone|t --admin system:anonymous|--admin 'system:anonymous': that is everyone, signed in or not, not a tenant's user or group
an edit group of everyone|t --edit group:system:unauthenticated|--edit 'group:system:unauthenticated': that is everyone, signed in or not, not a tenant's user or group
a view group of all users|t --view group:system:authenticated|--view 'group:system:authenticated': that is everyone signed in to the cluster, not a tenant's user or group
an empty group|t --admin group:|--admin 'group:': expected USER, user:USER or group:GROUP (no control characters, no space at either end)
the tenant label|t --label cloudctl.dev/tenant=other|--label 'cloudctl.dev/tenant=other': that label is set by cloudctl-k8s or by Kubernetes
the namespace-name label|t --label kubernetes.io/metadata.name=x|--label 'kubernetes.io/metadata.name=x': that label is set by cloudctl-k8s or by Kubernetes
a label value with a slash|t --label env=a/b|--label 'env=a/b': its value is not at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit
a label key with a bad prefix|t --label Bad_Prefix/env=dev|--label 'Bad_Prefix/env=dev': its key's prefix is not a DNS subdomain
a request above the limit|t --default-request cpu=2|--default-request cpu=2 is more than --default-limit cpu=500m: the API server refuses it
a default limit above the quota|t --memory 256Mi|--default-limit memory=512Mi is more than the quota --memory 256Mi: no container without limits of its own could start
a zero CPU quota|t --cpu 0|--default-limit cpu=500m is more than the quota --cpu 0: no container without limits of its own could start
a quantity with a unit nobody has|t --storage 10GB|--storage '10GB': not a Kubernetes quantity (e.g. 8, 500m, 16Gi)
EOT
run $K tenant render t --admin "$(printf 'al\tice')"
expect "tenant render: a control character in a user is refused, shown escaped" 64 "" "cloudctl-k8s: tenant: --admin 'al\\tice': expected USER, user:USER or group:GROUP (no control characters, no space at either end)"
run $K tenant render t --label pod-security.kubernetes.io/enforce=restricted --default-limit cpu=1000m,memory=1Gi --cpu 1
expect_rc "tenant render: a Pod Security label and a limit equal to the quota are fine" 0
