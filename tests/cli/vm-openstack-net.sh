# vm-openstack-net: cloudctl-net's records piped into `cloudctl-vm create -`, and the
# create options that name Neutron objects (--port, --security-group) or carry data
# (--user-data), against the real OpenStack of tests/services/openstack-start.sh as
# tenant-a. Afterwards the `openstack` client says which network, port and groups each
# server has, and (as admin, microversion 2.3+) the exact user data Nova stored.
# group: openstack
. "$(dirname "$0")/lib.sh"
NAME=vm-openstack-net; . "$(dirname "$0")/data/openstack/env.sh"
P=t-vmn-$$
BOOT=(--image tiny-image --flavor m1.tiny)

os_ids() { openstack server list --name "^$P" -f value -c ID 2>/dev/null; }
cleanup_hook() {
	os_delete_servers --prefix "$P"
	local p; for p in $(openstack port list -f value -c Name | grep "^$P-p"); do openstack port delete "$p" >/dev/null 2>&1; done
	openstack security group delete "$P-extra" >/dev/null 2>&1
	$NET --driver openstack tenant delete "$P" >/dev/null 2>&1
}
# the groups of a server, sorted, space-separated
groups_of() { openstack server show "$1" -f json -c security_groups | python3 -c '
import json,sys; print(" ".join(sorted(g["name"] for g in json.load(sys.stdin)["security_groups"])))'; }
nets_of() { openstack server show "$1" -f json -c addresses | python3 -c '
import json,sys; print(" ".join(sorted(json.load(sys.stdin)["addresses"])))'; }
port_device() { openstack port show "$1" -f value -c device_id; }
server_id() { openstack server show "$1" -f value -c id; }

head -c 3001 /dev/urandom > "$T/user-data" # every byte value, and a length that is no multiple of 3

# --- tenant create | create -: the tenant's network and security group -----
run bash -c "$NET tenant create '$P' --cidr 10.233.0.0/24 | $VM create --name '$P-a' ${BOOT[*]} \
	--user-data '$T/user-data' --wait -o kv -c name,state,net -"
expect "tenant create | create -" 0 "name=$P-a state=running net=$P-net"
run $VM show "$P-a" -o kv -c security_groups
expect "show: the tenant's group" 0 "security_groups=$P-sg"
assert "openstack: on the tenant's network" test "$(nets_of "$P-a")" = "$P-net"
assert "openstack: the tenant's group only" test "$(groups_of "$P-a")" = "$P-sg"
OS_CLOUD=admin openstack --os-compute-api-version 2.79 server show "$(server_id "$P-a")" -f json |
	python3 -c 'import base64,json,sys; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)["OS-EXT-SRV-ATTR:user_data"]))' \
	> "$T/stored" 2>"$T/err"
assert "Nova stored the user data byte for byte" cmp -s "$T/user-data" "$T/stored"

# --- port create | create -: the server takes that port --------------------
run bash -c "$NET port create '$P-p1' --network '$P-net' | $VM create --name '$P-b' ${BOOT[*]} --wait -o kv -c name,state,ip -"
PORT_IP=$(openstack port show "$P-p1" -f json -c fixed_ips | python3 -c 'import json,sys; print(json.load(sys.stdin)["fixed_ips"][0]["ip_address"])')
expect "port create | create -: the port's address" 0 "name=$P-b state=running ip=$PORT_IP"
assert "openstack: the port is the server's" test "$(port_device "$P-p1")" = "$(server_id "$P-b")"

# --- --port, and --network with two --security-group, as options ------------
$NET secgroup create "$P-extra" >/dev/null
$NET port create "$P-p2" --network "$P-net" >/dev/null
run $VM create --name "$P-c" "${BOOT[@]}" --port "$P-p2" --wait -o kv -c name,state </dev/null
expect "--port NAME" 0 "name=$P-c state=running"
assert "openstack: the port is the server's" test "$(port_device "$P-p2")" = "$(server_id "$P-c")"
run $VM create --name "$P-d" "${BOOT[@]}" --network "$P-net" --security-group "$P-extra" --security-group "$P-sg" \
	--wait -o kv -c name,state </dev/null
expect "--network --security-group x2" 0 "name=$P-d state=running"
assert "openstack: the server has both groups" test "$(groups_of "$P-d")" = "$P-extra $P-sg"
run $VM show "$P-d" -o kv -c security_groups
assert "show: both groups" test "$(tr ',' ' ' <"$T/out")" = "security_groups=$P-extra $P-sg" -o \
	"$(tr ',' ' ' <"$T/out")" = "security_groups=$P-sg $P-extra"

# --- bad input: nothing made ------------------------------------------------
$NET port create "$P-p3" --network "$P-net" >/dev/null
run $VM create --count 2 --name "$P-x%d" "${BOOT[@]}" --port "$P-p3" </dev/null
expect "--port with --count 2" 64 "" "cloudctl-vm: create: a port serves one server: no --port (or port record) with --count above 1"
run bash -c "echo 'kind=port name=$P-p3' | $VM create --count 2 --name '$P-x%d' ${BOOT[*]} -"
expect_rc "a piped port with --count 2" 64 "a port serves one server"
run $VM create --name "$P-x" "${BOOT[@]}" --port "$P-p3" --security-group "$P-extra" </dev/null
expect "--port with --security-group" 64 "" "cloudctl-vm: create: a given port keeps its own security groups (Nova does not apply --security-group to it): set them on the port, or give --network"
run $VM create --name "$P-x" "${BOOT[@]}" --network "$P-net" --security-group "$P-nosuch" </dev/null
expect "unknown --security-group" 66 "" "cloudctl-vm: create: --security-group '$P-nosuch': no security group named or with the ID '$P-nosuch'"
run $VM create --name "$P-x" "${BOOT[@]}" --port "$P-nosuch" </dev/null
expect "unknown --port" 66 "" "cloudctl-vm: create: --port '$P-nosuch': no port named or with the ID '$P-nosuch'"
run $VM create --name "$P-x" "${BOOT[@]}" --network "$P-net" --user-data "$T/none" </dev/null
expect "--user-data missing" 66 "" "cloudctl-vm: create: --user-data '$T/none': No such file or directory"
head -c 49152 /dev/zero > "$T/big"
run $VM create --name "$P-x" "${BOOT[@]}" --network "$P-net" --user-data "$T/big" </dev/null
expect "--user-data too big for Nova" 65 "" "cloudctl-vm: create: --user-data '$T/big': 65536 bytes in base64, Nova takes at most 65535"
run bash -c "printf 'kind=secgroup\n' | $VM create --name '$P-x' ${BOOT[*]} --network '$P-net' -"
expect "a secgroup record without id or name" 65 "" "cloudctl-vm: create: <stdin>:1: a secgroup record needs an id or a name"
assert "bad input made no server" test "$(openstack server list --name "^$P-x" -f value | wc -l)" = 0
assert "the refused port is still free" test -z "$(port_device "$P-p3")"

# --- delete: the servers, then the ports we made, then the tenant -----------
run bash -c "$VM list --name '$P-*' | $VM delete --wait - -o kv -c name,state | sort"
expect "list | delete --wait -" 0 "$(printf 'name=%s state=deleted\n' "$P-a" "$P-b" "$P-c" "$P-d" | sort)"
run bash -c "$NET port list --network '$P-net' -o kv | grep 'name=$P-p' | $NET port delete - -o kv -c name,state | sort"
expect "our ports, deleted from records" 0 "$(printf 'name=%s state=deleted\n' "$P-p1" "$P-p2" "$P-p3" | sort)"
$NET secgroup delete "$P-extra" >/dev/null
run $NET tenant delete "$P" -o kv -c kind,state
expect_rc "tenant delete" 0
assert "nothing of the run is left" test -z "$(os_ids)$(openstack network list -f value -c Name | grep "^$P")$(openstack security group list -f value -c Name | grep "^$P")"
