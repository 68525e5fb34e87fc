# columns-libvirt: a -c column that no record of an acting verb of cloudctl-vm
# or cloudctl-net can have is a usage error (64) before the verb acts, on the
# real libvirtd (issue 15): each refused command leaves libvirt as it was, read
# back with virsh. A column of the records piped in is accepted (input fields
# pass through), and every field the verbs do print is one they declare.
. "$(dirname "$0")/lib.sh"
export LIBVIRT_DEFAULT_URI=qemu:///system
VM=cloudctl-vm
NET="cloudctl-net --driver libvirt"
V="virsh -q -c qemu:///system"
if [ "$(id -u)" != 0 ]; then skip "columns-libvirt" "needs root (libvirt networks make bridges)"; exit 0; fi
if ! have_libvirtd; then skip "columns-libvirt" "no libvirtd answers on qemu:///system (run as root: tests/services/libvirt-start.sh)"; exit 0; fi
P=t-col-$$
X=$(( $$ % 200 + 20 ))
cleanup_hook() {
	local d
	for d in $($V list --all --name 2>/dev/null | grep "^$P"); do $VM delete "$d" > /dev/null 2>&1; done
	for d in $($V net-list --all --name 2>/dev/null | grep "^$P"); do
		$V net-destroy "$d" > /dev/null 2>&1; $V net-undefine "$d" > /dev/null 2>&1
	done
}
cleanup_hook
$VM create --name "$P" --no-start --no-network --memory 64M > /dev/null || fail "setup" "vm create $P"
$NET network create "$P-n" --mode isolated --cidr "10.249.$X.0/24" --no-start > /dev/null || fail "setup" "network create $P-n"
state() { $V domstate "$P" 2>/dev/null; }
netstate() { $V net-info "$P-n" 2>/dev/null | awk '$1 == "Active:" {print $2}'; }
declare -A rec=([vm]="kind=vm name=$P driver=libvirt uri=qemu:///system"$'\n'
	[net]="kind=net name=$P-n driver=libvirt uri=qemu:///system"$'\n' [none]="")

# name|the record on stdin (vm, net or none)|command|what must still hold afterwards
while IFS='|' read -r name input cmd check; do
	[ -n "$cmd" ] || continue
	# shellcheck disable=SC2086 # cmd is words
	run_in "${rec[$input]}" $cmd -c name,nosuch
	tool=${cmd%% *}
	expect "$name -c nosuch: 64 before acting" 64 "" "$tool: -c: no record has a column 'nosuch'"
	assert "$name: nothing was done ($check)" eval "$check"
done <<LIST
vm create|net|$VM create - --name $P-new --no-start --memory 64M|! $V dominfo $P-new > /dev/null 2>&1
vm create (no stdin)|none|$VM create --name $P-new --no-start --no-network --memory 64M|! $V dominfo $P-new > /dev/null 2>&1
vm start|none|$VM start $P|test "\$(state)" = "shut off"
vm start -|vm|$VM start -|test "\$(state)" = "shut off"
vm reboot|none|$VM reboot $P|test "\$(state)" = "shut off"
vm delete|none|$VM delete $P|$V dominfo $P > /dev/null
vm delete -|vm|$VM delete -|$V dominfo $P > /dev/null
net network create|none|$NET network create $P-m --cidr 10.248.$X.0/24|! $V net-info $P-m > /dev/null 2>&1
net network start|none|$NET network start $P-n|test "\$(netstate)" = no
net network delete -|net|$NET network delete -|$V net-info $P-n > /dev/null
LIST

# A column only the piped records have passes through, before and after acting
run_in "kind=vm name=$P ticket=OPS-7"$'\n' $VM start - -c name,state,ticket
expect "vm start - -c with a piped field" 0 "name=$P state=running ticket=OPS-7"
run_in "kind=vm name=$P ticket=OPS-7"$'\n' $VM stop --force - -c name,ticket,nosuch
expect "vm stop - -c a field no record has" 64 "" "cloudctl-vm: -c: no record has a column 'nosuch'"
assert "vm stop refused: still running" test "$(state)" = running
run_in "kind=net name=$P-n ticket=OPS-8"$'\n' $NET network start - -c name,state,ticket
expect "net network start - -c with a piped field" 0 "name=$P-n state=active ticket=OPS-8"

# Every field the acting verbs print is one they declare: -c with all of them
# is accepted (the records' own, not only the piped ones)
keys() { sed 's/=[^ ]*//g; s/ /\n/g' "$T/out" | sort -u | paste -sd, -; }
run $VM start "$P" -o kv
all=$(keys)
run $VM stop --force "$P" -c "$all"
expect_rc "vm stop -c every field of its record ($all)" 0
run $NET network stop "$P-n" -o kv
all=$(keys)
run $NET network start "$P-n" -c "$all"
expect_rc "net network start -c every field of its record ($all)" 0
