# build-registry: cloudctl-build against real registries (tests/services/registry-start.sh):
# docker-registry with TLS + htpasswd, and one with token auth and its token server. skopeo
# reads what was pushed; skopeo copy + umoci unpack + runc run runs it; re-pushes send no
# blob bytes; a base on the same registry is mounted; faults (401, 403 by scope, 404, 500,
# garbage, a registry killed mid-push) each get their exit code and one line.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B=cloudctl-build
ENV=$SVC/registry/env
if [ ! -f "$ENV" ]; then
	"$SRC/tests/services/registry-start.sh" > "$T/start.log" 2>&1 ||
		{ skip "build-registry" "the registries did not start: $(tail -1 "$T/start.log")"; exit 0; }
fi
. "$ENV"
if ! curl -s -o /dev/null --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/"; then
	"$SRC/tests/services/registry-start.sh" > "$T/start.log" 2>&1 ||
		{ skip "build-registry" "the registries are down and did not restart: $(tail -1 "$T/start.log")"; exit 0; }
fi
for c in skopeo python3 curl; do
	command -v $c > /dev/null || { skip "build-registry" "$c not installed"; exit 0; }
done
export TZ=UTC GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_AUTHOR_DATE='2024-05-01T12:00:00Z' GIT_COMMITTER_DATE='2024-05-01T12:00:00Z'
export DOCKER_CONFIG=$REGISTRY_DOCKER_CONFIG
unset SOURCE_DATE_EPOCH REGISTRY_AUTH_FILE
umask 022
R=$REGISTRY TR=$REGISTRY_TOKEN
CREDS=$REGISTRY_USER:$REGISTRY_PASS
ID=$(date +%s)$$ # repositories of this run: the registries keep what earlier runs pushed
CA=(--cacert "$REGISTRY_CA")
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' && BUSYBOX=

# py EXPR < JSON
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
inspect() { skopeo inspect --creds "$CREDS" --cert-dir "$REGISTRY_CERT_DIR" "docker://$1"; }
lines() { wc -l < "$T/err" | tr -d ' '; }

# the source: busybox and a message, committed; two clones
mkdir -p "$T/src/app/bin" "$T/src/app/etc"
cd "$T/src" && git init -q . && git checkout -q -b main
if [ -n "$BUSYBOX" ]; then cp "$BUSYBOX" app/bin/busybox; else printf '#!/bin/sh\n' > app/bin/busybox; fi
chmod 755 app/bin/busybox
echo hello from the registry > app/etc/msg
git add -A && git commit -qm one && git remote add origin https://ci:s3cret@git.example.com/shop/app.git
SHA=$(git rev-parse HEAD) STIME=$(git log -1 --format=%ct)
cd - > /dev/null
git clone -q "$T/src" "$T/c1" && git clone -q "$T/src" "$T/c2"
git -C "$T/c1" remote set-url origin https://ci:s3cret@git.example.com/shop/app.git
git -C "$T/c2" remote set-url origin https://git.example.com/shop/app.git
ENTRY=(--entrypoint '["/bin/busybox","cat","/etc/msg"]' --label team=shop)

# ---- push to the htpasswd registry ----
APP=$R/cloudctl/app-$ID
run $B "$T/c1/app" --repo "$APP" "${ENTRY[@]}" "${CA[@]}"
expect_rc "push to the htpasswd registry" 0 && assert "nothing on stderr (no progress bar without a TTY)" test ! -s "$T/err"
D1=$(field digest < "$T/out")
assert "the record" test "$(sed "s/digest=sha256:[0-9a-f]*/digest=D/; s/size=[0-9]* /size=N /; s/uploaded=[0-9]* /uploaded=N /" "$T/out")" = \
	"kind=image ref=$APP:$SHA digest=D source=$SHA source_time=$STIME size=N layers=1 uploaded=N mounted=0 skipped=0"
# uploaded: the layer and the config, as the image's own manifest says
inspect "$APP:$SHA" > "$T/inspect.json" 2> "$T/inspect.err"
skopeo inspect --raw --creds "$CREDS" --cert-dir "$REGISTRY_CERT_DIR" "docker://$APP:$SHA" > "$T/manifest.json" 2>/dev/null
assert "uploaded = layer + config bytes" test "$(field uploaded < "$T/out")" = \
	"$(py "d['config']['size'] + sum(l['size'] for l in d['layers'])" < "$T/manifest.json")"
