/* cloudctl-build: daemonless, reproducible OCI images tagged with the commit. */
#include "build.h"

static const struct opt build_opts[] = {
	OPT_STRING("repo", 'r', &b_repo, "DEST",
	  "where the image goes: oci:PATH[:TAG] (an OCI image layout) or REGISTRY/NAME", .complete = "dir"),
	OPT_STRING("base", 0, &b_base, "IMAGE",
	  "the image to build on (oci:PATH:TAG, REGISTRY/NAME:TAG or REGISTRY/NAME@DIGEST); default none"),
	OPT_LIST("tag", 't', &b_tags, "TAG", "tag the image TAG instead of the commit; repeatable"),
	OPT_STRING("tag-format", 0, &b_tag_format, "FORMAT",
	  "the default tag: full (the 40-digit commit, default) or short (12 digits)", .complete = "words:full short"),
	OPT_BOOL("allow-dirty", 0, &b_allow_dirty,
	  "build a work tree with uncommitted changes (the default tag gets -dirty)"),
	OPT_STRING("entrypoint", 0, &b_entrypoint, "CMD", "the entrypoint: a JSON array or words"),
	OPT_STRING("cmd", 0, &b_cmd, "ARGS", "the default arguments: a JSON array or words"),
	OPT_LIST("env", 'e', &b_env, "K=V", "an environment variable; repeatable"),
	OPT_LIST("label", 0, &b_labels, "K=V", "a label in the image config; repeatable"),
	OPT_STRING("source-url", 0, &b_source_url, "URL",
	  "the org.opencontainers.image.source label (default none: a remote's URL differs between clones)"),
	OPT_BOOL("keep-modes", 0, &b_keep_modes,
	  "keep the work tree's permission bits (default: git's 644/755, whatever the umask)"),
	OPT_STRING("workdir", 0, &b_workdir, "DIR", "the working directory in the container"),
	OPT_STRING("user", 'u', &b_user, "USER", "the user the container runs as (name, uid or uid:gid)"),
	OPT_STRING("platform", 0, &b_platform, "OS/ARCH",
	  "the platform (default: the base's, else linux/amd64); picks from a base index"),
	OPT_STRING("ignore-file", 0, &b_ignore_file, "FILE", "exclusions (default DIR/.dockerignore)",
	  .complete = "file"),
	OPT_INT("jobs", 'j', &b_jobs, "N", "parallel blob uploads to a registry (default 4)"),
	OPT_END
};

static const struct opt no_opts[] = { OPT_END };

/* Registries, for every verb. */
static const struct opt globals[] = {
	OPT_STRING("cacert", 0, &g_cacert, "FILE", "trust the CAs in FILE (PEM) for registries", .complete = "file"),
	OPT_BOOL("insecure", 0, &g_insecure,
	  "do not verify registries' TLS certificates, and use plain http where there is no TLS"),
	OPT_STRING("auth-file", 0, &g_auth_file, "FILE",
	  "registry credentials (docker config.json); default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json",
	  .complete = "file"),
	OPT_END
};

/* The fields of the kind=image record a build writes. */
#define IMAGE_COLUMNS "kind ref digest source source_time size layers uploaded mounted skipped"

static const struct verb verbs[] = {
	{ .name = "build", .run = cmd_build, .opts = build_opts, .operands = "DIR",
	  .summary = "Build DIR into an image layer on a base and push it", .operand_complete = "dir",
	  .columns = IMAGE_COLUMNS },
	{ .name = "resolve", .run = cmd_resolve, .opts = no_opts, .operands = "IMAGE[:TAG]",
	  .summary = "The digest an image tag points at" },
	{ .name = "tags", .run = cmd_tags, .opts = no_opts, .operands = "REPO", .summary = "The tags of a repository" },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-build",
	.summary = "Reproducible OCI images from a directory, tagged with the git commit.",
	.verbs = verbs,
	.globals = globals,
	.default_verb = "build",
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
