# env.sh: the setup the tests against the real OpenStack share (vm-openstack*.sh,
# net-openstack.sh, net-scope.sh), sourced after lib.sh with NAME set to the test's
# name: the binaries ($VM, $NET), the cloud's environment (or a skip and exit 0 when
# tests/services/openstack-start.sh has not run or the `openstack` client is missing),
# OS_CLOUD=tenant-a, and nothing from the caller's environment that would pick another
# driver or cloud. A file of data/, so tests/run does not take it for a test.
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CLOUDCTL_BIN:-$SRC/${CLOUDCTL_BUILD:-build}/bin}
VM=$BIN/cloudctl-vm
NET=$BIN/cloudctl-net
OSENV=$SVC/openstack/env
if [ ! -r "$OSENV" ]; then
	skip "$NAME" "no OpenStack here ($OSENV is missing: tests/services/openstack-start.sh, as root, starts one)"
	exit 0
fi
if ! command -v openstack > /dev/null; then skip "$NAME" "the openstack client is not installed"; exit 0; fi
set -a; . "$OSENV"; set +a
unset OS_AUTH_URL CLOUDCTL_VM_DRIVER CLOUDCTL_NET_DRIVER LIBVIRT_DEFAULT_URI
export OS_CLOUD=tenant-a
