# verbose: -v says what is being done, in every tool and verb (issue 15): a table of
# (tool, verb, arguments, a line -v must write on stderr; * stands for what varies, a
# commit id). Each row runs the command as a user would, here on local fixtures (a
# records file, an app repository, an OCI layout, a GitOps repository) and the
# stand-in API server for cloudctl-k8s; the same command without -v says nothing.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/k8s/standin-env.sh" verbose
NS=verbose-$$
cleanup_hook() { api DELETE "/api/v1/namespaces/$NS" > /dev/null 2>&1; }
W=$T/fixtures # not $T itself: its out and err are the commands'
mkdir "$W" && cd "$W" || exit 1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export CLOUDCTL_GIT_AUTHOR="t <t@example.com>" XDG_CACHE_HOME=$T/cache

# ---- fixtures ----
printf 'kind=vm name=a state=running host=h1 vcpus=2 mem_mib=1024 ip=10.0.0.1\nkind=vm name=b state=shut host=h1 vcpus=1 mem_mib=512 ip=10.0.0.2\n' > vms.rec
mkdir app && echo hello > app/index.html
git -C app init -q && git -C app add . && git -C app commit -qm app
SHA=$(git -C app rev-parse HEAD)
cloudctl-build ./app --repo oci:out > /dev/null || fail "fixture: build oci:out" "exit $?"
git init -q --bare -b main gitops.git
git clone -q gitops.git work 2> /dev/null
for d in shop prod; do
	mkdir -p "work/apps/$d"
	printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deploy.yaml\nimages:\n- name: registry.local/shop/frontend\n  newTag: old\n' > "work/apps/$d/kustomization.yaml"
	printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: registry.local/shop/frontend:old\n' > "work/apps/$d/deploy.yaml"
done
git -C work add . && git -C work commit -qm gitops && git -C work push -q origin HEAD:main
TIP0=$(git -C gitops.git rev-parse main)
G="--git $W/gitops.git"
F=registry.local/shop/frontend

# Each row: TOOL|ARGS (words, after -v)|LINE (a glob)|STDIN (a file, or empty: /dev/null)
while IFS='|' read -r tool args line input; do
	[ -n "$tool" ] || continue
	# shellcheck disable=SC2086 # ARGS are words
	cloudctl-$tool -v $args < "${input:-/dev/null}" > "$T/out" 2> "$T/err"
	rc=$?
	cp "$T/err" "$T/err-$tool-$(printf %s "${args%% *}" | tr -c 'a-z0-9' _)"
	found=0
	while IFS= read -r l; do
		# shellcheck disable=SC2053 # LINE is a glob
		[[ $l == $line ]] && found=1
	done < "$T/err"
	if [ $found = 1 ]; then ok "$tool $args: -v says [$line]"
	else fail "$tool $args: -v says [$line]" "exit $rc; stderr: $(cat "$T/err")"; fi
done <<EOT
report|-o csv vms.rec|cloudctl-report: read 2 records from vms.rec|
report|-o prom --write x.prom vms.rec|cloudctl-report: 2 instances, 0 records skipped; writing prom to x.prom|
report|-o prom --write x.prom vms.rec|cloudctl-report: wrote x.prom|
report|diff vms.rec vms.rec|cloudctl-report: 0 changes|
build|./app --repo oci:out2|cloudctl-build: ./app: commit $SHA|
build|./app --repo oci:out2|cloudctl-build: writing the manifest sha256:* as 1 tag of oci:out2|
build|resolve oci:out:$SHA|cloudctl-build: resolving oci:out:$SHA (for linux/amd64 when it is an index)|
build|tags oci:out|cloudctl-build: listing the tags of oci:out|
deploy|diff $G --path apps/shop --image $F:v1|cloudctl-deploy: $W/gitops.git: working out the diff on main at $TIP0|
deploy|bump $G --path apps/shop --image $F:v1|cloudctl-deploy: $W/gitops.git: working out the bump on main at $TIP0|
deploy|bump $G --path apps/shop --image $F:v2|cloudctl-deploy: apps/shop: committed * on [0-9a-f]* (attempt 1): pushing to $W/gitops.git|
deploy|history $G --path apps/shop|cloudctl-deploy: $W/gitops.git: 2 deploys of apps/shop on branch main|
deploy|rollback $G --path apps/shop --image $F|cloudctl-deploy: $W/gitops.git: working out the rollback on main at *|
deploy|promote $G --from apps/shop --to apps/prod|cloudctl-deploy: apps/prod: committed * on * (attempt 1): pushing to $W/gitops.git|
k8s|tenant render $NS|cloudctl-k8s: tenant render: 6 objects of tenant $NS, as YAML documents|
k8s|inventory|cloudctl-k8s: inventory: read 2 records from <stdin>|vms.rec
k8s|inventory --format ini|cloudctl-k8s: inventory: 2 hosts: 1 control-plane, 1 node, 1 etcd; writing ini|vms.rec
k8s|tenant apply $NS --admin bob|cloudctl-k8s: connecting to $KUBE_STANDIN_URL (context standin, user standin-user)|
k8s|tenant apply $NS --admin bob|cloudctl-k8s: tenant apply: applying RoleBinding/$NS-admin (4 of 7)|
k8s|tenant apply $NS|cloudctl-k8s: tenant apply: deleting RoleBinding/$NS-admin: no longer asked for|
k8s|tenant list|cloudctl-k8s: tenant list: listing the namespaces and quotas labelled cloudctl.dev/tenant|
k8s|apply -n $NS -f $SRC/tests/cli/data/k8s/web.yaml|cloudctl-k8s: apply: 2 objects from $SRC/tests/cli/data/k8s/web.yaml, checked|
k8s|apply -n $NS -f $SRC/tests/cli/data/k8s/web.yaml|cloudctl-k8s: $SRC/tests/cli/data/k8s/web.yaml: applying Deployment/web (2 of 2)|
k8s|get configmaps -n $NS|cloudctl-k8s: get: listing configmaps in namespace $NS|
k8s|get cm -n $NS web-config|cloudctl-k8s: get: reading configmap/web-config in namespace $NS|
k8s|wait -n $NS --for delete configmap/never --timeout 10s|cloudctl-k8s: configmap/never: waiting for its deletion in namespace $NS (at most 10 s)|
k8s|rollout status -n $NS deployment/web --timeout 20s|cloudctl-k8s: deployment/web: waiting for its rollout in namespace $NS (at most 20 s)|
k8s|tenant delete $NS --wait --timeout 20s|cloudctl-k8s: tenant delete: deleting namespace $NS and everything in it|
EOT
TIP=$(git -C gitops.git rev-parse main)
assert "the -v line of a commit names its parent, not the commit twice" \
	grep -qx "cloudctl-deploy: apps/prod: committed $TIP on $(git -C gitops.git rev-parse main~1) (attempt 1): pushing to $W/gitops.git" \
	"$T/err-deploy-promote"

# without -v: nothing on stderr
while IFS='|' read -r tool args; do
	# shellcheck disable=SC2086 # ARGS are words
	cloudctl-$tool $args < vms.rec > /dev/null 2> "$T/err"
	assert "$tool $args: without -v, nothing on stderr" test ! -s "$T/err"
done <<EOT
report|-o csv vms.rec
build|tags oci:out
deploy|history $G --path apps/shop
k8s|inventory
k8s|tenant render $NS
EOT
