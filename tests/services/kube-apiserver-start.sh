#!/bin/bash
# kube-apiserver-start.sh: the stand-in Kubernetes API server (kube-apiserver.py, python3
# standard library only) on https://127.0.0.1:16443 (KUBE_STANDIN_PORT overrides), without
# root or systemd. A real kube-apiserver cannot run here; see the header of
# kube-apiserver.py for what the stand-in follows and what it simplifies. Idempotent.
# State in $SVC_DIR/kube-apiserver/ (made once, kept across restarts):
# - ca.crt/ca.key, server.crt/server.key (SAN IP:127.0.0.1, DNS:localhost), client
#   certificates admin.crt/admin.key (CN=cloudctl-admin, O=system:masters) and
#   viewer.crt/viewer.key (CN=viewer, read-only), made with the openssl CLI;
# - tokens.csv (kube-apiserver's --token-auth-file format: token,user,uid,"groups"):
#   an admin token (user cloudctl-admin, group system:masters) and a viewer token
#   (user viewer: get/list/watch only, 403 on writes);
# - kubeconfigs (0600), all with the context "standin":
#     kubeconfig           admin, bearer token, certificate-authority as a file path
#     kubeconfig-cert      admin, client-certificate/client-key file paths
#     kubeconfig-data      admin, client-certificate-data/client-key-data/certificate-authority-data
#     kubeconfig-viewer    viewer, bearer token
#     kubeconfig-badtoken  a token the server does not know (every request: 401)
# - env: KUBE_STANDIN_URL, KUBE_STANDIN_DIR, KUBE_STANDIN_CA, KUBE_STANDIN_KUBECONFIG,
#   KUBE_STANDIN_KUBECONFIG_CERT, KUBE_STANDIN_KUBECONFIG_DATA, KUBE_STANDIN_KUBECONFIG_VIEWER,
#   KUBE_STANDIN_KUBECONFIG_BADTOKEN (file paths only, no secrets);
# - pids, server.log. The server answers /readyz before this returns.
# The store is in memory: a restart empties it (POST /standin/reset does too, faster).
# Server-side apply bodies must be JSON (JSON is YAML; cloudctl sends JSON); the stand-in
# answers other YAML with a 400 saying so.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=kube-apiserver; D=$SVC_DIR/$N; mkdir -p "$D"; chmod 700 "$D"
PORT=${KUBE_STANDIN_PORT:-16443}
URL=https://127.0.0.1:$PORT
need_cmds "apt-get install -y --no-install-recommends python3 openssl curl" python3 openssl curl
t0=$(date +%s%N)

ready() { curl -sf -o /dev/null --max-time 2 --cacert "$D/ca.crt" "$URL/readyz"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# ours_running: the recorded pid is alive, not a zombie, and runs our script on our port
ours_running() {
	local p st
	[ -s "$D/pids" ] || return 1
	p=$(head -1 "$D/pids")
	st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] || return 1
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "kube-apiserver.py --dir $D --port $PORT "
}

# cert NAME SUBJECT EXT: a key and a certificate signed by our CA
cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$2" \
		-keyout "$D/$1.key" -out "$D/$1.csr" 2>/dev/null
	printf '%s\n' "$3" >"$D/$1.ext"
	openssl x509 -req -in "$D/$1.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial \
		-days 3650 -sha256 -extfile "$D/$1.ext" -out "$D/$1.crt" 2>/dev/null
	rm -f "$D/$1.csr" "$D/$1.ext"
}
make_pki() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
		-subj "/CN=cloudctl-standin-ca" -keyout "$D/ca.key" -out "$D/ca.crt" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	cert server "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature,keyEncipherment"
	cert admin "/O=system:masters/CN=cloudctl-admin" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature,keyEncipherment"
	cert viewer "/CN=viewer" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature,keyEncipherment"
	chmod 600 "$D"/*.key
}
# kubeconfig FILE USER-STANZA [CLUSTER-CA-LINE]
kubeconfig() {
	local ca=${3:-"certificate-authority: $D/ca.crt"}
	umask 077
	cat >"$1.new" <<X
# written by kube-apiserver-start.sh (the stand-in API server)
apiVersion: v1
kind: Config
clusters:
- name: standin
  cluster:
    server: $URL
    $ca
users:
- name: standin-user
  user:
$2
contexts:
- name: standin
  context:
    cluster: standin
    user: standin-user
    namespace: default
current-context: standin
X
	mv "$1.new" "$1"
}

for f in ca.crt ca.key server.crt server.key admin.crt admin.key viewer.crt viewer.key; do
	[ -s "$D/$f" ] || { make_pki; break; }
done
if [ ! -s "$D/tokens.csv" ]; then
	(umask 077; printf '%s,cloudctl-admin,cloudctl-admin,"system:masters"\n%s,viewer,viewer\n' \
		"$(openssl rand -hex 24)" "$(openssl rand -hex 24)" >"$D/tokens.csv")
fi
admin_token=$(sed -n 's/,cloudctl-admin,.*//p' "$D/tokens.csv")
viewer_token=$(sed -n 's/,viewer,.*//p' "$D/tokens.csv")
kubeconfig "$D/kubeconfig" "    token: $admin_token"
kubeconfig "$D/kubeconfig-cert" "    client-certificate: $D/admin.crt
    client-key: $D/admin.key"
kubeconfig "$D/kubeconfig-data" "    client-certificate-data: $(base64 -w0 "$D/admin.crt")
    client-key-data: $(base64 -w0 "$D/admin.key")" "certificate-authority-data: $(base64 -w0 "$D/ca.crt")"
kubeconfig "$D/kubeconfig-viewer" "    token: $viewer_token"
kubeconfig "$D/kubeconfig-badtoken" "    token: not-a-token-the-server-knows"

if ours_running && ready; then
	how="already running (pid $(head -1 "$D/pids"))"
else
	stop_pids $N # a half-dead earlier start: end what is left of it
	if listening "$PORT"; then
		echo "$N: 127.0.0.1:$PORT is already in use, not by a server of ours; stop it or set KUBE_STANDIN_PORT" >&2
		exit 69
	fi
	# setsid: own session, out of reach of the caller's Ctrl-C; stdio redirected so a
	# caller's pipe is not held open.
	setsid python3 "$HERE/kube-apiserver.py" --dir "$D" --port "$PORT" </dev/null >>"$D/server.log" 2>&1 &
	record $N $!
	pid=$(head -1 "$D/pids")
	for ((i = 0; i < 75; i++)); do ready && break; alive "$pid" || break; sleep 0.2; done
	if ! ready; then
		alive "$pid" && why="did not answer on $URL" || why="exited"
		echo "$N: the stand-in $why; see $D/server.log" >&2
		tail -n 5 "$D/server.log" >&2 || true
		stop_pids $N
		exit 1
	fi
	how="started, pid $(head -1 "$D/pids")"
fi

cat >"$D/env" <<X
# source with: set -a; . $D/env; set +a
KUBE_STANDIN_URL=$URL
KUBE_STANDIN_DIR=$D
KUBE_STANDIN_CA=$D/ca.crt
KUBE_STANDIN_KUBECONFIG=$D/kubeconfig
KUBE_STANDIN_KUBECONFIG_CERT=$D/kubeconfig-cert
KUBE_STANDIN_KUBECONFIG_DATA=$D/kubeconfig-data
KUBE_STANDIN_KUBECONFIG_VIEWER=$D/kubeconfig-viewer
KUBE_STANDIN_KUBECONFIG_BADTOKEN=$D/kubeconfig-badtoken
X
echo "$N: $how; $URL; env in $D/env ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
