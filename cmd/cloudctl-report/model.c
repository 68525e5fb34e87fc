/* model.c: records -> instances -> totals, groups, top-N, flagged. See report.h. */
#include "report.h"
#include "log.h"
#include "strmap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- tally ---- */

void tally_add(struct tally *t, const char *name, long n)
{
	for (size_t i = 0; i < t->len; i++) {
		if (strcmp(t->name[i], name) == 0) {
			t->n[i] += n;
			return;
		}
	}
	size_t cap = t->cap;
	t->name = xgrow(t->name, &cap, t->len + 1, sizeof *t->name);
	t->n = xgrow(t->n, &t->cap, t->len + 1, sizeof *t->n);
	t->name[t->len] = xstrdup(name);
	t->n[t->len++] = n;
}

long tally_get(const struct tally *t, const char *name)
{
	for (size_t i = 0; i < t->len; i++)
		if (strcmp(t->name[i], name) == 0)
			return t->n[i];
	return 0;
}

void tally_clear(struct tally *t)
{
	for (size_t i = 0; i < t->len; i++)
		free(t->name[i]);
	free(t->name);
	free(t->n);
	memset(t, 0, sizeof *t);
}

/* ---- reading records ---- */

void report_init(struct report *rp, const char *group_by, int top_n)
{
	memset(rp, 0, sizeof *rp);
	rp->group_by = group_by;
	rp->top_n = top_n;
	rp->stale_after = 7 * 86400;
	rp->index = xcalloc(1, sizeof(struct strmap));
	rp->total.key = xstrdup("");
	/* SOURCE_DATE_EPOCH, the reproducible-builds convention, makes the same
	 * input give the same bytes (tests, diffs of reports in git). */
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	long long t;
	rp->generated_at = sde && parse_ll(sde, 0, 253402300799LL, &t) == 0 ? t : (long long)time(NULL);
}

static int warned;
static const char *source = "<stdin>";

/* At most ten warnings; a million bad records must not bury the terminal. */
static int may_warn(void)
{
	if (++warned == 11)
		warnx("more records skipped or taken in part; the report counts them");
	return warned <= 10;
}

void report_set_source(const char *name)
{
	source = name;
}

void report_skip(long *skipped, const struct record *r, const char *why, const char *what)
{
	(*skipped)++;
	if (may_warn())
		warnx("%s:%ld: skipped: %s%s%s", source, r->line, why, what ? " " : "", what ? what : "");
}

/* A numeric field: absent -> dflt; present but not a number -> dflt and a warning. */
long long report_num(const struct record *r, const char *key, long long dflt)
{
	const char *v = rec_get(r, key);
	long long n;
	if (!v || !*v)
		return dflt;
	if (parse_ll(v, -1, 9000000000000000000LL, &n) == 0)
		return n;
	if (may_warn())
		warnx("%s:%ld: field '%s': '%.40s' is not a whole number; taken as absent", source, r->line, key, v);
	return dflt;
}

static double real(const struct record *r, const char *key)
{
	const char *v = rec_get(r, key);
	if (!v || !*v)
		return -1;
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || *end || !isfinite(d) || d < 0) {
		if (may_warn())
			warnx("%s:%ld: field '%s': '%.40s' is not a number; taken as absent", source, r->line, key,
			      v);
		return -1;
	}
	return d;
}

static char *str(const struct record *r, const char *key)
{
	const char *v = rec_get(r, key);
	return xstrdup(v ? v : "");
}

static const char *first_of(const struct record *r, const char *a, const char *b, const char *c)
{
	const char *v = rec_get(r, a);
	if (!v || !*v)
		v = rec_get(r, b);
	if ((!v || !*v) && c)
		v = rec_get(r, c);
	return v && *v ? v : "";
}

/* tenant, else tag.tenant, else the OpenStack project: "project" in
 * cloudctl-vm's records, "project_id" as Nova names it. */
static const char *tenant_of(const struct record *r)
{
	const char *v = first_of(r, "tenant", "tag.tenant", "project");
	return *v ? v : first_of(r, "project_id", "project_id", NULL);
}

static char *group_key(const char *group_by, const struct record *r)
{
	const char *v = rec_get(r, group_by);
	if (strcmp(group_by, "tenant") == 0)
		v = tenant_of(r);
	return xstrdup(v && *v ? v : "-");
}

void inst_release(struct inst *in)
{
	free(in->id);
	free(in->name);
	free(in->state);
	free(in->host);
	free(in->tenant);
	free(in->ip);
	free(in->net);
	free(in->group);
}

