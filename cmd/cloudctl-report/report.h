/* report.h: cloudctl-report's model. vm records become instances (one per VM id:
 * a second sample of the same VM gives its CPU use and replaces the first); host
 * and tenant records give capacity and quotas. report_finish folds the instances
 * into totals, groups, top-N lists and flagged instances, which the renderers print.
 * The prom format does not use this model: it streams (prom.c). */
#ifndef CLOUDCTL_REPORT_H
#define CLOUDCTL_REPORT_H

#include <stdio.h>
#include "opts.h"
#include "record.h"
#include "util.h"

#define REPORT_MAX_FLAGGED 1000 /* listed; the rest are only counted */
#define REPORT_MAX_GROUPS 10000

/* A count per distinct string (states, networks), in first-seen order. */
struct tally {
	char **name;
	long *n;
	size_t len, cap;
};
void tally_add(struct tally *t, const char *name, long n);
long tally_get(const struct tally *t, const char *name);
void tally_clear(struct tally *t);

/* The aggregates of one group, or of everything (the totals). */
struct agg {
	char *key;               /* group value ("" for the totals) */
	long count;              /* instances */
	struct tally states;     /* state -> instances */
	long long vcpus, mem_mib, mem_used_mib;
	long long disk_bytes, disk_used_bytes; /* allocated (virtual size) and used (on the host) */
	double cpu_pct;          /* sum of per-instance CPU use, in % of one vCPU... see cpu_pct_n */
	long cpu_pct_n;          /* instances with a CPU figure */
	long long rx_bytes, tx_bytes;
	long with_address;       /* instances with an ip */
	struct tally networks;   /* network -> instances */
	/* capacity from host records (group by host) and quota from tenant records */
	int has_capacity, has_quota;
	long long cap_vcpus, cap_mem_mib;
	long long quota_vcpus, quota_mem_mib, quota_instances;
};

/* One instance (VM). Strings are never NULL ("" when absent). */
struct inst {
	char *id, *name, *state, *host, *tenant, *ip, *net, *group;
	long long vcpus, mem_mib, mem_used_mib, rx_bytes, tx_bytes, disk_bytes, disk_used_bytes;
	long long cpu_time_ns;   /* -1 when absent */
	double time;             /* sample time (unix seconds), -1 when absent */
	double cpu_pct;          /* CPU use in % of its vCPUs (0-100), -1 when unknown */
	long long state_since;   /* unix seconds the state began, -1 when unknown */
	const char *flag;        /* why it is flagged, or NULL */
};

enum top_kind { TOP_CPU, TOP_MEM, TOP_NET, TOP_KINDS };

struct report {
	const char *group_by;    /* "host", "tenant", "state" or "tag.K" */
	int top_n;
	long long stale_after;   /* seconds shut off before "shut off for long" is flagged */
	struct inst *all;        /* every instance, in input order */
	size_t nall, all_cap;
	void *index;             /* id -> position in all */
	struct recset limits;    /* host and tenant records, applied at finish */
	struct agg total;
	struct agg *groups;      /* sorted by key when the report is finished */
	size_t ngroups, groups_cap;
	const struct inst **top[TOP_KINDS]; /* best first, at most top_n each (point into all) */
	size_t ntop[TOP_KINDS];
	const struct inst **flagged; /* at most REPORT_MAX_FLAGGED (point into all) */
	size_t nflagged;
	long flagged_total;
	long skipped;            /* records that were not vm/host/tenant records or lacked fields */
	long long generated_at;  /* unix seconds, for the page header */
};

void report_init(struct report *rp, const char *group_by, int top_n);
/* Fold one record in. Returns 1 when used, 0 when skipped (a warning names the
 * line and the reason). */
int report_add(struct report *rp, const struct record *r);
/* Sort groups, finish CPU figures from two samples. */
void report_finish(struct report *rp);
void report_free(struct report *rp);

/* An instance from a vm record (fields absent or not numbers are taken as
 * absent, with a warning naming the line). */
void inst_read(const char *group_by, const struct record *r, struct inst *in);
void inst_release(struct inst *in);
/* The input being read, for warnings ("FILE:LINE: ..."). */
void report_set_source(const char *name);
/* Count a skipped record and say why (the first ten times). */
void report_skip(long *skipped, const struct record *r, const char *why, const char *what);
/* A whole-number field; dflt when absent or not a number (with a warning). */
long long report_num(const struct record *r, const char *key, long long dflt);

/* Renderers: each writes the whole document to out. */
void render_table(const struct report *rp, FILE *out);
void render_md(const struct report *rp, FILE *out);
void render_csv(const struct report *rp, FILE *out);
void render_json(const struct report *rp, FILE *out);
void render_html(const struct report *rp, FILE *out);


/* A file of records to read ("-": standard input). */
struct input {
	FILE *f;
	const char *name; /* for messages: the path, or "<stdin>" */
	int is_stdin;
};
/* Open path for reading. Returns 0, or the exit code after one line on stderr:
 * 66 not found or a directory, 77 permission denied, 64 standard input is a
 * terminal. */
int input_open(const char *path, struct input *in);
void input_close(struct input *in);
/* The operands, checked before anything is read: 64 when '-' is given twice,
 * or when write_path (--write; may be NULL) is one of the inputs. */
int inputs_check(int argc, char **argv, const char *write_path);
/* "a.rec, <stdin>" for messages (argc 0: standard input). */
void inputs_name(struct strbuf *sb, int argc, char **argv);
/* Say that the inputs held no vm record (others: the records they held);
 * returns 65. */
int inputs_empty(int argc, char **argv, long others);

/* --push: the prom output PUT to a Pushgateway. */
struct push_opts {
	const char *url;      /* --push; NULL: no push */
	const char *job;      /* --job: the job label */
	const char *instance; /* --instance: the instance label; NULL: the host name */
	const char *cacert;   /* --cacert */
	int insecure;         /* --insecure */
};
/* The options of the verb report. */
struct report_opts {
	const char *group_by; /* --group-by: host, tenant, state or tag.K */
	long long top;        /* --top: instances in each top list */
	const char *stale;    /* --stale: a duration */
	const char *write;    /* --write: the file written atomically; NULL: stdout */
	struct push_opts push;
	int allow_empty;      /* --allow-empty: an input without vm records is not an error */
};
/* The options of the verb diff. */
struct diff_opts {
	long long threshold_pct; /* --threshold */
	int allow_empty;   /* --allow-empty: an input without vm records is not an error */
	int exit_code;     /* --exit-code: exit 1 when there are changes */
};

/* options.c: the tables of the verb table (main.c), and the entries that
 * run each verb with the struct its table fills. */
extern const struct opt report_options[], diff_options[];
int run_report(int argc, char **argv);
int run_diff(int argc, char **argv);
/* report.c: report [FILE...|-]. Returns the exit code. */
int cmd_report(const struct report_opts *o, int argc, char **argv);
/* diff.c: diff OLD NEW: change records on stdout. Returns the exit code. */
int cmd_diff(const struct diff_opts *o, int argc, char **argv);
/* main.c: 64 (said) when an operand is a verb's name and no file: its
 * options came before it and the default verb ran. */
int verb_as_operand(int argc, char **argv);

/* Helpers the renderers share. */
double agg_cpu_pct(const struct agg *a);             /* mean CPU use %, -1 when unknown */
const char *human_bytes(long long bytes, char buf[32]); /* "1.5 GiB" */

#endif
