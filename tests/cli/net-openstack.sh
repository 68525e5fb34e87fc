# net-openstack: cloudctl-net's OpenStack driver against the real OpenStack
# (Zed) of tests/services/openstack-start.sh: the records it prints and, read
# back with the `openstack` client, the state of Neutron afterwards. Every name
# is unique to the run (t-net-PID-...); the trap removes whatever is left.
# group: openstack
. "$(dirname "$0")/lib.sh"
NAME=net-openstack; . "$(dirname "$0")/data/openstack/env.sh"

P=t-net-$$
OSA() { OS_CLOUD=admin openstack "$@"; }
OSB() { OS_CLOUD=tenant-b openstack "$@"; }
os() { openstack "$@"; }
# count KIND NAME [CLOUD]: how many KIND named NAME the cloud's project sees
count() { OS_CLOUD=${3:-tenant-a} openstack "$1" list --name "$2" -f value -c ID | wc -l; }
# rules SG: "direction ethertype protocol remote ports|" sorted, as Neutron has them
rules() {
	openstack security group rule list "$1" -f json | python3 -c '
import json,sys
r = sorted("%s %s %s %s %s" % (x["Direction"], x["Ethertype"], x["IP Protocol"], x["IP Range"], x["Port Range"] or None)
	for x in json.load(sys.stdin))
print("".join(l + "|" for l in r))'
}
QUOTA_B=$(OSA quota show tenant-b -f json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["networks"], d["routers"])')

cleanup_hook() {
	set +e
	OSA network delete "$P-ext" > /dev/null 2>&1
	OSA quota set --networks "${QUOTA_B% *}" --routers "${QUOTA_B#* }" tenant-b > /dev/null 2>&1
	os_delete_servers "$P-vm"
	for id in $(os floating ip list --long -f value -c ID -c Description | awk -v p="$P" '$2 == p {print $1}'); do
		os floating ip delete "$id" > /dev/null 2>&1
	done
	for t in "$P-a" "$P-rb"; do "$NET" tenant delete "$t" > /dev/null 2>&1; done
	OS_CLOUD=tenant-b "$NET" tenant delete "$P-rb" > /dev/null 2>&1
	for c in tenant-a tenant-b; do
		for sg in $(OS_CLOUD=$c openstack security group list -f value -c Name | grep "^$P-"); do
			OS_CLOUD=$c openstack security group delete "$sg" > /dev/null 2>&1
		done
		for r in $(OS_CLOUD=$c openstack router list -f value -c Name | grep "^$P-"); do
			OS_CLOUD=$c openstack router delete "$r" > /dev/null 2>&1
		done
		for n in $(OS_CLOUD=$c openstack network list -f value -c Name | grep "^$P-"); do
			OS_CLOUD=$c openstack network delete "$n" > /dev/null 2>&1
		done
	done
}

# ---- bad input: exit 64/65 before anything is sent ----
run "$NET" tenant create "$P-bad" --cidr 10.1.2.3/24
expect "tenant create: host bits in --cidr: 64, one line" 64 "" \
	"cloudctl-net: tenant create: --cidr 10.1.2.3/24: not a network address with a prefix length (e.g. 10.20.0.0/24)"