void inst_read(const char *group_by, const struct record *r, struct inst *in)
{
	in->id = xstrdup(first_of(r, "id", "name", NULL));
	in->name = xstrdup(first_of(r, "name", "id", NULL));
	in->state = xstrdup(first_of(r, "state", "status", NULL)[0] ? first_of(r, "state", "status", NULL) : "unknown");
	in->host = str(r, "host");
	in->tenant = xstrdup(tenant_of(r));
	in->ip = str(r, "ip");
	in->net = str(r, "net");
	/* by state: the state as resolved above (state, else status) */
	in->group = strcmp(group_by, "state") == 0 ? xstrdup(in->state) : group_key(group_by, r);
	in->vcpus = report_num(r, "vcpus", 0);
	in->mem_mib = report_num(r, "mem_mib", 0);
	in->mem_used_mib = report_num(r, "mem_used_mib", 0);
	in->rx_bytes = report_num(r, "net_rx_bytes", 0);
	in->tx_bytes = report_num(r, "net_tx_bytes", 0);
	in->disk_bytes = report_num(r, "disk_bytes", 0);
	in->disk_used_bytes = report_num(r, "disk_used_bytes", 0);
	in->cpu_time_ns = report_num(r, "cpu_time_ns", -1);
	in->time = real(r, "time");
	in->cpu_pct = real(r, "cpu_pct");
	in->state_since = report_num(r, "state_since", -1);
	in->flag = NULL;
}

/* A second sample of the same VM replaces the first; with both samples'
 * cpu_time_ns and time, it also gives the CPU use between them. */
static void second_sample(struct inst *old, struct inst *in)
{
	if (in->cpu_pct < 0 && old->cpu_time_ns >= 0 && in->cpu_time_ns >= old->cpu_time_ns && old->time >= 0 &&
	    in->time > old->time && in->vcpus > 0)
		in->cpu_pct = (double)(in->cpu_time_ns - old->cpu_time_ns) / ((in->time - old->time) * 1e9) /
			      (double)in->vcpus * 100.0;
	inst_release(old);
	*old = *in;
}

static int add_vm(struct report *rp, const struct record *r)
{
	if (!rec_get(r, "id") && !rec_get(r, "name")) {
		report_skip(&rp->skipped, r, "a vm record needs an id or a name", NULL);
		return 0;
	}
	struct inst in;
	inst_read(rp->group_by, r, &in);
	size_t at;
	if (strmap_get(rp->index, in.id, &at)) {
		second_sample(&rp->all[at], &in);
		return 1;
	}
	rp->all = xgrow(rp->all, &rp->all_cap, rp->nall + 1, sizeof *rp->all);
	rp->all[rp->nall] = in;
	strmap_put(rp->index, in.id, rp->nall++);
	return 1;
}

int report_add(struct report *rp, const struct record *r)
{
	const char *kind = rec_get(r, "kind");
	if (!kind || strcmp(kind, "vm") == 0)
		return add_vm(rp, r);
	if (strcmp(kind, "host") == 0 || strcmp(kind, "tenant") == 0) {
		if (!rec_get(r, "name")) {
			report_skip(&rp->skipped, r, kind, "record without a name");
			return 0;
		}
		rec_copy(recset_add(&rp->limits), r); /* hosts and tenants, applied at finish */
		return 1;
	}
	report_skip(&rp->skipped, r, "kind", kind);
	return 0;
}

/* ---- folding ---- */

static struct agg *group_for(struct report *rp, const char *key)
{
	for (size_t i = 0; i < rp->ngroups; i++)
		if (strcmp(rp->groups[i].key, key) == 0)
			return &rp->groups[i];
	rp->groups = xgrow(rp->groups, &rp->groups_cap, rp->ngroups + 1, sizeof *rp->groups);
	struct agg *a = &rp->groups[rp->ngroups++];
	memset(a, 0, sizeof *a);
	a->key = xstrdup(key);
	return a;
}

static void fold(struct agg *a, const struct inst *in)
{
	a->count++;
	tally_add(&a->states, in->state, 1);
	a->vcpus += in->vcpus;
	a->mem_mib += in->mem_mib;
	a->mem_used_mib += in->mem_used_mib;
	a->disk_bytes += in->disk_bytes;
	a->disk_used_bytes += in->disk_used_bytes;
	if (in->cpu_pct >= 0) {
		a->cpu_pct += in->cpu_pct;
		a->cpu_pct_n++;
	}
	a->rx_bytes += in->rx_bytes;
	a->tx_bytes += in->tx_bytes;
	if (*in->ip)
		a->with_address++;
	if (*in->net)
		tally_add(&a->networks, in->net, 1);
}

