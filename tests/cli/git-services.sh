# git-services: the git remotes of tests/services/git-start.sh, checked with plain git, ssh and
# curl before cloudctl-deploy relies on them: clone and push over http, https (our CA) and ssh
# (ed25519 key, known_hosts), one set of repositories behind all three, 401 for anonymous and
# wrong passwords, an unknown host key and an unknown client key refused, no shell and no
# password login over ssh, a pre-receive hook that rejects, and the fixture as kustomize reads it.
# Pushes go to a fresh repository of this test's own (gitops.git stays as seeded).
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ENV=$SVC/git/env
if [ ! -s "$ENV" ]; then
	skip "git services" "not running: tests/services/git-start.sh (as root) writes $ENV"
	exit 0
fi
set -a; . "$ENV"; set +a
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig
printf '[user]\n\tname = git-services test\n\temail = test@cloudctl.invalid\n' >"$T/gitconfig"
FIX=$SRC/tests/services/git/gitops/apps/shop
R=t-git-services-$$.git
cleanup_hook() { rm -rf "${GIT_REPOS:?}/$R"; }
run "$GIT_SEED" "$GIT_REPOS/$R"
expect_rc "seed-repo.sh makes a fresh repository" 0 || exit 0
SEED=$(git --git-dir="$GIT_REPOS/$R" rev-parse main)
assert "the seed commit is the same every time" \
	test "$SEED" = "$(git --git-dir="$GIT_REPOS/gitops.git" rev-list --max-parents=0 main)"

