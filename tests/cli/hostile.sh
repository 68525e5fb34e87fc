# hostile: the limits of the one HTTP layer (lib/http.c; cloudctl(7), LIMITS) against a
# server that misbehaves on purpose (tests/services/hostile-server.py, started here on
# free ports): bodies too large or without end, headers by the hundred, JSON nested
# too deep, list pages that never end, links and redirects to another host (which must
# get no credentials), a byte every 2 seconds, and TLS certificates that do not verify.
# Each is refused with one line and its exit code, quickly; the other listener's log
# says what reached it; a 1 GiB streamed blob keeps the tool's memory small.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -n "${CLOUDCTL_BIN:-}" ] && PATH=$CLOUDCTL_BIN:$PATH
command -v python3 > /dev/null || { skip "hostile" "python3 not installed"; exit 0; }
python3 -c "import cryptography" 2> /dev/null || { skip "hostile" "python3-cryptography not installed"; exit 0; }
PIDS=()
cleanup_hook() { local p; for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done; }
unset CLOUDCTL_HTTP_TIMEOUT CLOUDCTL_HTTP_CONNECT_TIMEOUT CLOUDCTL_HTTP_MAX_BODY CLOUDCTL_HTTP_MAX_PAGES
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# start NAME [ARGS...]: a hostile server; its port in $T/NAME.port, its log $T/NAME.log
start() {
	local name=$1; shift
	python3 "$SRC/tests/services/hostile-server.py" --port-file "$T/$name.port" --log "$T/$name.log" "$@" \
		2> "$T/$name.err" &
	PIDS+=($!)
	for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
	[ -s "$T/$name.port" ] || { fail "hostile: $name starts" "$(cat "$T/$name.err")"; exit 0; }
}
port() { cat "$T/$1.port"; }
lines() { wc -l < "$T/err" | tr -d ' '; }
# timed CMD...: run CMD; $took is how many seconds it took
timed() {
	local t0; t0=$(date +%s)
	run "$@"
	took=$(($(date +%s) - t0))
}

echo 'kind=vm id=1 name=a state=running host=h vcpus=1 mem_mib=512' > "$T/in"
start b
start a --other "http://127.0.0.1:$(port b)"
A=http://127.0.0.1:$(port a)
push() { run cloudctl-report -o prom --job j --instance i --push "$@" "$T/in"; }

# --- bodies ---
push "$A/ok"
expect "a well-behaved answer: pushed" 0 ""
push "$A/big-declared/70000000"
expect_rc "a body declared past 64 MiB: refused before it is read, 69" 69 \
	"^cloudctl-report: --push: $A/big-declared/70000000/metrics/job/j/instance/i: the answer's declared length is larger than 64 MiB \(CLOUDCTL_HTTP_MAX_BODY\)$" &&
	assert "one line" test "$(lines)" = 1
push "$A/big-chunked/70000000"
expect_rc "a body past 64 MiB, no length declared: cut, 69" 69 ": the answer is larger than 64 MiB \(CLOUDCTL_HTTP_MAX_BODY\)$" &&
	assert "one line" test "$(lines)" = 1
timed env CLOUDCTL_HTTP_MAX_BODY=1M cloudctl-report -o prom --job j --instance i --push "$A/endless" "$T/in"
expect_rc "a body without end: cut at CLOUDCTL_HTTP_MAX_BODY, 69" 69 ": the answer is larger than 1 MiB \(CLOUDCTL_HTTP_MAX_BODY\)$" &&
	assert "a body without end: cut within 10 s (took $took s)" test "$took" -lt 10
run env CLOUDCTL_HTTP_MAX_BODY=lots cloudctl-report -o prom --job j --instance i --push "$A/ok" "$T/in"
expect_rc "CLOUDCTL_HTTP_MAX_BODY that is not a size: 78" 78 "^cloudctl-report: CLOUDCTL_HTTP_MAX_BODY 'lots': not a size such as 64M or 1G$"

