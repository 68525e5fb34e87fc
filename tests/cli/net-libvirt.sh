# net-libvirt: cloudctl-net --driver libvirt network ... against the real libvirtd
# that tests/services/libvirt-start.sh runs, checking libvirt's state afterwards
# with virsh (net-dumpxml, net-info, net-list). Networks are named t-net-PID-*
# and use 10.250.X.0/24 to 10.253.X.0/24 (X from the PID), away
# from the services' cloudctl-test (10.254.0.0/24) and libvirt's default
# (192.168.122.0/24).
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
NET="${CLOUDCTL_BIN:-$SRC/${CLOUDCTL_BUILD:-build}/bin}/cloudctl-net --driver libvirt"
export LIBVIRT_DEFAULT_URI=qemu:///system
V="virsh -q -c qemu:///system"
if [ "$(id -u)" != 0 ]; then skip "net-libvirt" "needs root (libvirt networks make bridges and firewall rules)"; exit 0; fi
if ! have_libvirtd; then skip "net-libvirt" "no libvirtd answers on qemu:///system (run as root: tests/services/libvirt-start.sh)"; exit 0; fi

P=t-net-$$
X=$(( $$ % 200 + 20 ))
NAT=$P-nat ISO=$P-iso RT=$P-rt
BR=ctn$(( $$ % 1000000 ))   # a bridge name of our own (at most 15 characters)
cleanup_hook() {
	local n
	for n in $($V net-list --all --name 2>/dev/null | grep "^$P-"); do
		$V net-destroy "$n" >/dev/null 2>&1; $V net-undefine "$n" >/dev/null 2>&1
	done
}
# libvirtd may run in a network namespace of its own (tests/services/libvirt-start.sh):
# its bridges and routes are looked at there.
LPID=$(cat "$SVC/libvirt/libvirtd.pid" 2>/dev/null || pidof -s libvirtd)
inns() { if [ -n "$LPID" ] && [ -e "/proc/$LPID/ns/net" ]; then nsenter --net="/proc/$LPID/ns/net" "$@"; else "$@"; fi; }
has_link() { inns ip link show "$1" >/dev/null 2>&1; }
no_link() { ! has_link "$1"; }
link_has_addr() { inns ip -4 addr show "$1" 2>/dev/null | grep -q "inet $2 "; }
# Another network already on one of our ranges (a leftover): pick other numbers rather than fail.
while inns ip -4 route | grep -qE "^10\.25[0-3]\.$X\."; do X=$(( X + 1 )); done
exists() { $V net-info "$1" >/dev/null 2>&1; }
xpath() { $V net-dumpxml "$1" | xmllint --xpath "$2" - 2>/dev/null; }
info_of() { $V net-info "$1" | sed -n "s/^$2: *//p"; }
C=name,state,mode,cidr,gateway,pools,autostart,persistent

# create NAT, started, autostart: the record, then libvirt's own view
run $NET network create $NAT --cidr 10.252.$X.0/24 --autostart -c $C -o kv
expect "create nat" 0 "name=$NAT state=active mode=nat cidr=10.252.$X.0/24 gateway=10.252.$X.1 pools=10.252.$X.2-10.252.$X.254 autostart=true persistent=true"
assert "virsh: forward mode nat" test "$(xpath $NAT 'string(/network/forward/@mode)')" = nat
assert "virsh: host address and prefix" test "$(xpath $NAT 'concat(/network/ip/@address,"/",/network/ip/@prefix)')" = "10.252.$X.1/24"
assert "virsh: DHCP range" test "$(xpath $NAT 'concat(/network/ip/dhcp/range/@start,"-",/network/ip/dhcp/range/@end)')" = "10.252.$X.2-10.252.$X.254"
assert "virsh: active, autostart, persistent" test "$(info_of $NAT Active)/$(info_of $NAT Autostart)/$(info_of $NAT Persistent)" = yes/yes/yes
uuid=$($V net-uuid $NAT)
bridge=$(info_of $NAT Bridge)
run $NET network show $NAT -o kv
expect "show: the whole record, in the order of cloudctl-net(1)" 0 "kind=net id=$uuid name=$NAT state=active driver=libvirt uri=qemu:///system mode=nat bridge=$bridge cidr=10.252.$X.0/24 gateway=10.252.$X.1 pools=10.252.$X.2-10.252.$X.254 autostart=true persistent=true"
assert "the bridge has the host address" link_has_addr "$bridge" 10.252.$X.1/24
run $NET network show $uuid -c name,id -o kv
expect "show by UUID" 0 "name=$NAT id=$uuid"

