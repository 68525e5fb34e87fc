/* exports.c: helpers both drivers of cloudctl-vm use. It is part of the
 * executable, which the plugins link against at load time, so neither plugin
 * carries a copy and this file must stay free of libvirt and of OpenStack. */
#include "vmopts.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rec_writer *vm_writer(const char *default_cols)
{
	return rec_writer_new(stdout, common.format, common.columns, default_cols);
}

int vm_finish(struct rec_writer *w, int rc)
{
	errno = 0;
	if (rec_writer_finish(w) < 0)
		rc = stdout_failed(errno, rc);
	return rc;
}

int vm_write_records(struct recset *recs, const struct record *want_tags, const char *default_cols, int rc)
{
	struct rec_writer *w = vm_writer(default_cols);
	for (size_t i = 0; i < recs->n; i++)
		if (!want_tags || vm_list_keep(&recs->r[i], want_tags))
			rec_write(w, &recs->r[i]);
	recset_clear(recs);
	return vm_finish(w, rc);
}

int parse_tags(const char *verb, const struct strlist *args, struct record *tags, int allow_bare_key)
{
	for (size_t i = 0; i < args->n; i++) {
		const char *a = args->v[i], *eq = strchr(a, '=');
		char *k = eq ? xstrndup(a, (size_t)(eq - a)) : xstrdup(a);
		int bad = !rec_key_valid(k) || (!eq && !allow_bare_key);
		if (bad) {
			errorx("%s: --tag '%s': expected KEY=VALUE with KEY matching [a-z][a-z0-9_.]*", verb, a);
			free(k);
			return EXIT_USAGE;
		}
		rec_set(tags, k, eq ? eq + 1 : "\x01"); /* \x01: a bare key, "has this tag" */
		free(k);
	}
	return 0;
}

int vm_tags_match(const struct record *r, const struct record *want)
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

int vm_name_template_ok(const char *t, int *has_number)
{
	*has_number = 0;
	for (const char *p = t; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		if (*p == '0')
			p++;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != 'd' || (*has_number)++)
			return 0;
	}
	return 1;
}

char *vm_make_name(const char *t, long long n)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = t; *p; p++) {
		if (*p != '%') {
			sb_addc(&sb, *p);
			continue;
		}
		if (p[1] == '%') {
			sb_addc(&sb, '%');
			p++;
			continue;
		}
		const char *d = strchr(p, 'd');
		char fmt[16];
		snprintf(fmt, sizeof fmt, "%.*slld", (int)(d - p), p);
		sb_addf(&sb, fmt, n);
		p = d;
	}
	return sb_detach(&sb);
}

int vm_check_names(void)
{
	int has_number;
	if (!vm_opts.create.name_template) {
		errorx("create: --name is required");
		return EXIT_USAGE;
	}
	if (!vm_name_template_ok(vm_opts.create.name_template, &has_number)) {
		errorx("create: --name '%s': at most one %%d (or %%02d) in a template", vm_opts.create.name_template);
		return EXIT_USAGE;
	}
	if (vm_opts.create.count < 1 || vm_opts.create.count > 10000) {
		errorx("create: --count '%lld': must be 1 to 10000", vm_opts.create.count);
		return EXIT_USAGE;
	}
	if (vm_opts.create.count > 1 && !has_number) {
		errorx("create: --count needs a name template with %%d, e.g. '%s-%%d'", vm_opts.create.name_template);
		return EXIT_USAGE;
	}
	return 0;
}

int vm_no_net_records(void)
{
	errorx("create: no kind=net record on standard input: create - takes its networks from it");
	return EXIT_DATA;
}

int vm_check_target(const struct target_spec *t, const struct recset *in)
{
	struct strbuf err = STRBUF_INIT;
	int rc = target_check_records(t, in, NULL, &err);
	if (rc)
		errorx("%s: %s", vm_verb, err.buf);
	sb_release(&err);
	return rc;
}

static int progress_shown;

static void progress_clear(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

void vm_progress(const char *fmt, ...)
{
	if (common.quiet || !isatty(STDERR_FILENO))
		return;
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	log_before = progress_clear;
	fprintf(stderr, "\r%s: %s\033[K", progname, line);
	fflush(stderr);
	progress_shown = 1;
}

void vm_progress_done(void)
{
	progress_clear();
	fflush(stderr);
}

/* list's filters: --state, --name GLOB, --tag K=V (both drivers). */
int vm_list_keep(const struct record *r, const struct record *want_tags)
{
	if (vm_opts.list.state && strcmp(rec_get(r, "state"), vm_opts.list.state) != 0)
		return 0;
	if (vm_opts.list.name_glob && fnmatch(vm_opts.list.name_glob, rec_get(r, "name"), 0) != 0)
		return 0;
	return vm_tags_match(r, want_tags);
}