run "$NET" tenant create "$P-bad"
expect_rc "tenant create without --cidr: 64" 64 "^cloudctl-net: tenant create: --cidr is needed$"
# an option that does not apply is refused, not ignored
run "$NET" network create "$P-bad" --mode isolated
expect "network create --mode (libvirt's): 64" 64 "" "cloudctl-net: network create: --mode is for --driver libvirt"
run "$NET" tenant delete "$P-bad" --cidr 10.9.0.0/24
expect "tenant delete --cidr: 64" 64 "" "cloudctl-net: tenant delete: --cidr goes with create"
run "$NET" router list --subnet x
expect "router list --subnet: 64" 64 "" "cloudctl-net: router list: --subnet goes with add-interface or remove-interface"
run "$NET" fip create --server x
expect "fip create --server: 64" 64 "" "cloudctl-net: fip create: --server goes with associate"
run "$NET" tenant create "$P-bad" --cidr 10.9.0.0/24 --dns 8.8.8
expect_rc "tenant create --dns not an address: 64" 64 "dns 8.8.8: not an IP address"
run "$NET" subnet create "$P-s" --network x --cidr 10.9.0.0/24 --pool 10.9.1.1-10.9.1.9
expect_rc "subnet --pool outside the cidr: 64" 64 "pool 10.9.1.1-10.9.1.9: not START-END"
run "$NET" subnet create "$P-s" --network x --cidr 10.9.0.0/24 --gateway 10.8.0.1
expect_rc "subnet --gateway outside the cidr: 64" 64 "gateway 10.8.0.1: not an address in 10.9.0.0/24"
run "$NET" rule create --security-group x --protocol tcp --port 70000
expect_rc "rule --port out of range: 64" 64 "port 70000: not N or N-M"
run "$NET" rule create --security-group x --protocol icmp --port 22
expect_rc "rule --port with icmp: 64" 64 "only with --protocol tcp or udp"
run "$NET" rule create --security-group x --protocol gre
expect_rc "rule --protocol unknown: 64" 64 "protocol gre: tcp, udp, icmp or any"
run "$NET" network frob
expect_rc "unknown action: 64" 64 "^cloudctl-net: network: unknown action 'frob' \(list, show, create, delete\)$"
run "$NET" --driver libvirt subnet list
expect "a verb of OpenStack's with --driver libvirt: 64" 64 "" "cloudctl-net: subnet: only with --driver openstack"
run "$NET" --driver nova network list
expect_rc "unknown driver: 64" 64 "unknown driver 'nova'"
run "$NET" network create "$P-x" --cidr 10.0.0.0/24
expect "network create --cidr on OpenStack: 64" 64 "" "cloudctl-net: network create: --cidr is for --driver libvirt"
run_in 'kind=net id="unterminated' "$NET" network delete -
expect_rc "malformed record on stdin: 65, nothing done" 65 "<stdin>:1: "
run_in 'kind=net foo=bar' "$NET" network delete
expect_rc "a record without id or name: 65" 65 "<stdin>:1: a record needs kind=net and id="

# ---- the driver picked from the environment ----
run env -u OS_CLOUD "$NET" subnet list
expect_rc "no OS_CLOUD, no --driver: libvirt, where subnet does not exist" 64 "subnet: only with --driver openstack"
run env -u OS_CLOUD "$NET" --os-cloud tenant-a network list -o tsv -c name
assert "--os-cloud picks openstack" grep -qx public "$T/out"

# ---- tenant create, as tenant-a ----
PUBLIC_ID=$(os network show public -f value -c id)
run "$NET" tenant create "$P-a" --cidr 10.77.0.0/24 --dns 192.0.2.53
expect_rc "tenant create" 0
assert "tenant create: 4 records net, subnet, router, secgroup, created=true" \
	test "$(sed 's/^kind=\([a-z]*\) .*created=\([a-z]*\).*/\1 \2/' "$T/out" | tr '\n' ' ')" = \
	"net true subnet true router true secgroup true "
cp "$T/out" "$T/tenant-a.rec"
NET_ID=$(os network show "$P-a-net" -f value -c id)
SUBNET_ID=$(os subnet show "$P-a-subnet" -f value -c id)
assert "tenant create: the net record's id is Neutron's" test "$(field id < "$T/out")" = "$NET_ID"
assert "tenant create: subnet" test "$(os subnet show "$P-a-subnet" -f value -c network_id -c cidr -c gateway_ip -c enable_dhcp -c dns_nameservers | tr '\n' ' ')" = \
	"10.77.0.0/24 ['192.0.2.53'] True 10.77.0.1 $NET_ID "
assert "tenant create: router's gateway on public, interface on the subnet" test \
	"$(os router show "$P-a-router" -f json -c external_gateway_info -c interfaces_info | python3 -c '
import json,sys; d=json.load(sys.stdin)
print(d["external_gateway_info"]["network_id"], [i["subnet_id"] for i in d["interfaces_info"]])')" = "$PUBLIC_ID ['$SUBNET_ID']"
assert "tenant create: secgroup: ssh and ICMP in (IPv4), everything out" test "$(rules "$P-a-sg")" = \
	"egress IPv4 None 0.0.0.0/0 None|egress IPv6 None ::/0 None|ingress IPv4 icmp 0.0.0.0/0 None|ingress IPv4 tcp 0.0.0.0/0 22:22|"

