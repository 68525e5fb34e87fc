/* prom.c: the Prometheus text exposition, streamed. The format wants every
 * sample of a metric family together, after its HELP and TYPE lines; records come
 * VM by VM. So each family's samples go to a temporary file of its own as they
 * come, and the files are joined at the end: memory stays bounded whatever the
 * number of records (only the ids seen, to drop repeated samples, and the group
 * counts are kept).
 *
 * Names follow prometheus-libvirt-exporter's (libvirt_domain_info_virtual_cpus ->
 * cloudctl_vm_virtual_cpus, ...) under the cloudctl_ prefix, in base units. */
#include "prom.h"
#include "log.h"
#include "strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct family {
	const char *name, *type, *help;
};

enum {
	F_INFO, F_VCPUS, F_MAXMEM, F_MEMUSED, F_CPUTIME, F_CPUUSE, F_RX, F_TX, F_DISK, F_DISKUSED,
	F_VM_FAMILIES
};

static const struct family vm_families[F_VM_FAMILIES] = {
	{ "cloudctl_vm_info", "gauge", "Instance metadata; the value is always 1." },
	{ "cloudctl_vm_virtual_cpus", "gauge", "Virtual CPUs of the instance." },
	{ "cloudctl_vm_maximum_memory_bytes", "gauge", "Memory allocated to the instance." },
	{ "cloudctl_vm_memory_usage_bytes", "gauge", "Memory the instance uses, as the hypervisor sees it." },
	{ "cloudctl_vm_cpu_time_seconds_total", "counter", "CPU time the instance has used." },
	{ "cloudctl_vm_cpu_usage_ratio", "gauge", "CPU use between two samples, as a fraction of the instance's vCPUs." },
	{ "cloudctl_vm_interface_receive_bytes_total", "counter", "Bytes received on all interfaces." },
	{ "cloudctl_vm_interface_transmit_bytes_total", "counter", "Bytes sent on all interfaces." },
	{ "cloudctl_vm_disk_capacity_bytes", "gauge", "Virtual size of the instance's disks." },
	{ "cloudctl_vm_disk_used_bytes", "gauge", "Space the instance's disks take on the host." },
};

/* The ids written so far, as 64-bit hashes: 16 bytes a VM at most, so a
 * million records stay well under 20 MB. A collision (odds ~1e-8 at a million)
 * would drop one VM's samples. */
struct idset {
	uint64_t *h; /* 0 = empty slot */
	size_t cap, len;
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = strmap_hash(s);
	return h ? h : 1; /* 0 marks an empty slot */
}

/* Insert hash h; returns 1 when it was there already. */
static int idset_put(struct idset *set, uint64_t h)
{
	size_t i = (size_t)h & (set->cap - 1);
	for (; set->h[i]; i = (i + 1) & (set->cap - 1))
		if (set->h[i] == h)
			return 1;
	set->h[i] = h;
	set->len++;
	return 0;
}

static int idset_add(struct idset *set, const char *id)
{
	if ((set->len + 1) * 2 > set->cap) { /* keep the load under one half */
		size_t cap = set->cap ? set->cap * 2 : 1024;
		struct idset bigger = { xcalloc(cap, sizeof(uint64_t)), cap, 0 };
		for (size_t i = 0; i < set->cap; i++)
			if (set->h[i])
				idset_put(&bigger, set->h[i]);
		free(set->h);
		*set = bigger;
	}
	return idset_put(set, id_hash(id));
}

struct prom {
	const char *group_by;
	FILE *fam[F_VM_FAMILIES];
	struct idset seen;       /* ids already written */
	struct strmap groups;    /* "group\tstate" -> index in counts */
	char **group_keys;
	long long (*counts)[3];  /* instances, vcpus, memory bytes */
	size_t ngroups, cap;
	struct strbuf limits;    /* capacity and quota samples, small */
	long skipped, vms;
	int failed;
};

