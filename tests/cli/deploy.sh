# deploy: cloudctl-deploy against the real git remotes of tests/services/git-start.sh (a local
# path, https with basic auth and our CA, ssh with ed25519/RSA keys and known_hosts): whole files
# compared byte for byte after bumps, git fsck on the remote, kubectl kustomize of the overlay,
# bad input (exit code, one-line error, no commit), concurrent bumpers, history/rollback/promote.
# DEPLOY_WRITERS x DEPLOY_BUMPS concurrent bumps (default 16 x 25: about 40 s).
. "$(dirname "$0")/lib.sh"
NAME=deploy; . "$(dirname "$0")/data/deploy/env.sh"
FIX=$SRC/tests/services/git/gitops/apps/shop
DEV=apps/shop/overlays/dev
cleanup_hook() { rm -rf "${GIT_REPOS:?}"/t-deploy-$$-*.git; }
# fresh NAME: a new seeded remote repository of this test (removed at exit)
fresh() { local r=t-deploy-$$-$1.git; "$GIT_SEED" "$GIT_REPOS/$r" >/dev/null; echo "$GIT_REPOS/$r"; }
show() { git --git-dir="$1" show "main:$2"; }
count() { git --git-dir="$1" rev-list --count main; }
fsck_ok() { git --git-dir="$1" fsck --strict --no-dangling >/dev/null 2>&1; }
one_line() { [ "$(wc -l <"$T/err")" = 1 ]; }

# The dev overlay with the frontend at TAG, as yamledit must write it.
dev_with() { sed "s/^    newTag: 3f2a1bc0e4d5f6a7b8c9d0e1f2a3b4c5d6e7f809   # main/    newTag: $1   # main/" "$FIX/overlays/dev/kustomization.yaml"; }

# --- local path ---
R=$(fresh local)
run_in 'kind=image ref=registry.local/shop/frontend:9d8e7f6 digest=sha256:1111111111111111111111111111111111111111111111111111111111111111 source=9d8e7f6aaaa source_time=1704153600
' "$D" bump --git "$R" --path "$DEV" -o kv
C=$(git --git-dir="$R" rev-parse main)
expect "local: bump from a kind=image record" 0 "kind=bump ref=registry.local/shop/frontend:9d8e7f6 digest=sha256:1111111111111111111111111111111111111111111111111111111111111111 source=9d8e7f6aaaa source_time=1704153600 action=bump repo=$R branch=main path=$DEV image=registry.local/shop/frontend old=3f2a1bc0e4d5f6a7b8c9d0e1f2a3b4c5d6e7f809 new=9d8e7f6 commit=$C changed=true pushed=true attempts=1"
assert "local: the whole file, byte for byte" cmp -s <(show "$R" "$DEV/kustomization.yaml") <(dev_with 9d8e7f6)
assert "local: prod and base untouched" cmp -s <(show "$R" apps/shop/overlays/prod/kustomization.yaml) "$FIX/overlays/prod/kustomization.yaml"
assert "local: the commit message and trailers" test "$(git --git-dir="$R" log -1 --format=%B main)" = "deploy($DEV): registry.local/shop/frontend 3f2a1bc0e4d5f6a7b8c9d0e1f2a3b4c5d6e7f809 -> 9d8e7f6

Image: registry.local/shop/frontend
Source-Commit: 9d8e7f6aaaa
Source-Time: 1704153600
Image-Digest: sha256:1111111111111111111111111111111111111111111111111111111111111111"
assert "local: the author" test "$(git --git-dir="$R" log -1 --format='%an <%ae>' main)" = "$CLOUDCTL_GIT_AUTHOR"
assert "local: git fsck on the remote" fsck_ok "$R"
# A local bump makes no request: libcurl (~30 libraries, 3-4 ms of start-up) is not even loaded.
run env LD_DEBUG=libs LD_DEBUG_OUTPUT="$T/ld" "$D" bump --git "$R" --path "$DEV" --image registry.local/shop/frontend:9d8e7f6 -o kv
expect_rc "local: a bump with LD_DEBUG=libs" 0 && assert "local: libcurl not loaded" \
	bash -c "grep -q 'calling init: .*libgit2' '$T'/ld.* && ! grep -q libcurl '$T'/ld.*"
# Nor does it read the system's CA bundle, which libgit2 1.5 parses as it starts (lib/git/compat_stat.c hides it).
run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=file -o "$T/strace-local" \
	"$D" bump --git "$R" --path "$DEV" --image registry.local/shop/frontend:9d8e7f6 -o kv
expect_rc "local: a bump under strace" 0 && assert "local: the CA bundle not even looked at" \
	bash -c "grep -q 'objects/pack' '$T/strace-local' && ! grep -q ca-certificates '$T/strace-local'"