run "$NET" tenant create "$P-a" --cidr 10.77.0.0/24 --dns 192.0.2.53
ids() { sed 's/.* id=\([^ ]*\) .*/\1/' "$1" | tr '\n' ' '; }
assert "tenant create again: created=false for all, the same objects" test \
	"$rc $(grep -c 'created=false' "$T/out") $(ids "$T/out")" = "0 4 $(ids "$T/tenant-a.rec")"
assert "tenant create again: no duplicates" test "$(count network "$P-a-net") $(count subnet "$P-a-subnet") $(count router "$P-a-router") $(os security group list -f value -c Name | grep -cx "$P-a-sg") $(os security group rule list "$P-a-sg" -f value | wc -l)" = "1 1 1 1 4"
run "$NET" tenant create "$P-a" --cidr 10.78.0.0/24
expect_rc "tenant create with another cidr: 73, one line" 73 "^cloudctl-net: tenant create: $P-a-subnet: exists with cidr 10.77.0.0/24, not 10.78.0.0/24$"
# what exists must be what is asked for, not reported as if it were
run "$NET" tenant create "$P-a" --cidr 10.77.0.0/24 --dns 192.0.2.99
expect "tenant create with other DNS servers: 73, one line" 73 "" \
	"cloudctl-net: tenant create: $P-a-subnet: exists with DNS servers 192.0.2.53, not 192.0.2.99"
OSA network create --external "$P-ext" > /dev/null
EXT_ID=$(OSA network show "$P-ext" -f value -c id)
run "$NET" tenant create "$P-a" --cidr 10.77.0.0/24 --external "$P-ext"
expect "tenant create with another external network: 73, one line" 73 "" \
	"cloudctl-net: tenant create: $P-a-router: exists with its gateway on network $PUBLIC_ID, not $EXT_ID"
OSA network delete "$P-ext" > /dev/null
assert "the refused runs changed nothing" test "$(os subnet show "$P-a-subnet" -f value -c dns_nameservers) $(os router show "$P-a-router" -f json -c external_gateway_info | python3 -c 'import json,sys; print(json.load(sys.stdin)["external_gateway_info"]["network_id"])')" = "['192.0.2.53'] $PUBLIC_ID"

# records chain: the tenant's records into show
run "$NET" network show - < "$T/tenant-a.rec"
assert "network show - : the net record of tenant create" test "$rc $(wc -l < "$T/out") $(field name < "$T/out")" = "0 1 $P-a-net"
run "$NET" router show "$P-a-router" -o json
assert "router show -o json: external_net and external_ip" python3 -c "
import json; d=json.load(open('$T/out')); assert d['kind']=='router' and d['external_net']=='public' and d['external_net_id']=='$PUBLIC_ID' and d['external_ip'].startswith('203.0.113.'), d"

# ---- tenant isolation: tenant-b sees nothing of tenant-a's ----
run env OS_CLOUD=tenant-b "$NET" network show "$P-a-net"
expect "tenant-b: network show by name: 66, one line" 66 "" \
	"cloudctl-net: network show: $P-a-net: no network named or with the ID '$P-a-net' in project tenant-b"
run env OS_CLOUD=tenant-b "$NET" network delete "$NET_ID"
expect_rc "tenant-b: network delete by ID: 66" 66 "^cloudctl-net: network delete: $NET_ID: "
assert "tenant-b: stderr one line" test "$(wc -l < "$T/err")" = 1
assert "tenant-a's network is still there" test "$(count network "$P-a-net")" = 1

# ---- subnet options ----
PROJ_A=$(os token issue -f value -c project_id)
run "$NET" -v network create "$P-sn" --mtu 1400
assert "network create -v: the project, then the step, on stderr" test "$(cat "$T/err")" = "cloudctl-net: network create: cloud tenant-a, project $PROJ_A
cloudctl-net: network create: creating network '$P-sn'"
assert "network create --mtu" test "$rc $(field created < "$T/out") $(os network show "$P-sn" -f value -c mtu)" = "0 true 1400"
run "$NET" network create "$P-sn"
expect_rc "network create of an existing name: 73" 73 "exists already"
run "$NET" network create "$P-sn" --if-missing
assert "network create --if-missing: created=false" test "$rc $(field created < "$T/out")" = "0 false"
run "$NET" subnet create "$P-sn-1" --network "$P-sn" --cidr 10.91.0.0/24 --gateway 10.91.0.254 \
	--dns 192.0.2.1 --dns 192.0.2.2 --pool 10.91.0.10-10.91.0.20 --pool 10.91.0.100-10.91.0.110
