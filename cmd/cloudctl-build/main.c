/* cloudctl-build: daemonless, reproducible OCI images tagged with the commit. */
#include "build.h"

static const struct opt build_opts[] = {
	{ "repo", 'r', OPT_STRING, &b_repo, "DEST",
	  "where the image goes: oci:PATH[:TAG] (an OCI image layout) or REGISTRY/NAME", "dir" },
	{ "base", 'b', OPT_STRING, &b_base, "IMAGE", "the image to build on (oci:PATH:TAG, REGISTRY/NAME:TAG or REGISTRY/NAME@DIGEST); default none", NULL },
	{ "tag", 't', OPT_LIST, &b_tags, "TAG", "tag the image TAG instead of the commit; repeatable", NULL },
	{ "tag-format", 0, OPT_STRING, &b_tag_format, "FORMAT",
	  "the default tag: full (the 40-digit commit, default) or short (12 digits)", "words:full short" },
	{ "allow-dirty", 0, OPT_BOOL, &b_allow_dirty, NULL,
	  "build a work tree with uncommitted changes (the default tag gets -dirty)", NULL },
	{ "entrypoint", 0, OPT_STRING, &b_entrypoint, "CMD", "the entrypoint: a JSON array or words", NULL },
	{ "cmd", 0, OPT_STRING, &b_cmd, "ARGS", "the default arguments: a JSON array or words", NULL },
	{ "env", 'e', OPT_LIST, &b_env, "K=V", "an environment variable; repeatable", NULL },
	{ "label", 'l', OPT_LIST, &b_labels, "K=V", "a label in the image config; repeatable", NULL },
	{ "source-url", 0, OPT_STRING, &b_source_url, "URL",
	  "the org.opencontainers.image.source label (default none: a remote's URL differs between clones)", NULL },
	{ "keep-modes", 0, OPT_BOOL, &b_keep_modes, NULL,
	  "keep the work tree's permission bits (default: git's 644/755, whatever the umask)", NULL },
	{ "workdir", 'w', OPT_STRING, &b_workdir, "DIR", "the working directory in the container", NULL },
	{ "user", 'u', OPT_STRING, &b_user, "USER", "the user the container runs as (name, uid or uid:gid)", NULL },
	{ "platform", 0, OPT_STRING, &b_platform, "OS/ARCH",
	  "the platform (default: the base's, else linux/amd64); picks from a base index", NULL },
	{ "ignore-file", 0, OPT_STRING, &b_ignore_file, "FILE", "exclusions (default DIR/.dockerignore)", "file" },
	{ "jobs", 'j', OPT_INT, &b_jobs, "N", "parallel blob uploads to a registry (default 4)", NULL },
	OPT_END
};

static const struct opt no_opts[] = { OPT_END };

/* Registries, for every verb. */
static const struct opt globals[] = {
	{ "cacert", 0, OPT_STRING, &g_cacert, "FILE", "trust the CAs in FILE (PEM) for registries", "file" },
	{ "insecure", 0, OPT_BOOL, &g_insecure, NULL,
	  "do not verify registries' TLS certificates, and use plain http where there is no TLS", NULL },
	{ "auth-file", 0, OPT_STRING, &g_auth_file, "FILE",
	  "registry credentials (docker config.json); default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json",
	  "file" },
	OPT_END
};

static const struct verb verbs[] = {
	{ "build", cmd_build, build_opts, "DIR", "Build DIR into an image layer on a base and push it", "dir", NULL },
	{ "resolve", cmd_resolve, no_opts, "IMAGE[:TAG]", "The digest an image tag points at", NULL, NULL },
	{ "tags", cmd_tags, no_opts, "REPO", "The tags of a repository", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct tool tool = {
	"cloudctl-build", "Reproducible OCI images from a directory, tagged with the git commit.", verbs, globals, "build",
	NULL, NULL,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
