#!/bin/bash
# demo.sh: the demo pipeline on its embedded defaults. Starts a libvirtd of the
# project's own (in a network namespace, tests/services/libvirt-start.sh), builds a
# tiny bootable guest (Debian's cloud kernel + busybox), then:
#   create two tagged VMs with a cloud-init seed | list them | stats | report | stop | delete
#   ... | cloudctl-report -o html / -o prom --write  (build/demo/report.html, cloudctl.prom)
# Needs root. Leaves the libvirtd running (tests/services/libvirt-stop.sh ends it).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${CLOUDCTL_BUILD:-build}
export PATH=$PWD/$B/bin:$PATH LIBVIRT_DEFAULT_URI=qemu:///system
SVC=${CLOUDCTL_SVC_DIR:-/var/tmp/cloudctl-svc}
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it starts libvirtd)" >&2; exit 77; }
tests/services/libvirt-start.sh
tests/services/guest-build.sh
G=$SVC/guest
ud=$(mktemp); trap 'rm -f "$ud"' EXIT
printf '#cloud-config\nhostname: demo\n' > "$ud"
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
	step() { printf '\n$ %s\n' "$*"; }
fi

step "cloudctl-vm create --count 2 --name 'demo-%d' --tag app=demo --user-data ... --wait"
cloudctl-vm list --tag app=demo -o kv | cloudctl-vm delete - -o kv >/dev/null
cloudctl-vm create --count 2 --name 'demo-%d' --kernel "$G/vmlinuz" --initrd "$G/initrd.gz" \
	--cmdline console=ttyS0 --memory 256M --disk 1G --network cloudctl-test --domain-type qemu \
	--user-data "$ud" --tag app=demo --tag env=dev --wait --timeout 180s -o table

step "cloudctl-vm list --tag app=demo -o table"
cloudctl-vm list --tag app=demo -o table

step "cloudctl-vm list --tag app=demo | cloudctl-vm stats - -c name,cpu_time_ns,mem_used_mib,net_rx_bytes,block_rd_bytes"
cloudctl-vm list --tag app=demo | cloudctl-vm stats - -o table -c name,cpu_time_ns,mem_used_mib,net_rx_bytes,block_rd_bytes

OUT=${CLOUDCTL_DEMO_DIR:-$PWD/$B/demo}; mkdir -p "$OUT"
step "cloudctl-vm list --stats --interval 2s --tag app=demo > records; cloudctl-report -o html|prom --write ... < records"
cloudctl-vm list --stats --interval 2s --tag app=demo > "$OUT/records"
cloudctl-report -o html --write "$OUT/report.html" < "$OUT/records"
cloudctl-report -o prom --write "$OUT/cloudctl.prom" < "$OUT/records"
grep -E '^cloudctl_instances' "$OUT/cloudctl.prom"
echo "(report: $OUT/report.html, metrics: $OUT/cloudctl.prom)"

step "cloudctl-report < records   # the same report for a terminal"
cloudctl-report < "$OUT/records"

step "cloudctl-vm list --tag app=demo | cloudctl-k8s inventory --format ini"
cloudctl-vm list --tag app=demo | cloudctl-k8s inventory --format ini

step "cloudctl-k8s tenant render demo --cpu 4 --memory 8Gi --admin alice | grep -E '^(kind|  name):'"
cloudctl-k8s tenant render demo --cpu 4 --memory 8Gi --admin alice | grep -E '^(kind|  name):'

# The app's source: a git repository of its own (the image is tagged with its commit).
APP=$OUT/app; rm -rf "$APP"; mkdir -p "$APP"
printf 'hello from the demo app\n' > "$APP/index.html"
git -C "$APP" init -q -b main
git -C "$APP" add -A
GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
	git -C "$APP" -c user.name=demo -c user.email=demo@cloudctl.invalid commit -qm 'demo app' 
step "cloudctl-build $APP --repo oci:$OUT/images --workdir /srv --cmd 'cat index.html' | tee image.rec"
rm -rf "$OUT/images"
cloudctl-build "$APP" --repo "oci:$OUT/images" --workdir /srv --cmd 'cat index.html' -o kv | tee "$OUT/image.rec"

step "cloudctl-build tags oci:$OUT/images"
cloudctl-build tags "oci:$OUT/images" -o table

# The GitOps repository: a local bare one with the app's dev overlay.
GITOPS=$OUT/gitops.git; rm -rf "$GITOPS" "$OUT/gitops-seed"
git init -q --bare -b main "$GITOPS"; git init -q -b main "$OUT/gitops-seed"
mkdir -p "$OUT/gitops-seed/apps/demo/overlays/dev"
cat > "$OUT/gitops-seed/apps/demo/overlays/dev/kustomization.yaml" <<'EOF_K'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: demo
resources:
  - ../../base
images:
  # bumped by cloudctl-deploy; every other byte stays as it is
  - name: registry.local/demo/app
    newTag: "0.1"   # the first release
EOF_K
git -C "$OUT/gitops-seed" add -A
git -C "$OUT/gitops-seed" -c user.name=demo -c user.email=demo@cloudctl.invalid commit -qm 'demo overlay'
git -C "$OUT/gitops-seed" push -q "$GITOPS" main
SHA=$(sed -n 's/.* source=\([0-9a-f]*\).*/\1/p' "$OUT/image.rec")
export CLOUDCTL_GIT_AUTHOR="demo <demo@cloudctl.invalid>" XDG_CACHE_HOME=$OUT/cache
step "cloudctl-deploy bump --git $GITOPS --path apps/demo/overlays/dev --image registry.local/demo/app:${SHA:0:12}..."
cloudctl-deploy bump --git "$GITOPS" --path apps/demo/overlays/dev --image "registry.local/demo/app:$SHA" -o table \
	-c image,old,new,changed,pushed
git -C "$GITOPS" show main:apps/demo/overlays/dev/kustomization.yaml | tail -3

step "cloudctl-deploy history --git $GITOPS --path apps/demo/overlays/dev"
cloudctl-deploy history --git "$GITOPS" --path apps/demo/overlays/dev -o table -c image,old,new,author

step "cloudctl-deploy rollback --git $GITOPS --path apps/demo/overlays/dev --image registry.local/demo/app"
cloudctl-deploy rollback --git "$GITOPS" --path apps/demo/overlays/dev --image registry.local/demo/app -o table \
	-c image,old,new,pushed

step "cloudctl-vm list --tag app=demo -o json | head -1"
cloudctl-vm list --tag app=demo -o json | head -1

step "cloudctl-vm list --tag app=demo | cloudctl-vm stop --timeout 2s --force - | cloudctl-vm delete -"
cloudctl-vm list --tag app=demo | cloudctl-vm stop --timeout 2s --force - | cloudctl-vm delete - -o table

step "virsh list --all --name | grep demo- || echo none left"
virsh list --all --name | grep demo- || echo "none left"
