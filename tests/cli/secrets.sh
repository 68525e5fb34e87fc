# secrets: no secret leaves cloudctl (issue 18). Commands of every tool run at -vv
# against the real services (OpenStack, the registries, git over https and ssh, the
# Kubernetes stand-in, the Pushgateway), each with a HOME, cache and temporary
# directory of its own. Searched for every secret: what each printed (stdout and
# stderr), every file it left in those directories, and the argv and environment of
# every process it started (strace -f -v of execve, in the normal build; the kubeconfig
# exec plugin and the docker credential helper below write their own too). Any hit
# is a FAIL naming the command, the secret and the file.
# The secrets are those the services were started with (secure.yaml, state/passwords
# and the service passwords of openstack-start.sh, the registry, git and token-server
# users, the Kubernetes tokens, the private keys), their Basic forms, and passwords
# this test gives (a wrong one, one in a URL). They reach the tools through files
# only (secure.yaml, docker config.json, a git credentials file, kubeconfig), so that
# an environment variable holding one in a child is the tool's doing.
# group: openstack
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -n "${CLOUDCTL_BIN:-}" ] && PATH=$CLOUDCTL_BIN:$PATH
for s in openstack registry git kube-apiserver prometheus; do
	[ -r "$SVC/$s/env" ] || { skip "secrets" "no $SVC/$s/env: the services are not running"; exit 0; }
done
# not exported: a test variable in the tools' environment would hide their own doing
. "$SVC/openstack/env"; . "$SVC/registry/env"; . "$SVC/git/env"; . "$SVC/kube-apiserver/env"; . "$SVC/prometheus/env"
unset CLOUDCTL_GIT_USERNAME CLOUDCTL_GIT_PASSWORD SSH_AUTH_SOCK CLOUDCTL_OUTPUT OS_CLOUD OS_AUTH_URL OS_PASSWORD \
	CLOUDCTL_VM_DRIVER KUBECONFIG DOCKER_CONFIG REGISTRY_AUTH_FILE
# LeakSanitizer does not work under ptrace: the ASan pass leaves the children's
# argv and environment to the plugin's and the helper's own logs
STRACE=()
[ -z "${CLOUDCTL_ASAN:-}" ] && command -v strace >/dev/null && STRACE=(strace -f -qq -v -s 65536 -e trace=execve)
P=t-sec-$$ W=$T/w C=$T/cred
mkdir -p "$W" "$C/bin" "$C/logs"
cleanup_hook() {
	OS_CLIENT_CONFIG_FILE=$OS_CLIENT_CONFIG_FILE OS_CLIENT_SECURE_FILE=$OS_CLIENT_SECURE_FILE OS_CLOUD=tenant-a \
		os_delete_servers --prefix "$P"
	rm -rf "${GIT_REPOS:?}/$P"-*.git
	curl -s -X DELETE "$PUSHGATEWAY_URL/metrics/job/$P/instance/t" >/dev/null 2>&1
}