# --- headers ---
push "$A/many-headers/490"
expect "490 headers: taken" 0 ""
push "$A/many-headers/600"
expect_rc "600 headers: refused, 69" 69 ": the answer has more than 500 headers$" && assert "one line" test "$(lines)" = 1
push "$A/fat-headers/300/1024"
expect_rc "300 KiB of headers: refused, 69" 69 ": the answer's headers are larger than 256 KiB$"

# --- slow-loris: a byte every 2 s ---
timed env CLOUDCTL_HTTP_TIMEOUT=3s cloudctl-report -o prom --job j --instance i --push "$A/slow" "$T/in"
expect_rc "a byte every 2 s: CLOUDCTL_HTTP_TIMEOUT=3s ends it, 69" 69 ": Operation timed out after 3[0-9]{3} milliseconds" &&
	assert "a byte every 2 s: over within 6 s (took $took s)" test "$took" -lt 6
run env CLOUDCTL_HTTP_TIMEOUT=soon cloudctl-report -o prom --job j --instance i --push "$A/slow" "$T/in"
expect_rc "CLOUDCTL_HTTP_TIMEOUT that is not a duration: 78" 78 "^cloudctl-report: CLOUDCTL_HTTP_TIMEOUT 'soon': not a duration such as 30s or 5m$"

# --- TLS: a CA of ours; certificates for 127.0.0.1, for another name, expired ---
python3 - "$T" <<'EOF'
import datetime, ipaddress, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
d = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn): return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
def save(path, obj):
    with open(path, "wb") as f:
        if isinstance(obj, x509.Certificate):
            f.write(obj.public_bytes(serialization.Encoding.PEM))
        else:
            f.write(obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
ca_key = ec.generate_private_key(ec.SECP256R1())
ca = (x509.CertificateBuilder().subject_name(name("hostile CA")).issuer_name(name("hostile CA"))
      .public_key(ca_key.public_key()).serial_number(1)
      .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
      .sign(ca_key, hashes.SHA256()))
save(d + "/ca.pem", ca)
def leaf(file, san, start, end):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("hostile")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            .sign(ca_key, hashes.SHA256()))
    save(d + "/" + file + ".pem", cert)
    save(d + "/" + file + ".key", key)
day = datetime.timedelta(days=1)
leaf("good", [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))], now - day, now + 30 * day)
leaf("wrongname", [x509.DNSName("elsewhere.example")], now - day, now + 30 * day)
leaf("expired", [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))], now - 30 * day, now - day)
EOF
for c in good wrongname expired; do start "tls-$c" --cert "$T/$c.pem" --key "$T/$c.key"; done
tls() { echo "https://127.0.0.1:$(port "tls-$1")/ok"; }
push "$(tls good)" --cacert "$T/ca.pem"
expect "TLS, our CA: pushed" 0 ""
push "$(tls good)"
expect_rc "TLS, a CA nobody vouches for: 77, one line" 77 \
	"^cloudctl-report: --push: $(tls good)/metrics/job/j/instance/i: SSL certificate problem: unable to get local issuer certificate$" &&
	assert "one line" test "$(lines)" = 1
push "$(tls wrongname)" --cacert "$T/ca.pem"
expect_rc "TLS, a certificate for another name: 77" 77 ": SSL: no alternative certificate subject name matches target host name '127.0.0.1'$"
push "$(tls expired)" --cacert "$T/ca.pem"
expect_rc "TLS, an expired certificate: 77" 77 ": SSL certificate problem: certificate has expired$"
start tls-registry --cert "$T/good.pem" --key "$T/good.key" --bearer-realm "https://127.0.0.1:$(port tls-wrongname)/token"
run cloudctl-build --cacert "$T/ca.pem" tags "127.0.0.1:$(port tls-registry)/app"
expect_rc "TLS, a token server whose certificate is for another name: 77, one line" 77 \
	"^cloudctl-build: registry 127.0.0.1:$(port tls-registry): token server https://127.0.0.1:$(port tls-wrongname)/token: SSL: no alternative certificate subject name matches target host name '127.0.0.1'$" &&
	assert "one line" test "$(lines)" = 1