# A local remote needs no cache: it is read and written in place (its new objects
# written once); under core.sharedRepository=group its new directories are group-writable.
RG=$(fresh shared); git --git-dir="$RG" config core.sharedRepository group; git --git-dir="$RG" gc -q # no loose dirs left
CID=$(XDG_CACHE_HOME=$T/cache-shared "$D" bump --git "$RG" --path "$DEV" --image registry.local/shop/frontend:g1 -o kv | field commit)
assert "local: no cache repository made" test -z "$(find "$T/cache-shared" -name objects)"
assert "local: no ref but the branch written in the remote" test "$(git --git-dir="$RG" for-each-ref --format='%(refname)')" = refs/heads/main
assert "local: the commit's objects are in the remote" test -f "$RG/objects/${CID:0:2}/${CID:2}"
assert "local: shared remote: the new objects' directories are group-writable" \
	bash -c "[ \$(find '$RG/objects' -type d -name '??' | wc -l) -ge 1 ] && [ -z \"\$(find '$RG/objects' -type d -name '??' ! -perm -g+w)\" ]"
run "$D" bump --git "$R" --path "$DEV" --image registry.local/shop/frontend:9d8e7f6 -o kv
expect_rc "local: the same tag again" 0 && assert "local: nothing changed: changed=false, no commit" \
	test "$(field changed <"$T/out"),$(field pushed <"$T/out"),$(count "$R")" = "false,false,2"
run "$D" bump --git "file://$R" --path "$DEV/" --image registry.local/shop/frontend:1.20 -o kv
expect_rc "file:// URL, a tag YAML reads as a number" 0 && assert "file://: 1.20 written quoted" \
	cmp -s <(show "$R" "$DEV/kustomization.yaml") <(dev_with '"1.20"')
run "$D" bump --git "$R" --path "$DEV" --image registry.local/shop/frontend:zzz --dry-run
expect "--dry-run prints the unified diff" 0 "--- a/$DEV/kustomization.yaml
+++ b/$DEV/kustomization.yaml
@@ -9,7 +9,7 @@
 images:
   # the storefront: the commit SHA its image was built from
   - name: registry.local/shop/frontend
-    newTag: \"1.20\"   # main
+    newTag: \"zzz\"   # main
   # the API, pushed under another repository name
   - name: registry.local/shop/backend
     newName: registry.local/shop/api" && assert "--dry-run: no commit" test "$(count "$R")" = 3
run "$D" diff --git "$R" --path "$DEV" --image registry.local/shop/frontend:zzz -o kv
assert "diff -o kv: the record, nothing pushed" test "$(field new <"$T/out"),$(field changed <"$T/out"),$(count "$R")" = "zzz,true,3"
# the backend is an entry named .../backend whose newName is .../api: a ref of the api repository finds it
# an image no workload of the overlay uses would be appended and never deployed: refused,
# and with it the whole run (tests/cli/deploy-render.sh walks the rules)
run "$D" bump --git "$R" --path "$DEV" --image registry.local/shop/api:77aa --image registry.local/shop/web:1 -o kv
expect "two images, one that no workload uses: refused" 65 "" "cloudctl-deploy: $DEV/kustomization.yaml: images entry registry.local/shop/web matches no image of $DEV's workloads, so registry.local/shop/web:1 would not be deployed (their images after kustomize: registry.local/shop/frontend:1.20, registry.local/shop/api:77aa)" &&
	assert "two images, one refused: no commit" test "$(count "$R")" = 3
run "$D" bump --git "$R" --path "$DEV" --image registry.local/shop/api:77aa --image registry.local/shop/frontend:1.20 -o kv
expect_rc "two images in one run" 0 && assert "two images: one commit" test "$(count "$R")" = 4
assert "two images: newTag by newName" cmp -s <(show "$R" "$DEV/kustomization.yaml") \
	<(dev_with '"1.20"' | sed 's/newTag: "0123456"/newTag: "77aa"/')
run "$D" bump --git "$R" --path "$DEV" --image registry.local/shop/backend=registry.local/other/api:5 -o kv
assert "NAME=REF with another repository sets newName" bash -c "show() { git --git-dir='$R' show main:$DEV/kustomization.yaml; }; show | grep -q '^    newName: registry.local/other/api$' && show | grep -q '^    newTag: \"5\"$'"
if command -v kubectl >/dev/null; then
	git clone -q "$R" "$T/co" 2>/dev/null
	run kubectl kustomize "$T/co/$DEV"
	assert "kubectl kustomize renders the bumped images" test "$(grep -o 'image: .*' "$T/out" | sort | tr '\n' ' ')" = \
		"image: registry.local/other/api:5 image: registry.local/shop/frontend:1.20 "
else
	skip "kubectl kustomize" "kubectl is not installed"
fi
R2=$(fresh pin)
run "$D" bump --git "$R2" --path apps/shop/overlays/prod --pin digest \
	--image registry.local/shop/frontend:abc@sha256:2222222222222222222222222222222222222222222222222222222222222222 -o kv
expect_rc "--pin digest" 0 && assert "--pin digest: a digest line added to the entry" cmp -s <(show "$R2" apps/shop/overlays/prod/kustomization.yaml) \
	<(sed "s/^  newTag: '1.10'   # quoted: YAML would read 1.10 as a number/&\n  digest: sha256:2222222222222222222222222222222222222222222222222222222222222222/" "$FIX/overlays/prod/kustomization.yaml")