# ---- the secrets: NAME<TAB>VALUE lines in $T/secrets ----
secret() { [ ${#2} -ge 6 ] && printf '%s\t%s\n' "$1" "$2" >>"$T/secrets"; }
basic() { printf '%s:%s' "$1" "$2" | base64 -w0; }
: >"$T/secrets"
while read -r k v; do secret "secure.yaml $k" "$v"; done < <(sed -n 's/^ *\(password\|application_credential_secret\): *//p' "$OS_CLIENT_SECURE_FILE" | nl -w1)
[ -r "$CLOUDCTL_OS_DIR/state/passwords" ] && while IFS='=' read -r k v; do secret "openstack $k" "$v"; done <"$CLOUDCTL_OS_DIR/state/passwords"
while IFS='=' read -r k v; do secret "openstack-start.sh $k" "$v"; done < <(grep -oE '^(SVC|DB|RMQ)_PASS=[^ ]+' "$SRC/tests/services/openstack-start.sh")
secret "registry password" "$REGISTRY_PASS"; secret "registry reader password" "$REGISTRY_READER_PASS"
secret "registry Basic" "$(basic "$REGISTRY_USER" "$REGISTRY_PASS")"
secret "registry reader Basic" "$(basic "$REGISTRY_READER" "$REGISTRY_READER_PASS")"
secret "registry http secret" cloudctl-test-secret-basic; secret "registry http secret" cloudctl-test-secret-token
secret "git password" "$GIT_PASS"; secret "git Basic" "$(basic "$GIT_USER" "$GIT_PASS")"
while IFS=, read -r tok user _; do secret "kube token of $user" "$tok"; done <"$KUBE_STANDIN_DIR/tokens.csv"
secret "kube bad token" not-a-token-the-server-knows
# a private key: its longest line stands for its text
for key in "$GIT_SSH_KEY" "$GIT_SSH_KEY_RSA" "$KUBE_STANDIN_DIR/admin.key"; do
	secret "private key $(basename "$key")" "$(awk 'length > length(l) { l = $0 } END { print l }' "$key")"
done
WRONG_OS=Wr0ng-os-pass-$$ WRONG_REG=Wr0ng-reg-pass-$$ PUSH_PASS=Push-pass-$$
secret "a wrong OpenStack password" "$WRONG_OS"; secret "a wrong registry password" "$WRONG_REG"
secret "a wrong registry Basic" "$(basic "$REGISTRY_USER" "$WRONG_REG")"
secret "the Pushgateway URL's password" "$PUSH_PASS"; secret "the Pushgateway Basic" "$(basic push "$PUSH_PASS")"
assert "secrets: at least 20 to look for" test "$(wc -l <"$T/secrets")" -ge 20

# ---- sx NAME CMD...: run in $W/NAME (home, cache, tmp); rc, out and err there ----
sx() {
	local name=$1 d=$W/$1; shift
	mkdir -p "$d/home" "$d/cache" "$d/tmp"
	HOME=$d/home XDG_CACHE_HOME=$d/cache TMPDIR=$d/tmp \
		"${STRACE[@]}" ${STRACE:+-o "$T/strace.$name"} "$@" >"$d/out" 2>"$d/err" <"${SX_IN:-/dev/null}"
	rc=$?
}
# sx_ok NAME WANT_RC CMD...: sx, and the exit code checked
sx_ok() {
	local name=$1 want=$2; shift 2
	sx "$name" "$@"
	[ "$rc" = "$want" ] || fail "secrets: $name" "exit $rc, want $want: $(tail -c 300 "$W/$name/err")"
}

# what: a file or directory. Every secret found there is a FAIL naming it.
scan() {
	local name=$1 what=$2 hits=0 label value f
	while IFS=$'\t' read -r label value; do
		while IFS= read -r f; do
			fail "secrets: $name" "$label in ${f#"$T"/}"; hits=$((hits + 1))
		done < <(grep -rlaF -- "$value" "$what" 2>/dev/null)
	done <"$T/secrets"
	return $((hits > 0))
}
# The execve of the first process (env, then the command) carry what the test gave
# it; those of other processes are the children it started.
children_of() { [ -s "$T/strace.$1" ] && awk 'NR == 1 { first = $1 } $1 != first' "$T/strace.$1" >"$T/children.$1"; }

check() {
	local name=$1
	scan "$name" "$W/$name" && ok "secrets: $name: nothing in its output or files"
	if [ ${#STRACE[@]} -gt 0 ] && children_of "$name"; then
		scan "$name" "$T/children.$name" && ok "secrets: $name: nothing in its children's argv and environment"
	fi
}

# ---- OpenStack: list, create, delete; an application credential; a wrong password ----
OSE=(env OS_CLIENT_CONFIG_FILE="$OS_CLIENT_CONFIG_FILE" OS_CLIENT_SECURE_FILE="$OS_CLIENT_SECURE_FILE")
sx_ok vm-create 0 "${OSE[@]}" OS_CLOUD=tenant-a cloudctl-vm -vv --driver openstack create --name "$P-1" \
	--image "$CLOUDCTL_OS_IMAGE" --flavor m1.tiny --no-network --wait -o kv
check vm-create
sx_ok vm-list 0 "${OSE[@]}" OS_CLOUD=tenant-a cloudctl-vm -vv --driver openstack list -o kv
check vm-list
assert "secrets: vm-list lists the new server" grep -q "name=$P-1 " "$W/vm-list/out"
sx_ok vm-list-appcred 0 "${OSE[@]}" OS_CLOUD=tenant-a-appcred cloudctl-vm -vv --driver openstack list -o kv
check vm-list-appcred
sx_ok net-list 0 "${OSE[@]}" OS_CLOUD=tenant-a cloudctl-net -vv network list -o kv
check net-list
sx_ok vm-delete 0 "${OSE[@]}" OS_CLOUD=tenant-a cloudctl-vm -vv --driver openstack delete "$P-1" --wait -o kv
check vm-delete
# the Keystone tokens the commands got (the cache holds them, 0600) are never printed
for c in vm-create vm-list vm-list-appcred net-list vm-delete; do
	for f in "$W/$c"/cache/cloudctl/os-token-*.json; do
		[ -f "$f" ] || continue
		tok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$f")
		assert "secrets: $c: its token cache is 0600" test "$(stat -c %a "$f")" = 600
		assert "secrets: $c: its Keystone token is not printed" bash -c "! grep -qF -- '$tok' '$W/$c/out' '$W/$c/err'"
	done
done
sed "s/password: .*/password: $WRONG_OS/" "$OS_CLIENT_SECURE_FILE" >"$C/secure-wrong.yaml"
sx_ok vm-list-wrong-password 77 env OS_CLIENT_CONFIG_FILE="$OS_CLIENT_CONFIG_FILE" OS_CLIENT_SECURE_FILE="$C/secure-wrong.yaml" \
	OS_CLOUD=tenant-a cloudctl-vm -vv --driver openstack list
check vm-list-wrong-password

# ---- cloudctl-build: push with a password, through a credential helper, a wrong one ----
mkdir -p "$T/src/app" && echo hello >"$T/src/app/msg" &&
	git -C "$T/src" init -q . && git -C "$T/src" add -A &&
	git -C "$T/src" -c user.name=t -c user.email=t@t commit -qm one
docker_config() { # DIR USER PASS: both registries, as docker login writes them
	mkdir -p "$1"; printf '{"auths": {"%s": {"auth": "%s"}, "%s": {"auth": "%s"}}}\n' \
		"$REGISTRY" "$(basic "$2" "$3")" "$REGISTRY_TOKEN" "$(basic "$2" "$3")" >"$1/config.json"
}
docker_config "$C/docker" "$REGISTRY_USER" "$REGISTRY_PASS"
sx_ok build-push 0 env DOCKER_CONFIG="$C/docker" cloudctl-build -vv "$T/src/app" --repo "$REGISTRY/cloudctl/$P" \
	--cacert "$REGISTRY_CA" -o kv
check build-push
sx_ok build-push-token 0 env DOCKER_CONFIG="$C/docker" cloudctl-build -vv "$T/src/app" \
	--repo "$REGISTRY_TOKEN/cloudctl/$P" --cacert "$REGISTRY_CA" -o kv
check build-push-token
# a credential helper that writes its argv and environment, then answers
cat >"$C/bin/docker-credential-cloudctltest" <<EOS
#!/bin/sh
{ echo "argv: \$0 \$*"; env; } >"$C/logs/credhelper.\$\$"
cat >/dev/null
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$REGISTRY" "$REGISTRY_USER" "\$(cat "$C/registry-pass")"
EOS
chmod 755 "$C/bin/docker-credential-cloudctltest"; printf '%s' "$REGISTRY_PASS" >"$C/registry-pass"
mkdir -p "$C/docker-helper" && printf '{"credHelpers": {"%s": "cloudctltest"}}\n' "$REGISTRY" >"$C/docker-helper/config.json"
sx_ok build-credhelper 0 env DOCKER_CONFIG="$C/docker-helper" PATH="$C/bin:$PATH" cloudctl-build -vv "$T/src/app" \
	--repo "$REGISTRY/cloudctl/$P" --tag helper --cacert "$REGISTRY_CA" -o kv
check build-credhelper
if ls "$C"/logs/credhelper.* >/dev/null 2>&1; then
	scan build-credhelper "$C/logs" && ok "secrets: build-credhelper: nothing in the helper's argv and environment"
else
	fail "secrets: build-credhelper" "the credential helper never ran"
fi
docker_config "$C/docker-wrong" "$REGISTRY_USER" "$WRONG_REG"
sx_ok build-wrong-password 77 env DOCKER_CONFIG="$C/docker-wrong" cloudctl-build -vv "$T/src/app" \
	--repo "$REGISTRY/cloudctl/$P" --cacert "$REGISTRY_CA"
check build-wrong-password

# ---- cloudctl-deploy: bump over https (a credentials file; a URL with user:password@) and ssh ----
DEV=apps/shop/overlays/dev
fresh() { local r=$P-$1.git; "$GIT_SEED" "$GIT_REPOS/$r" >/dev/null; echo "$r"; }
printf 'https://%s:%s@127.0.0.1:%s\n' "$GIT_USER" "$GIT_PASS" "$GIT_HTTPS_PORT" >"$C/git-credentials"
chmod 600 "$C/git-credentials"
# ASan builds: whole stacks through libgit2, so that tests/lsan.supp names its ssh
# transport's leak (as tests/cli/data/deploy/env.sh does)
GE=(env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null CLOUDCTL_GIT_AUTHOR="secrets test <t@cloudctl.invalid>"
	${CLOUDCTL_ASAN:+ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0})
RH=$(fresh https)
sx_ok deploy-https 0 "${GE[@]}" GIT_CREDENTIALS_FILE="$C/git-credentials" cloudctl-deploy -vv bump \
	--git "$GIT_HTTPS_BASE/$RH" --cacert "$GIT_CA" --path "$DEV" --image registry.local/shop/frontend:s1 -o kv
check deploy-https
RU=$(fresh url)
sx_ok deploy-url-password 0 "${GE[@]}" cloudctl-deploy -vv bump \
	--git "https://$GIT_USER:$GIT_PASS@127.0.0.1:$GIT_HTTPS_PORT/git/$RU" --cacert "$GIT_CA" --path "$DEV" \
	--image registry.local/shop/frontend:s2 -o kv
check deploy-url-password
RS=$(fresh ssh)
sx_ok deploy-ssh 0 "${GE[@]}" cloudctl-deploy -vv bump --git "$GIT_SSH_BASE/$RS" --ssh-identity "$GIT_SSH_KEY" \
	--known-hosts "$GIT_SSH_KNOWN_HOSTS" --path "$DEV" --image registry.local/shop/frontend:s3 -o kv
check deploy-ssh

# ---- cloudctl-k8s: a token kubeconfig, an exec credential plugin, a token refused ----
sx_ok k8s-get 0 cloudctl-k8s -vv get ns --kubeconfig "$KUBE_STANDIN_KUBECONFIG" -o kv
check k8s-get
sed -n 's/^ *token: *//p' "$KUBE_STANDIN_KUBECONFIG" | head -1 | tr -d '\n' >"$C/kube-token"
cat >"$C/bin/kube-cred" <<EOS
#!/bin/sh
{ echo "argv: \$0 \$*"; env; } >"$C/logs/kube-cred.\$\$"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "\$(cat "$C/kube-token")"
EOS
chmod 755 "$C/bin/kube-cred"
sed "s|^    token: .*|    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: $C/bin/kube-cred\n      args: [--cluster, standin]\n      interactiveMode: Never|" \
	"$KUBE_STANDIN_KUBECONFIG" >"$C/kubeconfig-exec"
sx_ok k8s-exec 0 cloudctl-k8s -vv get ns --kubeconfig "$C/kubeconfig-exec" -o kv
check k8s-exec
if ls "$C"/logs/kube-cred.* >/dev/null 2>&1; then
	scan k8s-exec "$C/logs" && ok "secrets: k8s-exec: nothing in the plugin's argv and environment"
else
	fail "secrets: k8s-exec" "the exec credential plugin never ran"
fi
sx_ok k8s-bad-token 77 cloudctl-k8s -vv get ns --kubeconfig "$KUBE_STANDIN_KUBECONFIG_BADTOKEN"
check k8s-bad-token

# ---- cloudctl-report: --write, and a push with a password in the Pushgateway's URL ----
mkdir -p "$W/report-push"
SX_IN=$SRC/tests/cli/data/report-input.txt sx_ok report-push 0 cloudctl-report -vv -o prom \
	--write "$W/report-push/metrics.prom" --push "http://push:$PUSH_PASS@${PUSHGATEWAY_URL#http://}" --job "$P" --instance t
check report-push
assert "secrets: report-push: --write wrote the metrics" grep -q '^cloudctl_' "$W/report-push/metrics.prom"
assert "secrets: report-push: the Pushgateway got the metrics" bash -c \
	"curl -sf '$PUSHGATEWAY_URL/metrics' | grep -q 'job=\"$P\"'"
