# os-faults: cloudctl-vm --driver openstack when the cloud misbehaves, against the real
# OpenStack of tests/services/openstack-start.sh: a quota exceeded, a token revoked between
# two calls, Keystone stopped, a server deleted while it builds, nova-api restarted in the
# middle of a bulk create. Each: the exit code, one line per failure, and what is left on
# the cloud (every server there is reported; none made twice). Stops and restarts
# services: needs root, and runs alone in its group (tests/run).
# group: openstack
. "$(dirname "$0")/lib.sh"
[ -n "${CLOUDCTL_BIN:-}" ] && PATH=$CLOUDCTL_BIN:$PATH
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
OSENV=$SVC/openstack/env
if [ ! -r "$OSENV" ]; then skip "os-faults" "no $OSENV (run as root: tests/services/openstack-start.sh)"; exit 0; fi
if [ "$(id -u)" != 0 ]; then skip "os-faults" "stopping OpenStack services needs root"; exit 0; fi
if [ -n "${CLOUDCTL_ASAN:-}" ]; then
	skip "os-faults" "behaviour only, run in the normal build (under ASan it takes minutes and tests no more memory paths)"; exit 0
fi
set -a; . "$OSENV"; set +a
unset OS_AUTH_URL CLOUDCTL_VM_DRIVER CLOUDCTL_OS_NO_TOKEN_CACHE
export XDG_CACHE_HOME=$T/cache
P=t-osf-$$
VM=(cloudctl-vm --driver openstack)
BOOT=(--flavor m1.tiny --image tiny-image --no-network)
names_on_cloud() { OS_CLOUD=admin openstack server list --all-projects --name "^$P" -f value -c Name 2>/dev/null | sort; }
cleanup_hook() {
	"$SRC/tests/services/openstack-start.sh" >/dev/null 2>&1 # whatever a failed test left stopped
	OS_CLOUD=admin openstack quota set --instances 10 tenant-b >/dev/null 2>&1
	OS_CLOUD=admin os_delete_servers --all-projects --prefix "$P"
}
# every server of the cloud named PREFIX* is in the output (stdout or stderr) of the last run
all_reported() { local n; for n in $(names_on_cloud | grep "^$1"); do grep -q -- "$n" "$T/out" "$T/err" || return 1; done; }
no_twice() { [ -z "$(names_on_cloud | uniq -d)" ]; }
delete_ours() { OS_CLOUD=$1 "${VM[@]}" list --name "$P*" | OS_CLOUD=$1 "${VM[@]}" delete --wait - >/dev/null 2>&1; }

# --- a quota exceeded: Nova checks at the API (403) and again when it builds (ERROR) ---
OS_CLOUD=admin openstack quota set --instances 1 tenant-b
OS_CLOUD=tenant-b run "${VM[@]}" create --count 2 --name "$P-q%d" "${BOOT[@]}" --wait -o kv -c name,state </dev/null
expect_rc "quota: exit 75" 75 "Quota exceeded for instances" &&
	assert "quota: one line per failure" test "$(grep -c . "$T/err")" = "$(grep -c 'Quota exceeded' "$T/err")"
assert "quota: every server on the cloud is reported" all_reported "$P-q"
assert "quota: at most one is running" test "$(grep -c 'state=running' "$T/out")" -le 1
OS_CLOUD=tenant-b run "${VM[@]}" create --name "$P-q9" "${BOOT[@]}" </dev/null
expect_rc "quota: Nova's 403 is exit 75, one line" 75 "^cloudctl-vm: create: server '$P-q9': POST .*/servers: Quota exceeded for instances: .* \(HTTP 403\)$" &&
	assert "quota: nothing made by the refused request" bash -c "! grep -q '$P-q9' <<<'$(names_on_cloud)'"
delete_ours tenant-b
OS_CLOUD=admin openstack quota set --instances 10 tenant-b

# --- a token revoked between two calls: one new login, then the call goes through ---
# The token is made and cached by a call to Neutron: Nova has not seen it, so Nova asks
# Keystone about it (services cache the tokens they have validated for minutes).
export OS_CLOUD=tenant-a
run cloudctl-net --driver openstack network list -o kv
expect_rc "token: the first call logs in and caches the token" 0
CACHE=$(ls "$XDG_CACHE_HOME"/cloudctl/os-token-tenant-a-* 2>/dev/null | head -1)
TOK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$CACHE" 2>/dev/null)
if [ -n "$TOK" ] && OS_CLOUD=admin openstack token revoke "$TOK" 2>/dev/null; then
	run "${VM[@]}" -vv list -o kv
	expect_rc "token: revoked, logged in again, the list answered" 0 "401, logging in again"
	NEW=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$CACHE")
	assert "token: the cache holds the new token" test -n "$NEW" -a "$NEW" != "$TOK"
	assert "token: neither token in the trace" bash -c "! grep -qF -e '$TOK' -e '$NEW' '$T/err' '$T/out'"