assert "skopeo inspect: the digest" test "$(py "d['Digest']" < "$T/inspect.json")" = "$D1"
assert "skopeo inspect: the labels (no source without --source-url)" python3 -c "
import json, sys
l = json.load(open('$T/inspect.json'))['Labels']
sys.exit(l != {'team': 'shop', 'org.opencontainers.image.revision': '$SHA',
	'org.opencontainers.image.created': '2024-05-01T12:00:00Z'})"

# pull it back and run it
run_image() { # REF NAME: what the image's process prints
	rm -rf "$T/pulled" "$T/bundle"
	skopeo copy -q --src-creds "$CREDS" --src-cert-dir "$REGISTRY_CERT_DIR" "docker://$1" "oci:$T/pulled:img" \
		> /dev/null 2>&1 || { echo "skopeo copy failed"; return; }
	umoci unpack --image "$T/pulled:img" "$T/bundle" > /dev/null 2>&1 || { echo "umoci unpack failed"; return; }
	python3 -c "import json; f='$T/bundle/config.json'; c=json.load(open(f)); c['process']['terminal']=False; json.dump(c, open(f,'w'))"
	(cd "$T/bundle" && timeout 30 runc run "cloudctl-reg-$2-$$" 2>&1 < /dev/null)
}
CAN_RUN=
[ "$(id -u)" = 0 ] && command -v umoci > /dev/null && command -v runc > /dev/null && [ -n "$BUSYBOX" ] && CAN_RUN=1
if [ -n "$CAN_RUN" ]; then
	assert "skopeo copy + umoci + runc: the pushed image runs" test "$(run_image "$APP:$SHA" one)" = "hello from the registry"
else
	skip "skopeo copy + umoci + runc" "needs root, umoci, runc and busybox-static"
fi

# ---- re-push, another clone, another tag ----
run $B "$T/c1/app" --repo "$APP" "${ENTRY[@]}" "${CA[@]}"
assert "a re-push of the unchanged tree sends no blob bytes" \
	test "$(field uploaded < "$T/out") $(field skipped < "$T/out") $(field digest < "$T/out")" = "0 2 $D1"
run $B "$T/c2/app" --repo "$APP:clone2" "${ENTRY[@]}" "${CA[@]}"
assert "the same commit on another clone, another tag: the same digest" test "$(field digest < "$T/out")" = "$D1"
run $B tags "$APP" "${CA[@]}"
expect "tags" 0 "kind=tag repo=$APP tag=$SHA
kind=tag repo=$APP tag=clone2"
run $B resolve "$APP:clone2" "${CA[@]}" -c digest,source,layers
expect "resolve" 0 "digest=$D1 source=$SHA layers=1"
run $B resolve "$APP@$D1" "${CA[@]}" -c ref,digest
expect "resolve by digest" 0 "ref=$APP@$D1 digest=$D1"
run $B "$T/c1/app" --repo "$APP-jobs1" "${ENTRY[@]}" "${CA[@]}" --jobs 1
assert "--jobs 1: the same image" test "$rc $(field digest < "$T/out")" = "0 $D1"

# the layer cache: an unchanged tree (not touched in the last 2 s) is not built again
sleep 2.1
run $B "$T/c1/app" --repo "$APP-cache" "${ENTRY[@]}" "${CA[@]}"
run $B "$T/c1/app" --repo "$APP-cache" "${ENTRY[@]}" "${CA[@]}" -vv
assert "an unchanged tree: the layer from the cache, nothing sent" \
	test "$(grep -c 'from the cache, already at the destination' "$T/err") $(field uploaded < "$T/out") $(field digest < "$T/out")" = "1 0 $D1"
cp -p "$T/c1/app/etc/msg" "$T/msg.orig"
echo "hello from the registrY" > "$T/c1/app/etc/msg" && touch -r "$T/msg.orig" "$T/c1/app/etc/msg"
sleep 2.1
run $B "$T/c1/app" --repo "$APP-cache" "${ENTRY[@]}" "${CA[@]}" --allow-dirty --tag dirty
assert "a file rewritten with the same size and mtime is seen (ctime): another digest" \
	test "$rc $(field digest < "$T/out")" != "0 $D1" -a "$rc" = 0
cp -p "$T/msg.orig" "$T/c1/app/etc/msg"