# isolated, defined only, no DHCP, our bridge name
run $NET network create $ISO --cidr 10.251.$X.0/24 --mode isolated --no-dhcp --bridge $BR --no-start -c $C,bridge -o kv
expect "create isolated --no-start --no-dhcp --bridge" 0 "name=$ISO state=inactive mode=isolated cidr=10.251.$X.0/24 gateway=10.251.$X.1 autostart=false persistent=true bridge=$BR"
assert "virsh: no <forward> (isolated)" test "$(xpath $ISO 'count(/network/forward)')" = 0
assert "virsh: no DHCP" test "$(xpath $ISO 'count(//dhcp)')" = 0
assert "virsh: the bridge name" test "$(xpath $ISO 'string(/network/bridge/@name)')" = $BR
assert "virsh: inactive, no autostart" test "$(info_of $ISO Active)/$(info_of $ISO Autostart)" = no/no

# routed, with a DHCP range of its own
run $NET network create $RT --cidr 10.253.$X.0/25 --mode route --dhcp-range 10.253.$X.100-10.253.$X.120 --no-start -c $C -o kv
expect "create route --dhcp-range" 0 "name=$RT state=inactive mode=route cidr=10.253.$X.0/25 gateway=10.253.$X.1 pools=10.253.$X.100-10.253.$X.120 autostart=false persistent=true"
assert "virsh: forward mode route" test "$(xpath $RT 'string(/network/forward/@mode)')" = route
assert "virsh: /25 and the range" test "$(xpath $RT 'concat(/network/ip/@prefix," ",/network/ip/dhcp/range/@start,"-",/network/ip/dhcp/range/@end)')" = "25 10.253.$X.100-10.253.$X.120"

# start, stop: idempotent; libvirt's state follows
run $NET network start $ISO -c name,state -o kv
expect "start" 0 "name=$ISO state=active"
assert "virsh: active" test "$(info_of $ISO Active)" = yes
assert "the bridge is there" has_link $BR
run $NET network start $ISO -c name,state -o kv
expect "start again is a no-op" 0 "name=$ISO state=active"
run $NET -v network stop $ISO -c name,state -o kv
expect "stop (-v: the connection and the step on stderr)" 0 "name=$ISO state=inactive" "cloudctl-net: connected to qemu:///system
cloudctl-net: network stop: $ISO: stopping it"
assert "virsh: inactive" test "$(info_of $ISO Active)" = no
assert "the bridge is gone" no_link $BR
run $NET -v network stop $ISO -c name,state -o kv
expect "stop again is a no-op (and -v says so)" 0 "name=$ISO state=inactive" "cloudctl-net: connected to qemu:///system
cloudctl-net: network stop: $ISO: inactive already"

# an existing name: 73, or reported as it is with --if-missing
run $NET network create $NAT --cidr 10.252.$X.0/24
expect "create an existing name" 73 "" "cloudctl-net: network create: $NAT: already exists (use --if-missing to accept it)"
shown=$($NET network show $NAT -o kv)
run $NET network create $NAT --cidr 10.252.$X.0/24 --if-missing -o kv
expect "create --if-missing reports the existing one" 0 "$shown"
run $NET network create $NAT --cidr 10.252.$X.0/24 --if-missing -o kv
expect "create --if-missing again: the same" 0 "$shown"
# --if-missing takes only the network asked for: another option is 73, naming the field
# (NAT: nat, 10.252.X.0/24, DHCP .2-.254, autostart; ISO: isolated, no DHCP, bridge BR)
while IFS='|' read -r name net args err; do
	# shellcheck disable=SC2086 # args: several words
	run $NET network create $net $args --if-missing
	expect "create --if-missing, $name: 73" 73 "" "cloudctl-net: network create: $net: $err (--if-missing takes only the same)"
