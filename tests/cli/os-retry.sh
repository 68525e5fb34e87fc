# os-retry: `cloudctl-vm create` sends each server's POST once in effect: when the
# answer is lost, it looks for the server by name before sending again. Nova is the
# real one of tests/services/openstack-start.sh; between it and the client stands
# tests/services/fault-proxy.py (through clouds.yaml's compute_endpoint_override),
# which loses chosen answers. Checked: the exit code, the records, the proxy's log
# of what reached Nova, and the servers Nova has afterwards (`openstack server list`).
# group: openstack
. "$(dirname "$0")/lib.sh"
[ -n "${CLOUDCTL_BIN:-}" ] && PATH=$CLOUDCTL_BIN:$PATH
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
OSENV=$SVC/openstack/env
if [ ! -r "$OSENV" ]; then skip "os-retry" "no $OSENV (run as root: tests/services/openstack-start.sh)"; exit 0; fi
if ! command -v openstack >/dev/null; then skip "os-retry" "no openstack client to check against"; exit 0; fi
set -a; . "$OSENV"; set +a
ORIG_CONFIG=$OS_CLIENT_CONFIG_FILE ORIG_SECURE=$OS_CLIENT_SECURE_FILE
unset OS_AUTH_URL CLOUDCTL_VM_DRIVER OS_CLOUD
export XDG_CACHE_HOME=$T/cache
P=t-osr-$$
BOOT=(--flavor m1.tiny --image tiny-image --no-network)
PROXY_PID=""
names_on_cloud() { OS_CLIENT_CONFIG_FILE=$ORIG_CONFIG OS_CLIENT_SECURE_FILE=$ORIG_SECURE OS_CLOUD=tenant-a openstack server list --name "^$1" -f value -c Name 2>/dev/null | sort; }
# the servers of this run, deleted (tenant-a's quota is 10 servers)
delete_made() (
	export OS_CLIENT_CONFIG_FILE=$ORIG_CONFIG OS_CLIENT_SECURE_FILE=$ORIG_SECURE OS_CLOUD=tenant-a
	os_delete_servers --prefix "$P"
)
cleanup_hook() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
	delete_made
}

# A cloud "proxied": tenant-a (with its secret from secure.yaml) whose compute
# endpoint is the proxy; every other service comes from the catalog.
proxied_cloud() {
	python3 - "$ORIG_CONFIG" "$ORIG_SECURE" "$1" "$T/clouds.yaml" <<'EOF'
import os, sys, yaml
conf, sec, url, out = sys.argv[1:]
c = yaml.safe_load(open(conf))["clouds"]["tenant-a"]
s = (yaml.safe_load(open(sec)) or {}).get("clouds", {}).get("tenant-a", {})
c.setdefault("auth", {}).update(s.get("auth", {}))
c["compute_endpoint_override"] = url
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, yaml.safe_dump({"clouds": {"proxied": c}}).encode())
EOF
}

# start_proxy FAULT...: a fresh proxy (and log) with these faults
start_proxy() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
	rm -f "$T/port" "$T/proxy.log"
	local args=() f
	for f in "$@"; do args+=(--fault "$f"); done
	python3 "$SRC/tests/services/fault-proxy.py" --upstream http://127.0.0.1:8774 --port-file "$T/port" \
		--log "$T/proxy.log" "${args[@]}" 2>"$T/proxy.err" &
	PROXY_PID=$!
	for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
	proxied_cloud "http://127.0.0.1:$(cat "$T/port" 2>/dev/null)/v2.1"
}
posts() { grep -c "^POST /v2.1/servers $1" "$T/proxy.log"; }

: >"$T/secure.yaml"
export OS_CLIENT_CONFIG_FILE=$T/clouds.yaml OS_CLIENT_SECURE_FILE=$T/secure.yaml OS_CLOUD=proxied
VM=(cloudctl-vm --driver openstack)

# --- the proxy passes everything: one POST, one server ---
start_proxy
run "${VM[@]}" create --name "$P-pass" "${BOOT[@]}" -o kv -c name </dev/null
expect "through the proxy, untouched" 0 "name=$P-pass" &&
	assert "the proxy carried the POST (the override is used)" test "$(posts pass)" = 1

# --- the answer is cut after Nova made the server: looked up, not sent again ---
start_proxy 'POST /v2.1/servers$ cut 1'
run "${VM[@]}" create --name "$P-cut" "${BOOT[@]}" -o kv -c name </dev/null
expect_rc "cut answer: exit 0" 0 "create: server '$P-cut': POST .*/servers: .*: looking whether it was made before trying again" &&
	assert "cut answer: the record" test "$(cat "$T/out")" = "name=$P-cut"
assert "cut answer: Nova got one POST" test "$(grep -c '^POST /v2.1/servers ' "$T/proxy.log")" = 1
assert "cut answer: one server on the cloud" test "$(names_on_cloud "$P-cut")" = "$P-cut"

