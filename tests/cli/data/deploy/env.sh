# env.sh: the setup tests/cli/deploy*.sh share, sourced after lib.sh with NAME set to
# the test's name: the binary ($D), the git services' environment (or a skip and exit
# 0 when they are not running), a HOME, cache and git config of the test's own, the
# test author, no credentials from outside.
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
D=${CLOUDCTL_BIN:-$SRC/${CLOUDCTL_BUILD:-build}/bin}/cloudctl-deploy
ENV=$SVC/git/env
if [ ! -s "$ENV" ]; then skip "$NAME" "git services not running: tests/services/git-start.sh (as root) writes $ENV"; exit 0; fi
set -a; . "$ENV"; set +a
export HOME=$T XDG_CACHE_HOME=$T/cache GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig GIT_TERMINAL_PROMPT=0
export CLOUDCTL_GIT_AUTHOR="deploy test <deploy@cloudctl.invalid>"
unset CLOUDCTL_GIT_USERNAME CLOUDCTL_GIT_PASSWORD SSH_AUTH_SOCK CLOUDCTL_OUTPUT
# ASan builds: whole stacks through libgit2 (no frame pointers), so that tests/lsan.supp
# can name where its ssh transport leaks
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
: >"$T/gitconfig"
DATA=$SRC/tests/cli/data/deploy