HTTPS_AUTH=${GIT_HTTPS_BASE/https:\/\//https://$GIT_USER:$GIT_PASS@}
HTTP_AUTH=${GIT_HTTP_BASE/http:\/\//http://$GIT_USER:$GIT_PASS@}
remote_main() { git --git-dir="$GIT_REPOS/$R" rev-parse main; }

# clone_push NAME URL [ENV=VALUE...]: clone, check the fixture byte for byte, commit, push, and
# check that the remote's main is that commit.
clone_push() {
	local name=$1 url=$2 w=$T/$1; shift 2
	run env "$@" git clone -q "$url" "$w"
	expect_rc "$name: clone" 0 || return
	assert "$name: the dev overlay as seeded, byte for byte" \
		cmp -s "$w/apps/shop/overlays/dev/kustomization.yaml" "$FIX/overlays/dev/kustomization.yaml"
	echo "# $name" >>"$w/apps/shop/overlays/prod/kustomization.yaml"
	git -C "$w" commit -qam "$name"
	run env "$@" git -C "$w" push -q origin main
	expect_rc "$name: push" 0
	assert "$name: the remote's main is the pushed commit" test "$(remote_main)" = "$(git -C "$w" rev-parse HEAD)"
}

clone_push https "$HTTPS_AUTH/$R" GIT_SSL_CAINFO="$GIT_CA"
clone_push http "$HTTP_AUTH/$R"
clone_push ssh "$GIT_SSH_BASE/$R"
assert "three pushes over three transports landed on one repository" \
	test "$(git --git-dir="$GIT_REPOS/$R" rev-list --count main)" = 4
# A push as root through the local path, then one over ssh: the shared group permissions let the
# ssh user write into object directories root made, and the reverse.
git -C "$T/ssh" pull -q --rebase "$GIT_REPOS/$R" main
echo "# local" >>"$T/ssh/apps/shop/base/deployment.yaml"; git -C "$T/ssh" commit -qam local
run git -C "$T/ssh" push -q "$GIT_REPOS/$R" main:main
expect_rc "local-path push as root" 0
echo "# after local" >>"$T/ssh/apps/shop/base/deployment.yaml"; git -C "$T/ssh" commit -qam "after local"
run git -C "$T/ssh" push -q origin main
expect_rc "ssh push after a root push" 0
run git --git-dir="$GIT_REPOS/$R" fsck --strict --no-dangling
expect "git fsck on the remote" 0 ""

# --- https: the certificate and basic auth ---
HTTPS_PORT=${GIT_HTTPS_BASE#https://127.0.0.1:}; HTTPS_PORT=${HTTPS_PORT%%/*}
assert "the server certificate's SAN has DNS:localhost, IP:127.0.0.1 and DNS:127.0.0.1 (mbedTLS)" \
	bash -c "openssl s_client -connect 127.0.0.1:$HTTPS_PORT -servername localhost </dev/null 2>/dev/null |
		openssl x509 -noout -ext subjectAltName | grep -qx ' *DNS:localhost, IP Address:127.0.0.1, DNS:127.0.0.1'"
run env GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt git ls-remote "$HTTPS_AUTH/$R"
expect_rc "https without our CA: refused" 128 "server certificate verification failed|SSL certificate problem"
INFO="info/refs?service=git-upload-pack"
code() { curl -s -o /dev/null -w '%{http_code}' --cacert "$GIT_CA" "$@"; }
assert "https, anonymous: 401" test "$(code "$GIT_HTTPS_BASE/$R/$INFO")" = 401
assert "https, wrong password: 401" test "$(code -u "$GIT_USER:wrong" "$GIT_HTTPS_BASE/$R/$INFO")" = 401
assert "https, unknown user: 401" test "$(code -u "nobody:$GIT_PASS" "$GIT_HTTPS_BASE/$R/$INFO")" = 401
assert "https, right password: 200" test "$(code -u "$GIT_USER:$GIT_PASS" "$GIT_HTTPS_BASE/$R/$INFO")" = 200
assert "http, anonymous: 401" test "$(code "$GIT_HTTP_BASE/$R/$INFO")" = 401
assert "https, anonymous receive-pack: 401" \
	test "$(code "$GIT_HTTPS_BASE/$R/info/refs?service=git-receive-pack")" = 401
run env GIT_SSL_CAINFO="$GIT_CA" git ls-remote "$GIT_HTTPS_BASE/$R"
expect_rc "git, anonymous: refused" 128 "could not read Username"
run env GIT_SSL_CAINFO="$GIT_CA" git ls-remote "https://$GIT_USER:wrong@${GIT_HTTPS_BASE#https://}/$R"
expect_rc "git, wrong password: refused" 128 "Authentication failed for"

# --- ssh: host keys, client keys, no shell ---
SSH_BASE=(ssh -F /dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o GlobalKnownHostsFile=/dev/null -p "$GIT_SSH_PORT")
: >"$T/empty_known_hosts"
run env GIT_SSH_COMMAND="${SSH_BASE[*]} -i $GIT_SSH_KEY -o UserKnownHostsFile=$T/empty_known_hosts -o StrictHostKeyChecking=yes" \
	git ls-remote "$GIT_SSH_BASE/$R"
expect_rc "ssh, unknown host key (empty known_hosts, StrictHostKeyChecking=yes): refused" 128 "Host key verification failed"
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger"
run env GIT_SSH_COMMAND="${SSH_BASE[*]} -i $T/stranger -o UserKnownHostsFile=$GIT_SSH_KNOWN_HOSTS -o StrictHostKeyChecking=yes" \
	git ls-remote "$GIT_SSH_BASE/$R"
expect_rc "ssh, a key not in authorized_keys: refused" 128 "Permission denied \(publickey\)"
run "${SSH_BASE[@]}" -o UserKnownHostsFile="$GIT_SSH_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
	-o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
	"$GIT_SSH_USER@127.0.0.1" true
expect_rc "ssh, password login: not offered" 255 "Permission denied \(publickey\)"
run "${SSH_BASE[@]}" -i "$GIT_SSH_KEY" -o UserKnownHostsFile="$GIT_SSH_KNOWN_HOSTS" \
	-o StrictHostKeyChecking=yes "$GIT_SSH_USER@127.0.0.1" id
expect_rc "ssh, a command other than git's: git-shell refuses it" 128 "unrecognized command 'id'"
run env GIT_SSH_COMMAND="${SSH_BASE[*]} -i $GIT_SSH_KEY_RSA -o UserKnownHostsFile=$GIT_SSH_KNOWN_HOSTS -o StrictHostKeyChecking=yes" \
	git ls-remote "$GIT_SSH_BASE/$R"
expect_rc "ssh with the RSA key" 0
assert "known_hosts lists both host keys for [127.0.0.1]:$GIT_SSH_PORT" \
	test "$(grep -c "^\[127.0.0.1\]:$GIT_SSH_PORT,\[localhost\]:$GIT_SSH_PORT ssh-\(ed25519\|rsa\) " "$GIT_SSH_KNOWN_HOSTS")" = 2

# --- a remote that rejects every push ---
git clone -q "$GIT_SSH_BASE/rejecting.git" "$T/rej" 2>"$T/err"
REJ_MAIN=$(git --git-dir="$GIT_REPOS/rejecting.git" rev-parse main)
echo "# rejected" >>"$T/rej/apps/shop/overlays/dev/kustomization.yaml"; git -C "$T/rej" commit -qam rejected
run git -C "$T/rej" push origin main
expect_rc "rejecting.git over ssh: the hook refuses the push" 1 "pre-receive hook declined"
assert "rejecting.git: the hook's own message reaches the client" \
	grep -q "remote: cloudctl test remote: this repository rejects every push" "$T/err"
run env GIT_SSL_CAINFO="$GIT_CA" git -C "$T/rej" push "$HTTPS_AUTH/rejecting.git" main
expect_rc "rejecting.git over https: the hook refuses the push" 1 "pre-receive hook declined"
assert "rejecting.git: main has not moved" test "$(git --git-dir="$GIT_REPOS/rejecting.git" rev-parse main)" = "$REJ_MAIN"

# --- the fixture as kustomize renders it ---
if command -v kubectl >/dev/null; then
	git clone -q "$GIT_REPOS/gitops.git" "$T/fixture" 2>/dev/null
	run kubectl kustomize "$T/fixture/apps/shop/overlays/dev"
	expect_rc "kubectl kustomize: the dev overlay renders" 0
	assert "dev overlay: the frontend's image by its commit tag, the backend renamed" \
		test "$(grep -o 'image: .*' "$T/out" | sort | tr '\n' ' ')" = \
		"image: registry.local/shop/api:0123456 image: registry.local/shop/frontend:3f2a1bc0e4d5f6a7b8c9d0e1f2a3b4c5d6e7f809 "
	run kubectl kustomize "$T/fixture/apps/shop/overlays/prod"
	assert "prod overlay: a quoted 1.10 stays 1.10, the backend pinned by digest" \
		test "$(grep -o 'image: .*' "$T/out" | sort | tr '\n' ' ')" = \
		"image: registry.local/shop/api@sha256:9c1e5b0b1f0d8e2a4c6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c image: registry.local/shop/frontend:1.10 "
else
	skip "kubectl kustomize on the fixture" "kubectl is not installed"
fi

# --- start again: idempotent, same daemons ---
if [ "$(id -u)" = 0 ]; then
	pids=$(cat "$SVC/git/pids")
	run env CLOUDCTL_GIT_HTTP_PORT="$GIT_HTTP_PORT" CLOUDCTL_GIT_HTTPS_PORT="$GIT_HTTPS_PORT" \
		CLOUDCTL_GIT_SSH_PORT="$GIT_SSH_PORT" "$SRC/tests/services/git-start.sh"
	expect_rc "git-start.sh again: already running" 0 && assert "git-start.sh again: the same PIDs" \
		test "$(cat "$SVC/git/pids")" = "$pids"
	assert "git-start.sh again: says so" grep -q "^git: already running" "$T/out"
else
	skip "git-start.sh again" "needs root"
fi