static const char *flag_of(const struct report *rp, const struct inst *in)
{
	if (!strcmp(in->state, "crashed") || !strcmp(in->state, "error") || !strcmp(in->state, "ERROR"))
		return "in error";
	if ((!strcmp(in->state, "shutoff") || !strcmp(in->state, "SHUTOFF")) && in->state_since >= 0 &&
	    rp->generated_at - in->state_since > rp->stale_after)
		return "shut off for long";
	if ((!strcmp(in->state, "running") || !strcmp(in->state, "ACTIVE")) && !*in->ip)
		return "running without an address";
	return NULL;
}

/* Capacity (host records, when grouping by host) and quotas (tenant records, by tenant). */
static void apply_limits(struct report *rp)
{
	for (size_t i = 0; i < rp->limits.n; i++) {
		const struct record *r = &rp->limits.r[i];
		int host = strcmp(rec_get(r, "kind"), "host") == 0;
		if (strcmp(rp->group_by, host ? "host" : "tenant") != 0)
			continue;
		struct agg *a = group_for(rp, rec_get(r, "name"));
		if (host) {
			a->has_capacity = 1;
			a->cap_vcpus = report_num(r, "vcpus", -1); /* -1: not given */
			a->cap_mem_mib = report_num(r, "mem_mib", -1);
		} else {
			a->has_quota = 1;
			a->quota_vcpus = report_num(r, "quota_vcpus", -1);
			a->quota_mem_mib = report_num(r, "quota_mem_mib", -1);
			a->quota_instances = report_num(r, "quota_instances", -1);
		}
	}
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct agg *)a)->key, ((const struct agg *)b)->key);
}

static double top_value(const struct inst *in, enum top_kind k)
{
	switch (k) {
	case TOP_CPU: return in->cpu_pct;
	case TOP_MEM: return (double)in->mem_used_mib;
	default: return (double)(in->rx_bytes + in->tx_bytes);
	}
}

static enum top_kind sort_kind;

/* Largest first; ties by name so the output is stable. */
static int by_top(const void *a, const void *b)
{
	const struct inst *x = *(const struct inst *const *)a, *y = *(const struct inst *const *)b;
	double vx = top_value(x, sort_kind), vy = top_value(y, sort_kind);
	if (vx != vy)
		return vx < vy ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void make_top(struct report *rp, enum top_kind k)
{
	const struct inst **all = xcalloc(rp->nall ? rp->nall : 1, sizeof *all);
	size_t n = 0;
	for (size_t i = 0; i < rp->nall; i++)
		if (top_value(&rp->all[i], k) > 0)
			all[n++] = &rp->all[i];
	sort_kind = k;
	qsort(all, n, sizeof *all, by_top);
	rp->ntop[k] = n < (size_t)rp->top_n ? n : (size_t)rp->top_n;
	rp->top[k] = all;
}

void report_finish(struct report *rp)
{
	apply_limits(rp);
	rp->flagged = xcalloc(REPORT_MAX_FLAGGED, sizeof *rp->flagged);
	for (size_t i = 0; i < rp->nall; i++) {
		struct inst *in = &rp->all[i];
		fold(&rp->total, in);
		fold(group_for(rp, in->group), in);
		in->flag = flag_of(rp, in);
		if (in->flag && rp->flagged_total++ < REPORT_MAX_FLAGGED)
			rp->flagged[rp->nflagged++] = in;
	}
	if (rp->ngroups)
		qsort(rp->groups, rp->ngroups, sizeof *rp->groups, by_key);
	for (int k = 0; k < TOP_KINDS; k++)
		make_top(rp, (enum top_kind)k);
}

static void agg_free(struct agg *a)
{
	free(a->key);
	tally_clear(&a->states);
	tally_clear(&a->networks);
}

void report_free(struct report *rp)
{
	for (size_t i = 0; i < rp->nall; i++)
		inst_release(&rp->all[i]);
	free(rp->all);
	strmap_clear(rp->index);
	free(rp->index);
	recset_clear(&rp->limits);
	agg_free(&rp->total);
	for (size_t i = 0; i < rp->ngroups; i++)
		agg_free(&rp->groups[i]);
	free(rp->groups);
	for (int k = 0; k < TOP_KINDS; k++)
		free(rp->top[k]);
	free(rp->flagged);
}

/* ---- shared by the renderers ---- */

double agg_cpu_pct(const struct agg *a)
{
	return a->cpu_pct_n ? a->cpu_pct / (double)a->cpu_pct_n : -1;
}

const char *human_bytes(long long bytes, char buf[32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, 32, "%lld B", bytes);
	else
		snprintf(buf, 32, "%.1f %s", v, units[u]);
	return buf;
}
