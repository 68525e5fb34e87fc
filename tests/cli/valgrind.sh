# valgrind: the common paths of every tool leak nothing and touch no bad memory
# (memcheck, definite leaks are errors). Uses the normal build, not the ASan one.
. "$(dirname "$0")/lib.sh"
BIN=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-vm
if ! command -v valgrind >/dev/null; then skip "valgrind" "valgrind not installed (apt-get install valgrind)"; exit 0; fi
if [ ! -x "$BIN" ]; then skip "valgrind" "no normal build at $BIN"; exit 0; fi
if [ -n "${CLOUDCTL_ASAN:-}" ]; then # the same binaries, the same checks: once is enough
	skip "valgrind" "it runs the normal build's binaries, checked in the normal run already"; exit 0
fi
vg() { # NAME CMD...
	local name=$1; shift
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 "$BIN" "$@" >"$T/out" 2>"$T/err" < "${VG_IN:-/dev/null}"
	local r=$?
	if [ $r = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: $name" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"
	else ok "valgrind: $name"; fi
}
vg "list (test driver)" -C test:///default list -o table
vg "show (test driver)" -C test:///default show test
printf 'kind=vm name=test\nkind=vm name="bad\n' > "$T/in"; VG_IN=$T/in vg "malformed input" -C test:///default show -
vg "usage error" list --bogus
if have_libvirtd; then
	export LIBVIRT_DEFAULT_URI=qemu:///system
	vg "create with disk and seed" create --name ctv-1 --no-start --no-network --disk 16M --user-data /etc/hostname --tag suite=valgrind
	vg "list --stats" list --stats -o json
	vg "stats" stats ctv-1
	vg "delete" delete ctv-1
else skip "valgrind on libvirtd" "no libvirtd answers on qemu:///system"; fi
RB=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-report
IN=${CLOUDCTL_SRC:-.}/tests/cli/data/report-input.txt
for f in table md csv json html prom; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 "$RB" -q -o $f "$IN" >/dev/null 2>"$T/err"
	r=$?
	if [ $r = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: report -o $f" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"; else ok "valgrind: report -o $f"; fi
done
KB=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-k8s
for args in "tenant render team-a --admin alice --allow-from-namespace x" "tenant render team-a -o json" "tenant render Bad_Name"; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 $KB $args >/dev/null 2>"$T/err"
	if [ $? = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: k8s $args" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"; else ok "valgrind: k8s $args"; fi
done
for f in kubespray ini json; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 $KB inventory -f $f \
		< "${CLOUDCTL_SRC:-.}/tests/cli/data/inventory-input.txt" >/dev/null 2>"$T/err"
	if [ $? = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: k8s inventory -f $f" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"; else ok "valgrind: k8s inventory -f $f"; fi
done
KENV=$SVC/kube-apiserver/env
if [ -f "$KENV" ]; then
	. "$KENV"
	export KUBECONFIG=$KUBE_STANDIN_KUBECONFIG
	for args in "tenant apply vg-tenant --admin alice" "tenant list" "get deploy -A" "apply -n vg-tenant -f ${CLOUDCTL_SRC:-.}/tests/cli/data/k8s/web.yaml" \
		"wait -n vg-tenant --for condition=Available deployment/web" "rollout status -n vg-tenant deployment/web" \
		"tenant delete vg-tenant --wait"; do
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 $KB $args >/dev/null 2>"$T/err"
		r=$?
		if [ $r = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: k8s $args" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"
		elif [ $r != 0 ]; then fail "valgrind: k8s $args" "exit $r: $(head -c 300 "$T/err")"
		else ok "valgrind: k8s $args"; fi
	done
	unset KUBECONFIG
else skip "valgrind: k8s API verbs" "the stand-in API server is not running ($KENV missing)"; fi
# cloudctl-build: a layer into an OCI layout, then read back (resolve, tags); a refused input
BB=${CLOUDCTL_SRC:-.}/build/bin/cloudctl-build
mkdir -p "$T/app" && printf 'x\n' > "$T/app/a" && ln -s a "$T/app/l"
git -C "$T/app" init -q && git -C "$T/app" add -A &&
	git -C "$T/app" -c user.name=t -c user.email=t@t commit -qm t
for args in "$T/app --repo oci:$T/img --cmd true" "resolve oci:$T/img:$(git -C "$T/app" rev-parse HEAD)" "tags oci:$T/img" \
	"$T/nonexistent --repo oci:$T/img --tag x"; do
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		--suppressions=${CLOUDCTL_SRC:-.}/tests/valgrind.supp $BB $args >/dev/null 2>"$T/err"
	if [ $? = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: build $args" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"; else ok "valgrind: build ${args#$T/}"; fi
done
REGENV=$SVC/registry/env
if [ -f "$REGENV" ]; then
	. "$REGENV"
	for reg in "$REGISTRY" "$REGISTRY_TOKEN"; do
		DOCKER_CONFIG=$REGISTRY_DOCKER_CONFIG valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
			--error-exitcode=99 --suppressions=${CLOUDCTL_SRC:-.}/tests/valgrind.supp $BB "$T/app" \
			--repo "$reg/cloudctl/valgrind:t" --cacert "$REGISTRY_CA" --cmd true >/dev/null 2>"$T/err"
		r=$?
		if [ $r = 99 ] || grep -q '==[0-9]*==' "$T/err"; then fail "valgrind: build push to $reg" "$(grep -m5 '==' "$T/err" | tr '\n' ' ')"
		elif [ $r != 0 ]; then fail "valgrind: build push to $reg" "exit $r: $(head -c 300 "$T/err")"
		else ok "valgrind: build push to $reg"; fi
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
	vgx "deploy bump (https, nothing listening)" 69 "$B/cloudctl-deploy" bump --git https://127.0.0.1:1/x.git \
		--cacert "$GIT_CA" --path apps/shop/overlays/dev --image registry.local/shop/frontend:vg4
	rm -rf "$R" )
else skip "valgrind: deploy" "no git services ($GENV missing)"; fi
vgx "net --driver libvirt network list (test driver)" 0 "$B/cloudctl-net" --driver libvirt -C test:///default network list
vgx "net --driver libvirt network create (test driver)" 0 "$B/cloudctl-net" --driver libvirt -C test:///default network create vg --cidr 192.168.177.0/24