# tags come in pages of 100: 105 tags, all listed
TAGS=(); for i in $(seq -w 1 105); do TAGS+=(--tag "t$i"); done
run $B "$T/c1/app" --repo "$APP-many" "${ENTRY[@]}" "${CA[@]}" "${TAGS[@]}"
expect_rc "push with 105 tags" 0
run $B tags "$APP-many" "${CA[@]}" -c tag
assert "tags: 105, every page followed, sorted" test "$(tr -d '\n' < "$T/out" | md5sum)" = \
	"$(for i in $(seq -w 1 105); do printf 'tag=t%s' "$i"; done | md5sum)"

# ---- the token registry ----
TAPP=$TR/cloudctl/app-$ID
run $B "$T/c1/app" --repo "$TAPP" "${ENTRY[@]}" "${CA[@]}"
assert "push to the token registry: the same digest" test "$rc $(field digest < "$T/out")" = "0 $D1"
assert "skopeo inspect on the token registry" test "$(inspect "$TAPP:$SHA" 2>/dev/null | py "d['Digest']")" = "$D1"
run $B "$T/c1/app" --repo "$TAPP" "${ENTRY[@]}" "${CA[@]}"
assert "token registry: a re-push sends nothing" test "$(field uploaded < "$T/out") $(field skipped < "$T/out")" = "0 2"

# ---- a base image on the same registry: its layer is mounted ----
mkdir -p "$T/base/bin" && cp "$T/c1/app/bin/busybox" "$T/base/bin/busybox"
BASE=$R/cloudctl/base-$ID:busybox
run $B "$T/base" --repo "$BASE" --entrypoint '/bin/busybox cat' --cmd /etc/msg --env PATH=/bin "${CA[@]}"
expect_rc "push a base image" 0
mkdir -p "$T/c1/app2/etc" && echo "hello from the base's entrypoint" > "$T/c1/app2/etc/msg"
git -C "$T/c1" add app2 && git -C "$T/c1" commit -qm two
run $B "$T/c1/app2" --repo "$R/cloudctl/app2-$ID" --base "$BASE" "${CA[@]}"
assert "the base's layer is mounted, ours and the config uploaded" \
	test "$rc $(field layers < "$T/out") $(field mounted < "$T/out") $(field skipped < "$T/out")" = "0 2 1 0"
APP2=$(field ref < "$T/out")
run $B "$T/c1/app2" --repo "$R/cloudctl/app2-$ID" --base "$BASE" "${CA[@]}"
assert "re-push on a base: all skipped" test "$(field uploaded < "$T/out") $(field mounted < "$T/out") $(field skipped < "$T/out")" = "0 0 3"
BASE_DIGEST=$($CLOUDCTL_BIN/$B resolve "$BASE" "${CA[@]}" | field digest)
assert "the base's digest in the manifest" test "$(skopeo inspect --raw --creds "$CREDS" --cert-dir "$REGISTRY_CERT_DIR" "docker://$APP2" 2>/dev/null |
	py "d['annotations']['org.opencontainers.image.base.digest']")" = "$BASE_DIGEST"
if [ -n "$CAN_RUN" ]; then
	assert "umoci + runc: the image on a registry base runs" test "$(run_image "$APP2" two)" = "hello from the base's entrypoint"
fi
# a base on another registry (the token one): copied blob by blob
run $B "$T/c1/app2" --repo "$TR/cloudctl/app2-$ID" --base "$BASE" "${CA[@]}"
assert "a base on another registry is copied" test "$rc $(field mounted < "$T/out") $(field skipped < "$T/out")" = "0 0 0"
assert "copied: every blob's bytes sent" test "$(field uploaded < "$T/out")" = \
	"$(skopeo inspect --raw --creds "$CREDS" --cert-dir "$REGISTRY_CERT_DIR" "docker://$APP2" 2>/dev/null | py "d['config']['size'] + sum(l['size'] for l in d['layers'])")"
# a base from an OCI layout, pushed to a registry
run $B "$T/base" --repo "oci:$T/images:busybox" --entrypoint '/bin/busybox cat' --cmd /etc/msg --env PATH=/bin
run $B "$T/c1/app2" --repo "$R/cloudctl/app3-$ID" --base "oci:$T/images:busybox" "${CA[@]}"
assert "a layout base to a registry" test "$rc $(field layers < "$T/out") $(field mounted < "$T/out")" = "0 2 0"
# and a registry base into a layout
run $B "$T/c1/app2" --repo "oci:$T/out-layout" --base "$BASE" "${CA[@]}"
assert "a registry base into a layout: the same digest as on the registry" \
	test "$rc $(field digest < "$T/out")" = "0 $($CLOUDCTL_BIN/$B resolve "$APP2" "${CA[@]}" | field digest)"

