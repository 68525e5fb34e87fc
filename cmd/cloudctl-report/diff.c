/* diff.c: cloudctl-report diff OLD NEW: what changed between two sets of vm
 * records, as kind=change records: new, gone, state, grown (a usage figure grew
 * by more than --threshold percent). */
#include "report.h"
#include "log.h"
#include "opts.h"
#include "strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct side {
	struct recset rs;
	struct strmap by_id;
};

static const char *vm_id(const struct record *r)
{
	const char *id = rec_get(r, "id");
	return id && *id ? id : rec_get(r, "name");
}

static int is_vm(const struct record *r)
{
	const char *kind = rec_get(r, "kind");
	return (!kind || !strcmp(kind, "vm")) && vm_id(r);
}

static int load(const char *path, struct side *s, int allow_empty)
{
	struct input in;
	int rc = input_open(path, &in);
	if (rc)
		return rc;
	struct strbuf err = STRBUF_INIT;
	if (rec_read_all(in.f, in.name, &s->rs, &err) < 0) {
		errorx("%s", err.buf);
		rc = EXIT_DATA;
	}
	sb_release(&err);
	for (size_t i = 0; !rc && i < s->rs.n; i++)
		if (is_vm(&s->rs.r[i]))
			strmap_put(&s->by_id, vm_id(&s->rs.r[i]), i); /* a later sample wins */
	if (!rc)
		info("read %zu record%s from %s, %zu vm%s", s->rs.n, s->rs.n == 1 ? "" : "s", in.name, s->by_id.len,
		     s->by_id.len == 1 ? "" : "s");
	/* An empty side would show every VM as new or gone. */
	if (!rc && s->by_id.len == 0 && !allow_empty)
		rc = inputs_empty(1, (char *[]){ (char *)path }, (long)s->rs.n);
	input_close(&in);
	return rc;
}

static struct record *change(struct recset *out, const char *what, const struct record *r)
{
	struct record *c = recset_add(out);
	rec_set(c, "kind", "change");
	rec_set(c, "change", what);
	rec_set(c, "id", vm_id(r));
	rec_set(c, "name", rec_get(r, "name") ? rec_get(r, "name") : vm_id(r));
	if (rec_get(r, "host"))
		rec_set(c, "host", rec_get(r, "host"));
	return c;
}

static const char *const usage_fields[] = { "mem_used_mib", "net_rx_bytes", "net_tx_bytes", "disk_used_bytes",
					     "vcpus", "mem_mib" };

static void compare(const struct record *a, const struct record *b, long long threshold, struct recset *out)
{
	const char *sa = rec_get(a, "state"), *sb = rec_get(b, "state");
	if (sa && sb && strcmp(sa, sb) != 0) {
		struct record *c = change(out, "state", b);
		rec_set(c, "field", "state");
		rec_set(c, "old", sa);
		rec_set(c, "new", sb);
	}
	for (size_t i = 0; i < ARRAY_SIZE(usage_fields); i++) {
		long long x, y;
		const char *va = rec_get(a, usage_fields[i]), *vb = rec_get(b, usage_fields[i]);
		if (!va || !vb || parse_ll(va, 0, 9000000000000000000LL, &x) || parse_ll(vb, 0, 9000000000000000000LL, &y))
			continue;
		/* grown past the threshold; from zero, any growth counts */
		if (y <= x || (x > 0 && (double)(y - x) * 100.0 / (double)x <= (double)threshold))
			continue;
		struct record *c = change(out, "grown", b);
		rec_set(c, "field", usage_fields[i]);
		rec_set(c, "old", va);
		rec_set(c, "new", vb);
		if (x > 0)
			rec_setf(c, "pct", "%.1f", (double)(y - x) * 100.0 / (double)x);
	}
}

static void changes(struct side *old, struct side *new, long long threshold, struct recset *out)
{
	size_t j;
	for (size_t i = 0; i < new->rs.n; i++) {
		const struct record *b = &new->rs.r[i];
		if (!is_vm(b) || (strmap_get(&new->by_id, vm_id(b), &j) && j != i))
			continue; /* not a vm, or an earlier sample of one */
		if (!strmap_get(&old->by_id, vm_id(b), &j))
			change(out, "new", b);
		else
			compare(&old->rs.r[j], b, threshold, out);
	}
	for (size_t i = 0; i < old->rs.n; i++) {
		const struct record *a = &old->rs.r[i];
		if (!is_vm(a) || (strmap_get(&old->by_id, vm_id(a), &j) && j != i))
			continue;
		if (!strmap_get(&new->by_id, vm_id(a), &j))
			change(out, "gone", a);
	}
}

static int report_diff(const char *old_path, const char *new_path, const struct diff_opts *o)
{
	struct side old = { RECSET_INIT, STRMAP_INIT }, new = { RECSET_INIT, STRMAP_INIT };
	struct recset out = RECSET_INIT;
	int rc = load(old_path, &old, o->allow_empty);
	if (!rc)
		rc = load(new_path, &new, o->allow_empty);
	if (!rc) {
		changes(&old, &new, o->threshold_pct, &out);
		info("%zu change%s", out.n, out.n == 1 ? "" : "s");
		struct rec_writer *w = rec_writer_new(stdout, common.format, common.columns,
						      "change,name,host,field,old,new,pct");
		for (size_t i = 0; i < out.n; i++)
			rec_write(w, &out.r[i]);
		errno = 0;
		if (rec_writer_finish(w) < 0)
			rc = stdout_failed(errno, rc);
		/* --exit-code: as git diff --exit-code, 1 says "there are changes" */
		if (!rc && o->exit_code && out.n > 0)
			rc = EXIT_FAIL;
	}
	recset_clear(&old.rs);
	recset_clear(&new.rs);
	strmap_clear(&old.by_id);
	strmap_clear(&new.by_id);
	recset_clear(&out);
	return rc;
}

int cmd_diff(const struct diff_opts *o, int argc, char **argv)
{
	if (argc != 2) {
		errorx("diff: give two files of records, OLD and NEW (see 'cloudctl-report diff --help')");
		return EXIT_USAGE;
	}
	if (o->threshold_pct < 0) {
		errorx("diff: --threshold '%lld': a percentage, 0 or more", o->threshold_pct);
		return EXIT_USAGE;
	}
	int rc = inputs_check(argc, argv, NULL);
	if (rc)
		return rc;
	return report_diff(argv[0], argv[1], o);
}
