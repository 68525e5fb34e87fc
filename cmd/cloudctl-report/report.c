/* report.c: the verb report: records read from the files given (or stdin), a
 * report for people (table, md, csv, json, html) or Prometheus text (prom),
 * written to stdout, to a file atomically, or pushed to a Pushgateway. */
#include "report.h"
#include "prom.h"
#include "http.h"
#include "redact.h"
#include "log.h"
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- input ---- */

typedef void (*record_fn)(void *ctx, const struct record *r);

static long records_read; /* from every input */

static int read_one_file(const char *path, record_fn fn, void *ctx)
{
	struct input in;
	int rc = input_open(path, &in);
	if (rc)
		return rc;
	struct rec_reader *rd = rec_reader_new(in.f, in.name);
	report_set_source(in.name);
	struct record r = RECORD_INIT;
	struct strbuf err = STRBUF_INIT;
	int got;
	long n = 0;
	while ((got = rec_reader_next(rd, &r, &err)) > 0) {
		fn(ctx, &r);
		n++;
	}
	if (got < 0) {
		errorx("%s", err.buf);
		rc = EXIT_DATA;
	} else {
		info("read %ld record%s from %s", n, n == 1 ? "" : "s", in.name);
	}
	records_read += n;
	rec_clear(&r);
	sb_release(&err);
	rec_reader_free(rd);
	input_close(&in);
	return rc;
}

