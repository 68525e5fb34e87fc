#!/usr/bin/env bash
# openstack-check.sh -- a quick check, with the reference `openstack` client, of
# the cloud openstack-start.sh brought up: every cloud entry logs in (passwords
# from secure.yaml, tenant-a's application credential), the catalog is all on
# 127.0.0.1, the seeded flavors/image/network exist, a tenant is not an admin,
# and nova really builds a server (tenant-a, no network) that tenant-b cannot see.
# Prints "ok - ..." / "FAIL - ..." lines, then "N passed, N failed"; exit 1 on a failure.
set -uo pipefail
source "$(dirname "$0")/common.sh"
D=$SVC_DIR/openstack
[[ -s $D/env ]] || { echo "FAIL - openstack: no $D/env (run openstack-start.sh)"; exit 1; }
for v in $(compgen -e | grep '^OS_'); do unset "$v"; done
set -a; . "$D/env"; set +a
passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
os() { local cloud=$1; shift; OS_CLOUD=$cloud openstack "$@"; }
expect() {  # expect DESC WANT CMD...: CMD's output (trimmed) must equal WANT
  local desc=$1 want=$2 got; shift 2
  got=$("$@" 2>&1 | sed 's/[[:space:]]*$//')
  [[ $got == "$want" ]] && ok "$desc" || bad "$desc: got '$(tail -2 <<<"$got" | tr '\n' ' ')', want '$want'"
}
t0=$(date +%s)
for c in admin tenant-a tenant-b tenant-a-appcred; do
  expect "token issue ($c)" yes bash -c "OS_CLOUD=$c openstack token issue -f value -c id >/dev/null && echo yes"
done
expect "tenant-a is scoped to project tenant-a" tenant-a \
  bash -c 'OS_CLOUD=tenant-a openstack project show "$(OS_CLOUD=tenant-a openstack token issue -f value -c project_id)" -f value -c name'
urls=$(os admin endpoint list -f value -c URL 2>&1)
if [[ -n $urls ]] && ! grep -qv '^http://127\.0\.0\.1:' <<<"$urls"; then
  ok "catalog: $(wc -l <<<"$urls") endpoints, all on 127.0.0.1"
else bad "catalog: $urls"; fi
expect "flavors" "m1.medium m1.small m1.tiny" bash -c "OS_CLOUD=admin openstack flavor list -f value -c Name | sort | xargs"
expect "image tiny-image active (seen by tenant-b)" active os tenant-b image show tiny-image -f value -c status
expect "external network public" True os admin network show public -f value -c router:external
expect "tenant-a (member) cannot list users" denied bash -c "OS_CLOUD=tenant-a openstack user list >/dev/null 2>&1 && echo allowed || echo denied"
name=check-$$
# OSC 6.0 needs compute API >= 2.37 for --nic none (pitfall)
if os tenant-a --os-compute-api-version 2.37 server create --flavor m1.tiny --image tiny-image \
     --nic none --wait "$name" >/dev/null 2>&1; then
  expect "server ACTIVE (tenant-a)" ACTIVE os tenant-a server show "$name" -f value -c status
  expect "tenant-b cannot see tenant-a's server" "" bash -c "OS_CLOUD=tenant-b openstack server list -f value -c Name | grep -x '$name'"
else
  bad "server create (tenant-a): $(os tenant-a server show "$name" -f value -c fault 2>&1 | tail -1)"
fi
# delete without --wait and poll (pitfall: --wait reports an error for servers in ERROR)
os tenant-a server delete "$name" >/dev/null 2>&1
for _ in $(seq 1 60); do os tenant-a server show "$name" >/dev/null 2>&1 || break; sleep 0.5; done
os tenant-a server show "$name" >/dev/null 2>&1 && bad "server delete" || ok "server deleted"
echo "$passed passed, $failed failed ($(( $(date +%s) - t0 ))s)"
[[ $failed == 0 ]]
