/* options.c: the option tables of every cloudctl-deploy verb, the structs they
 * fill, and the entries the verb table runs. The structs are seen here only:
 * each entry hands its verb its own struct (and the repository options every
 * verb takes), so that no verb reads what another verb's table wrote. */
#include "deploy.h"

static struct deploy_common_opts repo;
static struct bump_opts bump;
static struct diff_opts diff;
static struct history_opts history;
static struct rollback_opts rollback;
static struct promote_opts promote;

/* bump and diff: what to set, and where */
#define IMAGE_SET_OPTS(set) \
	OPT_LIST("image", 0, &(set).images, "[NAME=]REF", "set this image (instead of records on stdin); repeatable"), \
	OPT_STRING("image-name", 0, &(set).image_name, "REPOSITORY", \
		   "the repository the cluster pulls the image from, instead of the ref's (an oci: layout, a local path)"), \
	OPT_STRING("pin", 0, &(set).pin, "tag|digest", "set newTag (default) or digest", .complete = "words:tag digest"), \
	OPT_STRING("values", 0, &(set).values.file, "FILE", "a Helm values file in --path instead of kustomization.yaml"), \
	OPT_STRING("key", 0, &(set).values.key, "KEY", "with --values: the dotted key to set, e.g. image.tag"), \
	OPT_BOOL("create", 0, &(set).create, \
		 "add an images: list to a kustomization without one; with --values, add --key's last key"), \
	OPT_BOOL("force", 0, &(set).force, "replace a newer deploy or a rollback")

const struct opt bump_options[] = {
	IMAGE_SET_OPTS(bump.set),
	OPT_BOOL("dry-run", 0, &bump.commit.dry_run, "print the unified diff; change nothing"),
	OPT_INT("attempts", 0, &bump.commit.attempts, "N", "push attempts when the branch moves (default 1000)"),
	OPT_STRING("author", 0, &bump.commit.author, "NAME <EMAIL>",
	  "the commit author (default $CLOUDCTL_GIT_AUTHOR, git config)"),
	OPT_END
};

const struct opt diff_options[] = {
	IMAGE_SET_OPTS(diff.set),
	OPT_BOOL("exit-code", 0, &diff.exit_code, "exit 1 when there are differences, 0 when none (as git diff)"),
	OPT_END
};

const struct opt history_options[] = {
	OPT_STRING("image", 0, &history.image, "NAME", "only this image"),
	OPT_INT("limit", 0, &history.limit, "N", "at most N records"),
	OPT_END
};

/* rollback and promote: a commit of their own on the branch */
#define REWRITE_OPTS(verb)                                                                                    \
	OPT_BOOL("dry-run", 0, &(verb).commit.dry_run, "print the unified diff; change nothing"),              \
	OPT_INT("attempts", 0, &(verb).commit.attempts, "N", "push attempts when the branch moves (default 1000)"), \
	OPT_STRING("author", 0, &(verb).commit.author, "NAME <EMAIL>", "the commit author"),                   \
	OPT_STRING("values", 0, &(verb).values.file, "FILE",                                                     \
		   "a Helm values file in the path(s) instead of kustomization.yaml"),                          \
	OPT_STRING("key", 0, &(verb).values.key, "KEY", "with --values: the dotted key of the image's tag, e.g. image.tag")

const struct opt rollback_options[] = {
	OPT_STRING("image", 0, &rollback.image, "NAME", "the image (default: those of the last deploy)"),
	OPT_STRING("at", 0, &rollback.at, "COMMIT", "restore the tag the image had at COMMIT"),
	OPT_INT("steps", 0, &rollback.steps, "N", "undo the last N deploys of the image (default 1)"),
	REWRITE_OPTS(rollback),
	OPT_END
};

const struct opt promote_options[] = {
	OPT_STRING("from", 0, &promote.from, "DIR", "the overlay to copy tags from", .complete = "dir"),
	OPT_STRING("to", 0, &promote.to, "DIR", "the overlay to copy them into", .complete = "dir"),
	OPT_STRING("image", 0, &promote.image, "NAME", "only this image"),
	OPT_BOOL("force", 0, &promote.force, "copy even an older source than --to has"),
	REWRITE_OPTS(promote),
	OPT_END
};

const struct opt common_options[] = {
	OPT_STRING("git", 0, &repo.git, "URL|PATH",
	  "the GitOps repository: https://, ssh://, user@host:path, file:// or a path"),
	OPT_STRING("branch", 'b', &repo.branch, "BRANCH", "the branch (default: the remote's HEAD)"),
	OPT_STRING("path", 'p', &repo.path, "DIR",
	  "the directory of the kustomization (or values file) in the repository"),
	OPT_STRING("cacert", 0, &repo.cacert, "FILE", "https: trust this CA bundle (PEM)", .complete = "file"),
	OPT_STRING("username", 0, &repo.username, "USER", "https: the user (default $CLOUDCTL_GIT_USERNAME)"),
	OPT_STRING("password-file", 0, &repo.password_file, "FILE",
	  "https: read the password or token from FILE (default $CLOUDCTL_GIT_PASSWORD, ~/.git-credentials)",
	  .complete = "file"),
	OPT_STRING("ssh-identity", 0, &repo.ssh_identity, "FILE",
	  "ssh: the private key, as ssh -i (default ssh-agent, ~/.ssh/id_ed25519, id_rsa)", .complete = "file"),
	OPT_STRING("known-hosts", 0, &repo.known_hosts, "FILE", "ssh: the known_hosts file (default ~/.ssh/known_hosts)",
	  .complete = "file"),
	OPT_STRING("cache-dir", 0, &repo.cache_dir, "DIR", "the clone cache (default $XDG_CACHE_HOME/cloudctl/git)",
	  .complete = "dir"),
	OPT_BOOL("no-cache", 0, &repo.no_cache, "a temporary clone, removed afterwards"),
	OPT_END
};

int run_bump(int argc, char **argv)
{
	return cmd_bump(&repo, &bump, argc, argv);
}

int run_diff(int argc, char **argv)
{
	return cmd_diff(&repo, &diff, argc, argv);
}

int run_history(int argc, char **argv)
{
	return cmd_history(&repo, &history, argc, argv);
}

int run_rollback(int argc, char **argv)
{
	return cmd_rollback(&repo, &rollback, argc, argv);
}

int run_promote(int argc, char **argv)
{
	return cmd_promote(&repo, &promote, argc, argv);
}
