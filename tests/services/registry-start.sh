#!/bin/bash
# registry-start.sh: real OCI registries for the tests of cloudctl-build, on loopback, TLS with a
# CA made here. Idempotent: what runs is kept, what is missing or dead is (re)started.
#   basic  Debian's docker-registry (distribution 2.8) on https://127.0.0.1:5443, htpasswd auth
#          (bcrypt entries): testuser/testpass and reader/readerpass (htpasswd has no
#          per-repository rights: both may push).
#   token  a second docker-registry on https://127.0.0.1:5444 with `auth: token`: it sends
#          clients to the token server and itself verifies the tokens' signatures (rootcertbundle).
#   tokens registry-token-server.js (node) on https://127.0.0.1:5445/token, signing RS256 JWTs
#          with x5c; users from $D/token-users.json: testuser may pull and push cloudctl/* and
#          pull everything; reader may only pull; anonymous may pull public/*.
# Ports: REGISTRY_PORT, REGISTRY_TOKEN_PORT, REGISTRY_AUTH_PORT. State in $SVC_DIR/registry/:
# tls/ (ca.crt, server.*), signer.{crt,key}, config-{basic,token}.yml, data-{basic,token}/,
# htpasswd, token-users.json, docker-{testuser,reader}/config.json, certs/ca.crt (skopeo's
# --cert-dir), *.log, pids, and env (sourced by tests; every name is listed at its end).
# Fault hooks: $REGISTRY_PIDFILE / $REGISTRY_TOKEN_PIDFILE / $REGISTRY_AUTH_PIDFILE hold the PID of
# each daemon: a test may kill one (kill -9 "$(cat "$REGISTRY_PIDFILE")") and run this script again
# to bring it back with the same data.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=registry; D=$SVC_DIR/$N; mkdir -p "$D"
PORT=${REGISTRY_PORT:-5443}; TPORT=${REGISTRY_TOKEN_PORT:-5444}; APORT=${REGISTRY_AUTH_PORT:-5445}
U=testuser P=testpass RU=reader RP=readerpass
SERVICE=cloudctl-test-registry ISSUER=cloudctl-test-token-server
need_cmds "apt-get install -y docker-registry apache2-utils nodejs openssl" docker-registry htpasswd node openssl

# The token signer: a self-signed certificate that is also the registry's rootcertbundle.
make_signer() {
	[ -s "$D/signer.crt" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=cloudctl test token signer" \
		-keyout "$D/signer.key" -out "$D/signer.crt" 2>/dev/null
}

# registry_config NAME PORT AUTH-LINES: a distribution configuration. The http secret is fixed so
# that upload sessions (their _state is signed with it) survive a restart.
registry_config() {
	cat >"$D/config-$1.yml" <<-EOF
	version: 0.1
	log: {level: info, fields: {service: registry-$1}}
	storage:
	  filesystem: {rootdirectory: $D/data-$1}
	  delete: {enabled: true}
	  cache: {blobdescriptor: inmemory}
	http:
	  addr: 127.0.0.1:$2
	  secret: cloudctl-test-secret-$1
	  tls: {certificate: $D/tls/server.crt, key: $D/tls/server.key}
	$3
	EOF
}

docker_config() { # USER PASS: a docker config.json with that user for both registries
	local dir=$D/docker-$1 auth; mkdir -p "$dir"; auth=$(printf '%s:%s' "$1" "$2" | base64 -w0)
	printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}, "127.0.0.1:%s": {"auth": "%s"}}}\n' \
		"$PORT" "$auth" "$TPORT" "$auth" >"$dir/config.json"
	chmod 600 "$dir/config.json"
}