# --- Helm values ---
R3=$(fresh helm)
git clone -q "$R3" "$T/h" && mkdir -p "$T/h/charts/shop" && cp "$DATA/values.yaml" "$T/h/charts/shop/values.yaml" &&
	git -C "$T/h" add -A && git -C "$T/h" -c user.name=t -c user.email=t@t commit -qm values && git -C "$T/h" push -q origin main
run "$D" bump --git "$R3" --path charts/shop --values values.yaml --key image.tag --image registry.local/shop/frontend:2.0 -o kv
expect_rc "helm: --values --key image.tag" 0 && assert "helm: the whole values file" cmp -s <(show "$R3" charts/shop/values.yaml) \
	<(sed 's/^  tag: "1.0"  # set by CI/  tag: "2.0"  # set by CI/' "$DATA/values.yaml")

# --- https and ssh ---
RH=$(fresh https); NH=$(basename "$RH")
run env CLOUDCTL_GIT_USERNAME="$GIT_USER" CLOUDCTL_GIT_PASSWORD="$GIT_PASS" "$D" bump --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" \
	--path "$DEV" --image registry.local/shop/frontend:h1 -o kv
expect_rc "https: user and password from the environment" 0 && assert "https: the file" cmp -s <(show "$RH" "$DEV/kustomization.yaml") <(dev_with h1)
printf 'https://%s:%s@127.0.0.1:%s\n' "$GIT_USER" "$GIT_PASS" "$GIT_HTTPS_PORT" >"$T/.git-credentials"; chmod 600 "$T/.git-credentials"
run "$D" bump --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --path "$DEV" --image registry.local/shop/frontend:h2 -o kv
expect_rc "https: ~/.git-credentials" 0 && assert "https: the second bump landed" test "$(count "$RH")" = 3
rm "$T/.git-credentials"
run env CLOUDCTL_GIT_PASSWORD=Wr0ngPassw0rd "$D" bump --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --username "$GIT_USER" --path "$DEV" --image registry.local/shop/frontend:h3
expect_rc "https: wrong password: exit 77" 77 "authentication failed" && assert "https, wrong password: one line, no commit" bash -c "[ \$(wc -l <'$T/err') = 1 ] && [ $(count "$RH") = 3 ]"
assert "https: the password never printed" bash -c "! grep -q '$GIT_PASS\|Wr0ngPassw0rd' '$T/err' '$T/out'"
run env CLOUDCTL_GIT_PASSWORD="$GIT_PASS" "$D" bump --git "$GIT_HTTPS_BASE/$NH" --username "$GIT_USER" --path "$DEV" --image registry.local/shop/frontend:h3
# (a new cache: the fetch, through libgit2, is the only connection; libgit2 reads the
# system's bundle when it connects, not when it starts as well)
run env -u GIT_SSL_CAINFO -u SSL_CERT_FILE CLOUDCTL_GIT_PASSWORD="$GIT_PASS" XDG_CACHE_HOME="$T/cache-noca" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat -o "$T/strace-ca" \
	"$D" bump --git "$GIT_HTTPS_BASE/$NH" --username "$GIT_USER" --path "$DEV" --image registry.local/shop/frontend:h3
expect_rc "https without our CA: exit 77" 77 "certificate" && assert "https: the system's CA bundle read once, for the connection" \
	test "$(grep -c 'openat(.*"/etc/ssl/certs/ca-certificates.crt"' "$T/strace-ca")" = 1
run env -u SSL_CERT_FILE CLOUDCTL_GIT_PASSWORD="$GIT_PASS" GIT_SSL_CAINFO="$GIT_CA" "$D" bump --git "$GIT_HTTPS_BASE/$NH" --username "$GIT_USER" --path "$DEV" --image registry.local/shop/frontend:h3 -o kv
expect_rc "https: our CA from GIT_SSL_CAINFO" 0 && assert "https: GIT_SSL_CAINFO: the bump landed" test "$(field new <"$T/out"),$(count "$RH")" = "h3,4"
run env -u GIT_SSL_CAINFO CLOUDCTL_GIT_PASSWORD="$GIT_PASS" SSL_CERT_FILE="$GIT_CA" "$D" bump --git "$GIT_HTTPS_BASE/$NH" --username "$GIT_USER" --path "$DEV" --image registry.local/shop/frontend:h3s -o kv
expect_rc "https: our CA from SSL_CERT_FILE" 0 && assert "https: SSL_CERT_FILE: the bump landed" test "$(field new <"$T/out"),$(count "$RH")" = "h3s,5"
# git credential-store writes host:port as host%3aport
printf 'https://%s:%s@127.0.0.1%%3a%s\n' "$GIT_USER" "$GIT_PASS" "$GIT_HTTPS_PORT" >"$T/.git-credentials"; chmod 600 "$T/.git-credentials"
run "$D" bump --git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --path "$DEV" --image registry.local/shop/frontend:h4 -o kv
expect_rc "https: a ~/.git-credentials line as git credential-store writes it (host%3aport)" 0 &&
	assert "https: host%3aport: the bump landed" cmp -s <(show "$RH" "$DEV/kustomization.yaml") <(dev_with h4)