expect_rc "subnet create with gateway, 2 dns, 2 pools" 0
assert "subnet record: gateway dns pools" test "$(field gateway < "$T/out") $(field dns < "$T/out") $(field pools < "$T/out" | tr , '\n' | LC_ALL=C sort | tr '\n' ' ')" = \
	"10.91.0.254 192.0.2.1,192.0.2.2 10.91.0.10-10.91.0.20 10.91.0.100-10.91.0.110 "
assert "subnet in Neutron: gateway dns pools dhcp" test "$(os subnet show "$P-sn-1" -f json | python3 -c '
import json,sys; d=json.load(sys.stdin)
print(d["gateway_ip"], d["dns_nameservers"], sorted((p["start"], p["end"]) for p in d["allocation_pools"]), d["enable_dhcp"])')" = \
	"10.91.0.254 ['192.0.2.1', '192.0.2.2'] [('10.91.0.10', '10.91.0.20'), ('10.91.0.100', '10.91.0.110')] True"

# ---- create --if-missing takes only what was asked: another option is 73, one line
# naming the field, and nothing changes. $P-sn: mtu 1400; $P-sn-1: the subnet above;
# public: admin's, external, not shared; $P-a-*: the tenant's; $P-r0: a router without
# a gateway (not a second external network: "the only external one" of a run beside this
# one would no longer be) ----
os router create "$P-r0" > /dev/null
SN_ID=$(os network show "$P-sn" -f value -c id)
SN1="subnet create $P-sn-1 --network $P-sn --cidr 10.91.0.0/24 --gateway 10.91.0.254 --dns 192.0.2.1 --dns 192.0.2.2"
POOLS="--pool 10.91.0.10-10.91.0.20 --pool 10.91.0.100-10.91.0.110"
os port create --network "$P-sn" "$P-port" > /dev/null
HAVE_POOLS=$("$NET" subnet show "$P-sn-1" -o kv -c pools | field pools) # in Neutron's order, as records write it
while IFS='|' read -r name cloud args err; do
	# shellcheck disable=SC2086 # args: several words
	run env OS_CLOUD=$cloud "$NET" $args --if-missing
	expect "create --if-missing, $name: 73" 73 "" "cloudctl-net: $err (--if-missing takes only the same)"
