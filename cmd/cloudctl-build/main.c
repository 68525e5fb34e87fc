/* cloudctl-build: daemonless, reproducible OCI images tagged with the commit.
 * main.c holds the verb table; options.c the option tables and what they fill. */
#include "build.h"

/* The fields of the kind=image record a build writes. */
#define IMAGE_COLUMNS "kind ref digest source source_time size layers uploaded mounted skipped"

static const struct verb verbs[] = {
	{ .name = "build", .run = run_build, .opts = build_options, .operands = "DIR",
	  .summary = "Build DIR into an image layer on a base and push it", .operand_complete = "dir",
	  .columns = IMAGE_COLUMNS },
	{ .name = "resolve", .run = run_resolve, .opts = no_options, .operands = "IMAGE[:TAG]",
	  .summary = "The digest an image tag points at" },
	{ .name = "tags", .run = run_tags, .opts = no_options, .operands = "REPO", .summary = "The tags of a repository" },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-build",
	.summary = "Reproducible OCI images from a directory, tagged with the git commit.",
	.verbs = verbs,
	.globals = registry_options,
	.default_verb = "build",
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
