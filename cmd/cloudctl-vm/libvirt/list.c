/* list.c: the read-only verbs: list, show, stats. */
#include "vm.h"

#include <stdlib.h>
#include <string.h>

static int check_list_args(int argc, struct record *want_tags)
{
	if (argc > 0) {
		errorx("list: unexpected operand (filter with --name, --state, --tag)");
		return EXIT_USAGE;
	}
	if (vm_opts.list.state && virt_state_parse(vm_opts.list.state) < 0) {
		errorx("list: --state '%s': not one of %s", vm_opts.list.state, virt_state_words);
		return EXIT_USAGE;
	}
	return parse_tags("list", &vm_opts.list.tags, want_tags, 1);
}

static int interval(long long *ms)
{
	*ms = 0;
	if (vm_opts.shared.stats_interval && (parse_duration_ms(vm_opts.shared.stats_interval, ms) < 0 || *ms <= 0)) {
		errorx("--interval '%s': expected a duration such as 5s", vm_opts.shared.stats_interval);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct record want = RECORD_INIT;
	long long ms;
	int rc = check_list_args(argc, &want);
	if (!rc)
		rc = interval(&ms);
	if (!rc && ms && !vm_opts.list.with_stats) {
		errorx("list: --interval goes with --stats");
		rc = EXIT_USAGE;
	}
	struct recset all = RECSET_INIT;
	if (!rc)
		rc = vm_collect(VREC_TAGS | VREC_IP | (vm_opts.list.with_stats ? VREC_STATS : 0), ms, &all);
	rc = vm_write_records(&all, &want, VM_COLUMNS, rc);
	rec_clear(&want);
	strlist_clear(&vm_opts.list.tags);
	return rc;
}

int cmd_show(int argc, char **argv)
{
	struct vm_each e = { NULL, 0, VREC_TAGS | VREC_IP | VREC_DETAIL, VM_COLUMNS, 0 };
	return vm_each_run(argc, argv, &e);
}

int cmd_stats(int argc, char **argv)
{
	struct vm_each e = { NULL, 0, VREC_STATS, VM_STATS_COLUMNS, 0 };
	if (argc > 0 && vm_opts.shared.stats_interval) {
		errorx("stats: --interval samples every VM: give no operand (filter with 'list --stats --interval')");
		return EXIT_USAGE;
	}
	if (argc > 0) /* with no operand: every VM, not stdin (a cron job has no input) */
		return vm_each_run(argc, argv, &e);
	long long ms;
	int rc = interval(&ms);
	struct recset all = RECSET_INIT;
	if (!rc)
		rc = vm_collect(VREC_STATS, ms, &all);
	return vm_write_records(&all, NULL, VM_STATS_COLUMNS, rc);
}
