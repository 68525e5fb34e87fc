/* options.c: the option tables of every cloudctl-build verb, the structs they
 * fill, and the entries the verb table runs. The structs are seen here only:
 * each entry hands its verb its own struct (and the registry options every
 * verb takes), so that no verb reads what another verb's table wrote. */
#include "build.h"

static struct build_common_opts registry;
static struct build_opts build;

const struct opt build_options[] = {
	OPT_STRING("repo", 'r', &build.repo, "DEST",
	  "where the image goes: oci:PATH[:TAG] (an OCI image layout) or REGISTRY/NAME", .complete = "dir"),
	OPT_STRING("base", 0, &build.base, "IMAGE",
	  "the image to build on (oci:PATH:TAG, REGISTRY/NAME:TAG or REGISTRY/NAME@DIGEST); default none"),
	OPT_LIST("tag", 't', &build.tags, "TAG", "tag the image TAG instead of the commit; repeatable"),
	OPT_STRING("tag-format", 0, &build.tag_format, "FORMAT",
	  "the default tag: full (the 40-digit commit, default) or short (12 digits)", .complete = "words:full short"),
	OPT_BOOL("allow-dirty", 0, &build.allow_dirty,
	  "build a work tree with uncommitted changes (the default tag gets -dirty)"),
	OPT_STRING("entrypoint", 0, &build.entrypoint, "CMD", "the entrypoint: a JSON array or words"),
	OPT_STRING("cmd", 0, &build.cmd, "ARGS", "the default arguments: a JSON array or words"),
	OPT_LIST("env", 'e', &build.env, "K=V", "an environment variable; repeatable"),
	OPT_LIST("label", 0, &build.labels, "K=V", "a label in the image config; repeatable"),
	OPT_STRING("source-url", 0, &build.source_url, "URL",
	  "the org.opencontainers.image.source label (default none: a remote's URL differs between clones)"),
	OPT_BOOL("keep-modes", 0, &build.keep_modes,
	  "keep the work tree's permission bits (default: git's 644/755, whatever the umask)"),
	OPT_STRING("workdir", 0, &build.workdir, "DIR", "the working directory in the container"),
	OPT_STRING("user", 'u', &build.user, "USER", "the user the container runs as (name, uid or uid:gid)"),
	OPT_STRING("platform", 0, &build.platform, "OS/ARCH",
	  "the platform (default: the base's, else linux/amd64); picks from a base index"),
	OPT_STRING("ignore-file", 0, &build.ignore_file, "FILE", "exclusions (default DIR/.dockerignore)",
	  .complete = "file"),
	OPT_INT("jobs", 'j', &build.jobs, "N", "parallel blob uploads to a registry (default 4)"),
	OPT_END
};

const struct opt no_options[] = { OPT_END };

const struct opt registry_options[] = {
	OPT_STRING("cacert", 0, &registry.cacert, "FILE", "trust the CAs in FILE (PEM) for registries",
	  .complete = "file"),
	OPT_BOOL("insecure", 0, &registry.insecure,
	  "do not verify registries' TLS certificates, and use plain http where there is no TLS"),
	OPT_STRING("auth-file", 0, &registry.auth_file, "FILE",
	  "registry credentials (docker config.json); default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, "
	  "~/.docker/config.json",
	  .complete = "file"),
	OPT_END
};

int run_build(int argc, char **argv)
{
	return cmd_build(&build, &registry, argc, argv);
}

int run_resolve(int argc, char **argv)
{
	return cmd_resolve(&registry, argc, argv);
}

int run_tags(int argc, char **argv)
{
	return cmd_tags(&registry, argc, argv);
}
