# vm-libvirt-create: what cloudctl-vm create refuses, before it makes anything, and what
# it leaves when interrupted (SIGINT, SIGTERM): exactly the VMs it wrote records for.
# Checked against the real libvirtd of tests/services/libvirt-start.sh with virsh.
. "$(dirname "$0")/lib.sh"
export LIBVIRT_DEFAULT_URI=qemu:///system
VM=cloudctl-vm
V="virsh -q -c qemu:///system"
if ! have_libvirtd; then skip "vm-libvirt-create" "no libvirtd answers on qemu:///system (run as root: tests/services/libvirt-start.sh)"; exit 0; fi
# every name here starts with cc-; what a failed run left is removed by name
cleanup_hook() {
	local d v
	for d in $($V list --all --name 2>/dev/null | grep '^cc-'); do $V destroy "$d" >/dev/null 2>&1; $V undefine "$d" >/dev/null 2>&1; done
	for v in $($V vol-list default 2>/dev/null | awk '$1 ~ /^cc-/ {print $1}'); do $V vol-delete --pool default "$v" >/dev/null 2>&1; done
}
cleanup_hook
domains() { $V list --all --name | grep "^$1" | sort; }
volumes() { $V vol-list default | awk -v p="^$1" '$1 ~ p {print $1}' | sort; }
G=$SVC/guest/vmlinuz
[ -s "$G" ] || G=/etc/hostname # any readable file: nothing here boots it

# Refusals: each exits with its code and one line naming the option and the path, and
# makes nothing: no domain, no volume. A taken name and a taken volume are checked
# before the first VM of a batch is made.
$VM create --name cc-tk-2 --no-start --no-network >/dev/null
$V vol-create-as default cc-vol-2.qcow2 1M >/dev/null
$V vol-create-as default cc-seed-1-seed.iso 1M >/dev/null
mkdir -p "$T/dir"
while IFS='|' read -r name want err args; do
	[ -z "$name" ] && continue
	# shellcheck disable=SC2086 # the arguments, split on purpose
	run $VM create --no-start $args
	expect "refused: $name" "$want" "" "$err"
	assert "nothing made: $name" test -z "$(domains cc-new; volumes cc-new; domains cc-tk-1; volumes cc-tk; domains cc-vol; volumes cc-vol-1; domains cc-seed)"
done <<EOF
kernel missing|66|cloudctl-vm: create: --kernel '/nonexistent/vmlinuz': No such file or directory|--name cc-new --no-network --kernel /nonexistent/vmlinuz
kernel a directory|66|cloudctl-vm: create: --kernel '$T/dir': Is a directory|--name cc-new --no-network --kernel $T/dir
initrd missing|66|cloudctl-vm: create: --initrd '/nonexistent/initrd': No such file or directory|--name cc-new --no-network --kernel $G --initrd /nonexistent/initrd
image missing|66|cloudctl-vm: create: --image '/nonexistent/disk.qcow2': No such file or directory|--name cc-new --no-network --image /nonexistent/disk.qcow2 --disk 16M
user-data missing|66|cloudctl-vm: create: --user-data '/nonexistent/ud': No such file or directory|--name cc-new --no-network --user-data /nonexistent/ud --disk 16M
console-log directory missing|66|cloudctl-vm: create: --console-log '/nonexistent/c.log': No such file or directory|--name cc-new --no-network --console-log /nonexistent/c.log
network missing|66|cloudctl-vm: create: --network 'no-such-net': Network not found: no network with matching name 'no-such-net'|--name cc-new --network no-such-net --disk 16M
pool missing|66|cloudctl-vm: create: --pool 'no-such-pool': Storage pool not found: no storage pool with matching name 'no-such-pool'|--name cc-new --no-network --pool no-such-pool --disk 16M
name taken in a batch|73|cloudctl-vm: create: vm 'cc-tk-2' already exists (use --if-missing to accept it)|--name cc-tk-%d --count 2 --no-network --disk 16M
disk volume taken in a batch|73|cloudctl-vm: create: volume 'default/cc-vol-2.qcow2' exists already: remove it or choose another name|--name cc-vol-%d --count 2 --no-network --disk 16M
seed volume taken|73|cloudctl-vm: create: volume 'default/cc-seed-1-seed.iso' exists already: remove it or choose another name|--name cc-seed-%d --no-network --user-data /etc/hostname
a / in the name|64|cloudctl-vm: create: --name 'cc-new/x': a libvirt name may not contain '/'|--name cc-new/x --no-network
--wait with --no-start|64|cloudctl-vm: create: --wait and --no-start exclude each other|--name cc-new --no-network --wait
EOF
assert "the batch with a taken volume made none of its VMs" test -z "$(domains cc-vol; volumes cc-vol-1)"
assert "the taken volumes are untouched" test "$(volumes cc-vol; volumes cc-seed)" = "cc-vol-2.qcow2
cc-seed-1-seed.iso"

# Permission denied is 77, for every option naming a file read here (test:///default is
# local: its paths are checked here too), as a user who cannot read the file
printf 'secret\n' > "$T/private" && chmod 600 "$T/private" && chmod 755 "$T"
BIN=$(command -v cloudctl-vm)
for opt in --kernel --initrd --image --user-data; do
	extra=""; [ $opt = --initrd ] && extra="--kernel /etc/hostname"
	# shellcheck disable=SC2086
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" -C test:///default create --name cc-perm --no-network $extra $opt "$T/private"
	expect "unreadable $opt is 77" 77 "" "cloudctl-vm: create: $opt '$T/private': Permission denied"
