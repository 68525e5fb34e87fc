/* text.c: the table, md, csv and json reports. Each section is a list of
 * records written by lib/'s record writer, so the formats stay one thing. Tables
 * for people (table, md) show sizes in binary units; csv and json keep raw numbers. */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct style {
	int human;                 /* sizes as "1.5 GiB" */
	enum rec_format fmt;
	const char *title_fmt;     /* how a section title is printed */
};

static void size_field(struct record *r, const char *key, long long bytes, int human)
{
	char buf[32];
	if (human)
		rec_set(r, key, human_bytes(bytes, buf));
	else
		rec_setf(r, key, "%lld", bytes);
}

static void pct_field(struct record *r, const char *key, double pct)
{
	if (pct >= 0)
		rec_setf(r, key, "%.1f", pct);
}

/* "running=2,shutoff=1" */
static void tally_field(struct record *r, const char *key, const struct tally *t)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < t->len; i++)
		sb_addf(&sb, "%s%s=%ld", i ? "," : "", t->name[i], t->n[i]);
	if (sb.len)
		rec_set(r, key, sb.buf);
	sb_release(&sb);
}

/* "12/32 (37.5%)"; nothing when the limit was not given (-1) or is 0 */
static void use_field(struct record *r, const char *key, long long used, long long limit)
{
	if (limit > 0)
		rec_setf(r, key, "%lld/%lld (%.1f%%)", used, limit, 100.0 * (double)used / (double)limit);
}

static void agg_record(const struct report *rp, const struct agg *a, int human, int with_key, struct record *r)
{
	if (with_key)
		rec_set(r, rp->group_by, a->key);
	rec_setf(r, "instances", "%ld", a->count);
	tally_field(r, "states", &a->states);
	rec_setf(r, "vcpus", "%lld", a->vcpus);
	size_field(r, human ? "memory" : "mem_bytes", a->mem_mib << 20, human);
	size_field(r, human ? "mem_used" : "mem_used_bytes", a->mem_used_mib << 20, human);
	size_field(r, human ? "disk" : "disk_bytes", a->disk_bytes, human);
	size_field(r, human ? "disk_used" : "disk_used_bytes", a->disk_used_bytes, human);
	pct_field(r, "cpu_pct", agg_cpu_pct(a));
	size_field(r, human ? "rx" : "rx_bytes", a->rx_bytes, human);
	size_field(r, human ? "tx" : "tx_bytes", a->tx_bytes, human);
	rec_setf(r, "addresses", "%ld", a->with_address);
	tally_field(r, "networks", &a->networks);
	if (a->has_capacity) {
		use_field(r, "vcpus_of_capacity", a->vcpus, a->cap_vcpus);
		use_field(r, "mem_mib_of_capacity", a->mem_mib, a->cap_mem_mib);
	}
	if (a->has_quota) {
		use_field(r, "instances_of_quota", a->count, a->quota_instances);
		use_field(r, "vcpus_of_quota", a->vcpus, a->quota_vcpus);
		use_field(r, "mem_mib_of_quota", a->mem_mib, a->quota_mem_mib);
	}
}

static void inst_record(const struct inst *in, enum top_kind k, int human, struct record *r)
{
	rec_set(r, "name", in->name);
	rec_set(r, "host", in->host);
	switch (k) {
	case TOP_CPU: pct_field(r, "cpu_pct", in->cpu_pct); break;
	case TOP_MEM: size_field(r, human ? "mem_used" : "mem_used_bytes", in->mem_used_mib << 20, human); break;
	default:
		size_field(r, human ? "rx" : "rx_bytes", in->rx_bytes, human);
		size_field(r, human ? "tx" : "tx_bytes", in->tx_bytes, human);
	}
}

/* A flagged instance: its name, host, state and why (the JSON report names
 * its id first). */
