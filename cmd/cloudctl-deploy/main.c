/* cloudctl-deploy: GitOps image bumps in kustomizations and Helm values of a
 * git repository, safe under concurrent CI runners; history, rollback,
 * promote between overlays, and what a bump would change. */
#include "deploy.h"

const char *d_git, *d_branch, *d_path, *d_cacert, *d_username, *d_password_file, *d_ssh_identity, *d_known_hosts,
	*d_cache_dir, *d_author;
int d_no_cache;
struct strlist d_images;
const char *d_pin, *d_values, *d_key, *d_image_name;
int d_exit_code;
int d_force, d_dry_run, d_create;
long long d_attempts;
const char *d_image, *d_at, *d_to, *d_from;
long long d_steps, d_limit;

#define BUMP_OPTS \
	OPT_LIST("image", 0, &d_images, "[NAME=]REF", "set this image (instead of records on stdin); repeatable"), \
	OPT_STRING("image-name", 0, &d_image_name, "REPOSITORY", \
		   "the repository the cluster pulls the image from, instead of the ref's (an oci: layout, a local path)"), \
	OPT_STRING("pin", 0, &d_pin, "tag|digest", "set newTag (default) or digest", .complete = "words:tag digest"), \
	OPT_STRING("values", 0, &d_values, "FILE", "a Helm values file in --path instead of kustomization.yaml"), \
	OPT_STRING("key", 0, &d_key, "KEY", "with --values: the dotted key to set, e.g. image.tag"), \
	OPT_BOOL("create", 0, &d_create, \
		 "add an images: list to a kustomization without one; with --values, add --key's last key"), \
	OPT_BOOL("force", 0, &d_force, "replace a newer deploy or a rollback")

static const struct opt bump_opts[] = {
	BUMP_OPTS,
	OPT_BOOL("dry-run", 0, &d_dry_run, "print the unified diff; change nothing"),
	OPT_INT("attempts", 0, &d_attempts, "N", "push attempts when the branch moves (default 1000)"),
	OPT_STRING("author", 0, &d_author, "NAME <EMAIL>",
	  "the commit author (default $CLOUDCTL_GIT_AUTHOR, git config)"),
	OPT_END
};

static const struct opt diff_opts[] = {
	BUMP_OPTS,
	OPT_BOOL("exit-code", 0, &d_exit_code, "exit 1 when there are differences, 0 when none (as git diff)"),
	OPT_END
};

static const struct opt history_opts[] = {
	OPT_STRING("image", 0, &d_image, "NAME", "only this image"),
	OPT_INT("limit", 0, &d_limit, "N", "at most N records"),
	OPT_END
};

/* rollback and promote: a commit of their own on the branch */
#define REWRITE_OPTS                                                                                      \
	OPT_BOOL("dry-run", 0, &d_dry_run, "print the unified diff; change nothing"),                      \
	OPT_INT("attempts", 0, &d_attempts, "N", "push attempts when the branch moves (default 1000)"),     \
	OPT_STRING("author", 0, &d_author, "NAME <EMAIL>", "the commit author"),                           \
	OPT_STRING("values", 0, &d_values, "FILE", "a Helm values file in the path(s) instead of kustomization.yaml"), \
	OPT_STRING("key", 0, &d_key, "KEY", "with --values: the dotted key of the image's tag, e.g. image.tag")

static const struct opt rollback_opts[] = {
	OPT_STRING("image", 0, &d_image, "NAME", "the image (default: those of the last deploy)"),
	OPT_STRING("at", 0, &d_at, "COMMIT", "restore the tag the image had at COMMIT"),
	OPT_INT("steps", 0, &d_steps, "N", "undo the last N deploys of the image (default 1)"),
	REWRITE_OPTS,
	OPT_END
};

static const struct opt promote_opts[] = {
	OPT_STRING("from", 0, &d_from, "DIR", "the overlay to copy tags from", .complete = "dir"),
	OPT_STRING("to", 0, &d_to, "DIR", "the overlay to copy them into", .complete = "dir"),
	OPT_STRING("image", 0, &d_image, "NAME", "only this image"),
	OPT_BOOL("force", 0, &d_force, "copy even an older source than --to has"),
	REWRITE_OPTS,
	OPT_END
};

static const struct opt globals[] = {
	OPT_STRING("git", 0, &d_git, "URL|PATH",
	  "the GitOps repository: https://, ssh://, user@host:path, file:// or a path"),
	OPT_STRING("branch", 'b', &d_branch, "BRANCH", "the branch (default: the remote's HEAD)"),
	OPT_STRING("path", 'p', &d_path, "DIR", "the directory of the kustomization (or values file) in the repository"),
	OPT_STRING("cacert", 0, &d_cacert, "FILE", "https: trust this CA bundle (PEM)", .complete = "file"),
	OPT_STRING("username", 0, &d_username, "USER", "https: the user (default $CLOUDCTL_GIT_USERNAME)"),
	OPT_STRING("password-file", 0, &d_password_file, "FILE",
	  "https: read the password or token from FILE (default $CLOUDCTL_GIT_PASSWORD, ~/.git-credentials)",
	  .complete = "file"),
	OPT_STRING("ssh-identity", 0, &d_ssh_identity, "FILE",
	  "ssh: the private key, as ssh -i (default ssh-agent, ~/.ssh/id_ed25519, id_rsa)", .complete = "file"),
	OPT_STRING("known-hosts", 0, &d_known_hosts, "FILE", "ssh: the known_hosts file (default ~/.ssh/known_hosts)",
	  .complete = "file"),
	OPT_STRING("cache-dir", 0, &d_cache_dir, "DIR", "the clone cache (default $XDG_CACHE_HOME/cloudctl/git)",
	  .complete = "dir"),
	OPT_BOOL("no-cache", 0, &d_no_cache, "a temporary clone, removed afterwards"),
	OPT_END
};

/* The fields of the kind=bump records of the verbs that commit. */
#define BUMP_COLUMNS "kind action repo branch path image old new commit changed pushed attempts skipped"

static const struct verb verbs[] = {
	{ .name = "bump", .run = cmd_bump, .opts = bump_opts, .operands = "[-]",
	  .summary = "Set image tags from kind=image records or --image; commit and push", .columns = BUMP_COLUMNS },
	{ .name = "diff", .run = cmd_diff, .opts = diff_opts, .operands = "[-]",
	  .summary = "What a bump would change: a unified diff, or records with -o kv|json",
	  .formats = "diff kv json table tsv csv md" },
	{ .name = "history", .run = cmd_history, .opts = history_opts, .operands = "",
	  .summary = "Deploys of the path from the git log, newest first" },
	{ .name = "rollback", .run = cmd_rollback, .opts = rollback_opts, .operands = "",
	  .summary = "Restore an earlier tag in a new commit that later bumps respect", .columns = BUMP_COLUMNS },
	{ .name = "promote", .run = cmd_promote, .opts = promote_opts, .operands = "",
	  .summary = "Copy tags from one overlay to another in one commit", .columns = BUMP_COLUMNS },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-deploy",
	.summary = "GitOps image bumps that never lose an update: bump, diff, history, rollback, promote.",
	.verbs = verbs,
	.globals = globals,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
