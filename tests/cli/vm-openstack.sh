# vm-openstack: cloudctl-vm --driver openstack against the real OpenStack (Zed,
# Nova's fake virt driver) that tests/services/openstack-start.sh runs, as
# tenant-a, tenant-b and admin; Nova's state is checked afterwards with the
# `openstack` client. At most 5 servers exist at a time (Nova is slow on 2 CPUs).
# group: openstack
. "$(dirname "$0")/lib.sh"
NAME=vm-openstack; . "$(dirname "$0")/data/openstack/env.sh"
P=t-vm-$$ # every server, network and keypair of this run starts with it
KEY=""

os_ids() { openstack server list --name "^$P" -f value -c ID 2>/dev/null; }
cleanup_hook() {
	os_delete_servers --prefix "$P"
	[ -n "$KEY" ] && openstack keypair delete "$KEY" >/dev/null 2>&1
	openstack subnet delete "$P-sub" >/dev/null 2>&1
	openstack network delete "$P-net" >/dev/null 2>&1
}
status_of() { openstack server show -f value -c status "$1" 2>&1; }

NET_ID=$(openstack network create "$P-net" -f value -c id) &&
	openstack subnet create --network "$P-net" --subnet-range 10.231.0.0/24 "$P-sub" -f value -c id >/dev/null
if [ -z "$NET_ID" ]; then fail "vm-openstack setup" "cannot make network $P-net"; exit 0; fi

# --- usage and bad input: nothing is made ---------------------------------
run $VM --driver bogus list
expect "--driver bogus" 64 "" "cloudctl-vm: --driver 'bogus': libvirt or openstack"
run $VM --driver openstack -C test:///default list
expect "--connect with openstack" 64 "" "cloudctl-vm: list: --connect is for --driver libvirt"
run $VM create --name "$P-x" --image tiny-image --no-network </dev/null
expect "create needs a flavor or a size" 64 "" "cloudctl-vm: create: give --flavor, or --vcpus and/or --memory to pick one"
run $VM create --name "$P-x" --image tiny-image --flavor m1.huge --network "$P-net" </dev/null
expect "unknown flavor" 66 "" "cloudctl-vm: create: --flavor 'm1.huge': no flavor named or with the ID 'm1.huge'"
run $VM create --name "$P-x" --image no-such-image --flavor m1.tiny --network "$P-net" </dev/null
expect "unknown image" 66 "" "cloudctl-vm: create: --image 'no-such-image': no image named or with the ID 'no-such-image'"
run $VM create --name "$P-x" --image tiny-image --flavor m1.tiny --network no-such-net </dev/null
expect_rc "unknown network" 66 "^cloudctl-vm: create: --network 'no-such-net': no network named or with the ID 'no-such-net'$"
run $VM create --name "$P-x" --image tiny-image --flavor m1.tiny --disk 10G </dev/null
expect "libvirt-only option" 64 "" "cloudctl-vm: create: --disk is for --driver libvirt"
assert "bad input made no server" test -z "$(os_ids)"
run_in "kind=vm name=dom1 driver=libvirt
" $VM stop -
expect "a libvirt record is not a server" 65 "" "cloudctl-vm: stop: <stdin>:1: record is driver=libvirt; this command acts on driver=openstack cloud=tenant-a"

# --- create --count 3 --wait ---------------------------------------------
run $VM create --count 3 --name "$P-%d" --image tiny-image --flavor m1.tiny --network "$P-net" --tag role=web \
	--tag suite=vm-openstack --wait -o kv -c name,state,driver,vcpus,mem_mib,flavor,image,net,net_id,tags </dev/null
expect "create --count 3 --wait" 0 "name=$P-1 state=running driver=openstack vcpus=1 mem_mib=512 flavor=m1.tiny image=tiny-image net=$P-net net_id=$NET_ID tags=role=web,suite=vm-openstack
name=$P-2 state=running driver=openstack vcpus=1 mem_mib=512 flavor=m1.tiny image=tiny-image net=$P-net net_id=$NET_ID tags=role=web,suite=vm-openstack
name=$P-3 state=running driver=openstack vcpus=1 mem_mib=512 flavor=m1.tiny image=tiny-image net=$P-net net_id=$NET_ID tags=role=web,suite=vm-openstack"
assert "openstack sees 3 ACTIVE" test "$(openstack server list --name "^$P-[0-9]" -f value -c Status | sort | uniq -c | tr -s ' ')" = " 3 ACTIVE"
assert "the tag is Nova metadata" grep -q "'role': 'web'" <<<"$(openstack server show "$P-1" -f value -c properties)"
ID1=$(openstack server show "$P-1" -f value -c id)
IP1=$(openstack server show "$P-1" -f json -c addresses | python3 -c 'import json,sys; print(list(json.load(sys.stdin)["addresses"].values())[0][0])')