static int read_inputs(int argc, char **argv, record_fn fn, void *ctx)
{
	if (argc == 0)
		return read_one_file("-", fn, ctx);
	for (int i = 0; i < argc; i++) {
		int rc = read_one_file(argv[i], fn, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

/* After the input is read: one line for -v, and the refusal of an input
 * without instances. */
static int check_read(const struct report_opts *o, int argc, char **argv, long instances, long skipped)
{
	info("%ld instance%s, %ld record%s skipped; writing %s to %s", instances, instances == 1 ? "" : "s", skipped,
	     skipped == 1 ? "" : "s", common.output, o->push.url ? "the Pushgateway" : o->write ? o->write : "stdout");
	if (instances == 0 && !o->allow_empty)
		return inputs_empty(argc, argv, records_read);
	return 0;
}

/* ---- output: stdout, or FILE written atomically ---- */

struct sink {
	FILE *out;
	const char *path; /* --write, or NULL: stdout */
	struct atomic_file af;
};

/* A file we cannot write: 77 when not allowed, else 74. */
static int write_failed(const char *path)
{
	int err = errno;
	errorx("--write '%s': %s", path, strerror(err));
	return err == EACCES || err == EPERM ? EXIT_PERM : EXIT_IOERR;
}

static int sink_open(struct sink *s, const char *path)
{
	s->path = path;
	s->out = stdout;
	if (!s->path)
		return 0;
	struct strbuf err = STRBUF_INIT;
	int rc = atomic_create(&s->af, s->path, 0644, &err); /* cloudctl(7): FILES WRITTEN FOR OTHERS */
	if (rc)
		errorx("--write '%s': %s", s->path, err.buf);
	sb_release(&err);
	if (rc)
		return rc;
	s->out = s->af.f;
	return 0;
}

static int sink_close(struct sink *s, int rc)
{
	if (!s->path)
		return rc;
	if (rc) {
		atomic_abort(&s->af);
		return rc;
	}
	if (atomic_commit(&s->af) < 0)
		return write_failed(s->path);
	info("wrote %s", s->path);
	return 0;
}

/* ---- push ---- */

static int label_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_.-", *s)))
			return 0;
	return 1;
}

static char push_host[256];

/* The instance label: --instance, else this machine's name. */
static const char *push_instance(const struct push_opts *p)
{
	if (p->instance)
		return p->instance;
	if (!push_host[0] && gethostname(push_host, sizeof push_host - 1) != 0)
		snprintf(push_host, sizeof push_host, "unknown");
	return push_host;
}

/* Checked before anything is read or written: a bad label found at push
 * time would come after --write has replaced its file. */
static int check_push_labels(const struct push_opts *p)
{
	const char *bad = !label_ok(p->job) ? "job" : !label_ok(push_instance(p)) ? "instance" : NULL;
	if (bad) {
		errorx("--%s '%s': letters, digits, '_', '.' and '-' only%s", bad, *bad == 'j' ? p->job : push_instance(p),
		       *bad == 'i' && !p->instance ? " (the host name; give --instance)" : "");
		return EXIT_USAGE;
	}
	return 0;
}

/* PUT replaces every metric of this job and instance, so a VM that is gone
 * disappears from the Pushgateway too. */
static int push(const struct push_opts *p, const char *body, size_t len)
{
	const char *inst = push_instance(p);
	size_t ul = strlen(p->url);
	char *url = xasprintf("%.*s/metrics/job/%s/instance/%s", (int)(ul && p->url[ul - 1] == '/' ? ul - 1 : ul),
			      p->url, p->job, inst);
	struct http_opts ho = HTTP_OPTS_INIT;
	ho.cacert = p->cacert;
	ho.insecure = p->insecure;
	struct http_client *c = http_client_new(&ho);
	const char *hdrs[] = { "Content-Type: text/plain; version=0.0.4", NULL };
	struct http_request rq = { "PUT", url, hdrs, body, len, 0 };
	struct http_response rs = HTTP_RESPONSE_INIT;
	int rc = 0;
	char *shown = redact_url(url); /* a password in the URL is not for stderr */
	if (http_do(c, &rq, &rs) < 0) {
		errorx("--push: %s: %s", shown, rs.errbuf);
		rc = http_exit_code(&rs); /* 69, or an unreadable --cacert's code */
	} else if (rs.status / 100 != 2) {
		errorx("--push: %s: HTTP %ld: %.200s", shown, rs.status, rs.body.buf);
		rc = http_exit_code(&rs);
	} else {
		info("pushed %zu bytes to %s", len, shown);
	}
	free(shown);
	http_response_release(&rs);
	http_client_free(c);
	free(url);
	return rc;
}

/* ---- report ---- */

static void add_to_report(void *ctx, const struct record *r)
{
	report_add(ctx, r);
}

static void add_to_prom(void *ctx, const struct record *r)
{
	prom_add(ctx, r);
}

static void render(const struct report *rp, FILE *out)
{
	const char *f = common.output;
	if (!strcmp(f, "md"))
		render_md(rp, out);
	else if (!strcmp(f, "csv"))
		render_csv(rp, out);
	else if (!strcmp(f, "json"))
		render_json(rp, out);
	else if (!strcmp(f, "html"))
		render_html(rp, out);
	else
		render_table(rp, out);
}

static int check_args(const struct report_opts *o, long long *stale_ms)
{
	if (strcmp(o->group_by, "host") && strcmp(o->group_by, "tenant") && strcmp(o->group_by, "state") &&
	    !(str_starts(o->group_by, "tag.") && rec_key_valid(o->group_by))) {
		errorx("--group-by '%s': host, tenant, state or tag.KEY", o->group_by);
		return EXIT_USAGE;
	}
	if (o->top < 0 || o->top > 1000) {
		errorx("--top '%lld': 0 to 1000", o->top);
		return EXIT_USAGE;
	}
	if (parse_duration_ms(o->stale, stale_ms) < 0) {
		errorx("--stale '%s': expected a duration such as 12h or 7d", o->stale);
		return EXIT_USAGE;
	}
	if (o->push.url && strcmp(common.output, "prom") != 0) {
		errorx("--push sends Prometheus text: use it with -o prom");
		return EXIT_USAGE;
	}
	if (o->push.url && check_push_labels(&o->push))
		return EXIT_USAGE;
	return 0;
}

/* prom_finish failed: on the output (stdout or the --write file) or on a
 * temporary file it reads back. */
static int prom_write_failed(FILE *out, const char *write_path)
{
	int err = errno ? errno : EIO;
	if (!ferror(out)) {
		errorx("reading back a temporary file: %s", strerror(err));
		return EXIT_IOERR;
	}
	if (out == stdout)
		return stdout_failed(err, 0); /* a reader that went away (| head) is no error */
	errorx("--write '%s': %s", write_path ? write_path : "(buffer)", strerror(err));
	return EXIT_IOERR;
}

static int report_prom(const struct report_opts *o, int argc, char **argv, FILE *out, long long now)
{
	struct prom *p = prom_new(o->group_by);
	int rc = read_inputs(argc, argv, add_to_prom, p);
	if (!rc)
		rc = check_read(o, argc, argv, prom_instances(p), prom_skipped(p));
	errno = 0;
	if (!rc && prom_finish(p, out, now) < 0)
		rc = prom_write_failed(out, o->write);
	prom_free(p);
	return rc;
}

static int emit(const struct report_opts *o, int argc, char **argv, FILE *out, long long stale_ms)
{
	struct report rp;
	report_init(&rp, o->group_by, (int)o->top);
	rp.stale_after = stale_ms / 1000;
	if (!strcmp(common.output, "prom")) {
		int rc = report_prom(o, argc, argv, out, rp.generated_at);
		report_free(&rp);
		return rc;
	}
	int rc = read_inputs(argc, argv, add_to_report, &rp);
	if (!rc)
		rc = check_read(o, argc, argv, (long)rp.nall, rp.skipped);
	if (!rc) {
		report_finish(&rp);
		render(&rp, out);
	}
	report_free(&rp);
	return rc;
}

int cmd_report(const struct report_opts *o, int argc, char **argv)
{
	long long stale_ms;
	int rc = check_args(o, &stale_ms);
	if (rc || (rc = verb_as_operand(argc, argv)) || (rc = inputs_check(argc, argv, o->write)))
		return rc;
	if (argc == 1 && strcmp(argv[0], "-") == 0)
		argc = 0;
	if (o->push.url) {
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);
		rc = emit(o, argc, argv, mem, stale_ms);
		fclose(mem);
		struct strbuf err = STRBUF_INIT;
		if (!rc && o->write && (rc = write_file_for(o->write, buf, len, 0644, &err)))
			errorx("--write '%s': %s", o->write, err.buf);
		sb_release(&err);
		if (!rc && o->write)
			info("wrote %s", o->write);
		if (!rc)
			rc = push(&o->push, buf, len);
		free(buf);
		return rc;
	}
	struct sink s;
	if ((rc = sink_open(&s, o->write)))
		return rc;
	rc = emit(o, argc, argv, s.out, stale_ms);
	return sink_close(&s, rc);
}