# --- a registry: credentials stay home; pages that never end; JSON too deep ---
printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}\n' "$(port a)" "$(printf 'hostile:S3cretPass' | base64)" > "$T/auth.json"
chmod 600 "$T/auth.json"
REG=(cloudctl-build --insecure --auth-file "$T/auth.json")
RA=127.0.0.1:$(port a)
: > "$T/a.log"; : > "$T/b.log"
run "${REG[@]}" tags "$RA/offsite" -o kv
expect "tags: a Link to another host is read" 0 "kind=tag repo=$RA/offsite tag=after-a
kind=tag repo=$RA/offsite tag=first" &&
	assert "tags: the registry got the credentials" grep -qx "GET /v2/offsite/tags/list?n=100 auth=1 token=0 cookie=0" "$T/a.log" &&
	assert "tags: the other host got none" test "$(cat "$T/b.log")" = "GET /v2/offsite/tags/list?last=a auth=0 token=0 cookie=0"
run "${REG[@]}" tags "$RA/cycle"
expect_rc "tags: a Link back to an earlier page: 69, one line" 69 \
	"^cloudctl-build: registry $RA: tags of cycle: page 3 links back to page 2: the list would never end$" &&
	assert "one line" test "$(lines)" = 1
run env CLOUDCTL_HTTP_MAX_PAGES=50 "${REG[@]}" tags "$RA/forever"
expect_rc "tags: pages without end: 69 at CLOUDCTL_HTTP_MAX_PAGES" 69 \
	"^cloudctl-build: registry $RA: tags of forever: more than 50 pages \(CLOUDCTL_HTTP_MAX_PAGES\)$" &&
	assert "tags: 50 pages read, no more" test "$(grep -c '^GET /v2/forever/tags/list' "$T/a.log")" = 50
run "${REG[@]}" resolve "$RA/deep:x"
expect_rc "a manifest nested 100000 deep: refused, one line" 65 "^cloudctl-build: registry $RA: .*maximum parsing depth" &&
	assert "one line" test "$(lines)" = 1

# --- OpenStack list pages (Keystone the real one, compute the hostile server) ---
OSENV=$SVC/openstack/env
if [ -r "$OSENV" ]; then
	(set -a; . "$OSENV"; python3 - "$OS_CLIENT_CONFIG_FILE" "$OS_CLIENT_SECURE_FILE" "$A" "$T/clouds.yaml" <<'PY'
import os, sys, yaml
conf, sec, base, out = sys.argv[1:]
c = yaml.safe_load(open(conf))["clouds"]["tenant-a"]
s = (yaml.safe_load(open(sec)) or {}).get("clouds", {}).get("tenant-a", {})
c.setdefault("auth", {}).update(s.get("auth", {}))
clouds = {}
for prefix in ("nova-cycle", "nova-forever", "nova-offsite"):
    d = dict(c)
    d["compute_endpoint_override"] = "%s/%s/v2.1" % (base, prefix)
    clouds[prefix] = d
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, yaml.safe_dump({"clouds": clouds}).encode())
PY
	)
	: > "$T/secure.yaml"
	vm() { run env OS_CLIENT_CONFIG_FILE="$T/clouds.yaml" OS_CLIENT_SECURE_FILE="$T/secure.yaml" XDG_CACHE_HOME="$T/cache" \
		cloudctl-vm --driver openstack --os-cloud "$@"; }
	: > "$T/a.log"; : > "$T/b.log"
	vm nova-cycle list -o kv
	expect_rc "nova: a next link back to an earlier page: 69, one line" 69 \
		": GET compute: page 3 links back to page 2: the list would never end$" &&
		assert "one line" test "$(lines)" = 1
	CLOUDCTL_HTTP_MAX_PAGES=20 vm nova-forever list -o kv
	expect_rc "nova: pages without end: 69 at CLOUDCTL_HTTP_MAX_PAGES" 69 ": GET compute: more than 20 pages \(CLOUDCTL_HTTP_MAX_PAGES\)$" &&
		assert "nova: 20 pages read, no more" test "$(grep -c '^GET /nova-forever/' "$T/a.log")" = 20
	vm nova-offsite list -o kv
	expect_rc "nova: a next page on another host: refused, 69" 69 \
		": GET compute: the next page http://127.0.0.1:$(port b)/nova-offsite/v2.1/servers/detail\?marker=1 is not on compute's endpoint $A/nova-offsite/v2.1$" &&
		assert "nova: the token went to the compute endpoint" grep -q "^GET /nova-offsite/v2.1/servers/detail.* token=1 " "$T/a.log" &&
		assert "nova: the other host got no request, so no token" test ! -s "$T/b.log"