done <<EOF2
network: another mtu|tenant-a|network create $P-sn --mtu 1500|network create: $P-sn: exists with mtu=1400; asked mtu=1500
network: a description|tenant-a|network create $P-sn --description web|network create: $P-sn: exists with description=""; asked description=web
network: not external|admin|network create public|network create: public: exists with external=true; asked external=false
network: shared|admin|network create public --external --shared|network create: public: exists with shared=false; asked shared=true
subnet: another cidr|tenant-a|subnet create $P-sn-1 --network $P-sn --cidr 10.91.0.0/25|subnet create: $P-sn-1: exists with cidr=10.91.0.0/24; asked cidr=10.91.0.0/25
subnet: another network|tenant-a|subnet create $P-sn-1 --network $P-a-net --cidr 10.91.0.0/24|subnet create: $P-sn-1: exists with net_id=$SN_ID; asked net_id=$NET_ID
subnet: no DHCP|tenant-a|$SN1 $POOLS --no-dhcp|subnet create: $P-sn-1: exists with dhcp=true; asked dhcp=false
subnet: another gateway|tenant-a|subnet create $P-sn-1 --network $P-sn --cidr 10.91.0.0/24 --gateway 10.91.0.1|subnet create: $P-sn-1: exists with gateway=10.91.0.254; asked gateway=10.91.0.1
subnet: no gateway|tenant-a|subnet create $P-sn-1 --network $P-sn --cidr 10.91.0.0/24 --gateway none|subnet create: $P-sn-1: exists with gateway=10.91.0.254; asked gateway=none
subnet: other DNS servers|tenant-a|$SN1 --dns 192.0.2.3|subnet create: $P-sn-1: exists with dns=192.0.2.1,192.0.2.2; asked dns=192.0.2.1,192.0.2.2,192.0.2.3
subnet: other pools|tenant-a|$SN1 --pool 10.91.0.10-10.91.0.20|subnet create: $P-sn-1: exists with pools=$HAVE_POOLS; asked pools=10.91.0.10-10.91.0.20
router: a gateway where there is none|tenant-a|router create $P-r0 --external public|router create: $P-r0: exists with external_net_id=none; asked external_net_id=$PUBLIC_ID
secgroup: another description|tenant-a|secgroup create $P-a-sg --description web|secgroup create: $P-a-sg: exists with description=cloudctl-net tenant: ssh and ICMP in, everything out; asked description=web
port: another network|tenant-a|port create $P-port --network $P-a-net|port create: $P-port: exists with net_id=$SN_ID; asked net_id=$NET_ID
EOF2
# shellcheck disable=SC2086 # the options: several words
run "$NET" $SN1 $POOLS --if-missing
assert "create --if-missing, the same subnet (pools in another order): reported" test "$rc $(field created < "$T/out") $(field id < "$T/out")" = "0 false $(os subnet show "$P-sn-1" -f value -c id)"
run "$NET" router create "$P-a-router" --external public --if-missing
assert "create --if-missing, the same router: reported" test "$rc $(field created < "$T/out")" = "0 false"
assert "the refused creates changed nothing" test "$(os network show "$P-sn" -f value -c mtu -c description | tr '\n' ' ')|$(OSA network show public -f value -c shared -c router:external | tr '\n' ' ')|$(os subnet show "$P-sn-1" -f value -c cidr -c enable_dhcp -c gateway_ip | tr '\n' ' ')|$(os port show "$P-port" -f value -c network_id)|$(os router show "$P-a-router" -f json -c external_gateway_info | python3 -c 'import json,sys; print(json.load(sys.stdin)["external_gateway_info"]["network_id"])')" = \
	" 1400 |True False |10.91.0.0/24 True 10.91.0.254 |$SN_ID|$PUBLIC_ID"
assert "no second object of any of these names" test "$(count network "$P-sn") $(count subnet "$P-sn-1") $(count port "$P-port") $(count router "$P-a-router") $(OSA network list --name public -f value -c ID | wc -l)" = "1 1 1 1 1"
assert "the router without a gateway still has none" test "$(os router show "$P-r0" -f value -c external_gateway_info)" = None
os port delete "$P-port"
os router delete "$P-r0"
run "$NET" subnet create "$P-sn-2" --network "$P-sn" --cidr 10.92.0.0/24 --gateway none --no-dhcp
assert "subnet --gateway none --no-dhcp" test "$rc $(os subnet show "$P-sn-2" -f value -c gateway_ip -c enable_dhcp | tr '\n' ' ')" = "0 False None "
run "$NET" subnet create "$P-sn-6" --network "$P-sn" --cidr fd00:91::/64
assert "subnet IPv6" test "$rc $(field ip_version < "$T/out") $(os subnet show "$P-sn-6" -f value -c ip_version)" = "0 6 6"
run "$NET" subnet list --network "$P-sn" -o tsv -c name
assert "subnet list --network" test "$rc $(tail -n +2 "$T/out" | LC_ALL=C sort | tr '\n' ' ')" = "0 $P-sn-1 $P-sn-2 $P-sn-6 "
run "$NET" subnet create "$P-sn-3" --network "$P-sn" --cidr 10.91.0.0/25
expect_rc "subnet overlapping: Neutron's message, one line" 65 "^cloudctl-net: subnet create: $P-sn-3: .*overlap.*\(HTTP 400\)$"
"$NET" subnet list --network "$P-sn" | "$NET" subnet delete > "$T/out" 2> "$T/err"; rc=$?
assert "subnet delete from records" test "$rc $(grep -c state=deleted "$T/out") $(os subnet list --network "$P-sn" -f value | wc -l)" = "0 3 0"

