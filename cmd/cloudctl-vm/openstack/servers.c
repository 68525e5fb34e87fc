/* servers.c: finding servers (by ID, by exact name), the targets of a verb,
 * and polling a server until it reaches a state. */
#include "osvm.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "interrupt.h"

int osvm_get_server(struct os_session *s, const char *id, json_t **server, struct strbuf *err)
{
	char *esc = http_escape(id), *path = xasprintf("/servers/%s", esc);
	json_t *doc = NULL;
	int rc = os_call(s, "GET", "compute", path, NULL, &doc, err);
	*server = rc ? NULL : json_incref(json_object_get(doc, "server"));
	if (!rc && !*server)
		rc = sb_fail(err, EXIT_UNAVAIL, "GET %s: no \"server\" in the answer", path);
	json_decref(doc);
	free(esc);
	free(path);
	return rc;
}

/* Nova's name filter is a regular expression (MySQL REGEXP / Python re):
 * anchored, with every metacharacter escaped, it matches the one name (or,
 * without the $, every name that starts with it). */
static char *name_regex(const char *name, int whole)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '^');
	for (const char *p = name; *p; p++) {
		if (strchr(".^$*+?()[]{}|\\", *p))
			sb_addc(&sb, '\\');
		sb_addc(&sb, *p);
	}
	if (whole)
		sb_addc(&sb, '$');
	return sb_detach(&sb);
}

/* The servers whose names are name (whole) or start with it; a filter is a
 * hint to Nova: the names are compared here, byte for byte. */
static int servers_by_name(struct os_session *s, const char *name, int whole, json_t **servers, struct strbuf *err)
{
	char *re = name_regex(name, whole), *esc = http_escape(re);
	char *path = xasprintf("/servers/detail?name=%s%s", esc, vm_opts.shared.all_projects ? "&all_tenants=1" : "");
	json_t *all = NULL;
	int rc = os_list(s, "compute", path, "servers", &all, err);
	free(re);
	free(esc);
	free(path);
	*servers = NULL;
	if (rc)
		return rc;
	*servers = json_array();
	size_t i;
	json_t *sv;
	json_array_foreach(all, i, sv) {
		const char *n = os_jstr(sv, "name");
		if (whole ? str_eq(n, name) : n && str_starts(n, name))
			json_array_append(*servers, sv);
	}
	json_decref(all);
	return 0;
}

int osvm_servers_named(struct os_session *s, const char *name, json_t **servers, struct strbuf *err)
{
	return servers_by_name(s, name, 1, servers, err);
}

int osvm_servers_prefixed(struct os_session *s, const char *prefix, json_t **servers, struct strbuf *err)
{
	return servers_by_name(s, prefix, 0, servers, err);
}

static int looks_like_uuid(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++, n++)
		if (!isxdigit((unsigned char)*p) && *p != '-')
			return 0;
	return n == 32 || n == 36;
}

int osvm_ambiguous(const char *name, const json_t *servers, struct strbuf *err)
{
	size_t i;
	const json_t *sv;
	sb_reset(err);
	sb_addf(err, "%s: %zu servers match (", name, json_array_size(servers));
	json_array_foreach(servers, i, sv)
		sb_addf(err, "%s%s", i ? ", " : "", os_jstr(sv, "id") ? os_jstr(sv, "id") : "?");
	sb_adds(err, "); give an ID");
	return EXIT_DATA;
}

/* A server of another project (an admin token can GET any by its ID) is not
 * this command's: names and IDs resolve in the project it acts for. */
static int in_our_project(const json_t *sv)
{
	const char *p = os_jstr(sv, "tenant_id");
	return vm_opts.shared.all_projects || !osvm_target.project || !p || strcmp(p, osvm_target.project) == 0;
}

int osvm_find_server(struct os_session *s, const char *ref, json_t **server, struct strbuf *err)
{
	*server = NULL;
	if (looks_like_uuid(ref)) {
		int rc = osvm_get_server(s, ref, server, err);
		if (!rc && !in_our_project(*server)) {
			json_decref(*server);
			*server = NULL;
			rc = EXIT_NOTFOUND;
		}
		if (rc != EXIT_NOTFOUND)
			return rc;
		sb_reset(err);
	}
	json_t *named = NULL;
	int rc = osvm_servers_named(s, ref, &named, err);
	if (rc)
		return rc;
	size_t n = json_array_size(named);
	if (n == 1)
		*server = json_incref(json_array_get(named, 0));
	if (n > 1)
		rc = osvm_ambiguous(ref, named, err);
	json_decref(named);
	if (n == 0)
		return sb_fail(err, EXIT_NOTFOUND, "no server named or with the ID '%s'", ref);
	return rc;
}

static struct ostarget *targets_add(struct ostargets *ts)
{
	ts->t = xgrow(ts->t, &ts->cap, ts->n + 1, sizeof *ts->t);
	struct ostarget *t = &ts->t[ts->n++];
	memset(t, 0, sizeof *t);
	return t;
}

