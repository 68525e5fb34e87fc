/* list.c: the read-only verbs: list, show, stats. */
#include "vm.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>


static int tags_match(const struct record *r, const struct record *want)
{
	for (size_t i = 0; i < want->n; i++) {
		char *k = xasprintf("tag.%s", want->f[i].key);
		const char *have = rec_get(r, k);
		free(k);
		if (!have || (strcmp(want->f[i].val, "\x01") != 0 && strcmp(have, want->f[i].val) != 0))
			return 0;
	}
	return 1;
}

static int keep(const struct record *r, const struct record *want_tags)
{
	if (list_state && strcmp(rec_get(r, "state"), list_state) != 0)
		return 0;
	if (list_name && fnmatch(list_name, rec_get(r, "name"), 0) != 0)
		return 0;
	return tags_match(r, want_tags);
}

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

int cmd_list(int argc, char **argv)
{
	struct record want = RECORD_INIT;
	int rc = check_list_args(argc, &want);
	struct virt_conn vc;
	if (rc || (rc = vm_open(&vc))) {
		rec_clear(&want);
		return rc;
	}
	struct recset all = RECSET_INIT;
	rc = virt_list(&vc, VREC_TAGS | VREC_IP | (list_stats ? VREC_STATS : 0), &all);
	struct rec_writer *w = vm_writer(VM_COLUMNS);
	for (size_t i = 0; !rc && i < all.n; i++)
		if (keep(&all.r[i], &want))
			rec_write(w, &all.r[i]);
	rc = vm_finish(w, rc);
	recset_clear(&all);
	rec_clear(&want);
	virt_close(&vc);
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
	if (argc > 0) /* with no operand: every VM, not stdin (a cron job has no input) */
		return vm_each_run(argc, argv, &e);
	struct virt_conn vc;
	int rc = vm_open(&vc);
	if (rc)
		return rc;
	struct recset all = RECSET_INIT;
	rc = virt_list(&vc, VREC_STATS, &all);
	struct rec_writer *w = vm_writer(VM_STATS_COLUMNS);
	for (size_t i = 0; !rc && i < all.n; i++)
		rec_write(w, &all.r[i]);
	rc = vm_finish(w, rc);
	recset_clear(&all);
	virt_close(&vc);
	return rc;
}