else
	fail "token: revoke" "no token in $CACHE, or openstack token revoke failed"
fi

# --- Keystone stopped ---
# A token no service has seen yet, put in the cache in place of the one Nova has seen,
# so Nova must ask Keystone about it, and cannot.
FRESH=$(openstack token issue -f value -c id 2>/dev/null)
python3 - "${CACHE:-}" "$FRESH" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["token"] = sys.argv[2]; json.dump(d, open(sys.argv[1], "w"))
PY
assert "keystone down: a token cached that no service has seen" test -n "$FRESH" -a "$FRESH" != "${NEW:-}"
"$SRC/tests/services/openstack-stop.sh" keystone >/dev/null
CLOUDCTL_OS_NO_TOKEN_CACHE=1 run "${VM[@]}" list
expect_rc "keystone down: no login possible: exit 69, one line" 69 "^cloudctl-vm: .*POST http://127.0.0.1:5000/v3/auth/tokens: " &&
	assert "keystone down: one line" test "$(wc -l <"$T/err")" = 1
run "${VM[@]}" create --count 2 --name "$P-k%d" "${BOOT[@]}" --wait </dev/null
expect_rc "keystone down: create with a token Nova cannot check: exit 69" 69 \
	"^cloudctl-vm: .*POST http://127.0.0.1:5000/v3/auth/tokens: " &&
	assert "keystone down: create: one line" test "$(wc -l <"$T/err")" = 1
"$SRC/tests/services/openstack-start.sh" >/dev/null 2>&1
assert "keystone down: nothing made" test -z "$(names_on_cloud | grep -- "$P-k")"
run "${VM[@]}" list -o kv
expect_rc "keystone back: the next call works" 0

# --- a server deleted while it is being built: nova-conductor stopped keeps it in BUILD
# (unplaced, so the delete leaves no trace: GET says 404); the wait ends at once ---
"$SRC/tests/services/openstack-stop.sh" nova-conductor >/dev/null
"${VM[@]}" create --name "$P-d" "${BOOT[@]}" --wait --timeout 2m -o kv -c name,state \
	</dev/null >"$T/del.out" 2>"$T/del.err" &
bg=$!
id=
for _ in $(seq 100); do
	id=$(openstack server list --name "^$P-d\$" -f value -c ID 2>/dev/null)
	[ -n "$id" ] && break
	sleep 0.3
done
[ -n "$id" ] && openstack server delete "$id"
wait $bg; drc=$?
"$SRC/tests/services/openstack-start.sh" >/dev/null 2>&1
cp "$T/del.out" "$T/out"; cp "$T/del.err" "$T/err"; rc=$drc
expect "deleted while building: exit 69, said, reported as deleted" 69 "name=$P-d state=deleted" \
	"cloudctl-vm: create: server '$P-d' was deleted while it was being built"
assert "deleted while building: not on the cloud" test -z "$(names_on_cloud | grep -- "$P-d")"

# --- nova-api restarted in the middle of a bulk create ---
"${VM[@]}" create --count 4 --jobs 4 --name "$P-n%d" "${BOOT[@]}" --wait --timeout 4m -o kv -c name,state \
	</dev/null >"$T/bulk.out" 2>"$T/bulk.err" &
bg=$!
sleep 1
"$SRC/tests/services/openstack-stop.sh" nova-api >/dev/null
sleep 2
"$SRC/tests/services/openstack-start.sh" >/dev/null 2>&1
wait $bg; brc=$?
cp "$T/bulk.out" "$T/out"; cp "$T/bulk.err" "$T/err"
echo "# nova-api restart during create --count 4: exit $brc, $(grep -c . "$T/out") records, $(grep -c . "$T/err") error lines"
assert "nova-api restart: every server on the cloud is reported" all_reported "$P-n"
assert "nova-api restart: no server made twice" no_twice
assert "nova-api restart: exit 0 only when all 4 are running" \
	bash -c "[ $brc -ne 0 ] || [ \$(grep -c 'state=running' '$T/out') = 4 ]"
assert "nova-api restart: every name accounted for (a record or an error line)" \
	bash -c "for i in 1 2 3 4; do grep -q -- '$P-n'\$i '$T/out' '$T/err' || exit 1; done"
delete_ours tenant-a
assert "nothing left" test -z "$(names_on_cloud)"