static int add_target(const char *verb, struct os_session *s, const char *ref, const struct record *in,
		      struct ostargets *ts)
{
	struct strbuf err = STRBUF_INIT;
	json_t *sv = NULL;
	int rc = osvm_find_server(s, ref, &sv, &err);
	if (rc) {
		if (in)
			errorx("%s: <stdin>:%ld: %s", verb, in->line, err.buf);
		else
			errorx("%s: %s", verb, err.buf);
	} else {
		struct ostarget *t = targets_add(ts);
		t->ref = xstrdup(ref);
		t->server = sv;
		if (in)
			rec_copy(&t->in, in);
	}
	sb_release(&err);
	return rc;
}

static int from_records(const char *verb, struct os_session *s, struct ostargets *ts)
{
	if (isatty(STDIN_FILENO)) {
		errorx("%s: no VM named: give names or pipe records (see '%s --help')", verb, progname);
		return EXIT_USAGE;
	}
	struct recset in = RECSET_INIT;
	struct strbuf err = STRBUF_INIT;
	struct target_spec t = osvm_target;
	if (vm_opts.shared.all_projects) /* any project of this cloud */
		t.project = NULL;
	int rc = 0;
	if (rec_read_all(stdin, "<stdin>", &in, &err) < 0)
		rc = EXIT_DATA;
	else /* every record first: nothing is done when one names another cloud */
		rc = target_check_records(&t, &in, NULL, &err);
	if (rc)
		errorx("%s: %s", verb, err.buf);
	for (size_t i = 0; !rc && i < in.n; i++) {
		const struct record *r = &in.r[i];
		const char *kind = rec_get(r, "kind");
		if (kind && strcmp(kind, "vm") != 0)
			continue; /* a network, an image: not ours to act on */
		const char *ref = rec_get(r, "id") ? rec_get(r, "id") : rec_get(r, "name");
		if (!ref) {
			errorx("%s: <stdin>:%ld: a vm record needs an id or a name", verb, r->line);
			rc = EXIT_DATA;
		} else {
			rc = add_target(verb, s, ref, r, ts);
		}
	}
	recset_clear(&in);
	sb_release(&err);
	return rc;
}

int osvm_targets(const char *verb, struct os_session *s, int argc, char **argv, struct ostargets *ts)
{
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0))
		return from_records(verb, s, ts);
	int rc = 0;
	for (int i = 0; !rc && i < argc; i++)
		rc = add_target(verb, s, argv[i], NULL, ts);
	return rc;
}

void osvm_targets_free(struct ostargets *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		rec_clear(&ts->t[i].in);
		free(ts->t[i].ref);
		json_decref(ts->t[i].server);
	}
	free(ts->t);
	memset(ts, 0, sizeof *ts);
}

int osvm_in_error(const char *verb, const char *name, const json_t *sv)
{
	if (!str_eq(os_jstr(sv, "status"), "ERROR"))
		return 0;
	const char *fault = os_jstr(json_object_get(sv, "fault"), "message");
	errorx("%s: server '%s' is in ERROR%s%s", verb, name, fault ? ": " : "", fault ? fault : "");
	/* Nova checks quotas again when it builds: a quota is 75, as a 413 would be */
	return fault && str_starts(fault, "Quota exceeded") ? EXIT_TEMPFAIL : EXIT_UNAVAIL;
}

const json_t *osvm_find_id(const json_t *servers, const char *id)
{
	size_t i;
	const json_t *sv;
	json_array_foreach(servers, i, sv)
		if (str_eq(os_jstr(sv, "id"), id))
			return sv;
	return NULL;
}

/* Poll every second at first, then every 2 s: Nova's API is not free. */
int osvm_poll(struct os_session *s, const char *verb, const char *id, const char *name,
	      int (*done)(const json_t *server, const void *ctx), const void *ctx, int want_gone,
	      long long timeout_ms, json_t **last)
{
	long long start = now_ms();
	struct strbuf err = STRBUF_INIT;
	int rc;
	for (unsigned round = 0;; round++) {
		json_t *sv = NULL;
		sb_reset(&err);
		rc = osvm_get_server(s, id, &sv, &err);
		if (rc == EXIT_NOTFOUND && want_gone) {
			rc = 0;
			break;
		}
		if (rc) {
			errorx("%s: server '%s': %s", verb, name, err.buf);
			break;
		}
		json_decref(*last);
		*last = sv;
		if (done && done(sv, ctx))
			break;
		if ((rc = osvm_in_error(verb, name, sv))) /* and not what done wanted: it will not get better */
			break;
		if (timeout_ms >= 0 && now_ms() - start >= timeout_ms) {
			rc = OSVM_TIMEOUT;
			break;
		}
		if (interrupt_sleep_ms(round < 10 ? 1000 : 2000)) {
			rc = interrupt_exit_code(); /* the caller writes the record as last seen */
			break;
		}
	}
	sb_release(&err);
	return rc;
}