static void flagged_record(const struct inst *in, int with_id, struct record *r)
{
	if (with_id)
		rec_set(r, "id", in->id);
	rec_set(r, "name", in->name);
	rec_set(r, "host", in->host);
	rec_set(r, "state", in->state);
	rec_set(r, "reason", in->flag);
}

static const char *const top_titles[] = { "Top by CPU", "Top by memory used", "Top by network traffic" };

static void title(const struct style *st, FILE *out, const char *text, int first)
{
	fprintf(out, st->title_fmt, first ? "" : "\n", text);
}

/* The columns of a section: every key some record has, in the order the first
 * record that has it lists it, but the order agg_record writes (a group with no
 * CPU figure must not push cpu_pct to the end). */
static char *columns_of(const struct recset *rs)
{
	struct strbuf cols = STRBUF_INIT;
	struct record seen = RECORD_INIT;
	const struct record *widest = &rs->r[0];
	for (size_t i = 1; i < rs->n; i++)
		if (rs->r[i].n > widest->n)
			widest = &rs->r[i];
	for (size_t k = 0; k <= rs->n; k++) {
		const struct record *r = k == 0 ? widest : &rs->r[k - 1];
		for (size_t i = 0; i < r->n; i++) {
			if (rec_get(&seen, r->f[i].key))
				continue;
			rec_set(&seen, r->f[i].key, "");
			sb_addf(&cols, "%s%s", cols.len ? "," : "", r->f[i].key);
		}
	}
	rec_clear(&seen);
	return sb_detach(&cols);
}

static void section(const struct style *st, FILE *out, const char *name, struct recset *rs, int first)
{
	if (!rs->n)
		return;
	title(st, out, name, first);
	char *cols = columns_of(rs);
	struct rec_writer *w = rec_writer_new(out, st->fmt, NULL, cols);
	free(cols);
	for (size_t i = 0; i < rs->n; i++)
		rec_write(w, &rs->r[i]);
	rec_writer_finish(w);
	recset_clear(rs);
}

static void render_sections(const struct report *rp, FILE *out, const struct style *st)
{
	struct recset rs = RECSET_INIT;
	agg_record(rp, &rp->total, st->human, 0, recset_add(&rs));
	if (rp->skipped)
		rec_setf(&rs.r[0], "skipped", "%ld", rp->skipped);
	section(st, out, "Totals", &rs, 1);
	for (size_t i = 0; i < rp->ngroups; i++)
		agg_record(rp, &rp->groups[i], st->human, 1, recset_add(&rs));
	char by[64];
	snprintf(by, sizeof by, "By %s", rp->group_by);
	section(st, out, by, &rs, 0);
	for (int k = 0; k < TOP_KINDS; k++) {
		for (size_t i = 0; i < rp->ntop[k]; i++)
			inst_record(rp->top[k][i], (enum top_kind)k, st->human, recset_add(&rs));
		section(st, out, top_titles[k], &rs, 0);
	}
	for (size_t i = 0; i < rp->nflagged; i++)
		flagged_record(rp->flagged[i], 0, recset_add(&rs));
	section(st, out, "Flagged", &rs, 0);
	if (rp->flagged_total > (long)rp->nflagged)
		fprintf(out, "... and %ld more flagged\n", rp->flagged_total - (long)rp->nflagged);
}

void render_table(const struct report *rp, FILE *out)
{
	struct style st = { 1, FMT_TABLE, "%s%s\n" };
	render_sections(rp, out, &st);
}

void render_md(const struct report *rp, FILE *out)
{
	fprintf(out, "# cloudctl report\n\n");
	struct style st = { 1, FMT_MD, "%s## %s\n\n" };
	render_sections(rp, out, &st);
}