done

# Interrupted while waiting for the first VM of three (a VM with no OS never gets an
# address): that VM exists and is written, the others are not made, exit 130.
for sig in INT TERM; do
	p=cc-w$sig-
	$VM create --count 3 --name "$p%d" --memory 64M --disk 16M --user-data /etc/hostname --network cloudctl-test \
		--wait --timeout 5m -c name,state -o kv >"$T/out" 2>"$T/err" &
	pid=$!
	for i in $(seq 100); do [ "$(domains $p)" = "${p}1" ] && break; sleep 0.1; done
	sleep 1
	kill -$sig $pid; wait $pid; rc=$?
	expect "SIG$sig during --wait: the VM being waited for is written" 130 "name=${p}1 state=running" \
		"cloudctl-vm: warning: create: interrupted: the VMs written above exist; no other was made"
	assert "SIG$sig during --wait: virsh has just that VM" test "$(domains $p)" = "${p}1"
	assert "SIG$sig during --wait: and its two volumes" test "$(volumes $p)" = "${p}1-seed.iso
${p}1.qcow2"
done

# Interrupted at any moment of a batch (a 27 MB seed takes most of each VM's time):
# whatever moment the signal hits, the VMs left are exactly those written, each with
# its disk and seed, and nothing is left of the VM in flight.
head -c 20000000 /dev/urandom | base64 > "$T/big-user-data"
undone=0
for delay in 0.2 0.5 0.8 1.1; do
	for sig in INT TERM; do
		p=cc-s${delay#0.}$sig-
		$VM create --count 4 --name "$p%d" --no-start --memory 64M --disk 16M --user-data "$T/big-user-data" \
			--network cloudctl-test -c name -o kv >"$T/out" 2>"$T/err" &
		pid=$!
		sleep "$delay"; kill -$sig $pid 2>/dev/null; wait $pid; rc=$?
		written=$(sed 's/^name=//' "$T/out" | sort)
		vols=$(for n in $written; do echo "$n-seed.iso"; echo "$n.qcow2"; done | sort)
		assert "SIG$sig at ${delay}s: exit 130, or 0 when done before ($rc)" bash -c "[ $rc = 130 ] || { [ $rc = 0 ] && [ \$(wc -l < $T/out) = 4 ]; }"
		assert "SIG$sig at ${delay}s: the domains are those written ($(echo $written))" test "$(domains $p)" = "$written"
		assert "SIG$sig at ${delay}s: the volumes are theirs" test "$(volumes $p)" = "$vols"
		grep -q "interrupted: removing what was made for" "$T/err" && undone=$((undone + 1))
		cleanup_hook
	done
done
assert "some signal came while a VM was half made, and it was undone ($undone of 8)" test $undone -gt 0

# delete: a volume that cannot be deleted (immutable) is not a silent success: the VM is
# gone (its record says so), the volume is named on stderr, and the exit code says why
$VM create --name cc-imm --disk 16M --no-start --no-network >/dev/null
if chattr +i /var/lib/libvirt/images/cc-imm.qcow2 2>/dev/null; then
	run $VM delete cc-imm -c name,state
	expect "delete with a volume left" 77 "name=cc-imm state=deleted" \
		"cloudctl-vm: cannot delete volume 'default/cc-imm.qcow2' (it is left): cannot unlink file '/var/lib/libvirt/images/cc-imm.qcow2': Operation not permitted"
	assert "the domain is gone" test -z "$(domains cc-imm)"
	assert "the volume is left, as said" test "$(volumes cc-imm)" = "cc-imm.qcow2"
	chattr -i /var/lib/libvirt/images/cc-imm.qcow2
else skip "delete with a volume left" "chattr +i does not work on /var/lib/libvirt/images"; fi

# create -: the networks come from kind=net records; an empty input (the command before
# it failed) or a record of another driver makes nothing
while IFS='|' read -r name input want err; do
	run_in "$(printf "$input")" $VM create --name cc-in --no-start --memory 64M - -c name,net
	expect "create -: $name" "$want" "" "$err"
	assert "create -: nothing made: $name" test -z "$(domains cc-in)"
done <<'EOF2'
empty input||65|cloudctl-vm: create: no kind=net record on standard input: create - takes its networks from it
only a vm record|kind=vm name=x\n|65|cloudctl-vm: create: no kind=net record on standard input: create - takes its networks from it
a network of OpenStack|kind=net name=cloudctl-test driver=openstack cloud=tenant-a\n|65|cloudctl-vm: create: <stdin>:1: record is driver=openstack cloud=tenant-a; this command acts on driver=libvirt uri=qemu:///system
a missing network|kind=net name=no-such-net driver=libvirt\n|66|cloudctl-vm: create: --network 'no-such-net': Network not found: no network with matching name 'no-such-net'
EOF2
run_in $'kind=net name=cloudctl-test driver=libvirt\n' $VM create --name cc-in --no-start --memory 64M - -c name,net
expect "create -: the network of the record" 0 "name=cc-in net=cloudctl-test"
assert "virsh: on that network" bash -c "$V domiflist cc-in | grep -q cloudctl-test"
$VM delete cc-in >/dev/null