write_files() {
	make_ca "$D/tls"; make_signer
	mkdir -p "$D/certs" "$D/data-basic" "$D/data-token"; cp "$D/tls/ca.crt" "$D/certs/ca.crt"
	[ -s "$D/htpasswd" ] || { htpasswd -Bbn "$U" "$P"; htpasswd -Bbn "$RU" "$RP"; } >"$D/htpasswd"
	registry_config basic "$PORT" "auth: {htpasswd: {realm: cloudctl-test-registry, path: $D/htpasswd}}"
	registry_config token "$TPORT" "auth: {token: {realm: \"https://127.0.0.1:$APORT/token\", service: $SERVICE, issuer: $ISSUER, rootcertbundle: $D/signer.crt}}"
	cat >"$D/token-users.json" <<-EOF
	{"listen": "127.0.0.1:$APORT", "tls": {"cert": "$D/tls/server.crt", "key": "$D/tls/server.key"},
	 "issuer": "$ISSUER", "service": "$SERVICE", "ttl": 300,
	 "signer": {"cert": "$D/signer.crt", "key": "$D/signer.key"},
	 "users": {
	  "$U": {"password": "$P", "grants": [{"repo": "cloudctl/*", "actions": ["pull", "push"]}, {"repo": "*", "actions": ["pull"]}]},
	  "$RU": {"password": "$RP", "grants": [{"repo": "*", "actions": ["pull"]}]}},
	 "anonymous": [{"repo": "public/*", "actions": ["pull"]}]}
	EOF
	chmod 600 "$D/token-users.json"
	docker_config "$U" "$P"; docker_config "$RU" "$RP"
}

# start NAME COMM PORT CMD...: start a daemon unless ours runs; its PID goes to $D/NAME.pid and pids
start() {
	local name=$1 comm=$2 port=$3; shift 3
	ours "$D/$name.pid" "$comm" && return 0
	if listening "$port"; then
		echo "$N: 127.0.0.1:$port is taken by a process this script did not start" >&2; exit 69
	fi
	setsid "$@" >>"$D/$name.log" 2>&1 </dev/null &
	echo $! >"$D/$name.pid"; record $N $!
	wait_port 127.0.0.1 "$port" 20 || { echo "$N: $name did not start; see $D/$name.log" >&2; tail -5 "$D/$name.log" >&2; exit 1; }
	started+=" $name"
}

# Keep only live PIDs in the pids file: a PID of ours that died may be reused by anyone.
prune_pids() {
	local p keep=()
	for p in basic token auth; do ours "$D/$p.pid" "$(comm_of $p)" && keep+=("$(cat "$D/$p.pid")"); done
	if [ ${#keep[@]} = 0 ]; then rm -f "$D/pids"; else printf '%s\n' "${keep[@]}" >"$D/pids"; fi
}
comm_of() { case $1 in auth) echo node ;; *) echo docker-registry ;; esac; }

t0=$(date +%s%N); started=
write_files
prune_pids
start basic docker-registry "$PORT" docker-registry serve "$D/config-basic.yml"
start token docker-registry "$TPORT" docker-registry serve "$D/config-token.yml"
start auth node "$APORT" node "$HERE/registry-token-server.js" --config "$D/token-users.json"

cat >"$D/env" <<EOF
REGISTRY=127.0.0.1:$PORT
REGISTRY_URL=https://127.0.0.1:$PORT
REGISTRY_USER=$U
REGISTRY_PASS=$P
REGISTRY_READER=$RU
REGISTRY_READER_PASS=$RP
REGISTRY_CA=$D/tls/ca.crt
REGISTRY_CERT_DIR=$D/certs
REGISTRY_DOCKER_CONFIG=$D/docker-$U
REGISTRY_READER_DOCKER_CONFIG=$D/docker-$RU
REGISTRY_PIDFILE=$D/basic.pid
REGISTRY_LOG=$D/basic.log
REGISTRY_TOKEN=127.0.0.1:$TPORT
REGISTRY_TOKEN_URL=https://127.0.0.1:$TPORT
REGISTRY_TOKEN_PIDFILE=$D/token.pid
REGISTRY_TOKEN_REALM=https://127.0.0.1:$APORT/token
REGISTRY_TOKEN_SERVICE=$SERVICE
REGISTRY_AUTH_PIDFILE=$D/auth.pid
REGISTRY_AUTH_LOG=$D/auth.log
EOF
ms=$((($(date +%s%N) - t0) / 1000000))
if [ -n "$started" ]; then
	echo "$N: started${started} in ${ms} ms: https://127.0.0.1:$PORT (basic), :$TPORT (token), :$APORT/token; env in $D/env"
else
	echo "$N: already running (basic :$PORT, token :$TPORT, tokens :$APORT); env in $D/env"
fi
