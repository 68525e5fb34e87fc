/* cloudctl-deploy: GitOps image bumps in kustomizations and Helm values of a
 * git repository, safe under concurrent CI runners; history, rollback,
 * promote between overlays, and what a bump would change. */
#include "deploy.h"

const char *d_git, *d_branch, *d_path, *d_cacert, *d_username, *d_password_file, *d_ssh_key, *d_known_hosts,
	*d_cache_dir, *d_author;
int d_no_cache;
struct strlist d_images;
const char *d_pin, *d_values, *d_key, *d_image_name;
int d_exit_code;
int d_force, d_dry_run, d_create;
long long d_attempts;
const char *d_image, *d_to, *d_from;
long long d_steps, d_limit;

#define BUMP_OPTS                                                                                                  \
	{ "image", 0, OPT_LIST, &d_images, "[NAME=]REF", "set this image (instead of records on stdin); repeatable",  \
	  NULL },                                                                                                  \
	{ "image-name", 0, OPT_STRING, &d_image_name, "REPOSITORY",                                                  \
	  "the repository the cluster pulls the image from, instead of the ref's (an oci: layout, a local path)",   \
	  NULL },                                                                                                  \
	{ "pin", 0, OPT_STRING, &d_pin, "tag|digest", "set newTag (default) or digest", "words:tag digest" },        \
	{ "values", 0, OPT_STRING, &d_values, "FILE", "a Helm values file in --path instead of kustomization.yaml",  \
	  NULL },                                                                                                  \
	{ "key", 0, OPT_STRING, &d_key, "KEY", "with --values: the dotted key to set, e.g. image.tag", NULL },        \
	{ "create", 0, OPT_BOOL, &d_create, NULL,                                                                    \
	  "add an images: list to a kustomization without one; with --values, add --key's last key", NULL },       \
	{ "force", 0, OPT_BOOL, &d_force, NULL, "replace a newer deploy or a rollback", NULL }

static const struct opt bump_opts[] = {
	BUMP_OPTS,
	{ "dry-run", 0, OPT_BOOL, &d_dry_run, NULL, "print the unified diff; change nothing", NULL },
	{ "attempts", 0, OPT_INT, &d_attempts, "N", "push attempts when the branch moves (default 1000)", NULL },
	{ "author", 0, OPT_STRING, &d_author, "NAME <EMAIL>", "the commit author (default $CLOUDCTL_GIT_AUTHOR, git config)",
	  NULL },
	OPT_END
};

static const struct opt diff_opts[] = {
	BUMP_OPTS,
	{ "exit-code", 0, OPT_BOOL, &d_exit_code, NULL, "exit 1 when there are differences, 0 when none (as git diff)",
	  NULL },
	OPT_END
};

static const struct opt history_opts[] = {
	{ "image", 0, OPT_STRING, &d_image, "NAME", "only this image", NULL },
	{ "limit", 0, OPT_INT, &d_limit, "N", "at most N records", NULL },
	OPT_END
};

/* rollback and promote: a commit of their own on the branch */
#define REWRITE_OPTS                                                                                               \
	{ "dry-run", 0, OPT_BOOL, &d_dry_run, NULL, "print the unified diff; change nothing", NULL },                \
	{ "attempts", 0, OPT_INT, &d_attempts, "N", "push attempts when the branch moves (default 1000)", NULL },     \
	{ "author", 0, OPT_STRING, &d_author, "NAME <EMAIL>", "the commit author", NULL },                           \
	{ "values", 0, OPT_STRING, &d_values, "FILE", "a Helm values file in the path(s) instead of kustomization.yaml", \
	  NULL },                                                                                                  \
	{ "key", 0, OPT_STRING, &d_key, "KEY", "with --values: the dotted key of the image's tag, e.g. image.tag", NULL }

static const struct opt rollback_opts[] = {
	{ "image", 0, OPT_STRING, &d_image, "NAME", "the image (default: those of the last deploy)", NULL },
	{ "to", 0, OPT_STRING, &d_to, "COMMIT", "restore the tag the image had at COMMIT", NULL },
	{ "steps", 0, OPT_INT, &d_steps, "N", "undo the last N deploys of the image (default 1)", NULL },
	REWRITE_OPTS,
	OPT_END
};

static const struct opt promote_opts[] = {
	{ "from", 0, OPT_STRING, &d_from, "DIR", "the overlay to copy tags from", "dir" },
	{ "to", 0, OPT_STRING, &d_to, "DIR", "the overlay to copy them into", "dir" },
	{ "image", 0, OPT_STRING, &d_image, "NAME", "only this image", NULL },
	{ "force", 0, OPT_BOOL, &d_force, NULL, "copy even an older source than --to has", NULL },
	REWRITE_OPTS,
	OPT_END
};

static const struct opt globals[] = {
	{ "git", 0, OPT_STRING, &d_git, "URL|PATH", "the GitOps repository: https://, ssh://, user@host:path, file:// or a path",
	  NULL },
	{ "branch", 'b', OPT_STRING, &d_branch, "BRANCH", "the branch (default: the remote's HEAD)", NULL },
	{ "path", 'p', OPT_STRING, &d_path, "DIR", "the directory of the kustomization (or values file) in the repository",
	  NULL },
	{ "cacert", 0, OPT_STRING, &d_cacert, "FILE", "https: trust this CA bundle (PEM)", "file" },
	{ "username", 0, OPT_STRING, &d_username, "USER", "https: the user (default $CLOUDCTL_GIT_USERNAME)", NULL },
	{ "password-file", 0, OPT_STRING, &d_password_file, "FILE",
	  "https: read the password or token from FILE (default $CLOUDCTL_GIT_PASSWORD, ~/.git-credentials)", "file" },
	{ "ssh-key", 0, OPT_STRING, &d_ssh_key, "FILE", "ssh: the private key (default ssh-agent, ~/.ssh/id_ed25519, id_rsa)",
	  "file" },
	{ "known-hosts", 0, OPT_STRING, &d_known_hosts, "FILE", "ssh: the known_hosts file (default ~/.ssh/known_hosts)",
	  "file" },
	{ "cache-dir", 0, OPT_STRING, &d_cache_dir, "DIR", "the clone cache (default $XDG_CACHE_HOME/cloudctl/git)", "dir" },
	{ "no-cache", 0, OPT_BOOL, &d_no_cache, NULL, "a temporary clone, removed afterwards", NULL },
	OPT_END
};

static const struct verb verbs[] = {
	{ "bump", cmd_bump, bump_opts, "[-]", "Set image tags from kind=image records or --image; commit and push", NULL,
	  NULL },
	{ "diff", cmd_diff, diff_opts, "[-]", "What a bump would change: a unified diff, or records with -o kv|json", NULL,
	  "diff kv json table tsv csv md" },
	{ "history", cmd_history, history_opts, "", "Deploys of the path from the git log, newest first", NULL, NULL },
	{ "rollback", cmd_rollback, rollback_opts, "", "Restore an earlier tag in a new commit that later bumps respect",
	  NULL, NULL },
	{ "promote", cmd_promote, promote_opts, "", "Copy tags from one overlay to another in one commit", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct tool tool = {
	"cloudctl-deploy", "GitOps image bumps that never lose an update: bump, diff, history, rollback, promote.", verbs,
	globals, NULL, NULL, NULL,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
