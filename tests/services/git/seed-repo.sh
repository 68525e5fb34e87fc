#!/bin/bash
# seed-repo.sh [--reject] PATH.git: a new bare repository on branch main holding the GitOps
# fixture next to this script (gitops/: apps/shop/base, apps/shop/overlays/{dev,prod}), in one
# commit with a fixed author and date, so its commit id is the same every time. git-start.sh
# makes gitops.git and rejecting.git with it; a test makes its own fresh copy the same way in
# $GIT_REPOS (served at once over http, https and ssh):  "$GIT_SEED" "$GIT_REPOS/mine.git"
#   --reject  a pre-receive hook that refuses every push (the commit is there; pushes fail)
# PATH must not exist. Permissions: the repository is shared with the group of the ssh user
# ($GIT_SSH_GROUP, default cloudctl-git, when it exists): core.sharedRepository=group and
# setgid directories, so pushes as root (local path, http-backend) and as the ssh user mix.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
reject=0
if [ "${1:-}" = --reject ]; then reject=1; shift; fi
[ $# = 1 ] || { echo "usage: seed-repo.sh [--reject] PATH.git" >&2; exit 64; }
R=$1
[ ! -e "$R" ] || { echo "seed-repo.sh: $R already exists" >&2; exit 73; }
G=${GIT_SSH_GROUP:-cloudctl-git}
# The same repository whatever the caller's git configuration (templates, hooks, signing).
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

git init -q --bare -b main "$R"
git -C "$R" config core.sharedRepository group
git -C "$R" config http.receivepack true
W=$(mktemp -d /tmp/cloudctl-seed.XXXXXX)
trap 'rm -rf "$W"' EXIT
git init -q -b main "$W"
cp -R "$HERE/gitops/." "$W/"
git -C "$W" add -A
GIT_AUTHOR_NAME="cloudctl fixture" GIT_AUTHOR_EMAIL=fixture@cloudctl.invalid \
GIT_COMMITTER_NAME="cloudctl fixture" GIT_COMMITTER_EMAIL=fixture@cloudctl.invalid \
GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z" \
	git -C "$W" -c commit.gpgsign=false commit -q -m "shop: base, dev and prod overlays"
git -C "$W" push -q "$R" main
if [ $reject = 1 ]; then
	cat >"$R/hooks/pre-receive" <<'X'
#!/bin/sh
# Refuses every push: tests see how a client reports a remote hook's refusal.
echo "cloudctl test remote: this repository rejects every push (pre-receive hook)" >&2
exit 1
X
	chmod 755 "$R/hooks/pre-receive"
fi
if getent group "$G" >/dev/null; then
	chgrp -R "$G" "$R"
	chmod -R g+rwX "$R"
	find "$R" -type d -exec chmod g+s {} +
fi