# ---- the progress bar: on a terminal only ----
if command -v script > /dev/null; then
	script -qec "$CLOUDCTL_BIN/$B $T/c1/app --repo $R/cloudctl/tty-$ID --cacert $REGISTRY_CA --tag t 2>&1 >/dev/null" /dev/null > "$T/tty" 2>&1
	assert "a terminal gets the push bar" grep -qaE 'push +\[[#.]+\] +[0-9]+% .*MiB' "$T/tty"
	assert "a message is on a line of its own, not after the bar" \
		test -z "$(tr '\r' '\n' < "$T/tty" | grep -a 'MiB.*cloudctl-build:')"
	assert "the line is cleared at the end" test "$(tail -c 4 "$T/tty" | od -An -c | tr -d ' ')" = '\r033[K'
else
	skip "progress bar" "script(1) not installed"
fi

# ---- refused: exit code and one line ----
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$R" "$(printf '%s:wrong' "$REGISTRY_USER" | base64 -w0)" > "$T/bad-auth.json"
chmod 600 "$T/bad-auth.json"
run $B "$T/c1/app" --repo "$R/cloudctl/denied-$ID" --auth-file "$T/bad-auth.json" "${CA[@]}"
expect_rc "a wrong password: 77" 77 "^cloudctl-build: registry $R: .*HTTP 401; the credentials of $REGISTRY_USER from $T/bad-auth.json were refused" && assert "one line" test "$(lines)" = 1
DOCKER_CONFIG=$REGISTRY_READER_DOCKER_CONFIG run $B "$T/c1/app" --repo "$TR/cloudctl/reader-$ID" "${CA[@]}"
expect_rc "reader pushing on the token registry: 77" 77 "insufficient_scope.*reader" && assert "one line" test "$(lines)" = 1
run $B tags "$TR/cloudctl/reader-$ID" "${CA[@]}"
assert "nothing was tagged for the reader" test -z "$(cat "$T/out")"
run $B resolve "$R/cloudctl/nothing-$ID:v1" "${CA[@]}"
expect_rc "resolve a repository that does not exist: 66" 66 "HTTP 404" && assert "one line" test "$(lines)" = 1
run $B "$T/c1/app" --repo "$R/cloudctl/noca-$ID"
expect_rc "a registry whose CA is not trusted: 77" 77 "^cloudctl-build: registry $R: cannot connect"
run $B "$T/c1/app" --repo "$R/cloudctl/x@sha256:$(printf %064d 0)" "${CA[@]}"
expect "a digest as destination: 64" 64 "" "cloudctl-build: '$R/cloudctl/x@sha256:$(printf %064d 0)': a destination takes a tag, not a digest"
run $B "$T/c1/app" --repo "$R/cloudctl/app-$ID" --base "$R/cloudctl/base-$ID" "${CA[@]}"
expect_rc "a base without a tag: 64" 64 "name the image's tag"

