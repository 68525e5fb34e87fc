# vm-libvirt: every cloudctl-vm verb against the real libvirtd that
# tests/services/libvirt-start.sh runs, checking libvirt's state afterwards with virsh.
# Domains here have no OS (SeaBIOS finds nothing to boot): enough to start, stop and count.
. "$(dirname "$0")/lib.sh"
export LIBVIRT_DEFAULT_URI=qemu:///system
VM=cloudctl-vm
V="virsh -q -c qemu:///system"
HOST=$(hostname)
if ! have_libvirtd; then skip "vm-libvirt" "no libvirtd answers on qemu:///system (run as root: tests/services/libvirt-start.sh)"; exit 0; fi
cleanup_hook() { $VM list --tag suite=vm-libvirt -o kv 2>/dev/null | $VM delete - >/dev/null 2>&1; }
cleanup_hook

# create: three domains from a template, not started, with tags; exact records.
run $VM create --count 3 --name 'ctl-%d' --no-start --no-network --memory 64M --vcpus 2 --tag suite=vm-libvirt --tag role=worker \
	-c name,state,vcpus,mem_mib,host,tags -o kv
expect "create --count" 0 "name=ctl-1 state=shutoff vcpus=2 mem_mib=64 host=$HOST tags=suite=vm-libvirt,role=worker
name=ctl-2 state=shutoff vcpus=2 mem_mib=64 host=$HOST tags=suite=vm-libvirt,role=worker
name=ctl-3 state=shutoff vcpus=2 mem_mib=64 host=$HOST tags=suite=vm-libvirt,role=worker"
assert "virsh sees them shut off" test "$($V domstate ctl-2)" = "shut off"
assert "virsh: 2 vcpus" test "$($V vcpucount ctl-1 --maximum --config)" = 2
meta=$($V metadata ctl-1 --uri https://cloudctl.dev/xmlns/vm/1)
assert "tags in the domain metadata" grep -q "key=\"role\" value=\"worker\"" <<<"$meta"

run $VM create --name ctl-2 --no-start
expect "create an existing name" 73 "" "cloudctl-vm: create: vm 'ctl-2' already exists (use --if-missing to accept it)"
run $VM create --count 3 --name 'ctl-%d' --start-index 3 --no-start --no-network
expect_rc "a taken name stops the whole batch" 73 "vm 'ctl-3' already exists"
assert "nothing of the batch was made" bash -c "! $V dominfo ctl-4 >/dev/null 2>&1"

# list filters
run $VM list --tag suite=vm-libvirt --name 'ctl-[12]' -c name -o kv
expect "list --tag --name" 0 "name=ctl-1
name=ctl-2"
run $VM list --tag role=nobody -c name
expect "list --tag no match" 0 ""
run $VM list --tag suite -c name --state shutoff --name 'ctl-*'
expect "list --tag KEY --state" 0 "name=ctl-1
name=ctl-2
name=ctl-3"

# start, idempotent; state as virsh sees it
run $VM start ctl-1 -c name,state
expect "start" 0 "name=ctl-1 state=running"
assert "virsh: running" test "$($V domstate ctl-1)" = "running"
run $VM start ctl-1 -c name,state
expect "start again is a no-op" 0 "name=ctl-1 state=running"

# stop: no OS answers ACPI, so a graceful stop times out (75) unless --force
run $VM stop ctl-1 --timeout 1s -c name,state
expect "stop times out" 75 "name=ctl-1 state=running" "cloudctl-vm: vm 'ctl-1' did not shut down within 1s (use --force to power it off)"
assert "still running" test "$($V domstate ctl-1)" = "running"
# reboot waits until the guest is back (libvirt's reboot event); a guest with no OS
# ignores the request, which is a timeout (75), not a success
run $VM reboot ctl-1 --timeout 1s -c name,state
expect "reboot ignored by the guest times out" 75 "name=ctl-1 state=running" "cloudctl-vm: vm 'ctl-1' did not reboot within 1s (the guest may ignore the request: --force resets it)"
run $VM reboot --no-wait ctl-1 -c name,state
expect "reboot --no-wait" 0 "name=ctl-1 state=running"
run $VM reboot --force --timeout 20s ctl-1 -c name,state
expect "reboot --force (reset) waits for the reset" 0 "name=ctl-1 state=running"
run $VM stats ctl-1 -c name,state,vcpus,vcpu.current,balloon.maximum
expect "stats" 0 "name=ctl-1 state=running vcpus=2 vcpu.current=2 balloon.maximum=65536"
cpu=$($VM stats ctl-1 -o kv | field cpu_time_ns)
assert "stats: cpu time counts" test "${cpu:-0}" -gt 0
run $VM stop ctl-1 --timeout 1s --force -c name,state
expect "stop --force" 0 "name=ctl-1 state=shutoff"
assert "virsh: shut off" test "$($V domstate ctl-1)" = "shut off"

# wait
$V start ctl-2 >/dev/null
run $VM wait ctl-2 --state running --timeout 5s -c name,state
expect "wait for running" 0 "name=ctl-2 state=running"
run $VM wait ctl-2 --state shutoff --timeout 500ms -c name,state
expect "wait times out" 75 "name=ctl-2 state=running" "cloudctl-vm: vm 'ctl-2' is not shutoff after 500ms"

# Pipelines: list | stop -, with records passing through
run bash -c "$VM list --tag suite=vm-libvirt --state running | $VM stop --force --timeout 0 - -c name,state"
expect "list | stop -" 0 "name=ctl-2 state=shutoff"
run bash -c "printf 'kind=vm name=ctl-3 ticket=OPS-1\n' | $VM start - -c name,state,ticket"
expect "records pass through a verb" 0 "name=ctl-3 state=running ticket=OPS-1"
# A malformed line: exit 65 before anything is done (ctl-3 stays running)
run_in $'kind=vm name=ctl-3\nkind=vm name=ctl-3 oops\n' $VM stop --force -
expect_rc "malformed input acts on nothing" 65 "^cloudctl-vm: <stdin>:2: "
assert "ctl-3 still running" test "$($V domstate ctl-3)" = "running"
# An unknown VM among several: nothing is done
run $VM stop --force ctl-3 no-such-vm
expect_rc "unknown vm acts on nothing" 66 "^cloudctl-vm: vm 'no-such-vm': Domain not found"
assert "ctl-3 still running after the typo" test "$($V domstate ctl-3)" = "running"

# delete: storage owned by the VM goes with it, unless --keep-storage
run $VM create --name ctl-disk --disk 64M --no-start --no-network --tag suite=vm-libvirt -c name
expect "create --disk" 0 "name=ctl-disk"
assert "disk volume made" bash -c "$V vol-info --pool default ctl-disk.qcow2 >/dev/null"
assert "the disk is qcow2" bash -c "$V vol-dumpxml --pool default ctl-disk.qcow2 | grep -q \"format type='qcow2'\""
run $VM create --name ctl-overlay --image /var/lib/libvirt/images/ctl-disk.qcow2 --no-start --no-network --tag suite=vm-libvirt -c name,image
expect "create --image (backing file)" 0 "name=ctl-overlay image=/var/lib/libvirt/images/ctl-disk.qcow2"
run $VM show ctl-overlay -c name,image
expect "show: image from the metadata" 0 "name=ctl-overlay image=/var/lib/libvirt/images/ctl-disk.qcow2"
assert "overlay backed by the image" bash -c "$V vol-dumpxml --pool default ctl-overlay.qcow2 | grep -q '<path>/var/lib/libvirt/images/ctl-disk.qcow2</path>'"
assert "overlay has the image's size" bash -c "$V vol-dumpxml --pool default ctl-overlay.qcow2 | grep -q \"<capacity unit='bytes'>67108864</capacity>\""
run $VM delete ctl-overlay -c name,state
expect "delete" 0 "name=ctl-overlay state=deleted"
assert "overlay volume deleted" bash -c "! $V vol-info --pool default ctl-overlay.qcow2 >/dev/null 2>&1"
run $VM delete --keep-storage ctl-disk -c name,state
expect "delete --keep-storage" 0 "name=ctl-disk state=deleted"
assert "kept volume still there" bash -c "$V vol-info --pool default ctl-disk.qcow2 >/dev/null"
$V vol-delete --pool default ctl-disk.qcow2 >/dev/null

# A failed create leaves nothing behind: a missing network is found before the disk is made
run $VM create --name ctl-bad --disk 64M --network no-such-net --tag suite=vm-libvirt
expect "create with a missing network fails" 66 "" "cloudctl-vm: create: --network 'no-such-net': Network not found: no network with matching name 'no-such-net'"
assert "no domain left" bash -c "! $V dominfo ctl-bad >/dev/null 2>&1"
assert "no volume left" bash -c "! $V vol-info --pool default ctl-bad.qcow2 >/dev/null 2>&1"

run bash -c "$VM list --tag suite=vm-libvirt | $VM delete - -c name,state"
expect "list | delete -" 0 "name=ctl-1 state=deleted
name=ctl-2 state=deleted
name=ctl-3 state=deleted"
assert "virsh: all gone" bash -c "! $V list --all --name | grep -q '^ctl-'"

# A stopped VM has no address: an ip in the input record must not survive.
run $VM create --name ctl-ip --no-network --no-start --tag suite=vm-libvirt -c name
run_in $'kind=vm name=ctl-ip ip=10.254.0.99 owner=ops\n' $VM stop - -c name,state,ip,owner
expect "stale ip dropped, other fields kept" 0 "name=ctl-ip state=shutoff owner=ops"
$VM delete ctl-ip >/dev/null

# stats carry the network, for cloudctl-report's networks
run $VM create --name ctl-net --network cloudctl-test --no-start --memory 64M --tag suite=vm-libvirt -c name
run $VM list --stats --name ctl-net -c name,net,disk_bytes
expect "list --stats names the network" 0 "name=ctl-net net=cloudctl-test disk_bytes=0"

# One vocabulary for both drivers (cloudctl(7)): these fields, in this order, with the
# connection URI and the network; in JSON, vcpus and mem_mib are numbers
id=$($V domuuid ctl-net) net_id=$($V net-uuid cloudctl-test)
run $VM list --name ctl-net -o kv
expect "list: the fields of cloudctl(7), in order" 0 "kind=vm id=$id name=ctl-net state=shutoff driver=libvirt uri=qemu:///system host=$HOST vcpus=1 mem_mib=64 net=cloudctl-test net_id=$net_id tag.suite=vm-libvirt"
run $VM list --name ctl-net -o json
expect "list -o json: types" 0 "{\"kind\":\"vm\",\"id\":\"$id\",\"name\":\"ctl-net\",\"state\":\"shutoff\",\"driver\":\"libvirt\",\"uri\":\"qemu:///system\",\"host\":\"$HOST\",\"vcpus\":1,\"mem_mib\":64,\"net\":\"cloudctl-test\",\"net_id\":\"$net_id\",\"tag.suite\":\"vm-libvirt\"}"
for verb in show start stop wait; do
	[ $verb = wait ] && args="--state shutoff" || args=""
	# start without --wait: --timeout alone is refused (64), so none is given
	run $VM $verb ctl-net $args -c kind,id,name,state,driver,uri,host,vcpus,mem_mib,net,net_id
	want_state=shutoff; [ $verb = start ] && want_state=running
	expect "$verb: the same fields" 0 "kind=vm id=$id name=ctl-net state=$want_state driver=libvirt uri=qemu:///system host=$HOST vcpus=1 mem_mib=64 net=cloudctl-test net_id=$net_id"
	[ $verb = start ] && $V destroy ctl-net >/dev/null
done

# Records name their connection: another URI is refused before anything is done, and
# with neither --connect nor LIBVIRT_DEFAULT_URI the records' uri is the connection
run_in "kind=vm name=ctl-net driver=libvirt uri=test:///default"$'\n' $VM delete -
expect "a record of another URI is refused" 65 "" "cloudctl-vm: delete: <stdin>:1: record is driver=libvirt uri=test:///default; this command acts on driver=libvirt uri=qemu:///system"
assert "and the VM is still there" bash -c "$V dominfo ctl-net >/dev/null 2>&1"
# --driver names the target but not the URI: the one libvirt picks (qemu:///system for
# root) is only known once connected, and the record is checked against it there
run_in "kind=vm name=ctl-net driver=libvirt uri=test:///default"$'\n' env -u LIBVIRT_DEFAULT_URI $VM --driver libvirt delete -
expect "libvirt's own default URI: another URI's record is refused" 65 "" "cloudctl-vm: delete: <stdin>:1: record is driver=libvirt uri=test:///default; this command acts on driver=libvirt uri=qemu:///system"
assert "and the VM is still there (default URI)" bash -c "$V dominfo ctl-net >/dev/null 2>&1"
run_in "kind=vm name=ctl-net driver=openstack cloud=tenant-a"$'\n' $VM delete -
expect_rc "a record of the OpenStack driver is refused" 65 "record is driver=openstack cloud=tenant-a; this command acts on driver=libvirt"
assert "and the VM is still there (2)" bash -c "$V dominfo ctl-net >/dev/null 2>&1"
run_in "kind=vm name=test driver=libvirt uri=test:///default"$'\n' env -u LIBVIRT_DEFAULT_URI $VM show - -c name,uri
expect "the records' uri is the connection" 0 "name=test uri=test:///default"
run bash -c "$VM list --name ctl-net | env -u LIBVIRT_DEFAULT_URI $VM show - -c name,uri"
expect "list | show - on the records' uri" 0 "name=ctl-net uri=qemu:///system"

# start resumes a paused VM instead of writing state=paused with exit 0
$VM start ctl-net >/dev/null && $V suspend ctl-net >/dev/null
run $VM start ctl-net -c name,state
expect "start resumes a paused VM" 0 "name=ctl-net state=running"
assert "virsh: running after start" test "$($V domstate ctl-net)" = "running"
$VM delete ctl-net >/dev/null
