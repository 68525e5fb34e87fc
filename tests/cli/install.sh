# install: make install puts binaries, the driver plugin, man pages and completions
# under DESTDIR/PREFIX, and the installed binary finds its plugin.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
R=$T/root
run make -s -C "$SRC" install B="${CLOUDCTL_BUILD:-build}" DESTDIR="$R" PREFIX=/usr
expect_rc "make install" 0
for f in bin/cloudctl-vm bin/cloudctl-report bin/cloudctl-k8s bin/cloudctl-build bin/cloudctl-deploy bin/cloudctl-net \
	lib/cloudctl/cloudctl-vm-libvirt.so lib/cloudctl/cloudctl-k8s-api.so lib/cloudctl/cloudctl-vm-openstack.so \
	lib/cloudctl/cloudctl-net-openstack.so lib/cloudctl/cloudctl-net-libvirt.so \
	share/man/man1/cloudctl-vm.1 share/man/man1/cloudctl-k8s.1 share/man/man1/cloudctl-build.1 share/man/man1/cloudctl-deploy.1 share/man/man1/cloudctl-net.1 share/man/man7/cloudctl.7 \
	share/bash-completion/completions/cloudctl-vm share/zsh/site-functions/_cloudctl-vm \
	share/fish/vendor_completions.d/cloudctl-vm.fish; do
	assert "installed /usr/$f" test -s "$R/usr/$f"
done
run "$R/usr/bin/cloudctl-vm" -C test:///default list -c name
expect "the installed binary loads its installed plugin" 0 "name=test"
run env CLOUDCTL_PLUGIN_DIR=/nonexistent "$R/usr/bin/cloudctl-vm" -C test:///default list
expect_rc "a missing plugin is a clear error" 69 "^cloudctl-vm: cannot load the driver: /nonexistent/cloudctl-vm-libvirt.so: cannot open shared object file"
run env KUBECONFIG=/nonexistent "$R/usr/bin/cloudctl-k8s" get ns
expect "the installed cloudctl-k8s loads its API plugin" 66 "" "cloudctl-k8s: kubeconfig: no kubeconfig found (none of the files in KUBECONFIG exists)"