run $VM create --name "$P-2" --image tiny-image --flavor m1.tiny --network "$P-net" </dev/null
expect "create an existing name" 73 "" "cloudctl-vm: create: server '$P-2' already exists (use --if-missing to accept it)"
run $VM create --name "$P-2" --image tiny-image --flavor m1.tiny --network "$P-net" --if-missing -o kv -c name,state </dev/null
expect "create --if-missing reports it" 0 "name=$P-2 state=running"
# the names of --count are checked by one list of those that start with "$P-"
run $VM create --count 3 --name "$P-%d" --image tiny-image --flavor m1.tiny --network "$P-net" </dev/null
expect "create --count: every taken name said" 73 "" "cloudctl-vm: create: server '$P-1' already exists (use --if-missing to accept it)
cloudctl-vm: create: server '$P-2' already exists (use --if-missing to accept it)
cloudctl-vm: create: server '$P-3' already exists (use --if-missing to accept it)"
run $VM create --count 3 --name "$P-%d" --image tiny-image --flavor m1.tiny --network "$P-net" --if-missing \
	-o kv -c name,state </dev/null
expect "create --count --if-missing: all taken, all reported" 0 "name=$P-1 state=running
name=$P-2 state=running
name=$P-3 state=running"
assert "still 3 servers" test "$(os_ids | wc -l)" = 3

# --- list, filters, show --------------------------------------------------
run $VM list --name "$P-1" -o kv -c id,name,state,ip,net,net_id,status
expect "list record matches openstack (net_id: Neutron's network ID)" 0 "id=$ID1 name=$P-1 state=running ip=$IP1 net=$P-net net_id=$NET_ID status=ACTIVE"
run $VM list --name "$P-*" --tag role=web -o kv -c name
# Nova lists the newest first: compare sorted
assert "list --name GLOB --tag" test "$rc $(sort "$T/out" | tr '\n' ' ')" = "0 name=$P-1 name=$P-2 name=$P-3 "
run $VM list --name "$P-*" --tag role=db
expect "list --tag no match" 0 ""
run $VM list --name "$P-*" --state shutoff
expect "list --state no match" 0 ""
run $VM list --state nonsense
expect_rc "list --state unknown" 64 "list: --state 'nonsense'"
run $VM show "$P-1" -o kv -c name,state,flavor,security_groups,addresses
expect "show" 0 "name=$P-1 state=running flavor=m1.tiny security_groups=default addresses=$P-net:$IP1"
run $VM show "$ID1" -o kv -c name
expect "show by ID" 0 "name=$P-1"
run $VM show "$P-nope"
expect "show unknown" 66 "" "cloudctl-vm: show: no server named or with the ID '$P-nope'"
run env OS_CLOUD=tenant-a-appcred $VM list --name "$P-*" -o kv -c name
assert "application credential sees the same servers" test "$(wc -l < "$T/out")" = 3

# --- tenant isolation: tenant-b cannot see, stop or delete tenant-a's server --
run env OS_CLOUD=tenant-b $VM list --name "$P-*"
expect "tenant-b lists none of them" 0 ""
run env OS_CLOUD=tenant-b $VM stop "$P-1"
expect "tenant-b stop by name" 66 "" "cloudctl-vm: stop: no server named or with the ID '$P-1'"
run env OS_CLOUD=tenant-b $VM delete "$ID1"
expect "tenant-b delete by ID" 66 "" "cloudctl-vm: delete: no server named or with the ID '$ID1'"
assert "the server is still ACTIVE" test "$(status_of "$ID1")" = ACTIVE

# --- admin ----------------------------------------------------------------
run env OS_CLOUD=admin $VM list --all-projects --name "$P-*" -o kv -c name,host
assert "admin --all-projects sees them with a host" test "$(grep -c "host=cloudctl" "$T/out")" = 3
run env OS_CLOUD=admin $VM list --name "$P-*"
expect "admin without --all-projects: its own project only" 0 ""