done <<EOF2
another cidr|$NAT|--cidr 10.252.$X.0/25|exists with cidr=10.252.$X.0/24; asked cidr=10.252.$X.0/25
another mode|$NAT|--cidr 10.252.$X.0/24 --mode route|exists with mode=nat; asked mode=route
another DHCP range|$NAT|--cidr 10.252.$X.0/24 --dhcp-range 10.252.$X.10-10.252.$X.20|exists with pools=10.252.$X.2-10.252.$X.254; asked pools=10.252.$X.10-10.252.$X.20
no DHCP|$NAT|--cidr 10.252.$X.0/24 --no-dhcp|exists with pools=10.252.$X.2-10.252.$X.254; asked pools=none
DHCP where there is none|$ISO|--cidr 10.251.$X.0/24 --mode isolated --bridge $BR|exists with pools=none; asked pools=10.251.$X.2-10.251.$X.254
another bridge|$ISO|--cidr 10.251.$X.0/24 --mode isolated --no-dhcp --bridge ${BR}x|exists with bridge=$BR; asked bridge=${BR}x
autostart|$ISO|--cidr 10.251.$X.0/24 --mode isolated --no-dhcp --autostart|exists with autostart=false; asked autostart=true
EOF2
assert "after the refusals, libvirt's networks are as they were" test \
	"$($NET network show $NAT -o kv) $(xpath $ISO 'string(/network/bridge/@name)') $(info_of $ISO Autostart)" = "$shown $BR no"
run $NET network create $ISO --cidr 10.251.$X.0/24 --mode isolated --no-dhcp --if-missing -c name,mode -o kv
expect "create --if-missing with the same options, bridge not asked" 0 "name=$ISO mode=isolated"

# bad input: 64 with one line, before anything is defined
run $NET network create $P-bad --cidr 10.252.$X.0/33
expect "bad CIDR" 64 "" "cloudctl-net: network create: $P-bad: --cidr '10.252.$X.0/33': expected an IPv4 network such as 192.168.150.0/24"
run $NET network create $P-bad --cidr 10.252.$X.9/24
expect "not a network address" 64 "" "cloudctl-net: network create: $P-bad: --cidr '10.252.$X.9/24': not a network address (did you mean 10.252.$X.0/24?)"
run $NET network create $P-bad --cidr 10.250.$X.0/24 --dhcp-range 10.250.$X.50-10.250.$X.10
expect "range backwards" 64 "" "cloudctl-net: network create: $P-bad: --dhcp-range '10.250.$X.50-10.250.$X.10': the start is after the end"
run $NET network create $P-bad --cidr 10.250.$X.0/24 --dhcp-range 10.250.$X.10-10.250.$((X + 1)).10
expect "range outside the CIDR" 64 "" "cloudctl-net: network create: $P-bad: --dhcp-range '10.250.$X.10-10.250.$((X + 1)).10': 10.250.$((X + 1)).10 is not a host address of 10.250.$X.0/24"
run $NET network create $P-bad --cidr 10.250.$X.0/24 --mode bridge
expect "bad mode" 64 "" "cloudctl-net: network create: $P-bad: --mode 'bridge': not one of nat isolated route"
run $NET network create $P-bad
expect "no --cidr" 64 "" "cloudctl-net: network create: $P-bad: --cidr is required (e.g. --cidr 192.168.150.0/24)"
assert "nothing was defined" bash -c "! $V net-info $P-bad >/dev/null 2>&1"
run $NET network stop $ISO --cidr 10.0.0.0/24
expect "a create option on stop" 64 "" "cloudctl-net: network stop: --cidr goes with create"
run $NET network create $P-bad --cidr 10.250.$X.0/24 --mtu 1400
expect "an OpenStack option on libvirt" 64 "" "cloudctl-net: network create: --mtu is for --driver openstack"

# a start that fails after the define leaves nothing: the subnet of the services'
# cloudctl-test network is in use while it runs
if [ "$($V net-info cloudctl-test 2>/dev/null | sed -n 's/^Active: *//p')" = yes ]; then
	tcidr=$($NET network show cloudctl-test -o kv | field cidr)
	run $NET network create $P-clash --cidr "$tcidr" --mode isolated
	expect_rc "a failed start" 1 "^cloudctl-net: network create: $P-clash: cannot start it \(undefined again\): "
	assert "the failed one is not left defined" bash -c "! $V net-info $P-clash >/dev/null 2>&1"
else
	skip "a failed start" "cloudctl-test is not active"
fi

# not found: 66; one unknown among several: nothing is done
run $NET network show $P-nope
expect "show: not found" 66 "" "cloudctl-net: network show: $P-nope: no such network"
run $NET network stop $NAT $P-nope
expect "stop: one unknown among several" 66 "" "cloudctl-net: network stop: $P-nope: no such network"
assert "the known one was not stopped" test "$(info_of $NAT Active)" = yes
run $NET network delete $P-nope
expect "delete: not found" 66 "" "cloudctl-net: network delete: $P-nope: no such network"

