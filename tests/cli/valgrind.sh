# valgrind: the common paths of every tool leak nothing and touch no bad memory
# (memcheck, definite leaks are errors). Uses the normal build, not the ASan one.
. "$(dirname "$0")/lib.sh"
BIN=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-vm
if ! command -v valgrind >/dev/null; then skip "valgrind" "valgrind not installed (apt-get install valgrind)"; exit 0; fi
if [ ! -x "$BIN" ]; then skip "valgrind" "no normal build at $BIN"; exit 0; fi
if [ -n "${CLOUDCTL_ASAN:-}" ]; then # the same binaries, the same checks: once is enough
	skip "valgrind" "it runs the normal build's binaries, checked in the normal run already"; exit 0
fi
# vgx (lib.sh): memcheck errors and definite leaks fail, and so does another exit code
vgx "list (test driver)" 0 "$BIN" -C test:///default list -o table
vgx "show (test driver)" 0 "$BIN" -C test:///default show test
printf 'kind=vm name=test\nkind=vm name="bad\n' > "$T/in"
VG_IN=$T/in vgx "malformed input" 65 "$BIN" -C test:///default show -
vgx "usage error" 64 "$BIN" list --bogus
vgx "reboot (test driver)" 0 "$BIN" -C test:///default reboot test
vgx "create: a missing --kernel" 66 "$BIN" -C test:///default create --name vg --kernel /nonexistent/vmlinuz
printf 'kind=vm name=test driver=openstack cloud=x\n' > "$T/in-os"
VG_IN=$T/in-os vgx "a record of another driver" 65 "$BIN" -C test:///default show -
if have_libvirtd; then
	export LIBVIRT_DEFAULT_URI=qemu:///system
	vgx "create with disk and seed" 0 "$BIN" create --name ctv-1 --no-start --no-network --disk 16M --user-data /etc/hostname --tag suite=valgrind
	vgx "list --stats" 0 "$BIN" list --stats -o json
	vgx "stats" 0 "$BIN" stats ctv-1
	vgx "delete" 0 "$BIN" delete ctv-1
else skip "valgrind on libvirtd" "no libvirtd answers on qemu:///system"; fi
RB=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-report
IN=${CLOUDCTL_SRC:-.}/tests/cli/data/report-input.txt
for f in table md csv json html prom; do vgx "report -o $f" 0 "$RB" -q -o $f "$IN"; done
KB=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-k8s
vgx "k8s tenant render team-a --admin alice --allow-from-namespace x" 0 "$KB" tenant render team-a --admin alice --allow-from-namespace x
vgx "k8s tenant render team-a -o json" 0 "$KB" tenant render team-a -o json
vgx "k8s tenant render Bad_Name" 64 "$KB" tenant render Bad_Name
for f in kubespray ini json; do
	VG_IN=${CLOUDCTL_SRC:-.}/tests/cli/data/inventory-input.txt vgx "k8s inventory --format $f" 0 "$KB" inventory --format $f
done
KENV=$SVC/kube-apiserver/env
if [ -f "$KENV" ]; then
	. "$KENV"
	export KUBECONFIG=$KUBE_STANDIN_KUBECONFIG
	for args in "tenant apply vg-tenant --admin alice" "tenant list" "get deploy -A" "apply -n vg-tenant -f ${CLOUDCTL_SRC:-.}/tests/cli/data/k8s/web.yaml" \
		"wait -n vg-tenant --for condition=Available deployment/web" "rollout status -n vg-tenant deployment/web" \
		"tenant delete vg-tenant --wait"; do
		# shellcheck disable=SC2086 # the arguments, split on purpose
		vgx "k8s $args" 0 "$KB" $args
	done
	unset KUBECONFIG
else skip "valgrind: k8s API verbs" "the stand-in API server is not running ($KENV missing)"; fi
# cloudctl-build: a layer into an OCI layout, then read back (resolve, tags); a refused input
BB=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-build
mkdir -p "$T/app" && printf 'x\n' > "$T/app/a" && ln -s a "$T/app/l"
git -C "$T/app" init -q && git -C "$T/app" add -A &&
	git -C "$T/app" -c user.name=t -c user.email=t@t commit -qm t