/* csv is for spreadsheets: one table, the groups, raw numbers. */
void render_csv(const struct report *rp, FILE *out)
{
	struct recset rs = RECSET_INIT;
	for (size_t i = 0; i < rp->ngroups; i++)
		agg_record(rp, &rp->groups[i], 0, 1, recset_add(&rs));
	if (!rs.n) {
		/* No group (--allow-empty): the header alone, so that a reader of the
		 * file finds its columns and no row rather than nothing at all. */
		agg_record(rp, &rp->total, 0, 1, recset_add(&rs));
		char *cols = columns_of(&rs);
		fprintf(out, "%s\n", cols);
		free(cols);
		recset_clear(&rs);
		return;
	}
	char *cols = columns_of(&rs);
	struct rec_writer *w = rec_writer_new(out, FMT_CSV, NULL, cols);
	for (size_t i = 0; i < rs.n; i++)
		rec_write(w, &rs.r[i]);
	rec_writer_finish(w);
	free(cols);
	recset_clear(&rs);
}

/* ---- json: one document ---- */

/* Names, states and keys stay strings whatever they look like ("007", a host
 * called "42"); the figures this file wrote become numbers. */
static int text_key(const char *key)
{
	static const char *const keys[] = { "id", "name", "host", "state", "states", "networks", "reason" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return str_starts(key, "tag.") || strcmp(key, "tenant") == 0 || str_ends(key, "_of_capacity") ||
	       str_ends(key, "_of_quota");
}

static json_t *json_of(const struct record *r, const char *group_by)
{
	json_t *o = json_object();
	for (size_t i = 0; i < r->n; i++) {
		if (text_key(r->f[i].key) || strcmp(r->f[i].key, group_by) == 0) {
			json_object_set_new(o, r->f[i].key, json_string(r->f[i].val));
			continue;
		}
		long long n;
		const char *v = r->f[i].val;
		char *end;
		double d = strtod(v, &end);
		json_t *val;
		if (parse_ll(v, -9000000000000000000LL, 9000000000000000000LL, &n) == 0)
			val = json_integer(n);
		else if (*v && !*end && strchr(v, '.')) /* the figures this file writes with %.1f */
			val = json_real(d);
		else
			val = json_string(v);
		json_object_set_new(o, r->f[i].key, val);
	}
	return o;
}

static json_t *json_list(struct recset *rs, const char *group_by)
{
	json_t *a = json_array();
	for (size_t i = 0; i < rs->n; i++)
		json_array_append_new(a, json_of(&rs->r[i], group_by));
	recset_clear(rs);
	return a;
}

void render_json(const struct report *rp, FILE *out)
{
	json_t *doc = json_object(), *top = json_object();
	struct recset rs = RECSET_INIT;
	struct record r = RECORD_INIT;
	json_object_set_new(doc, "generated_at", json_integer(rp->generated_at));
	json_object_set_new(doc, "group_by", json_string(rp->group_by));
	agg_record(rp, &rp->total, 0, 0, &r);
	json_object_set_new(doc, "totals", json_of(&r, rp->group_by));
	rec_clear(&r);
	for (size_t i = 0; i < rp->ngroups; i++)
		agg_record(rp, &rp->groups[i], 0, 1, recset_add(&rs));
	json_object_set_new(doc, "groups", json_list(&rs, rp->group_by));
	static const char *const names[] = { "cpu", "memory", "network" };
	for (int k = 0; k < TOP_KINDS; k++) {
		for (size_t i = 0; i < rp->ntop[k]; i++)
			inst_record(rp->top[k][i], (enum top_kind)k, 0, recset_add(&rs));
		json_object_set_new(top, names[k], json_list(&rs, rp->group_by));
	}
	json_object_set_new(doc, "top", top);
	for (size_t i = 0; i < rp->nflagged; i++)
		flagged_record(rp->flagged[i], 1, recset_add(&rs));
	json_object_set_new(doc, "flagged", json_list(&rs, rp->group_by));
	json_object_set_new(doc, "flagged_total", json_integer(rp->flagged_total));
	json_object_set_new(doc, "skipped", json_integer(rp->skipped));
	json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	fputc('\n', out);
	json_decref(doc);
}