# a server that answers 500 or garbage (tests/services/http-test-server.py with a /v2/ of ours)
cat > "$T/fake-registry.py" <<'EOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("hts", sys.argv[1])
hts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hts)
JSON = [("Content-Type", "application/json"), ("Docker-Distribution-API-Version", "registry/2.0")]
def ep_v2(self, args, body):
    if not args:                      # GET /v2/: a registry without auth
        return self.reply(200, "{}", JSON)
    if args[0] == "err500":           # every call on this repository fails
        return self.reply(500, '{"errors":[{"code":"UNKNOWN","message":"storage backend down"}]}', JSON)
    if args[0] == "garbage":          # 200 with a body that is not JSON
        return self.reply(200, "<html>oops", [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
    self.reply(404, '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}', JSON)
hts.Handler.ep_v2 = ep_v2
sys.argv[1:2] = []
hts.main()
EOF
python3 "$T/fake-registry.py" "$SRC/tests/services/http-test-server.py" > "$T/fake.out" &
FAKE_PID=$!
cleanup_hook() { kill "$FAKE_PID" 2>/dev/null; }
for _ in $(seq 50); do grep -q '^PORT' "$T/fake.out" && break; sleep 0.1; done
FAKE=127.0.0.1:$(sed -n 's/^PORT //p' "$T/fake.out")
run $B "$T/c1/app" --repo "$FAKE/err500/app"
expect_rc "plain http without --insecure: refused" 69 "^cloudctl-build: registry $FAKE: cannot connect"
run $B "$T/c1/app" --repo "$FAKE/err500/app" --insecure
expect_rc "a registry that answers 500: 69" 69 "^cloudctl-build: registry $FAKE: .*err500/app.*HTTP 500" &&
	assert "one line" test "$(lines)" = 1
run $B resolve "$FAKE/err500/app:v1" --insecure
expect_rc "resolve on a registry that answers 500: 69, its message" 69 "UNKNOWN: storage backend down \(HTTP 500\)" &&
	assert "one line" test "$(lines)" = 1
run $B resolve "$FAKE/garbage/app:v1" --insecure
expect_rc "resolve: a manifest that is not JSON: 65" 65 && assert "one line" test "$(lines)" = 1
run $B tags "$FAKE/garbage/app" --insecure
expect_rc "tags: a list that is not JSON: 65" 65 && assert "one line" test "$(lines)" = 1
run $B "$T/c1/app" --repo "$FAKE/ok/app" --insecure --base "$FAKE/garbage/base:v1"
expect_rc "a base whose manifest is garbage: 65, nothing pushed" 65

# ---- a registry killed mid-push; the re-run sends only what is missing ----
mkdir -p "$T/big" && head -c $((96 << 20)) /dev/urandom > "$T/big/blob.bin" && echo small > "$T/big/small.txt"
run $B "$T/big" --repo "oci:$T/big-layout:kill"
LAYER=$(python3 -c "import json; d='$T/big-layout'; i=json.load(open(d+'/index.json'))['manifests'][0]['digest'][7:]
m=json.load(open(d+'/blobs/sha256/'+i)); print(m['layers'][0]['digest'], m['layers'][0]['size'], m['config']['digest'], m['config']['size'])")
read -r LDIG LSIZE CDIG CSIZE <<< "$LAYER"
KREPO=cloudctl/kill-$ID
UPLOADS=$(dirname "$REGISTRY_PIDFILE")/data-basic/docker/registry/v2/repositories/$KREPO/_uploads
$CLOUDCTL_BIN/$B "$T/big" --repo "$R/$KREPO:kill" "${CA[@]}" > "$T/kill.out" 2> "$T/kill.err" &
BPID=$!
killed=
for _ in $(seq 3000); do # until the registry has part of the big layer
	if [ -n "$(find "$UPLOADS" -name data -size +1k 2>/dev/null)" ]; then
		kill -9 "$(cat "$REGISTRY_PIDFILE")" && killed=1; break
	fi
	kill -0 $BPID 2>/dev/null || break
	sleep 0.01
done
wait $BPID; krc=$?
if [ -z "$killed" ]; then
	fail "registry killed mid-push" "the upload was not caught in progress (exit $krc)"
	"$SRC/tests/services/registry-start.sh" > /dev/null 2>&1
else
	rc=$krc; cp "$T/kill.err" "$T/err"
	expect_rc "registry killed mid-push: 69" 69 "^cloudctl-build: registry $R: " && assert "one line" test "$(lines)" = 1
	"$SRC/tests/services/registry-start.sh" > "$T/restart.log" 2>&1
	expect_rc_restart=$?
	assert "the registry restarts" test "$expect_rc_restart" = 0
	assert "no tag after the failed push (skopeo inspect fails)" sh -c "! skopeo inspect --creds '$CREDS' --cert-dir '$REGISTRY_CERT_DIR' 'docker://$R/$KREPO:kill' >/dev/null 2>&1"
	run $B tags "$R/$KREPO" "${CA[@]}"
	assert "no tag after the failed push (tags)" test "$rc $(cat "$T/out")" = "0 " -o "$rc" = 66
	has() { curl -s -o /dev/null -w '%{http_code}' -I -u "$CREDS" --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/$KREPO/blobs/$1"; }
	missing=0
	[ "$(has "$LDIG")" = 200 ] || missing=$((missing + LSIZE))
	[ "$(has "$CDIG")" = 200 ] || missing=$((missing + CSIZE))
	assert "the big layer was cut off" test "$(has "$LDIG")" != 200
	run $B "$T/big" --repo "$R/$KREPO:kill" "${CA[@]}"
	assert "the re-run uploads only what was missing" test "$rc $(field uploaded < "$T/out")" = "0 $missing"
	assert "and the tag appears" test "$(inspect "$R/$KREPO:kill" 2>/dev/null | py "d['Digest']")" = "$(field digest < "$T/out")"
fi
