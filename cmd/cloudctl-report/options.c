/* options.c: the option tables of every cloudctl-report verb, the structs they
 * fill (with the defaults), and the entries the verb table runs. The structs
 * are seen here only: each entry hands its verb its own struct. */
#include "report.h"

static struct report_opts report = {
	.group_by = "host", .top = 5, .stale = "7d", .push = { .job = "cloudctl" },
};
static struct diff_opts diff = { .threshold_pct = 20 };

const struct opt report_options[] = {
	OPT_STRING("group-by", 'g', &report.group_by, "KEY", "host (default), tenant, state or tag.K",
	  .complete = "words:host tenant state"),
	OPT_INT("top", 0, &report.top, "N", "instances in each top list (default 5)"),
	OPT_STRING("stale", 0, &report.stale, "DURATION", "flag instances shut off for longer (default 7d)"),
	OPT_STRING("write", 0, &report.write, "FILE", "write to FILE atomically (temporary file, then rename)",
	  .complete = "file"),
	OPT_STRING("push", 0, &report.push.url, "URL", "PUT the prom output to a Pushgateway at URL"),
	OPT_STRING("job", 0, &report.push.job, "NAME", "job label for --push (default cloudctl)"),
	OPT_STRING("instance", 0, &report.push.instance, "NAME", "instance label for --push (default: host name)"),
	OPT_STRING("cacert", 0, &report.push.cacert, "FILE", "CA bundle to trust for --push over https",
	  .complete = "file"),
	OPT_BOOL("insecure", 0, &report.push.insecure, "do not verify the Pushgateway's TLS certificate"),
	OPT_BOOL("allow-empty", 0, &report.allow_empty, "report input without vm records (else exit 65)"),
	OPT_END
};

const struct opt diff_options[] = {
	OPT_INT("threshold", 0, &diff.threshold_pct, "PCT", "report usage grown by more than PCT percent (default 20)"),
	OPT_BOOL("exit-code", 0, &diff.exit_code, "exit 1 when there are changes, 0 when none"),
	OPT_BOOL("allow-empty", 0, &diff.allow_empty, "compare files without vm records (else exit 65)"),
	OPT_END
};

int run_report(int argc, char **argv)
{
	return cmd_report(&report, argc, argv);
}

int run_diff(int argc, char **argv)
{
	return cmd_diff(&diff, argc, argv);
}