/* Label values: backslash, double quote and newline escaped, as the format says. */
static void label_sb(struct strbuf *sb, const char *name, const char *val, int first)
{
	sb_addf(sb, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = val; *p;) {
		size_t n = strcspn(p, "\\\"\n");
		sb_add(sb, p, n);
		p += n;
		if (!*p)
			break;
		sb_adds(sb, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\");
		p++;
	}
	sb_addc(sb, '"');
}

static void label(FILE *f, const char *name, const char *val, int first)
{
	struct strbuf sb = STRBUF_INIT;
	label_sb(&sb, name, val, first);
	fwrite(sb.buf, 1, sb.len, f);
	sb_release(&sb);
}

/* {id="...",name="...",host="..."[,tenant="..."]}: made once per instance and
 * used by every family (escaping a million names ten times showed in profiles). */
static void vm_labels(struct strbuf *sb, const struct inst *in)
{
	sb_addc(sb, '{');
	label_sb(sb, "id", in->id, 1);
	label_sb(sb, "name", in->name, 0);
	label_sb(sb, "host", in->host, 0);
	if (*in->tenant)
		label_sb(sb, "tenant", in->tenant, 0);
	sb_addc(sb, '}');
}

static void sample_text(struct prom *p, int fam, const struct strbuf *labels, const char *value)
{
	FILE *f = p->fam[fam];
	fputs(vm_families[fam].name, f);
	fwrite(labels->buf, 1, labels->len, f);
	fputc(' ', f);
	fputs(value, f);
	fputc('\n', f);
}

/* Integers by hand: printf's double formatting was a third of the run time. */
static void sample(struct prom *p, int fam, const struct strbuf *labels, long long v)
{
	char buf[24], *e = buf + sizeof buf - 1;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	*e = '\0';
	do
		*--e = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--e = '-';
	sample_text(p, fam, labels, e);
}

struct prom *prom_new(const char *group_by)
{
	struct prom *p = xcalloc(1, sizeof *p);
	p->group_by = group_by;
	p->limits = (struct strbuf)STRBUF_INIT;
	for (int i = 0; i < F_VM_FAMILIES; i++)
		if (!(p->fam[i] = tmpfile()))
			die(EXIT_IOERR, "cannot make a temporary file: %s", strerror(errno));
	return p;
}

static void count_group(struct prom *p, const struct inst *in)
{
	char *key = xasprintf("%s\t%s", in->group, in->state);
	size_t at;
	if (!strmap_get(&p->groups, key, &at)) {
		size_t cap = p->cap;
		p->group_keys = xgrow(p->group_keys, &cap, p->ngroups + 1, sizeof *p->group_keys);
		p->counts = xgrow(p->counts, &p->cap, p->ngroups + 1, sizeof *p->counts);
		at = p->ngroups++;
		p->group_keys[at] = xstrdup(key);
		memset(p->counts[at], 0, sizeof p->counts[at]);
		strmap_put(&p->groups, key, at);
	}
	p->counts[at][0]++;
	p->counts[at][1] += in->vcpus;
	p->counts[at][2] += in->mem_mib << 20;
	free(key);
}

static void add_vm(struct prom *p, const struct record *r)
{
	struct inst in;
	inst_read(p->group_by, r, &in);
	if (idset_add(&p->seen, in.id)) {
		/* A second sample of the same VM would be a duplicate series. */
		report_skip(&p->skipped, r, "a second sample of", in.id);
		inst_release(&in);
		return;
	}
	p->vms++;
	FILE *f = p->fam[F_INFO];
	fputs(vm_families[F_INFO].name, f);
	fputc('{', f);
	label(f, "id", in.id, 1);
	label(f, "name", in.name, 0);
	label(f, "host", in.host, 0);
	label(f, "tenant", in.tenant, 0);
	label(f, "state", in.state, 0);
	label(f, "ip", in.ip, 0);
	fputs("} 1\n", f);
	struct strbuf lb = STRBUF_INIT;
	vm_labels(&lb, &in);
	sample(p, F_VCPUS, &lb, in.vcpus);
	sample(p, F_MAXMEM, &lb, in.mem_mib << 20);
	if (in.mem_used_mib > 0)
		sample(p, F_MEMUSED, &lb, in.mem_used_mib << 20);
	if (in.cpu_time_ns >= 0) {
		char v[40];
		snprintf(v, sizeof v, "%lld.%09lld", in.cpu_time_ns / 1000000000, in.cpu_time_ns % 1000000000);
		sample_text(p, F_CPUTIME, &lb, v);
	}
	if (in.cpu_pct >= 0) {
		char v[32];
		snprintf(v, sizeof v, "%.4f", in.cpu_pct / 100.0);
		sample_text(p, F_CPUUSE, &lb, v);
	}
	if (rec_get(r, "net_rx_bytes"))
		sample(p, F_RX, &lb, in.rx_bytes);
	if (rec_get(r, "net_tx_bytes"))
		sample(p, F_TX, &lb, in.tx_bytes);
	if (rec_get(r, "disk_bytes"))
		sample(p, F_DISK, &lb, in.disk_bytes);
	if (rec_get(r, "disk_used_bytes"))
		sample(p, F_DISKUSED, &lb, in.disk_used_bytes);
	count_group(p, &in);
	sb_release(&lb);
	inst_release(&in);
}

/* Host capacity and tenant quotas: few, kept in memory. */
static void add_limit(struct prom *p, const struct record *r, int host)
{
	const char *name = rec_get(r, "name");
	long long a = report_num(r, host ? "vcpus" : "quota_vcpus", -1);
	long long b = report_num(r, host ? "mem_mib" : "quota_mem_mib", -1);
	long long c = host ? -1 : report_num(r, "quota_instances", -1);
	char tag = host ? 'h' : 't'; /* sorted into families at the end */
	struct strbuf esc = STRBUF_INIT;
	for (const char *s = name; *s; s++) {
		if (*s == '\\' || *s == '"')
			sb_addc(&esc, '\\');
		if (*s == '\n')
			sb_adds(&esc, "\\n");
		else
			sb_addc(&esc, *s);
	}
	if (a >= 0)
		sb_addf(&p->limits, "%c1%s\t%lld\n", tag, esc.buf, a);
	if (b >= 0)
		sb_addf(&p->limits, "%c2%s\t%lld\n", tag, esc.buf, b << 20);
	if (c >= 0)
		sb_addf(&p->limits, "%c3%s\t%lld\n", tag, esc.buf, c);
	sb_release(&esc);
}

void prom_add(struct prom *p, const struct record *r)
{
	const char *kind = rec_get(r, "kind");
	if (!kind || strcmp(kind, "vm") == 0) {
		if (!rec_get(r, "id") && !rec_get(r, "name"))
			report_skip(&p->skipped, r, "a vm record needs an id or a name", NULL);
		else
			add_vm(p, r);
	} else if ((strcmp(kind, "host") == 0 || strcmp(kind, "tenant") == 0) && rec_get(r, "name")) {
		add_limit(p, r, kind[0] == 'h');
	} else {
		report_skip(&p->skipped, r, "kind", kind);
	}
}

static void header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int copy(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	rewind(from);
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			return -1;
	return ferror(from) ? -1 : 0;
}

static int family_empty(FILE *f)
{
	return ftell(f) == 0;
}

static void write_groups(struct prom *p, FILE *out)
{
	static const char *const names[] = { "cloudctl_instances", "cloudctl_vcpus", "cloudctl_memory_bytes" };
	static const char *const helps[] = { "Instances per %s and state.", "vCPUs allocated per %s and state.",
					     "Memory allocated per %s and state." };
	for (int k = 0; k < 3; k++) {
		struct strbuf help = STRBUF_INIT;
		sb_addf(&help, helps[k], p->group_by);
		header(out, names[k], "gauge", help.buf);
		sb_release(&help);
		for (size_t i = 0; i < p->ngroups; i++) {
			const char *tab = strchr(p->group_keys[i], '\t');
			char *group = xstrndup(p->group_keys[i], (size_t)(tab - p->group_keys[i]));
			char *lname = xstrdup(p->group_by);
			for (char *c = lname; *c; c++)
				if (*c == '.')
					*c = '_'; /* tag.team -> tag_team: label names have no dots */
			fprintf(out, "%s{", names[k]);
			label(out, lname, group, 1);
			label(out, "state", tab + 1, 0);
			fprintf(out, "} %lld\n", p->counts[i][k]);
			free(group);
			free(lname);
		}
	}
}

static void write_limits(struct prom *p, FILE *out)
{
	static const struct { char tag, n; const char *name, *label, *help; } fams[] = {
		{ 'h', '1', "cloudctl_host_vcpus", "host", "vCPUs a hypervisor offers." },
		{ 'h', '2', "cloudctl_host_memory_bytes", "host", "Memory a hypervisor offers." },
		{ 't', '1', "cloudctl_tenant_quota_vcpus", "tenant", "vCPU quota of a tenant." },
		{ 't', '2', "cloudctl_tenant_quota_memory_bytes", "tenant", "Memory quota of a tenant." },
		{ 't', '3', "cloudctl_tenant_quota_instances", "tenant", "Instance quota of a tenant." },
	};
	for (size_t k = 0; k < ARRAY_SIZE(fams); k++) {
		int headed = 0;
		for (const char *l = p->limits.buf; *l; l = strchr(l, '\n') + 1) {
			if (l[0] != fams[k].tag || l[1] != fams[k].n)
				continue;
			if (!headed++)
				header(out, fams[k].name, "gauge", fams[k].help);
			const char *tab = strchr(l, '\t');
			fprintf(out, "%s{%s=\"%.*s\"} %.*s\n", fams[k].name, fams[k].label, (int)(tab - l - 2), l + 2,
				(int)(strchr(tab, '\n') - tab - 1), tab + 1);
		}
	}
}

int prom_finish(struct prom *p, FILE *out, long long generated_at)
{
	int rc = 0;
	for (int i = 0; i < F_VM_FAMILIES && !rc; i++) {
		if (family_empty(p->fam[i]))
			continue;
		header(out, vm_families[i].name, vm_families[i].type, vm_families[i].help);
		rc = copy(p->fam[i], out);
	}
	write_groups(p, out);
	write_limits(p, out);
	header(out, "cloudctl_report_skipped_records", "gauge", "Input records the report could not use.");
	fprintf(out, "cloudctl_report_skipped_records %ld\n", p->skipped);
	header(out, "cloudctl_report_generated_timestamp_seconds", "gauge", "When the report was made.");
	fprintf(out, "cloudctl_report_generated_timestamp_seconds %lld\n", generated_at);
	return rc;
}

long prom_instances(const struct prom *p)
{
	return p->vms;
}

long prom_skipped(const struct prom *p)
{
	return p->skipped;
}

void prom_free(struct prom *p)
{
	for (int i = 0; i < F_VM_FAMILIES; i++)
		if (p->fam[i])
			fclose(p->fam[i]);
	free(p->seen.h);
	strmap_clear(&p->groups);
	for (size_t i = 0; i < p->ngroups; i++)
		free(p->group_keys[i]);
	free(p->group_keys);
	free(p->counts);
	sb_release(&p->limits);
	free(p);
}