# Two machines (two caches): each bump starts from its own cache's tip without a fetch,
# so B's tip is stale after A's push; B's push is refused, fetched, re-applied.
HB=(--git "$GIT_HTTPS_BASE/$NH" --cacert "$GIT_CA" --path "$DEV" -o kv)
for m in A B; do XDG_CACHE_HOME=$T/cache-$m run "$D" bump "${HB[@]}" --image registry.local/shop/api:$m; done
n0=$(count "$RH")
printf 'kind=image ref=registry.local/shop/frontend:h5 source=a5 source_time=1800000100\n' >"$T/a5"
XDG_CACHE_HOME=$T/cache-A run "$D" bump "${HB[@]}" <"$T/a5"
expect_rc "stale caches: A bumps the frontend" 0
XDG_CACHE_HOME=$T/cache-B run "$D" bump "${HB[@]}" --image registry.local/shop/api:b5
expect_rc "stale caches: B bumps the api from its stale tip" 0 && assert "stale caches: B refused once, then landed on A's commit (attempts=2)" \
	test "$(field attempts <"$T/out"),$(count "$RH"),$(git --git-dir="$RH" rev-parse main~1)" = "2,$((n0 + 2)),$(git --git-dir="$RH" log -1 --format=%H --grep=h5 main)"
assert "stale caches: both bumps in the file" bash -c "f=\$(git --git-dir='$RH' show main:$DEV/kustomization.yaml); grep -q 'newTag: h5   # main' <<<\"\$f\" && grep -Eq 'newTag: \"?b5\"?$' <<<\"\$f\""
printf 'kind=image ref=registry.local/shop/frontend:h4old source=a4 source_time=1800000000\n' >"$T/a4"
XDG_CACHE_HOME=$T/cache-A run "$D" bump "${HB[@]}" --image registry.local/shop/api:A2
XDG_CACHE_HOME=$T/cache-B run "$D" bump "${HB[@]}" <"$T/a4"
expect_rc "stale caches: an older source from a stale cache" 0 "newer deploy" && assert "stale caches: the newer deploy kept (skipped=older), no commit" \
	test "$(field skipped <"$T/out"),$(count "$RH")" = "older,$((n0 + 3))"
# A bump from a warm cache is one request: the command and the pack in one POST
# (lib/git/remote_http.c), no GET info/refs first; the trace shows neither secret.
# lighttpd writes its access log a few seconds late: wait for the line.
ALOG=$SVC/git/lighttpd-access.log
wait_log() { for _ in $(seq 1 75); do [ "$(grep -c -- "$1" "$ALOG")" -ge "$2" ] && return 0; sleep 0.2; done; return 1; }
RO=$(fresh https-one); NO=$(basename "$RO")
HO=(--git "$GIT_HTTPS_BASE/$NO" --cacert "$GIT_CA" --path "$DEV" -o kv)
XDG_CACHE_HOME=$T/cache-one run "$D" bump "${HO[@]}" --image registry.local/shop/frontend:o1
expect_rc "https: a first bump (the cache cloned)" 0 && wait_log "POST /git/$NO/git-receive-pack" 1
n_log=$(grep -c "/git/$NO/" "$ALOG")
XDG_CACHE_HOME=$T/cache-one run "$D" -vv bump "${HO[@]}" --image registry.local/shop/frontend:o2
expect_rc "https: a bump from the warm cache" 0 && wait_log "POST /git/$NO/git-receive-pack" 2
assert "https: one request to the server, a POST of git-receive-pack" test "$(grep -c "/git/$NO/" "$ALOG")" = $((n_log + 1))
assert "https: the landed commit is that bump's" test "$(git --git-dir="$RO" log -1 --format=%s main)" = \
	"deploy($DEV): registry.local/shop/frontend o1 -> o2"
B64=$(printf '%s:%s' "$GIT_USER" "$GIT_PASS" | base64)
assert "https: -vv shows neither the password nor the Basic credentials" \
	bash -c "grep -qi 'authorization: <redacted>' '$T/err' && ! grep -q -e '$GIT_PASS' -e '$B64' '$T/err' '$T/out'"
