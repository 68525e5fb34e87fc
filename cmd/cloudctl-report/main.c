/* cloudctl-report: reports over instance records, for people (table, md, csv,
 * json, html) and for Prometheus (prom), written atomically or pushed. main.c
 * holds the verb table; options.c the option tables and what they fill. */
#include "report.h"
#include "log.h"
#include "opts.h"

#include <string.h>
#include <unistd.h>

static const struct verb verbs[] = {
	{ .name = "report", .run = run_report, .opts = report_options, .operands = "[FILE...|-]",
	  .summary = "Report on instance records (the default verb)", .operand_complete = "file",
	  .formats = "table md csv json html prom", .document_formats = "table md csv json html prom" },
	{ .name = "diff", .run = run_diff, .opts = diff_options, .operands = "OLD NEW",
	  .summary = "What changed between two sets of records", .operand_complete = "file" },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-report",
	.summary = "Reports and metrics over instance records.",
	.verbs = verbs,
	.default_verb = "report",
};

/* `cloudctl-report --allow-empty diff a b`: an option before the verb made the
 * default verb run, with "diff" as its first file. Say what happened instead of
 * "cannot open 'diff'". */
int verb_as_operand(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		for (const struct verb *v = verbs; v->name; v++)
			if (!strcmp(argv[i], v->name) && access(argv[i], F_OK) != 0) {
				errorx("'%s' is a verb: give its options after it (%s %s [OPTIONS] %s)", v->name,
				       tool.name, v->name, v->operands);
				return EXIT_USAGE;
			}
	return 0;
}

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
