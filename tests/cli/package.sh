# group: package
# package: the Debian packages and the source tarball, as a user gets them.
# make deb builds them twice (the same .deb bytes; lintian clean); make dist's
# tarball builds with ./configure && make; then apt installs the packages into a
# fresh Debian 12 root (debootstrap from the package registry, kept in the services
# directory once made), where every tool answers --version and --help, man shows
# every page, bash completes a verb, a pipeline that needs no server runs
# (records | report, tenant render, build to an OCI layout, a bump into a local bare
# repository, the libvirt plugin on test:///default), and apt purge leaves nothing.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -n "${CLOUDCTL_ASAN:-}" ]; then
	skip "package" "the packages are built with dpkg-buildflags, not the sanitizers: tested in the normal pass"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	skip "package" "needs root (debootstrap, chroot)"
	exit 0
fi
for c in dpkg-buildpackage dh lintian debootstrap; do
	command -v $c > /dev/null || { fail "package" "$c is missing (scripts/deps.sh test installs it)"; exit 0; }
done
cd "$SRC" || exit 1

# the Debian root, made while the packages build
base=$SVC/debian-12-minbase.tar
(
	[ -s "$base" ] && exit 0
	mkdir -p "$SVC" && debootstrap --variant=minbase bookworm "$T/base" http://deb.debian.org/debian &&
		tar -C "$T/base" -cf "$base.tmp" . && mv "$base.tmp" "$base"
) > "$T/debootstrap.log" 2>&1 &
boot=$!

run make -s deb
expect_rc "make deb: dpkg-buildpackage and lintian (no error, no warning)" 0 || { cat "$T/err" | tail -20; }
mkdir -p "$T/deb1" && cp build-deb/*.deb "$T/deb1/"
ver=$(dpkg-deb -f "$(ls "$T"/deb1/cloudctl_*.deb)" Version)
assert "cloudctl does not depend on libvirt" sh -c "! dpkg-deb -f '$T'/deb1/cloudctl_*.deb Depends | grep -q libvirt"
assert "cloudctl-libvirt holds the libvirt plugins" sh -c \
	"dpkg-deb -c '$T'/deb1/cloudctl-libvirt_*.deb | grep -q ' ./usr/libexec/cloudctl/cloudctl-vm-libvirt.so$'"
mkdir -p "$T/x" && for d in "$T"/deb1/*.deb; do dpkg-deb -x "$d" "$T/x"; done
assert "no RPATH or RUNPATH" sh -c "! readelf -d '$T'/x/usr/bin/* '$T'/x/usr/libexec/cloudctl/*.so | grep -E 'RPATH|RUNPATH'"
run make -s deb
same=1
for d in "$T"/deb1/*.deb; do cmp -s "$d" "build-deb/$(basename "$d")" || same=0; done
assert "make deb twice: the same .deb bytes" test $same = 1

run make -s dist
tgz=$(cat "$T/out")
mkdir -p "$T/dist" && tar -C "$T/dist" -xzf "$tgz"
( cd "$T"/dist/cloudctl-* && ./configure -q && make -s -j2 tools ) > "$T/dist.log" 2>&1
rc=$?
expect_rc "make dist: the tarball builds with ./configure && make" 0 || tail -5 "$T/dist.log"

if ! wait $boot || [ ! -s "$base" ]; then
	fail "debootstrap" "$(tail -3 "$T/debootstrap.log" | tr '\n' ' ')"
	exit 0
fi
R=$T/root
mkdir -p "$R" && tar -C "$R" -xf "$base"
cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc"
cleanup_hook() { umount "$R/proc" 2>/dev/null; }
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
export DEBIAN_FRONTEND=noninteractive
# what a user's machine already has; then a list of every file, to compare after purge
in_root apt-get update -qq > "$T/apt.log" 2>&1
in_root apt-get install -y -qq --no-install-recommends man-db bash-completion git ca-certificates >> "$T/apt.log" 2>&1
listing() { (cd "$R" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/cache -o -path ./var/lib/apt \
	-o -path ./var/lib/dpkg -o -path ./var/log -o -path ./root \) -prune -o -print | sort); }
listing > "$T/before"
cp "$T"/deb1/cloudctl_*.deb "$T"/deb1/cloudctl-libvirt_*.deb "$R/tmp/"
run in_root apt-get install -y -qq --no-install-recommends /tmp/cloudctl_"$ver"_amd64.deb /tmp/cloudctl-libvirt_"$ver"_amd64.deb
expect_rc "apt installs both packages into a fresh Debian 12" 0

for t in cloudctl-vm cloudctl-net cloudctl-k8s cloudctl-build cloudctl-deploy cloudctl-report; do
	run in_root $t --version
	expect "installed $t --version" 0 "$t $ver"
	run in_root $t --help
	assert "installed $t --help" test $rc = 0 -a -s "$T/out"
	run in_root man -P cat $t
	assert "man $t" grep -q "^NAME" "$T/out"
done
run in_root man -P cat 7 cloudctl
assert "man 7 cloudctl" grep -q "^NAME" "$T/out"
run in_root bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader cloudctl-vm;
	COMP_WORDS=(cloudctl-vm li); COMP_CWORD=1; f=$(complete -p cloudctl-vm | sed "s/.*-F \([^ ]*\) .*/\1/"); $f; printf "%s\n" "${COMPREPLY[@]}"'
expect "bash completes a verb of the installed cloudctl-vm" 0 "list"

run in_root sh -c 'printf "kind=vm name=a state=running host=h1 vcpus=2 mem_mib=1024\nkind=vm name=b state=shutoff host=h1 vcpus=1 mem_mib=512\n" |
	cloudctl-report -o csv'
assert "records | installed cloudctl-report" grep -q '^h1,2,' "$T/out"
run in_root cloudctl-k8s tenant render team-a --cpu 2 --memory 4Gi
assert "installed cloudctl-k8s tenant render" grep -q '^kind: Namespace' "$T/out"
run in_root cloudctl-vm --connect test:///default list -o kv -c name
expect "the libvirt plugin loads from /usr/libexec/cloudctl" 0 "name=test"
run in_root sh -c 'set -e; export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@x GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@x
	mkdir -p /tmp/app /tmp/seed/app; cd /tmp/app; echo hi > index.html; git init -q -b main; git add -A; git commit -qm app
	cloudctl-build /tmp/app --repo oci:/tmp/images -o kv > /tmp/image.rec
	cd /tmp/seed; git init -q -b main
	printf "resources:\n- deploy.yaml\nimages:\n- name: registry.local/demo/app\n  newTag: \"0.1\"\n" > app/kustomization.yaml
	printf "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: app, image: registry.local/demo/app}\n" > app/deploy.yaml
	git add -A; git commit -qm seed; git init -q --bare -b main /tmp/gitops.git; git push -q /tmp/gitops.git main
	sha=$(git -C /tmp/app rev-parse HEAD)
	CLOUDCTL_GIT_AUTHOR="t <t@x>" XDG_CACHE_HOME=/tmp/cache cloudctl-deploy bump --git /tmp/gitops.git --path app \
		--image registry.local/demo/app:$sha -o kv -c changed,pushed
	git -C /tmp/gitops.git show main:app/kustomization.yaml | grep -c "newTag: \"$sha\""'
expect "installed: build to an OCI layout, bump a local bare repository" 0 "changed=true pushed=true
1"

run in_root apt-get purge --autoremove -y -qq cloudctl cloudctl-libvirt
expect_rc "apt purge --autoremove removes both and what they pulled in" 0
listing > "$T/after"
assert "nothing is left behind" diff "$T/before" "$T/after"
