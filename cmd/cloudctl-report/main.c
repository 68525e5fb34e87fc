/* cloudctl-report: reports over instance records, for people (table, md, csv,
 * json, html) and for Prometheus (prom), written atomically or pushed. */
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

static const char *o_group_by = "host", *o_write, *o_push, *o_job = "cloudctl", *o_instance, *o_stale = "7d";
static const char *o_cacert;
static long long o_top = 5, o_threshold = 20;
static int o_insecure, o_allow_empty, o_exit_code;

static const struct opt report_opts[] = {
	OPT_STRING("group-by", 'g', &o_group_by, "KEY", "host (default), tenant, state or tag.K",
	  .complete = "words:host tenant state"),
	OPT_INT("top", 0, &o_top, "N", "instances in each top list (default 5)"),
	OPT_STRING("stale", 0, &o_stale, "DURATION", "flag instances shut off for longer (default 7d)"),
	OPT_STRING("write", 0, &o_write, "FILE", "write to FILE atomically (temporary file, then rename)",
	  .complete = "file"),
	OPT_STRING("push", 0, &o_push, "URL", "PUT the prom output to a Pushgateway at URL"),
	OPT_STRING("job", 0, &o_job, "NAME", "job label for --push (default cloudctl)"),
	OPT_STRING("instance", 0, &o_instance, "NAME", "instance label for --push (default: host name)"),
	OPT_STRING("cacert", 0, &o_cacert, "FILE", "CA bundle to trust for --push over https", .complete = "file"),
	OPT_BOOL("insecure", 0, &o_insecure, "do not verify the Pushgateway's TLS certificate"),
	OPT_BOOL("allow-empty", 0, &o_allow_empty, "report input without vm records (else exit 65)"),
	OPT_END
};

static const struct opt diff_opts[] = {
	OPT_INT("threshold", 0, &o_threshold, "PCT", "report usage grown by more than PCT percent (default 20)"),
	OPT_BOOL("exit-code", 0, &o_exit_code, "exit 1 when there are changes, 0 when none"),
	OPT_BOOL("allow-empty", 0, &o_allow_empty, "compare files without vm records (else exit 65)"),
	OPT_END
};

int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);

static const struct verb verbs[] = {
	{ .name = "report", .run = cmd_report, .opts = report_opts, .operands = "[FILE...|-]",
	  .summary = "Report on instance records (the default verb)", .operand_complete = "file",
	  .formats = "table md csv json html prom" },
	{ .name = "diff", .run = cmd_diff, .opts = diff_opts, .operands = "OLD NEW",
	  .summary = "What changed between two sets of records", .operand_complete = "file" },
	{ .name = NULL },
};

static const struct tool tool = {
	.name = "cloudctl-report",
	.summary = "Reports and metrics over instance records.",
	.verbs = verbs,
	.default_verb = "report",
};

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
static int check_read(int argc, char **argv, long instances, long skipped)
{
	info("%ld instance%s, %ld record%s skipped; writing %s to %s", instances, instances == 1 ? "" : "s", skipped,
	     skipped == 1 ? "" : "s", common.output, o_push ? "the Pushgateway" : o_write ? o_write : "stdout");
	if (instances == 0 && !o_allow_empty)
		return inputs_empty(argc, argv, records_read);
	return 0;
}

/* ---- output: stdout, or FILE written atomically ---- */

struct sink {
	FILE *out;
	struct atomic_file af;
	int atomic;
};

/* A file we cannot write: 77 when not allowed, else 74. */
static int write_failed(const char *path)
{
	int err = errno;
	errorx("--write '%s': %s", path, strerror(err));
	return err == EACCES || err == EPERM ? EXIT_PERM : EXIT_IOERR;
}

static int sink_open(struct sink *s)
{
	s->atomic = o_write != NULL;
	s->out = stdout;
	if (!s->atomic)
		return 0;
	struct strbuf err = STRBUF_INIT;
	int rc = atomic_create(&s->af, o_write, 0644, &err); /* cloudctl(7): FILES WRITTEN FOR OTHERS */
	if (rc)
		errorx("--write '%s': %s", o_write, err.buf);
	sb_release(&err);
	if (rc)
		return rc;
	s->out = s->af.f;
	return 0;
}