# --- the request is dropped before Nova saw it: looked up, none, sent again ---
start_proxy 'POST /v2.1/servers$ drop 1'
run "${VM[@]}" create --name "$P-drop" "${BOOT[@]}" -o kv -c name </dev/null
expect_rc "dropped request: exit 0" 0 "looking whether it was made" &&
	assert "dropped request: the record" test "$(cat "$T/out")" = "name=$P-drop"
assert "dropped request: one dropped, one passed" test "$(posts drop) $(posts pass)" = "1 1"
assert "dropped request: one server on the cloud" test "$(names_on_cloud "$P-drop")" = "$P-drop"

# --- a 502 after Nova made it: looked up, not sent again ---
start_proxy 'POST /v2.1/servers$ 502 1'
run "${VM[@]}" create --name "$P-502" "${BOOT[@]}" -o kv -c name </dev/null
expect_rc "502: exit 0" 0 "\(HTTP 502\): looking whether it was made" &&
	assert "502: the record" test "$(cat "$T/out")" = "name=$P-502"
assert "502: Nova got one POST" test "$(grep -c '^POST /v2.1/servers ' "$T/proxy.log")" = 1
assert "502: one server on the cloud" test "$(names_on_cloud "$P-502")" = "$P-502"

# --- --count 4 in parallel, every answer cut: each made once, all reported ---
start_proxy 'POST /v2.1/servers$ cut 4'
run "${VM[@]}" create --count 4 --jobs 4 --name "$P-m%d" "${BOOT[@]}" -o kv -c name </dev/null
expect_rc "bulk, all cut: exit 0" 0 &&
	assert "bulk, all cut: four records" test "$(sort "$T/out" | tr '\n' ' ')" = "name=$P-m1 name=$P-m2 name=$P-m3 name=$P-m4 "
assert "bulk, all cut: Nova got four POSTs" test "$(grep -c '^POST /v2.1/servers ' "$T/proxy.log")" = 4
assert "bulk, all cut: four servers, none twice" test "$(names_on_cloud "$P-m" | tr '\n' ' ')" = "$P-m1 $P-m2 $P-m3 $P-m4 "

# --- --count: the one list that checks every name fails: nothing is sent ---
start_proxy 'GET /v2.1/servers/detail\?.*name= 502 10'
run "${VM[@]}" create --count 3 --name "$P-c%d" "${BOOT[@]}" -o kv -c name </dev/null
expect_rc "names unchecked: exit 69, one line" 69 \
	"^cloudctl-vm: create: looking whether the names are free: GET .*/servers/detail\?name=%5E.*\(HTTP 502\)$" &&
	assert "names unchecked: one line, no record" test "$(grep -c . "$T/err")" = 1 -a ! -s "$T/out"
assert "names unchecked: no POST" test "$(grep -c '^POST /v2.1/servers ' "$T/proxy.log")" = 0
assert "names unchecked: one list for the three names" \
	test "$(grep -c '^GET /v2.1/servers/detail?name=%5E' "$T/proxy.log")" -ge 1 -a \
	"$(grep '^GET /v2.1/servers/detail?name=' "$T/proxy.log" | grep -vc "name=%5E$P-c")" = 0

# --- the lookup fails too: it cannot tell, so it does not send again ---
# (the first lookup by name, "is the name free?", passes; the one after the cut fails)
start_proxy 'POST /v2.1/servers$ cut 1' 'GET /v2.1/servers/detail\?.*name= pass 1' \
	'GET /v2.1/servers/detail\?.*name= 502 10'
run "${VM[@]}" create --name "$P-blind" "${BOOT[@]}" -o kv -c name </dev/null
expect_rc "cannot look: exit 69, both failures named" 69 \
	"^cloudctl-vm: create: server '$P-blind': POST .*/servers: .*; it may have been made: looking for it failed: GET .*/servers/detail\?name=.*\(HTTP 502\)$" &&
	assert "cannot look: no record" test ! -s "$T/out"
assert "cannot look: Nova got one POST only" test "$(grep -c '^POST /v2.1/servers ' "$T/proxy.log")" = 1

# --- --wait, and every list that watches the servers gets a 502: asked again for 30 s,
# then given up (69), with the server that was made still reported ---
delete_made
start_proxy 'GET /v2.1/servers/detail\?changes-since= 502 1000' 'GET /v2.1/servers\?status=BUILD 502 1000'
run "${VM[@]}" create --name "$P-w" "${BOOT[@]}" --wait -o kv -c name </dev/null
expect_rc "watch lists failing: exit 69 after 30 s of them" 69 \
	"^cloudctl-vm: create: waiting for the servers: GET .*changes-since=.*\(HTTP 502\)$" &&
	assert "watch lists failing: one warning that it asks again" \
		test "$(grep -c 'asking again for up to 30s' "$T/err")" = 1
assert "watch lists failing: the server made is reported" test "$(cat "$T/out")" = "name=$P-w"
assert "watch lists failing: one server on the cloud" test "$(names_on_cloud "$P-w")" = "$P-w"
