# valgrind-openstack: the OpenStack verbs of cloudctl-vm and cloudctl-net under memcheck,
# against the real cloud of tests/services/openstack-start.sh (valgrind.sh has the rest).
# Uses the normal build, not the ASan one.
# group: openstack
. "$(dirname "$0")/lib.sh"
B=${CLOUDCTL_SRC:-.}/build/bin
OSENV=$SVC/openstack/env
if ! command -v valgrind >/dev/null; then skip "valgrind-openstack" "valgrind not installed (apt-get install valgrind)"; exit 0; fi
if [ ! -x "$B/cloudctl-vm" ]; then skip "valgrind-openstack" "no normal build at $B"; exit 0; fi
if [ -n "${CLOUDCTL_ASAN:-}" ]; then # the same binaries, the same checks: once is enough
	skip "valgrind-openstack" "it runs the normal build's binaries, checked in the normal run already"; exit 0
fi
if [ ! -f "$OSENV" ]; then skip "valgrind-openstack" "no OpenStack ($OSENV missing)"; exit 0; fi
set -a; . "$OSENV"; set +a
unset OS_AUTH_URL
export OS_CLOUD=tenant-a XDG_CACHE_HOME=$T/oscache
P=vg-$$
cleanup_hook() { os_delete_servers --prefix "$P-"; }
VM=("$B/cloudctl-vm" --driver openstack)
vgx "vm --driver openstack list" 0 "${VM[@]}" list
vgx "vm --driver openstack show: not found" 66 "${VM[@]}" show no-such-server-vg
vgx "net network list" 0 "$B/cloudctl-net" network list
vgx "net tenant create" 0 "$B/cloudctl-net" tenant create vg-$$ --cidr 10.233.0.0/24
vgx "net tenant delete" 0 "$B/cloudctl-net" tenant delete vg-$$
BOOT=(--image tiny-image --no-network)
vgx "vm create --wait" 0 "${VM[@]}" create --name "$P-c" --flavor m1.tiny "${BOOT[@]}" --wait --tag suite=vg
vgx "vm stop" 0 "${VM[@]}" stop "$P-c"
vgx "vm stats" 0 "${VM[@]}" stats "$P-c"
vgx "vm list --tag" 0 "${VM[@]}" list --tag suite=vg
vgx "vm delete --wait" 0 "${VM[@]}" delete --wait "$P-c"
vgx "vm create --count 2 --vcpus --memory" 0 "${VM[@]}" create --name "$P-d-%d" --count 2 --vcpus 1 --memory 512M "${BOOT[@]}"
vgx "vm delete of two" 0 "${VM[@]}" delete "$P-d-1" "$P-d-2"
# the refusal paths of issue 16: a private key (was a double free), empty and foreign input
ssh-keygen -q -t ed25519 -N '' -f "$T/key" </dev/null >/dev/null
vgx "vm create --ssh-key with a private key" 65 "${VM[@]}" create --name "$P-e" --flavor m1.tiny "${BOOT[@]}" --ssh-key "$T/key"
vgx "vm create --ssh-key missing" 66 "${VM[@]}" create --name "$P-e" --flavor m1.tiny "${BOOT[@]}" --ssh-key "$T/none"
printf '' >"$T/empty"
VG_IN=$T/empty vgx "vm create - with no records" 65 "${VM[@]}" create --name "$P-e" --flavor m1.tiny --image tiny-image -
printf 'kind=vm name=x driver=openstack cloud=tenant-a project=0000\n' >"$T/foreign"
VG_IN=$T/foreign vgx "vm delete - of another project" 65 "${VM[@]}" delete -
