/* list.c: the read-only verbs: list, show, stats. list is one paginated
 * GET /servers/detail and one image list, whatever the number of servers. */
#include "osvm.h"

#include <stdlib.h>
#include <string.h>

static int check_list_args(int argc, struct record *want_tags)
{
	if (argc > 0) {
		errorx("list: unexpected operand (filter with --name, --state, --tag)");
		return EXIT_USAGE;
	}
	if (vm_opts.list.state && !osvm_status_for(vm_opts.list.state)) {
		errorx("list: --state '%s': not one of running shutoff paused suspended building error deleted "
		       "rebooting shelved resizing migrating rescue rebuilding unknown", vm_opts.list.state);
		return EXIT_USAGE;
	}
	return parse_tags("list", &vm_opts.list.tags, want_tags, 1);
}

/* Counters from GET /servers/{id}/diagnostics (admin by default policy; a
 * running server only). Anything else: the server record alone, and
 * stats_source says so. */
struct stats_ctx {
	struct record *recs;
	const char **ids;
};

static long long sum(const json_t *list, const char *key)
{
	long long total = 0;
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
		total += json_integer_value(json_object_get(e, key));
	return total;
}

static void add_diagnostics(struct record *r, const json_t *d)
{
	const json_t *cpus = json_object_get(d, "cpu_details"), *nics = json_object_get(d, "nic_details");
	const json_t *disks = json_object_get(d, "disk_details"), *mem = json_object_get(d, "memory_details");
	if (json_array_size(cpus))
		rec_setf(r, "cpu_time_ns", "%lld", sum(cpus, "time"));
	if (json_is_integer(json_object_get(mem, "used")))
		rec_setf(r, "mem_used_mib", "%lld", (long long)json_integer_value(json_object_get(mem, "used")));
	if (json_is_array(nics)) {
		rec_setf(r, "net_rx_bytes", "%lld", sum(nics, "rx_octets"));
		rec_setf(r, "net_tx_bytes", "%lld", sum(nics, "tx_octets"));
	}
	if (json_is_array(disks)) {
		rec_setf(r, "block_rd_bytes", "%lld", sum(disks, "read_bytes"));
		rec_setf(r, "block_wr_bytes", "%lld", sum(disks, "write_bytes"));
	}
	if (json_is_integer(json_object_get(d, "uptime")))
		rec_setf(r, "uptime_s", "%lld", (long long)json_integer_value(json_object_get(d, "uptime")));
	rec_set(r, "stats_source", "diagnostics");
}

static int stats_one(struct os_session *s, size_t i, void *arg)
{
	struct stats_ctx *c = arg;
	struct record *r = &c->recs[i];
	if (strcmp(rec_get(r, "state"), "running") != 0) {
		rec_set(r, "stats_source", "server"); /* Nova answers 409 for a server that is not running */
		return 0;
	}
	char *path = xasprintf("/servers/%s/diagnostics", c->ids[i]);
	struct strbuf err = STRBUF_INIT;
	json_t *d = NULL;
	int rc = os_call(s, "GET", "compute", path, NULL, &d, &err);
	if (!rc)
		add_diagnostics(r, d);
	else
		debug("stats: server '%s': no diagnostics (%s): the server record only", rec_get(r, "name"), err.buf);
	if (rc)
		rec_set(r, "stats_source", "server");
	json_decref(d);
	sb_release(&err);
	free(path);
	return 0;
}

static void add_stats(struct os_client *c, struct record *recs, size_t n)
{
	const char **ids = xcalloc(n ? n : 1, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = rec_get(&recs[i], "id");
	struct stats_ctx ctx = { recs, ids };
	osvm_parallel(c, n, stats_one, &ctx);
	free(ids);
}

/* Every server of the project (or of all, --all-projects) as records. */
static int all_servers(struct os_client *c, struct recset *out)
{
	json_t *servers = NULL, *names = NULL, *sv;
	struct strbuf err = STRBUF_INIT;
	const char *path = vm_opts.shared.all_projects ? "/servers/detail?all_tenants=1" : "/servers/detail";
	int rc = os_list(&c->s, "compute", path, "servers", &servers, &err);
	if (rc) {
		errorx("list: %s", err.buf);
		sb_release(&err);
		return rc;
	}
	osvm_names(&c->s, &names);
	size_t i;
	json_array_foreach(servers, i, sv)
		osvm_record(sv, names, 0, recset_add(out));
	json_decref(servers);
	json_decref(names);
	sb_release(&err);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct record want = RECORD_INIT;
	struct recset all = RECSET_INIT, kept = RECSET_INIT;
	struct os_client c;
	int rc = check_list_args(argc, &want);
	if (!rc)
		rc = osvm_open("list", &c);
	if (!rc) {
		rc = all_servers(&c, &all);
		for (size_t i = 0; i < all.n; i++)
			if (vm_list_keep(&all.r[i], &want))
				rec_copy(recset_add(&kept), &all.r[i]);
		if (!rc && vm_opts.list.with_stats)
			add_stats(&c, kept.r, kept.n);
		os_client_close(&c);
	}
	rc = vm_write_records(&kept, NULL, vm_opts.list.with_stats ? VM_STATS_COLUMNS : VM_COLUMNS, rc);
	recset_clear(&all);
	rec_clear(&want);
	return rc;
}

/* show and stats on targets: their records, with diagnostics for stats. */
static int targets_records(const char *verb, int argc, char **argv, int stats)
{
	struct os_client c;
	int rc = osvm_open(verb, &c);
	if (rc)
		return rc;
	struct ostargets ts = { 0 };
	struct recset recs = RECSET_INIT;
	rc = osvm_targets(verb, &c.s, argc, argv, &ts);
	if (!rc) {
		json_t *names = NULL;
		osvm_names(&c.s, &names);
		for (size_t i = 0; i < ts.n; i++)
			osvm_record(ts.t[i].server, names, stats ? 0 : OSREC_DETAIL, recset_add(&recs));
		json_decref(names);
		if (stats)
			add_stats(&c, recs.r, recs.n);
		for (size_t i = 0; i < recs.n; i++)
			osvm_merge_input(&recs.r[i], &ts.t[i].in);
	}
	rc = vm_write_records(&recs, NULL, stats ? VM_STATS_COLUMNS : VM_COLUMNS, rc);
	osvm_targets_free(&ts);
	os_client_close(&c);
	return rc;
}

int cmd_show(int argc, char **argv)
{
	return targets_records("show", argc, argv, 0);
}

int cmd_stats(int argc, char **argv)
{
	if (argc > 0)
		return targets_records("stats", argc, argv, 1);
	/* no operand: every server, not stdin (a cron job has no input) */
	struct os_client c;
	struct recset all = RECSET_INIT;
	int rc = osvm_open("stats", &c);
	if (!rc) {
		rc = all_servers(&c, &all);
		if (!rc)
			add_stats(&c, all.r, all.n);
		os_client_close(&c);
	}
	return vm_write_records(&all, NULL, VM_STATS_COLUMNS, rc);
}
