# vm-options: option parsing, help, version, output formats, exit codes, stdout
# handling. Uses libvirt's test:///default driver (no daemon; one domain "test").
. "$(dirname "$0")/lib.sh"
export LIBVIRT_DEFAULT_URI=test:///default
VM=cloudctl-vm
ID=6695eb01-f6a4-8304-79aa-97f2502e193f
NET_ID=$(virsh -c test:///default net-uuid default) # net_id: the UUID of the network net= names
HOST=$(hostname)

run $VM --version
expect "version" 0 "cloudctl-vm 0.1.0"

run $VM --help
assert "help lists every verb" bash -c "[ \$(grep -cE '^  (list|show|create|start|stop|reboot|delete|wait|stats) ' $T/out) = 9 ]"
run $VM list --help
assert "verb help" grep -q '^  -s, --state STATE' "$T/out"

run $VM list --bogus
expect "unknown option" 64 "" "cloudctl-vm: list: unknown option '--bogus' (see 'cloudctl-vm list --help')"
run $VM frobnicate
expect "unknown verb" 64 "" "cloudctl-vm: unknown verb 'frobnicate' (see 'cloudctl-vm --help')"
run $VM list --state
expect "missing argument" 64 "" "cloudctl-vm: list: option '--state' needs an argument (see 'cloudctl-vm list --help')"
run $VM list --state sleeping
expect "bad state" 64 "" "cloudctl-vm: list: --state 'sleeping': not one of running blocked paused shutdown shutoff crashed pmsuspended nostate"
run $VM list -o yaml
expect "bad format" 64 "" "cloudctl-vm: unknown output format 'yaml' (kv, table, json, tsv, csv, md)"
run $VM create --name x --vcpus two
expect "not a number" 64 "" "cloudctl-vm: create: option '--vcpus': 'two' is not a whole number (see 'cloudctl-vm create --help')"

run $VM list
expect "list kv" 0 "kind=vm id=$ID name=test state=running driver=libvirt uri=test:///default host=$HOST vcpus=2 mem_mib=8192 ip=192.168.122.3 net=default net_id=$NET_ID"
run $VM list -o json
expect "list json" 0 "{\"kind\":\"vm\",\"id\":\"$ID\",\"name\":\"test\",\"state\":\"running\",\"driver\":\"libvirt\",\"uri\":\"test:///default\",\"host\":\"$HOST\",\"vcpus\":2,\"mem_mib\":8192,\"ip\":\"192.168.122.3\",\"net\":\"default\",\"net_id\":\"$NET_ID\"}"
run $VM list -o tsv -c name,state,tags
expect "list tsv columns" 0 "$(printf 'name\tstate\ttags\ntest\trunning\t')"
run $VM list -o table -c name,vcpus,ip,tags
expect "list table" 0 "NAME  VCPUS  IP             TAGS
test  2      192.168.122.3  -"
CLOUDCTL_OUTPUT=json run $VM list -c name
expect "CLOUDCTL_OUTPUT" 0 '{"name":"test"}'
CLOUDCTL_OUTPUT=xml run $VM list
expect "bad CLOUDCTL_OUTPUT" 78 "" "cloudctl-vm: CLOUDCTL_OUTPUT: unknown output format 'xml' (kv, table, json, tsv, csv, md)"
run $VM list --name 'te*' -c name
expect "name glob" 0 "name=test"
run $VM list --name 'x*' -c name
expect "name glob no match" 0 ""
run $VM list --state shutoff
expect "state filter" 0 ""

# A reader that goes away is not an error; a full disk is.
$VM list 2>"$T/err" | head -c 0; prc=${PIPESTATUS[0]}
assert "closed pipe is quiet" test ! -s "$T/err"
assert "closed pipe exits 0" test "$prc" = 0
$VM list > /dev/full 2> "$T/err"; rc=$?
assert "full disk exits 74" test "$rc" = 74
assert "full disk message" grep -qx "cloudctl-vm: write error on standard output: No space left on device" "$T/err"

# Records on stdin: malformed input is exit 65 with the line, before anything is done.
run_in $'kind=vm name=test\nkind=vm name="unterminated\n' $VM show -
expect_rc "malformed record" 65 '^cloudctl-vm: <stdin>:2: '
assert "malformed record: nothing written" test ! -s "$T/out"
run_in $'kind=vm name=test extra=kept\n' $VM show -c name,extra -
expect "unknown keys pass through" 0 "name=test extra=kept"
run_in $'{"kind":"vm","name":"test","note":"via json"}\n' $VM show -c name,note -o kv
expect "JSON Lines input" 0 'name=test note="via json"'
run_in $'kind=net name=tenant-a\nkind=vm name=test\n' $VM show -c name
expect "other kinds are skipped" 0 "name=test"
run $VM show nosuchvm
expect_rc "show unknown vm" 66 "^cloudctl-vm: vm 'nosuchvm': Domain not found"
run $VM show test -c name,domain_type,disk.0.dev,nic.0.mac,nic.0.source
expect "show detail" 0 "name=test domain_type=test disk.0.dev=vda nic.0.mac=aa:bb:cc:dd:ee:ff nic.0.source=default"

run $VM create --count 2 --name same
expect "count needs a template" 64 "" "cloudctl-vm: create: --count needs a name template with %d, e.g. 'same-%d'"
run $VM create --name x --memory lots
expect "bad memory" 64 "" "cloudctl-vm: create: --memory 'lots': expected a size such as 512M or 2G"
run $VM create --name x --user-data /nonexistent/ud
expect "missing user-data" 66 "" "cloudctl-vm: create: --user-data '/nonexistent/ud': No such file or directory"
run $VM create --name x --tag Bad=1
expect "bad tag" 64 "" "cloudctl-vm: create: --tag 'Bad=1': expected KEY=VALUE with KEY matching [a-z][a-z0-9_.]*"
run $VM create --name test
expect "create existing" 73 "" "cloudctl-vm: create: vm 'test' already exists (use --if-missing to accept it)"
run $VM create --name test --if-missing -c name,state
expect "create --if-missing" 0 "name=test state=running"
run $VM wait test --state shutoff --timeout 300ms
expect "wait times out" 75 "kind=vm id=$ID name=test state=running driver=libvirt uri=test:///default host=$HOST vcpus=2 mem_mib=8192 ip=192.168.122.3 net=default net_id=$NET_ID" \
	"cloudctl-vm: vm 'test' is not shutoff after 300ms"
run_in $'kind=vm name=test ip=10.9.9.9 net_rx_bytes=5 ticket=OPS-2\n' $VM show -c name,ip,net_rx_bytes,ticket -
expect "driver fields are fresh, others pass through" 0 "name=test ip=192.168.122.3 ticket=OPS-2"
run_in $'kind=vm name=test ticket=OPS-3\n' $VM delete -c name,state,ticket -
expect "delete (test driver) keeps input fields" 0 "name=test state=deleted ticket=OPS-3"
run $VM list -z
expect "unknown short option" 64 "" "cloudctl-vm: list: unknown option '-z' (see 'cloudctl-vm list --help')"
run $VM -vv list -c name
expect_rc "-vv says what it connects to" 0 "^cloudctl-vm: connected to test:///default on "
run $VM list -c name
expect "quiet by default" 0 "name=test" ""
run $VM create --name 'x-%d' --count -1
expect "bad count" 64 "" "cloudctl-vm: create: --count '-1': must be 1 to 10000"
run $VM create --name 'x-%d-%d' --count 2
expect "two numbers in a template" 64 "" "cloudctl-vm: create: --name 'x-%d-%d': at most one %d (or %02d) in a template"
run $VM stats --interval 1s test
expect "stats --interval with operands" 64 "" "cloudctl-vm: stats: --interval samples every VM: give no operand (filter with 'list --stats --interval')"
run $VM list --interval 1s
expect "list --interval needs --stats" 64 "" "cloudctl-vm: list: --interval goes with --stats"
run $VM start -C test:///default -C test:///default test
expect "several --connect only for list and stats" 64 "" "cloudctl-vm: only list and stats take several --connect"
run $VM -C test:///default -C test:///default list -c name
expect "several --connect are merged in order" 0 "name=test
name=test"

# Records name their driver and cloud or URI: a command acts on no record of
# another (cloudctl-vm(1) TARGETS). Checked before a driver is loaded: the same
# for every verb that reads records, whatever driver the record or the command names.
OSREC='kind=vm id=0f0e0d0c-0000-4000-8000-000000000001 name=test driver=openstack cloud=tenant-a project=p1'
for verb in show start stop reboot delete wait stats; do
	run_in "$OSREC
" $VM "$verb" -
	expect "$verb: an OpenStack record is refused by libvirt" 65 "" \
		"cloudctl-vm: $verb: <stdin>:1: record is driver=openstack cloud=tenant-a project=p1; this command acts on driver=libvirt uri=test:///default"
	run_in "kind=vm name=test driver=libvirt uri=qemu:///system
" $VM "$verb" -
	expect "$verb: a record of another libvirt URI is refused" 65 "" \
		"cloudctl-vm: $verb: <stdin>:1: record is driver=libvirt uri=qemu:///system; this command acts on driver=libvirt uri=test:///default"
	run_in "kind=vm name=test driver=libvirt uri=test:///default
" env -u LIBVIRT_DEFAULT_URI OS_CLOUD=tenant-a $VM "$verb" -
	expect "$verb: a libvirt record is refused by OpenStack" 65 "" \
		"cloudctl-vm: $verb: <stdin>:1: record is driver=libvirt uri=test:///default; this command acts on driver=openstack cloud=tenant-a"
done
assert "the domain is still running after the refusals" test "$($VM list -c state)" = "state=running"
run_in "kind=vm name=test driver=libvirt uri=test:///default
" env -u LIBVIRT_DEFAULT_URI $VM show -c name,state -
expect "no target named: the records' URI is used" 0 "name=test state=running"
run_in "kind=vm name=test driver=libvirt uri=test:///default
kind=vm name=test
kind=vm name=test driver=libvirt uri=qemu:///system
" env -u LIBVIRT_DEFAULT_URI $VM show -
expect "no target named: records that disagree" 65 "" \
	"cloudctl-vm: show: <stdin>:3: record is driver=libvirt uri=qemu:///system; earlier records are driver=libvirt uri=test:///default"
run_in "$OSREC
" $VM delete --delete-keypair -
expect_rc "the record is checked before the options of the driver" 65
run $VM delete --delete-keypair test
expect "--delete-keypair is for openstack" 64 "" "cloudctl-vm: delete: --delete-keypair is for --driver openstack"
run $VM show --all-projects test
expect "--all-projects is for openstack" 64 "" "cloudctl-vm: show: --all-projects is for --driver openstack"

# --timeout is the limit of --wait for create, start and delete: alone it did nothing
for c in "create --name tw --timeout 1s" "start test --timeout 1s" "delete test --timeout 1s"; do
	verb=${c%% *}
	run $VM $c
	expect "$verb --timeout without --wait is a usage error" 64 "" "cloudctl-vm: $verb: --timeout is the limit of --wait: give --wait too"
done
run virsh -c test:///default domstate test
expect "and nothing was done" 0 "running"

# -v says each step on stderr (cloudctl(7)); the records stay alone on stdout
run $VM -v stop test -c name,state
expect "-v stop: the connection and the step" 0 "name=test state=shutoff" "cloudctl-vm: stop: connected to test:///default
cloudctl-vm: stop: vm 'test': shutting down (60s at most)"
run $VM -v start test -c name
expect "-v start of a running VM: said, nothing done" 0 "name=test" "cloudctl-vm: start: connected to test:///default
cloudctl-vm: start: vm 'test': running already"
run $VM -v create --name vx --memory 64M --no-network --wait -c name,state
expect "-v create --wait: each step" 0 "name=vx state=running" "cloudctl-vm: create: connected to test:///default
cloudctl-vm: create: vm 'vx': making its volumes and defining it, then starting it
cloudctl-vm: create: vm 'vx': waiting until it runs"
run $VM -v delete test --keep-storage -c name,state
expect "-v delete --keep-storage" 0 "name=test state=deleted" "cloudctl-vm: delete: connected to test:///default
cloudctl-vm: delete: vm 'test': deleting it (its storage is kept)"
run $VM create --count 2 --name 'vp%d' --memory 64M --no-network --wait -c name
expect "create --wait, stderr not a terminal: no progress line" 0 "name=vp1
name=vp2" ""
# on a terminal (script(1) gives the command one), create --wait shows how far it is on
# a line of stderr redrawn in place, cleared before each record
if command -v script >/dev/null; then
	script -qec "$VM create --count 2 --name 'vp%d' --memory 64M --no-network --wait -o kv -c name" /dev/null > "$T/tty" 2>&1
	assert "create --wait on a terminal: progress, then each record on a clean line" test \
		"$(od -An -c "$T/tty" | tr -s ' \n' ' ')" = \
		"$(printf '\rcloudctl-vm: create: 0 of 2 VMs made and running\033[K\r\033[Kname=vp1\r\n\rcloudctl-vm: create: 1 of 2 VMs made and running\033[K\r\033[Kname=vp2\r\n' | od -An -c | tr -s ' \n' ' ')"
	script -qec "$VM -q create --count 2 --name 'vp%d' --memory 64M --no-network --wait -o kv -c name" /dev/null > "$T/tty" 2>&1
	assert "create --wait -q on a terminal: no progress" test "$(tr -d '\r' < "$T/tty")" = "name=vp1
name=vp2"
else
	skip "create --wait on a terminal" "no script(1) to give it one"
fi