assert "https: -vv shows the pack as binary, not its bytes" grep -q '> \[[0-9]* bytes in all, binary from byte 101\]' "$T/err"
# The fetch from a cache is two requests at most (lib/git/remote_fetch_http.c): the
# advertisement, with the credentials sent up front (no 401 first), and one POST of
# git-upload-pack when the branch moved. Requests as the server logged them:
reqs() { grep "/git/$NO/" "$ALOG" | tail -n +$((n_log + 1)) | awk '{ print $3, $6, $7, $9 }'; }
XDG_CACHE_HOME=$T/cache-other run "$D" bump "${HO[@]}" --image registry.local/shop/frontend:o3
expect_rc "https: another machine bumps (its own cache)" 0 && wait_log "POST /git/$NO/git-receive-pack" 3
n_log=$(grep -c "/git/$NO/" "$ALOG")
XDG_CACHE_HOME=$T/cache-one run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=connect -o "$T/strace-o4" "$D" bump "${HO[@]}" --image registry.local/shop/api:o4
expect_rc "https: a bump from a stale cache" 0 && wait_log "POST /git/$NO/git-receive-pack" 5
# (a POST of receive-pack always gets a connection of its own; the fetch rides the
# refused push's)
assert "https: stale cache: two connections for the four requests" \
	test "$(grep -c "connect(.*htons($GIT_HTTPS_PORT)" "$T/strace-o4")" = 2
assert "https: stale cache: refused, fetched in two requests, pushed again" test "$(reqs)" = "$GIT_USER \"POST /git/$NO/git-receive-pack 200
$GIT_USER \"GET /git/$NO/info/refs?service=git-upload-pack 200
$GIT_USER \"POST /git/$NO/git-upload-pack 200
$GIT_USER \"POST /git/$NO/git-receive-pack 200"
assert "https: stale cache: attempts=2" test "$(field attempts <"$T/out")" = 2
assert "https: stale cache: both bumps in the file" bash -c "f=\$(git --git-dir='$RO' show main:$DEV/kustomization.yaml); grep -q 'newTag: o3' <<<\"\$f\" && grep -Eq 'newTag: \"?o4\"?' <<<\"\$f\""
n_log=$(grep -c "/git/$NO/" "$ALOG")
XDG_CACHE_HOME=$T/cache-one run "$D" diff "${HO[@]}" --image registry.local/shop/frontend:o5
expect_rc "https: diff from an up-to-date cache" 0 && wait_log "info/refs?service=git-upload-pack" $(( $(grep -c "info/refs?service=git-upload-pack" "$ALOG") + 1 ))
assert "https: diff: one request, the advertisement" test "$(reqs)" = "$GIT_USER \"GET /git/$NO/info/refs?service=git-upload-pack 200"
# when that GET is refused (401), libgit2 fetches and says why
XDG_CACHE_HOME=$T/cache-one run env CLOUDCTL_GIT_PASSWORD=Wr0ngPassw0rd "$D" diff "${HO[@]}" --username "$GIT_USER" --image registry.local/shop/frontend:o5
expect_rc "https: diff with a wrong password: exit 77" 77 "authentication failed" && assert "https: diff, wrong password: one line" one_line
run "$D" bump --git "$GIT_REJECT_HTTPS_URL" --cacert "$GIT_CA" --path "$DEV" --image registry.local/shop/frontend:r1
expect "https: a pre-receive hook refuses: exit 77, its message" 77 "" "cloudctl-deploy: $GIT_REJECT_HTTPS_URL: the remote refused the push to main: pre-receive hook declined (remote: cloudctl test remote: this repository rejects every push (pre-receive hook))" &&
	assert "https hook: rejecting.git's main unchanged" test "$(git --git-dir="$GIT_REPOS/rejecting.git" rev-list --count main)" = 1
assert "https: git fsck on the remote" fsck_ok "$RH"
assert "https: git fsck on the one-request remote" fsck_ok "$RO"
rm "$T/.git-credentials"
RS=$(fresh ssh); NS=$(basename "$RS")
SSHO=(--known-hosts "$GIT_SSH_KNOWN_HOSTS")
run "$D" bump --git "$GIT_SSH_BASE/$NS" --ssh-identity "$GIT_SSH_KEY" "${SSHO[@]}" --path "$DEV" --image registry.local/shop/frontend:s1 -o kv
expect_rc "ssh: ed25519 key, known_hosts" 0 && assert "ssh: the file" cmp -s <(show "$RS" "$DEV/kustomization.yaml") <(dev_with s1)
run "$D" bump --git "$GIT_SSH_BASE/$NS" --ssh-identity "$GIT_SSH_KEY_RSA" "${SSHO[@]}" --path "$DEV" --image registry.local/shop/frontend:s2 -o kv
expect_rc "ssh: RSA key" 0 && assert "ssh: RSA bump landed, fsck clean" bash -c "[ $(count "$RS") = 3 ] && git --git-dir='$RS' fsck --strict --no-dangling 2>/dev/null"
: >"$T/empty_known_hosts"
run "$D" bump --git "$GIT_SSH_BASE/$NS" --ssh-identity "$GIT_SSH_KEY" --known-hosts "$T/empty_known_hosts" --path "$DEV" --image registry.local/shop/frontend:s3
expect_rc "ssh: unknown host key: exit 77" 77 "unknown host key ssh-(ed25519|rsa) for \[127.0.0.1\]:$GIT_SSH_PORT" && assert "unknown host key: one line, no commit" bash -c "[ \$(wc -l <'$T/err') = 1 ] && [ $(count "$RS") = 3 ]"
sed 's/AAAA/AAAB/' "$GIT_SSH_KNOWN_HOSTS" >"$T/bad_known_hosts"
run "$D" bump --git "$GIT_SSH_BASE/$NS" --ssh-identity "$GIT_SSH_KEY" --known-hosts "$T/bad_known_hosts" --path "$DEV" --image registry.local/shop/frontend:s3
expect_rc "ssh: a changed host key: exit 77" 77 "CHANGED"
# libgit2's own fetch (a first clone, over ssh) is bounded: past CLOUDCTL_GIT_MAX_PACK
# the transfer is cut, one line, 69, nothing pushed; the same fetch within it lands
XDG_CACHE_HOME=$T/cache-pack run env CLOUDCTL_GIT_MAX_PACK=1K "$D" bump --git "$GIT_SSH_BASE/$NS" --ssh-identity "$GIT_SSH_KEY" "${SSHO[@]}" --path "$DEV" --image registry.local/shop/frontend:p1
expect "ssh: a pack past CLOUDCTL_GIT_MAX_PACK: 69, one line" 69 "" \
	"cloudctl-deploy: $GIT_SSH_BASE/$NS: the pack is larger than 1024 bytes (CLOUDCTL_GIT_MAX_PACK)" &&
	assert "pack limit: nothing pushed" test "$(count "$RS")" = 3
XDG_CACHE_HOME=$T/cache-pack run env CLOUDCTL_GIT_MAX_PACK=1G "$D" bump --git "$GIT_SSH_BASE/$NS" --ssh-identity "$GIT_SSH_KEY" "${SSHO[@]}" --path "$DEV" --image registry.local/shop/frontend:p1
expect_rc "ssh: the same first fetch within the limit" 0 && assert "pack limit: then it lands" test "$(count "$RS")" = 4
# hook rejection
run "$D" bump --git "$GIT_REJECT_SSH_URL" --ssh-identity "$GIT_SSH_KEY" "${SSHO[@]}" --path "$DEV" --image registry.local/shop/frontend:r1
expect_rc "a pre-receive hook refuses: exit 77" 77 "pre-receive hook declined" && assert "hook: one line, rejecting.git's main unchanged" \
	bash -c "[ \$(wc -l <'$T/err') = 1 ] && [ \$(git --git-dir='$GIT_REPOS/rejecting.git' rev-list --count main) = 1 ]"
# The connection is our own (lib/git/stream.c): its errors, and Nagle off on every
# connection (libgit2's small writes each waited ~40 ms for an ACK otherwise).
run "$D" bump --git https://127.0.0.1:1/x.git --cacert "$GIT_CA" --path "$DEV" --image a:1
expect "https: nothing listening: exit 69, host and port named" 69 "" \
	"cloudctl-deploy: https://127.0.0.1:1/x.git: connect: 127.0.0.1:1: Connection refused"
run "$D" bump --git ssh://git@127.0.0.1:1/x.git --ssh-identity "$GIT_SSH_KEY" --path "$DEV" --image a:1
expect "ssh: nothing listening: exit 69, host and port named" 69 "" \
	"cloudctl-deploy: ssh://git@127.0.0.1:1/x.git: connect: 127.0.0.1:1: Connection refused"
for u in "$GIT_HTTPS_BASE/$NH --cacert $GIT_CA" "$GIT_SSH_BASE/$NS --ssh-identity $GIT_SSH_KEY ${SSHO[*]}"; do
	# shellcheck disable=SC2086 # the URL and its options, split on purpose
	# (LeakSanitizer cannot stop the world under strace: no leak check in this run)
	run env CLOUDCTL_GIT_USERNAME="$GIT_USER" CLOUDCTL_GIT_PASSWORD="$GIT_PASS" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=setsockopt \
		-o "$T/strace" "$D" diff --git $u --path "$DEV" --image registry.local/shop/frontend:nd -o kv
	expect_rc "${u%%:*}: diff over the network" 0 && assert "${u%%:*}: TCP_NODELAY set on the connection" \
		grep -q 'setsockopt([0-9]*, SOL_TCP, TCP_NODELAY, \[1\], 4) = 0' "$T/strace"
done

# --- bad input: exit code, one line, no commit ---
RB=$(fresh bad)
bad_commit() { # NAME FILE-CONTENT: commit it as apps/bad/kustomization.yaml
	rm -rf "$T/b"; git clone -q "$RB" "$T/b"; mkdir -p "$T/b/apps/$1"; printf '%s' "$2" >"$T/b/apps/$1/kustomization.yaml"
	git -C "$T/b" add -A; git -C "$T/b" -c user.name=t -c user.email=t@t commit -qm "$1"; git -C "$T/b" push -q origin main; }
bad_commit invalid $'images:\n  - name: a\n\tnewTag: b\n'
bad_commit noimages $'resources:\n  - x.yaml\n'
bad_commit flow $'images: [{name: a, newTag: b}]\n'
N0=$(count "$RB")
bad() { # NAME RC PATTERN ARGS...
	local name=$1 want=$2 pat=$3; shift 3
	run "$D" bump --git "$RB" "$@"
	expect_rc "bad input: $name" "$want" "$pat" && assert "bad input: $name: one line, no commit" bash -c "[ \$(wc -l <'$T/err') = 1 ] && [ $(count "$RB") = $N0 ]"
}
bad "invalid YAML" 65 "apps/invalid/kustomization.yaml:3:[0-9]+: " --path apps/invalid --image a:1
bad "no images list" 65 "no images: list" --path apps/noimages --image a:1
bad "flow style" 65 "apps/flow/kustomization.yaml:1:[0-9]+: .*flow" --path apps/flow --image a:1
bad "missing path" 66 "no directory apps/nothere on branch main" --path apps/nothere --image a:1
bad "missing branch" 66 "no branch 'nope' on the remote" --branch nope --path "$DEV" --image a:1
bad "not an image reference" 65 "not an image reference" --path "$DEV" --image ':'
run_in 'kind=image ref="unterminated' "$D" bump --git "$RB" --path "$DEV"
expect_rc "bad input: a malformed record" 65 "<stdin>:1: " && assert "malformed record: no commit" test "$(count "$RB")" = "$N0"
run "$D" bump --git "$T/nothere.git" --path "$DEV" --image a:1
expect_rc "bad input: no such repository" 66
mkdir -p "$T/plain-dir"
run "$D" bump --git "$T/plain-dir" --path "$DEV" --image a:1
expect "bad input: a local directory that is not a repository: exit 66" 66 "" "cloudctl-deploy: $T/plain-dir: not a git repository" &&
	assert "not a repository: nothing made in it" test -z "$(ls -A "$T/plain-dir")"

# --- the clone cache: reused, and rebuilt when corrupt ---
CACHE=$(ls -d "$XDG_CACHE_HOME"/cloudctl/git/*/ | head -1)
assert "the clone cache exists under \$XDG_CACHE_HOME/cloudctl/git" test -d "$CACHE/objects"
# (over https: a local remote's cache holds no objects of its own, it reads and writes
# the remote's)
RC=$(fresh cache); HC=(--git "$GIT_HTTPS_BASE/$(basename "$RC")" --cacert "$GIT_CA" --path "$DEV" -o kv)
export CLOUDCTL_GIT_USERNAME=$GIT_USER CLOUDCTL_GIT_PASSWORD=$GIT_PASS
run "$D" bump "${HC[@]}" --image registry.local/shop/frontend:c1
CDIR=$(grep -l "$(basename "$RC")" "$XDG_CACHE_HOME"/cloudctl/git/*/config | head -1); CDIR=${CDIR%/config}
find "$CDIR/objects" -type f \( -name '*.pack' -o -name '[0-9a-f]*' \) | while read -r f; do chmod u+w "$f"; printf garbage >"$f"; done
run "$D" bump "${HC[@]}" --image registry.local/shop/frontend:c2
unset CLOUDCTL_GIT_USERNAME CLOUDCTL_GIT_PASSWORD
expect_rc "a corrupt cache is rebuilt" 0 "cannot be read: cloning again" && assert "corrupt cache: the bump landed" cmp -s <(show "$RC" "$DEV/kustomization.yaml") <(dev_with c2)

# --- newer source wins; rollback; history; promote ---
RN=$(fresh newer)
run_in 'kind=image ref=registry.local/shop/frontend:new source=n source_time=2024-02-01T00:00:00Z' "$D" bump --git "$RN" --path "$DEV" -o kv
run_in 'kind=image ref=registry.local/shop/frontend:old source=o source_time=2024-01-15T00:00:00Z' "$D" bump --git "$RN" --path "$DEV" -o kv
expect_rc "an older source after a newer one" 0 "newer deploy" && assert "older source: not applied (skipped=older), no commit" \
	test "$(field skipped <"$T/out"),$(field changed <"$T/out"),$(count "$RN")" = "older,false,2"
run_in 'kind=image ref=registry.local/shop/frontend:old source=o source_time=2024-01-15T00:00:00Z' "$D" bump --git "$RN" --path "$DEV" --force -o kv
assert "--force replaces a newer deploy" test "$(field changed <"$T/out"),$(count "$RN")" = "true,3"
run_in 'kind=image ref=registry.local/shop/frontend:bad source=b source_time=2024-03-01T00:00:00Z' "$D" bump --git "$RN" --path "$DEV" -o kv
run "$D" rollback --git "$RN" --path "$DEV" --image registry.local/shop/frontend -o kv
expect_rc "rollback" 0 && assert "rollback: the earlier tag restored, byte for byte" cmp -s <(show "$RN" "$DEV/kustomization.yaml") <(dev_with old)
assert "rollback: marked in the commit" bash -c "git --git-dir='$RN' log -1 --format=%B main | grep -q '^Rollback-To: '"
run_in 'kind=image ref=registry.local/shop/frontend:bad source=b source_time=2024-03-01T00:00:00Z' "$D" bump --git "$RN" --path "$DEV" -o kv
assert "a re-run of the rolled-back source is refused" test "$(field skipped <"$T/out"),$(count "$RN")" = "rolled-back,5"
run_in 'kind=image ref=registry.local/shop/frontend:fixed source=f source_time=2024-03-02T00:00:00Z' "$D" bump --git "$RN" --path "$DEV" -o kv
assert "a newer source after a rollback lands" test "$(field changed <"$T/out"),$(count "$RN")" = "true,6"
run "$D" history --git "$RN" --path "$DEV" -o tsv -c action,image,old,new,source
expect "history: kind=deploy records, newest first" 0 "action	image	old	new	source
deploy	registry.local/shop/frontend	old	fixed	f
rollback	registry.local/shop/frontend	bad	old	o
deploy	registry.local/shop/frontend	old	bad	b
deploy	registry.local/shop/frontend	new	old	o
deploy	registry.local/shop/frontend	3f2a1bc0e4d5f6a7b8c9d0e1f2a3b4c5d6e7f809	new	n"
run "$D" promote --git "$RN" --from "$DEV" --to apps/shop/overlays/prod --image registry.local/shop/frontend -o kv
expect_rc "promote dev -> prod" 0 && assert "promote: prod's tag copied, quotes kept, one commit" bash -c \
	"cmp -s <(git --git-dir='$RN' show main:apps/shop/overlays/prod/kustomization.yaml) <(sed \"s/^  newTag: '1.10'/  newTag: 'fixed'/\" '$FIX/overlays/prod/kustomization.yaml') && [ $(count "$RN") = 7 ]"
assert "newer/rollback/promote: fsck clean" fsck_ok "$RN"

# --- concurrency: W writers x B bumps of different images into one remote ---
W=${DEPLOY_WRITERS:-16} B=${DEPLOY_BUMPS:-25}
RM=$(fresh many)
rm -rf "$T/m"; git clone -q "$RM" "$T/m"; mkdir -p "$T/m/apps/many"
cp "$DATA/many-kustomization.yaml" "$T/m/apps/many/kustomization.yaml"; cp "$DATA/many-deployment.yaml" "$T/m/apps/many/deployment.yaml"
git -C "$T/m" add -A; git -C "$T/m" -c user.name=t -c user.email=t@t commit -qm many; git -C "$T/m" push -q origin main
# the file after the run: the apps of the W writers at v$B, any others (W < 16) as they were
many_expected() {
	awk -v w="$W" -v b="$B" '/- name: registry.local\/many\/app/ { hit = substr($0, length($0) - 1) + 0 < w }
		/newTag: v[0-9]*$/ && hit { sub(/v[0-9]*$/, "v" b) } { print }' "$DATA/many-kustomization.yaml"
}
writer() { # I CACHE: B bumps of app I
	local k; for k in $(seq 1 "$B"); do
		XDG_CACHE_HOME=$2 "$D" bump --git "$RM" --path apps/many --image "registry.local/many/app$1:v$k" -o kv >>"$T/w.$1.out" 2>>"$T/w.$1.err" ||
			echo "writer $1 bump $k: exit $?" >>"$T/w.$1.err"
	done; }
for mode in shared own; do
	t0=$(date +%s%N); N1=$(count "$RM")
	for i in $(seq -f '%02g' 0 $((W - 1))); do
		if [ $mode = shared ]; then writer "$i" "$T/cache" & else writer "$i" "$T/cache-w$i" & fi
	done; wait
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "# $W writers x $B bumps, $mode cache: $ms ms ($(( ms / (W * B) )) ms per bump)"
	assert "$mode cache: $W x $B concurrent bumps, no failures" bash -c "! cat '$T'/w.*.err | grep -q ."
	assert "$mode cache: all $((W * B)) commits landed" test "$(count "$RM")" = $((N1 + W * B))
	assert "$mode cache: the final file as expected" cmp -s <(show "$RM" apps/many/kustomization.yaml) <(many_expected)
	assert "$mode cache: fsck clean" fsck_ok "$RM"
	cat "$T"/w.*.err 2>/dev/null | head -3
	rm -f "$T"/w.*
	git -C "$T/m" pull -q; sed -i 's/newTag: v[0-9]*$/newTag: v0/' "$T/m/apps/many/kustomization.yaml"
	git -C "$T/m" -c user.name=t -c user.email=t@t commit -qam reset; git -C "$T/m" push -q origin main
done
# two bumpers of the same image at once: the newer source wins whatever the order
for round in 1 2 3; do
	XDG_CACHE_HOME=$T/c1 "$D" bump --git "$RN" --path "$DEV" --image registry.local/shop/frontend:same-old >/dev/null 2>&1 <<<"" &
	wait
	printf 'kind=image ref=registry.local/shop/frontend:newer-%s source=x source_time=%s\n' $round $((1800000000 + round * 10)) >"$T/newer"
	printf 'kind=image ref=registry.local/shop/frontend:older-%s source=y source_time=%s\n' $round $((1800000000 + round * 10 - 5)) >"$T/older"
	XDG_CACHE_HOME=$T/c1 "$D" bump --git "$RN" --path "$DEV" <"$T/older" >/dev/null 2>&1 &
	XDG_CACHE_HOME=$T/c2 "$D" bump --git "$RN" --path "$DEV" <"$T/newer" >/dev/null 2>&1 &
	wait
	assert "same image, two bumpers (round $round): the newer source wins" \
		bash -c "git --git-dir='$RN' show main:$DEV/kustomization.yaml | grep -q '^    newTag: newer-$round   # main$'"
done
