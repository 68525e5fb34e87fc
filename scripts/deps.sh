#!/bin/bash
# deps.sh [build|test|bench]: install the Debian 12 packages cloudctl needs.
# As root it runs apt-get; otherwise it prints the exact apt-get line and exits 69.
set -euo pipefail
BUILD="build-essential autoconf pkg-config libcurl4-openssl-dev libjansson-dev libvirt-dev
  libgit2-dev libssl-dev libyaml-dev libxml2-dev zlib1g-dev"
# The real servers and oracles the tests use: libvirtd + QEMU (TCG), a guest kernel
# fetched with apt-get download, python3 for the HTTP test server, isoinfo, valgrind;
# for the report tests: prometheus (+ promtool) and the pushgateway, headless chromium
# (browser-check.sh), xmllint, curl; git over https (lighttpd + its openssl module, htpasswd
# from apache2-utils) and ssh (a private sshd) for the GitOps tests; docker-registry (+ the
# token server in node) and skopeo, the oracle, for the registry client; umoci and runc run
# the images cloudctl-build makes (crun does not work on these machines); strace shows the
# socket options cloudctl-deploy sets; ansible-inventory reads the inventories cloudctl-k8s writes.
TEST="clang libclang-rt-14-dev libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base busybox-static
  cpio iproute2 kmod python3 openssl genisoimage valgrind zsh fish mandoc
  prometheus prometheus-pushgateway chromium libxml2-utils curl
  lighttpd lighttpd-mod-openssl apache2-utils openssh-server openssh-client git
  docker-registry skopeo umoci runc util-linux strace ansible-core"
# For tests/k8s (kubernetes-models through npm; tests/k8s/setup.sh): node >= 18 and npm, from
# Debian (nodejs 18.20.4, npm 9.2.0) only when no node is on PATH: NodeSource's nodejs bundles
# npm and conflicts with Debian's. kubectl is the oracle of tests/k8s/kubectl-oracle.sh: Debian's
# kubernetes-client (v1.20.2; prints the same objects as v1.32) only when no kubectl is there
# (a google-cloud-sdk kubectl owns /usr/bin/kubectl too).
command -v node >/dev/null 2>&1 || TEST="$TEST nodejs npm"
command -v kubectl >/dev/null 2>&1 || TEST="$TEST kubernetes-client"
BENCH="hyperfine time buildah jq curl"
case ${1:-test} in
build) want=$BUILD ;;
test) want="$BUILD $TEST" ;;
bench) want="$BUILD $TEST $BENCH" ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 64 ;;
esac
missing=()
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "deps: all packages present"; exit 0; }
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages; run as root:" >&2
	echo "  apt-get update && $line" >&2
	exit 69
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