# ---- security groups and rules ----
run "$NET" secgroup create "$P-web"
assert "secgroup create: Neutron's two egress rules" test "$rc $(field rules < "$T/out")" = "0 2"
run "$NET" rule create --security-group "$P-web" --protocol tcp --port 8000-8080 --remote 10.0.0.0/8
R1=$(field id < "$T/out")
assert "rule create tcp range" test "$rc $(field ports < "$T/out") $(field remote < "$T/out")" = "0 8000-8080 10.0.0.0/8"
run "$NET" rule create --security-group "$P-web" --protocol udp --port 53 --direction egress --remote 2001:db8::/32
assert "rule create udp egress IPv6" test "$rc $(field ethertype < "$T/out")" = "0 IPv6"
run "$NET" rule create --security-group "$P-web" --protocol icmp
expect_rc "rule create icmp" 0
assert "rules in Neutron" test "$(rules "$P-web")" = \
	"egress IPv4 None 0.0.0.0/0 None|egress IPv6 None ::/0 None|egress IPv6 udp 2001:db8::/32 53:53|ingress IPv4 icmp 0.0.0.0/0 None|ingress IPv4 tcp 10.0.0.0/8 8000:8080|"
run "$NET" rule create --security-group "$P-web" --protocol icmp
expect_rc "rule create twice: Neutron's 409 -> 73, one line" 73 "^cloudctl-net: rule create: $P-web: Security group rule already exists"
run "$NET" rule list --security-group "$P-web"
assert "rule list --security-group: 5 records" test "$rc $(wc -l < "$T/out")" = "0 5"
cp "$T/out" "$T/rules.rec"
grep "id=$R1" "$T/rules.rec" | "$NET" rule delete - > "$T/out" 2> "$T/err"; rc=$?
assert "rule delete from a record" test "$rc $(os security group rule list "$P-web" -f value -c ID | grep -c "$R1")" = "0 0"
run "$NET" secgroup delete "$P-web"
assert "secgroup delete" test "$rc $(field state < "$T/out") $(os security group list -f value -c Name | grep -cx "$P-web")" = "0 deleted 0"

# ---- floating IPs: to a server on the tenant network and back ----
if os server create --flavor m1.tiny --image tiny-image --network "$P-a-net" --wait "$P-vm" > "$T/vm.log" 2>&1; then
	VM_ID=$(os server show "$P-vm" -f value -c id)
	VM_PORT=$(os port list --device-id "$VM_ID" -f value -c ID)
	run "$NET" fip create --external public --description "$P"
	FIP=$(field ip < "$T/out"); FIP_ID=$(field id < "$T/out")
	assert "fip create on public: net is its name, net_id its ID" test "$rc $(field net < "$T/out") $(field net_id < "$T/out") $(os floating ip show "$FIP_ID" -f value -c floating_ip_address)" = "0 public $PUBLIC_ID $FIP"
	run "$NET" fip associate "$FIP" --server "$P-vm"
	assert "fip associate --server: the server's port" test "$rc $(field port_id < "$T/out") $(os floating ip show "$FIP_ID" -f value -c port_id)" = "0 $VM_PORT $VM_PORT"
	run "$NET" fip show "$FIP_ID"
	assert "fip show: fixed_ip on the tenant subnet, server" test "$(field fixed_ip < "$T/out" | cut -d. -f1-3) $(field server_id < "$T/out")" = "10.77.0 $VM_ID"
	run "$NET" port list --network "$P-a-net" -o tsv -c device_id
	assert "port list --network: the server's port" grep -qx "$VM_ID" "$T/out"
	run "$NET" fip list -o tsv -c id,ip,port_id,server_id
	assert "fip list: the address, on the server's port" grep -qx "$FIP_ID	$FIP	$VM_PORT	$VM_ID" "$T/out"
	# the server's record tells the floating address from the fixed one (Nova learns of
	# the association from Neutron: asked again until it has)
	FIXED=$(os port show "$VM_PORT" -f json -c fixed_ips | python3 -c 'import json,sys; print(json.load(sys.stdin)["fixed_ips"][0]["ip_address"])')
	for _ in $(seq 30); do
		"$VM" show "$P-vm" -o kv -c ip,fip,addresses > "$T/vmshow" 2>&1
		grep -q floating "$T/vmshow" && break
		sleep 1
	done
	assert "vm show: ip fixed, fip floating, addresses marks the floating one" test "$(cat "$T/vmshow")" = \
		"ip=$FIXED fip=$FIP addresses=$P-a-net:$FIXED,$P-a-net:$FIP(floating)"
	run "$NET" fip disassociate "$FIP"
	assert "fip disassociate" test "$rc $(os floating ip show "$FIP_ID" -f value -c port_id)" = "0 None"
	run "$NET" fip delete "$FIP"
	assert "fip delete (by address)" test "$rc $(field state < "$T/out") $(os floating ip list -f value -c ID | grep -c "$FIP_ID")" = "0 deleted 0"
	# to a port, by the port's ID, and off it again
	run "$NET" fip create --description "$P"
	FIP2=$(field ip < "$T/out"); FIP2_ID=$(field id < "$T/out")
	assert "fip create without --external: the only external network" test "$rc $(field net_id < "$T/out")" = "0 $PUBLIC_ID"
	run "$NET" fip associate "$FIP2_ID" --port "$VM_PORT"
	assert "fip associate --port (by ID)" test "$rc $(field port_id < "$T/out") $(field fixed_ip < "$T/out") $(os floating ip show "$FIP2_ID" -f value -c port_id)" = "0 $VM_PORT $FIXED $VM_PORT"
	run "$NET" fip disassociate "$FIP2_ID"
	assert "fip disassociate (by ID): no port, in Neutron too" test "$rc $(field port_id < "$T/out")|$(os floating ip show "$FIP2_ID" -f value -c port_id)" = "0 |None"
	run "$NET" fip delete "$FIP2_ID"
	assert "fip delete (by ID)" test "$rc $(os floating ip list -f value -c ID | grep -c "$FIP2_ID")" = "0 0"
	run "$NET" fip associate 203.0.113.250 --server "$P-vm"
	expect_rc "fip associate of an unknown address: 66" 66 "no floating IP with the address or the ID '203.0.113.250' in project tenant-a$"
	os_delete_servers "$P-vm"