vgx "build app --repo oci:... --cmd true" 0 "$BB" "$T/app" --repo "oci:$T/img" --cmd true
vgx "build resolve" 0 "$BB" resolve "oci:$T/img:$(git -C "$T/app" rev-parse HEAD)"
vgx "build tags" 0 "$BB" tags "oci:$T/img"
vgx "build of a missing directory" 66 "$BB" "$T/nonexistent" --repo "oci:$T/img" --tag x
REGENV=$SVC/registry/env
if [ -f "$REGENV" ]; then
	. "$REGENV"
	for reg in "$REGISTRY" "$REGISTRY_TOKEN"; do
		DOCKER_CONFIG=$REGISTRY_DOCKER_CONFIG vgx "build push to $reg" 0 "$BB" "$T/app" \
			--repo "$reg/cloudctl/valgrind:t" --cacert "$REGISTRY_CA" --cmd true
	done
else skip "valgrind: build push" "no registry ($REGENV missing)"; fi
# cloudctl-deploy, cloudctl-net (OpenStack: valgrind-openstack.sh)
B=${CLOUDCTL_SRC:-.}/build/bin
GENV=$SVC/git/env
if [ -f "$GENV" ]; then
	( set -a; . "$GENV"; set +a
	R=$GIT_REPOS/t-valgrind-$$.git; "$GIT_SEED" "$R" >/dev/null
	export HOME=$T XDG_CACHE_HOME=$T/cache CLOUDCTL_GIT_AUTHOR="vg <vg@cloudctl.invalid>"
	vgx "deploy bump (local)" 0 "$B/cloudctl-deploy" bump --git "$R" --path apps/shop/overlays/dev --image registry.local/shop/frontend:vg1
	vgx "deploy history" 0 "$B/cloudctl-deploy" history --git "$R" --path apps/shop/overlays/dev
	vgx "deploy bump: no such path" 66 "$B/cloudctl-deploy" bump --git "$R" --path nowhere --image registry.local/shop/frontend:vg2
	# over https: libgit2's TLS on our TCP stream (lib/git/stream.c), and its error path
	export CLOUDCTL_GIT_USERNAME=$GIT_USER CLOUDCTL_GIT_PASSWORD=$GIT_PASS
	vgx "deploy bump (https)" 0 "$B/cloudctl-deploy" bump --git "$GIT_HTTPS_BASE/${R##*/}" --cacert "$GIT_CA" \
		--path apps/shop/overlays/dev --image registry.local/shop/frontend:vg3
	# the cache made stale by a bump straight into the repository: the push refused,
	# the fetch in two requests (lib/git/remote_fetch_http.c), the push again
	"$B/cloudctl-deploy" bump --git "$R" --path apps/shop/overlays/dev --image registry.local/shop/api:vg5 >/dev/null
	vgx "deploy bump (https, stale cache)" 0 "$B/cloudctl-deploy" bump --git "$GIT_HTTPS_BASE/${R##*/}" --cacert "$GIT_CA" \
		--path apps/shop/overlays/dev --image registry.local/shop/frontend:vg6
	vgx "deploy bump (https, nothing listening)" 69 "$B/cloudctl-deploy" bump --git https://127.0.0.1:1/x.git \
		--cacert "$GIT_CA" --path apps/shop/overlays/dev --image registry.local/shop/frontend:vg4
	rm -rf "$R" )
else skip "valgrind: deploy" "no git services ($GENV missing)"; fi
vgx "net --driver libvirt network list (test driver)" 0 "$B/cloudctl-net" --driver libvirt -C test:///default network list
vgx "net --driver libvirt network create (test driver)" 0 "$B/cloudctl-net" --driver libvirt -C test:///default network create vg --cidr 192.168.177.0/24