static int sink_close(struct sink *s, int rc)
{
	if (!s->atomic)
		return rc;
	if (rc) {
		atomic_abort(&s->af);
		return rc;
	}
	if (atomic_commit(&s->af) < 0)
		return write_failed(o_write);
	info("wrote %s", o_write);
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
static const char *push_instance(void)
{
	if (o_instance)
		return o_instance;
	if (!push_host[0] && gethostname(push_host, sizeof push_host - 1) != 0)
		snprintf(push_host, sizeof push_host, "unknown");
	return push_host;
}

/* Checked before anything is read or written: a bad label found at push
 * time would come after --write has replaced its file. */
static int check_push_labels(void)
{
	const char *bad = !label_ok(o_job) ? "job" : !label_ok(push_instance()) ? "instance" : NULL;
	if (bad) {
		errorx("--%s '%s': letters, digits, '_', '.' and '-' only%s", bad, *bad == 'j' ? o_job : push_instance(),
		       *bad == 'i' && !o_instance ? " (the host name; give --instance)" : "");
		return EXIT_USAGE;
	}
	return 0;
}

/* PUT replaces every metric of this job and instance, so a VM that is gone
 * disappears from the Pushgateway too. */
static int push(const char *body, size_t len)
{
	const char *inst = push_instance();
	size_t ul = strlen(o_push);
	char *url = xasprintf("%.*s/metrics/job/%s/instance/%s", (int)(ul && o_push[ul - 1] == '/' ? ul - 1 : ul),
			      o_push, o_job, inst);
	struct http_opts ho = HTTP_OPTS_INIT;
	ho.cacert = o_cacert;
	ho.insecure = o_insecure;
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

static int check_args(long long *stale_ms)
{
	if (strcmp(o_group_by, "host") && strcmp(o_group_by, "tenant") && strcmp(o_group_by, "state") &&
	    !(str_starts(o_group_by, "tag.") && rec_key_valid(o_group_by))) {
		errorx("--group-by '%s': host, tenant, state or tag.KEY", o_group_by);
		return EXIT_USAGE;
	}
	if (o_top < 0 || o_top > 1000) {
		errorx("--top '%lld': 0 to 1000", o_top);
		return EXIT_USAGE;
	}
	if (parse_duration_ms(o_stale, stale_ms) < 0) {
		errorx("--stale '%s': expected a duration such as 12h or 7d", o_stale);
		return EXIT_USAGE;
	}
	if (o_push && strcmp(common.output, "prom") != 0) {
		errorx("--push sends Prometheus text: use it with -o prom");
		return EXIT_USAGE;
	}
	if (o_push && check_push_labels())
		return EXIT_USAGE;
	if (common.columns) {
		/* Ignoring it would print every column to someone who asked for two. */
		errorx("-c '%s': the report's formats have fixed columns (-c is for diff)", common.columns);
		return EXIT_USAGE;
	}
	return 0;
}

/* prom_finish failed: on the output (stdout or the --write file) or on a
 * temporary file it reads back. */
static int prom_write_failed(FILE *out)
{
	int err = errno ? errno : EIO;
	if (!ferror(out)) {
		errorx("reading back a temporary file: %s", strerror(err));
		return EXIT_IOERR;
	}
	if (out == stdout)
		return stdout_failed(err, 0); /* a reader that went away (| head) is no error */
	errorx("--write '%s': %s", o_write ? o_write : "(buffer)", strerror(err));
	return EXIT_IOERR;
}

static int report_prom(int argc, char **argv, FILE *out, long long now)
{
	struct prom *p = prom_new(o_group_by);
	int rc = read_inputs(argc, argv, add_to_prom, p);
	if (!rc)
		rc = check_read(argc, argv, prom_instances(p), prom_skipped(p));
	errno = 0;
	if (!rc && prom_finish(p, out, now) < 0)
		rc = prom_write_failed(out);
	prom_free(p);
	return rc;
}

static int emit(int argc, char **argv, FILE *out, long long stale_ms)
{
	struct report rp;
	report_init(&rp, o_group_by, (int)o_top);
	rp.stale_after = stale_ms / 1000;
	if (!strcmp(common.output, "prom")) {
		int rc = report_prom(argc, argv, out, rp.generated_at);
		report_free(&rp);
		return rc;
	}
	int rc = read_inputs(argc, argv, add_to_report, &rp);
	if (!rc)
		rc = check_read(argc, argv, (long)rp.nall, rp.skipped);
	if (!rc) {
		report_finish(&rp);
		render(&rp, out);
	}
	report_free(&rp);
	return rc;
}

/* `cloudctl-report --allow-empty diff a b`: an option before the verb made the
 * default verb run, with "diff" as its first file. Say what happened instead of
 * "cannot open 'diff'". */
static int verb_as_operand(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		for (const struct verb *v = verbs; v->name; v++)
			if (!strcmp(argv[i], v->name) && access(argv[i], F_OK) != 0) {
				errorx("'%s' is a verb: give its options after it (%s %s [OPTIONS] %s)", v->name,
				       tool.name, v->name, v->operands);
				return EXIT_USAGE;
			}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	long long stale_ms;
	int rc = check_args(&stale_ms);
	if (rc || (rc = verb_as_operand(argc, argv)) || (rc = inputs_check(argc, argv, o_write)))
		return rc;
	if (argc == 1 && strcmp(argv[0], "-") == 0)
		argc = 0;
	if (o_push) {
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);
		rc = emit(argc, argv, mem, stale_ms);
		fclose(mem);
		struct strbuf err = STRBUF_INIT;
		if (!rc && o_write && (rc = write_file_for(o_write, buf, len, 0644, &err)))
			errorx("--write '%s': %s", o_write, err.buf);
		sb_release(&err);
		if (!rc && o_write)
			info("wrote %s", o_write);
		if (!rc)
			rc = push(buf, len);
		free(buf);
		return rc;
	}
	struct sink s;
	if ((rc = sink_open(&s)))
		return rc;
	rc = emit(argc, argv, s.out, stale_ms);
	return sink_close(&s, rc);
}

int cmd_diff(int argc, char **argv)
{
	if (argc != 2) {
		errorx("diff: give two files of records, OLD and NEW (see 'cloudctl-report diff --help')");
		return EXIT_USAGE;
	}
	if (o_threshold < 0) {
		errorx("diff: --threshold '%lld': a percentage, 0 or more", o_threshold);
		return EXIT_USAGE;
	}
	int rc = inputs_check(argc, argv, NULL);
	if (rc)
		return rc;
	struct diff_opts o = { o_threshold, o_allow_empty, o_exit_code };
	return report_diff(argv[0], argv[1], &o);
}

int main(int argc, char **argv)
{
	return tool_main(&tool, argc, argv);
}