else
	fail "server create for the fip tests" "$(tail -2 "$T/vm.log")"
fi

# ---- quota: exit 75, one line, nothing orphaned ----
NB=$(OSA network list --project tenant-b -f value -c ID | wc -l)
OSA quota set --networks "$((NB + 1))" tenant-b
run env OS_CLOUD=tenant-b "$NET" network create "$P-q1"
rc1=$rc
run env OS_CLOUD=tenant-b "$NET" network create "$P-q2"
expect "network create over the quota: 75, one line" 75 "" \
	"cloudctl-net: network create: $P-q2: Quota exceeded for resources: ['network']. (HTTP 409)"
assert "first network under the quota created, the second not" test "$rc1 $(count network "$P-q1" tenant-b) $(count network "$P-q2" tenant-b)" = "0 1 0"
OS_CLOUD=tenant-b "$NET" network delete "$P-q1" > /dev/null
OSA quota set --networks "${QUOTA_B% *}" --routers 0 tenant-b
run env OS_CLOUD=tenant-b "$NET" tenant create "$P-rb" --cidr 10.88.0.0/24
expect "tenant create with no router quota: 75, one line" 75 "" \
	"cloudctl-net: tenant create: $P-rb-router: Quota exceeded for resources: ['router']. (HTTP 409)"
assert "tenant create rolled back: no network, subnet, router" test \
	"$(count network "$P-rb-net" tenant-b) $(count subnet "$P-rb-subnet" tenant-b) $(count router "$P-rb-router" tenant-b)" = "0 0 0"
OSA quota set --networks "${QUOTA_B% *}" --routers "${QUOTA_B#* }" tenant-b
assert "tenant-b's quota restored" test "$(OSA quota show tenant-b -f json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["networks"], d["routers"])')" = "$QUOTA_B"

# ---- tenant delete ----
run "$NET" tenant delete "$P-a"
assert "tenant delete: router, subnet, net, secgroup deleted, in that order" \
	test "$rc $(sed 's/^kind=\([a-z]*\) .*state=\([a-z]*\).*/\1 \2/' "$T/out" | tr '\n' ' ')" = \
	"0 router deleted subnet deleted net deleted secgroup deleted "
assert "tenant delete leaves nothing" test "$(count network "$P-a-net") $(count subnet "$P-a-subnet") $(count router "$P-a-router") $(os security group list -f value -c Name | grep -cx "$P-a-sg")" = "0 0 0 0"
run "$NET" tenant delete "$P-a"
assert "tenant delete again: every object absent, exit 0" \
	test "$rc $(grep -c state=absent "$T/out")" = "0 4"
run "$NET" network delete "$P-sn"
assert "network delete" test "$rc $(count network "$P-sn")" = "0 0"
