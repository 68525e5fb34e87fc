/* cloudctl-deploy: GitOps image bumps in kustomizations and Helm values of a
 * git repository, safe under concurrent CI runners; history, rollback,
 * promote between overlays, and what a bump would change. main.c holds the
 * verb table; options.c the option tables and what they fill. */
#include "deploy.h"

/* The fields of the kind=bump records of the verbs that commit. */
#define BUMP_COLUMNS "kind action repo branch path image old new commit changed pushed attempts skipped"

static const struct verb verbs[] = {
	{ .name = "bump", .run = run_bump, .opts = bump_options, .operands = "[-]",
	  .summary = "Set image tags from kind=image records or --image; commit and push", .columns = BUMP_COLUMNS },
	{ .name = "diff", .run = run_diff, .opts = diff_options, .operands = "[-]",
	  .summary = "What a bump would change: a unified diff, or records with -o kv|json",
	  .formats = "diff kv json table tsv csv md", .document_formats = "diff" },
	{ .name = "history", .run = run_history, .opts = history_options, .operands = "",
	  .summary = "Deploys of the path from the git log, newest first" },
	{ .name = "rollback", .run = run_rollback, .opts = rollback_options, .operands = "",
	  .summary = "Restore an earlier tag in a new commit that later bumps respect", .columns = BUMP_COLUMNS },
	{ .name = "promote", .run = run_promote, .opts = promote_options, .operands = "",
	  .summary = "Copy tags from one overlay to another in one commit", .columns = BUMP_COLUMNS },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-deploy",
	.summary = "GitOps image bumps that never lose an update: bump, diff, history, rollback, promote.",
	.verbs = verbs,
	.globals = common_options,
};

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