# --- records piped between verbs: list | stop -, start, reboot -------------
run bash -c "$VM list --name '$P-1' | $VM -v stop - -o kv -c name,state"
expect "list | stop -, -v: each step on stderr" 0 "name=$P-1 state=shutoff" "cloudctl-vm: stop: cloud tenant-a, project $(openstack token issue -f value -c project_id)
cloudctl-vm: stop: server '$ID1': asking Nova to os-stop
cloudctl-vm: stop: server '$ID1': waiting until it is shut off"
assert "openstack: SHUTOFF" test "$(status_of "$P-1")" = SHUTOFF
run $VM list --name "$P-*" --state shutoff -o kv -c name
expect "list --state shutoff" 0 "name=$P-1"
run $VM start "$P-1" --wait -o kv -c name,state,ip
expect "start --wait" 0 "name=$P-1 state=running ip=$IP1"
assert "openstack: ACTIVE" test "$(status_of "$P-1")" = ACTIVE
run $VM reboot "$P-2" "$P-3" -o kv -c name,state
expect "reboot two" 0 "name=$P-2 state=running
name=$P-3 state=running"
run $VM reboot --force "$P-2" -o kv -c name,state
expect "reboot --force (HARD)" 0 "name=$P-2 state=running"
run $VM wait "$P-1" --ip --timeout 60s -o kv -c name,state
expect "wait --ip" 0 "name=$P-1 state=running"
run $VM wait "$P-1" --state shutoff --timeout 3s -o kv -c name,state
expect "wait times out: 75, with the record as it is" 75 "name=$P-1 state=running" "cloudctl-vm: wait: server '$P-1' is not shutoff after 3s"

# --- stats: diagnostics for admin, the server record otherwise -------------
run $VM stats "$P-1" -o kv -c name,stats_source
expect "stats as a member" 0 "name=$P-1 stats_source=server"
run env OS_CLOUD=admin $VM stats "$ID1"
expect "admin: another project's server by ID, without --all-projects" 66 "" "cloudctl-vm: stats: no server named or with the ID '$ID1'"
run env OS_CLOUD=admin $VM stats --all-projects "$ID1" -o kv -c name,stats_source
expect "stats as admin, --all-projects" 0 "name=$P-1 stats_source=diagnostics"
assert "admin stats has counters" grep -qE "cpu_time_ns=[0-9]+" <<<"$(OS_CLOUD=admin $VM stats -a "$ID1" -o kv)"
run env OS_CLOUD=admin $VM show --all-projects "$P-1" -o kv -c name,project
expect "show as admin, --all-projects: by name in another project" 0 "name=$P-1 project=$(openstack server show "$ID1" -f value -c project_id)"

# --- --ssh-key makes (then reuses) a keypair; a net record piped in ---------
ssh-keygen -q -t ed25519 -N '' -C "vm-openstack-$$" -f "$T/key" </dev/null >/dev/null
run bash -c "echo 'kind=net id=$NET_ID name=$P-net' | $VM create --name '$P-k' --image tiny-image --vcpus 1 --memory 512M --ssh-key '$T/key.pub' -o kv -c name,flavor -"
expect "create with --ssh-key, a piped net record and --vcpus/--memory" 0 "name=$P-k flavor=m1.tiny"
KEY=$(openstack keypair list -f value -c Name | grep '^cloudctl-' | while read -r k; do
	[ "$(openstack keypair show --public-key "$k" | cut -d' ' -f2)" = "$(cut -d' ' -f2 "$T/key.pub")" ] && echo "$k"; done)
assert "openstack keypair list has the key" test -n "$KEY"
run $VM wait "$P-k" --ip --timeout 120s -o kv -c name,state,net
expect "the piped network was used" 0 "name=$P-k state=running net=$P-net"
assert "the server has the keypair" test "$(openstack server show "$P-k" -f value -c key_name)" = "$KEY"

# --- delete: list | delete --wait -, then nothing is left -------------------
run bash -c "$VM list --name '$P-*' | $VM delete --wait - -o kv -c name,state | sort"
expect "list | delete --wait -" 0 "$(printf 'name=%s state=deleted\n' "$P-1" "$P-2" "$P-3" "$P-k" | sort)"
assert "openstack server list shows none" test -z "$(os_ids)"
run $VM delete "$P-1"
expect "delete what is gone" 66 "" "cloudctl-vm: delete: no server named or with the ID '$P-1'"
