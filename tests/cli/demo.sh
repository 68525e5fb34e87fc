# demo: examples/demo.sh (the README's first command runs it) works end to end.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! have_libvirtd; then skip "demo" "no libvirtd answers on qemu:///system"; exit 0; fi
run "$SRC/examples/demo.sh"
expect_rc "demo.sh runs" 0
assert "demo: two VMs came up with addresses" test "$(grep -cE '^[0-9a-f-]{36}  demo-[12]  running .* 10\.254\.0\.[0-9]+ ' "$T/out")" -ge 2
assert "demo: both deleted through the pipe" test "$(grep -cE '  demo-[12]  deleted ' "$T/out")" = 2
assert "demo: nothing left" grep -qx "none left" "$T/out"
assert "demo: the prom report passes promtool" bash -c "promtool check metrics < '$SRC/${CLOUDCTL_BUILD:-build}/demo/cloudctl.prom'"
assert "demo: the prom report counts two running demo VMs" grep -qE '^cloudctl_instances\{host="[^"]+",state="running"\} 2$' "$SRC/${CLOUDCTL_BUILD:-build}/demo/cloudctl.prom"
assert "demo: an html report was written" grep -q 'demo-2' "$SRC/${CLOUDCTL_BUILD:-build}/demo/report.html"
D=$SRC/${CLOUDCTL_BUILD:-build}/demo
assert "demo: an image record tagged with the app's commit" grep -qE "^kind=image ref=oci:$D/images:$(git -C "$D/app" rev-parse HEAD) digest=sha256:[0-9a-f]{64} source=$(git -C "$D/app" rev-parse HEAD) " "$D/image.rec"
assert "demo: bumped then rolled back, the overlay is byte for byte what it was" \
	cmp -s <(git -C "$D/gitops.git" show main:apps/demo/overlays/dev/kustomization.yaml) "$D/gitops-seed/apps/demo/overlays/dev/kustomization.yaml"
assert "demo: two deploy commits on top of the seed" test "$(git -C "$D/gitops.git" rev-list --count main)" = 3