# list: every network, active and inactive, sorted by name
run bash -c "$NET network list -c name,state,mode -o kv | grep 'name=$P-'"
expect "list" 0 "name=$ISO state=inactive mode=isolated
name=$NAT state=active mode=nat
name=$RT state=inactive mode=route"
assert "list shows what virsh does" test "$($NET network list -o tsv -c name | tail -n +2 | sort)" = "$($V net-list --all --name | sed '/^$/d' | sort)"
run $NET network list $NAT
expect_rc "list takes no operand" 64 "network list: operands:"

# records on stdin: unknown fields pass through, other kinds are not ours,
# a malformed line or another driver's network does nothing
run_in "kind=net name=$ISO ticket=OPS-1
kind=vm name=$NAT
" $NET network start - -c name,state,ticket -o kv
expect "records pass through start -" 0 "name=$ISO state=active ticket=OPS-1"
run_in "kind=net name=$ISO
kind=net name=$ISO oops
" $NET network stop -
expect_rc "a malformed line acts on nothing" 65 "^cloudctl-net: network stop: <stdin>:2: "
assert "still active" test "$(info_of $ISO Active)" = yes
run_in "kind=net driver=openstack name=$ISO
" $NET network stop -
expect "another driver's network" 65 "" "cloudctl-net: network stop: <stdin>:1: record is driver=openstack; this command acts on driver=libvirt uri=qemu:///system"
# lib/target: a network of another libvirt host is not this one's, even by name;
# with no --connect and no LIBVIRT_DEFAULT_URI the records say where to act
run_in "kind=net driver=libvirt uri=qemu+ssh://elsewhere/system name=$ISO
" $NET network stop -
expect "another URI's network" 65 "" "cloudctl-net: network stop: <stdin>:1: record is driver=libvirt uri=qemu+ssh://elsewhere/system; this command acts on driver=libvirt uri=qemu:///system"
assert "still active after the refusals" test "$(info_of $ISO Active)" = yes
run_in "kind=net driver=libvirt uri=qemu:///system name=$ISO
" env -u LIBVIRT_DEFAULT_URI ${NET% --driver libvirt} network show - -c name,driver,uri -o kv
expect "no target named: taken from the records" 0 "name=$ISO driver=libvirt uri=qemu:///system"
# empty input: nothing to do (0); records but none of kind=net: a mistake (65)
run_in "" $NET network stop -
expect "an empty stream: nothing to do" 0 ""
run_in "kind=vm name=$ISO
" $NET network stop -
expect "records, none of kind=net: 65" 65 "" "cloudctl-net: network stop: <stdin>: 1 record, none of kind=net"
assert "still active after the empty and the wrong stream" test "$(info_of $ISO Active)" = yes
run $NET --all-projects network list
expect "--all-projects with libvirt: 64" 64 "" "cloudctl-net: network list: --all-projects is for --driver openstack"
run_in "kind=net id=$uuid name=old-name
" $NET network show - -c name -o kv
expect "a record's id wins over its name" 0 "name=$NAT"

# a transient network (virsh net-create) is gone once stopped: its record says so
printf "<network><name>$P-tr</name><ip address='10.250.$X.1' prefix='24'/></network>" > "$T/tr.xml"
$V net-create "$T/tr.xml" >/dev/null
run $NET network show $P-tr -c name,state,mode,cidr,persistent -o kv
expect "show a transient network" 0 "name=$P-tr state=active mode=isolated cidr=10.250.$X.0/24 persistent=false"
run $NET network stop $P-tr -c name,state -o kv
expect "stop a transient network" 0 "name=$P-tr state=deleted"
assert "virsh: the transient one is gone" bash -c "! $V net-info $P-tr >/dev/null 2>&1"

# connections: --connect, and one that cannot be made
run $NET -C test:///default network list -c name,mode,cidr -o kv
expect "--connect test:///default" 0 "name=default mode=nat cidr=192.168.122.0/24"
run $NET -C 'qemu+unix:///system?socket=/nonexistent/sock' network list
expect_rc "no libvirtd there" 69 "^cloudctl-net: cannot connect to libvirt at "

# delete through a pipe: every one of ours, and libvirt no longer has them
run bash -c "$NET network list | grep 'name=$P-' | $NET network delete - -c name,state -o kv"
expect "list | grep | delete -" 0 "name=$ISO state=deleted
name=$NAT state=deleted
name=$RT state=deleted"
assert "virsh net-list --all: all gone" bash -c "! $V net-list --all --name | grep -q '^$P-'"
assert "the NAT bridge is gone" no_link "$bridge"