else
	skip "hostile: OpenStack pages" "no $OSENV (tests/services/openstack-start.sh)"
fi

# --- registry blobs: past the declared size; 1 GiB streamed in small memory ---
mkdir -p "$T/src" && echo hello > "$T/src/msg" &&
	(cd "$T/src" && git init -q && git add msg && git -c user.name=t -c user.email=t@example.com commit -qm src)
: > "$T/a.log"; : > "$T/b.log"
run "${REG[@]}" "$T/src" --base "$RA/redirect:x" --repo "oci:$T/redirect" -o kv -c layers
expect "a layer redirected to another host: fetched" 0 "layers=2" &&
	assert "the registry got the credentials for the layer" grep -qx "GET /v2/redirect/blobs/sha256:[0-9a-f]* auth=1 token=0 cookie=0" "$T/a.log" &&
	assert "the other host got the request without them" grep -qx "GET /v2/redirect/blobs/sha256:[0-9a-f]* auth=0 token=0 cookie=0" "$T/b.log" &&
	assert "and nothing else" test "$(wc -l < "$T/b.log")" = 1
run "${REG[@]}" "$T/src" --base "$RA/overlong:x" --repo "oci:$T/overlong"
expect_rc "a layer blob that goes on past its declared size: cut, 69" 69 \
	"^cloudctl-build: registry $RA: download of sha256:[0-9a-f]{64} from overlong: the answer goes on past the 1048576 bytes expected$" &&
	assert "one line" test "$(lines)" = 1 &&
	assert "nothing of it kept" test -z "$(find "$T/overlong" -type f -size +1000k 2> /dev/null)"
if ldd "$(command -v cloudctl-build)" | grep -q libasan; then
	skip "hostile: 1 GiB blob in small memory" "measured in the normal build only (ASan's own memory)"
else
	start big --blob-size $((1 << 30))
	RB=127.0.0.1:$(port big)
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$RB" "$(printf 'hostile:S3cretPass' | base64)" > "$T/auth-big.json"
	chmod 600 "$T/auth-big.json"
	run /usr/bin/time -v -o "$T/time" cloudctl-build --insecure --auth-file "$T/auth-big.json" "$T/src" --base "$RB/stream:x" \
		--repo "oci:$T/big"
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
	expect_rc "a 1 GiB layer streamed from the registry into a layout" 0 &&
		assert "the layer is all there: 1 GiB" test "$(find "$T/big/blobs" -type f -size 1048576k | wc -l)" = 1 &&
		assert "the tool's memory stayed under 64 MiB (max RSS ${rss} KiB)" test "${rss:-999999}" -lt 65536
	rm -rf "$T/big"
fi

# --- a Kubernetes watch whose line never ends ---
cat > "$T/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: hostile, cluster: {server: "$A/kube"}}]
users: [{name: u, user: {}}]
contexts: [{name: hostile, context: {cluster: hostile, user: u, namespace: default}}]
current-context: hostile
KC
timed env CLOUDCTL_HTTP_MAX_BODY=4M cloudctl-k8s --kubeconfig "$T/kubeconfig" wait --for delete --timeout 60s configmap/web
expect_rc "a watch line without end: cut at CLOUDCTL_HTTP_MAX_BODY, 69" 69 \
	"^cloudctl-k8s: .*GET /api/v1/namespaces/default/configmaps\?watch=1.*: a line of the answer is longer than 4194304 bytes \(CLOUDCTL_HTTP_MAX_BODY\)$" &&
	assert "one line" test "$(lines)" = 1 &&
	assert "the watch cut at once, not at its 60 s timeout (took $took s)" test "$took" -lt 20
