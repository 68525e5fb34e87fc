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
	if (list_state && virt_state_parse(list_state) < 0) {
		errorx("list: --state '%s': not one of %s", list_state, virt_state_words);
		return EXIT_USAGE;
	}
	return parse_tags("list", &list_tags, want_tags, 1);
}

static int interval(long long *ms)
{
	*ms = 0;
	if (o_interval && (parse_duration_ms(o_interval, ms) < 0 || *ms <= 0)) {
		errorx("--interval '%s': expected a duration such as 5s", o_interval);
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
	if (!rc && ms && !list_stats) {
		errorx("list: --interval goes with --stats");
		rc = EXIT_USAGE;
	}
	struct recset all = RECSET_INIT;
	if (!rc)
		rc = vm_collect(VREC_TAGS | VREC_IP | (list_stats ? VREC_STATS : 0), ms, &all);
	struct rec_writer *w = vm_writer(VM_COLUMNS);
	for (size_t i = 0; i < all.n; i++) /* what the nodes that answered gave */
		if (vm_list_keep(&all.r[i], &want))
			rec_write(w, &all.r[i]);
	rc = vm_finish(w, rc);
	recset_clear(&all);
	rec_clear(&want);
	strlist_clear(&list_tags);
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
	if (argc > 0 && o_interval) {
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
	struct rec_writer *w = vm_writer(VM_STATS_COLUMNS);
	for (size_t i = 0; i < all.n; i++)
		rec_write(w, &all.r[i]);
	rc = vm_finish(w, rc);
	recset_clear(&all);
	return rc;
}
