/* common.c: the client, errors, records and name lookup shared by every verb
 * of the OpenStack driver. */
#include "osnet.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"

/* "PUT http://...: message (HTTP 409)" -> "message (HTTP 409)": the API's
 * message is what the user needs; the URL only when nothing answered. */
static const char *api_message(const char *e)
{
	const char *sp = strchr(e, ' '), *colon;
	if (!str_ends(e, ")") || !strstr(e, "(HTTP ") || !sp || !str_starts(sp + 1, "http"))
		return e;
	if (!(colon = strstr(sp + 1, ": ")))
		return e;
	return colon + 2;
}

static void prefix(struct strbuf *sb, struct osn *x)
{
	sb_adds(sb, x->verb);
	if (x->action)
		sb_addf(sb, " %s", x->action);
}

int osn_fail(struct osn *x, const char *name, int rc)
{
	struct strbuf sb = STRBUF_INIT;
	prefix(&sb, x);
	if (name)
		sb_addf(&sb, ": %s", name);
	errorx("%s: %s", sb.buf, api_message(x->err.buf));
	sb_release(&sb);
	sb_reset(&x->err);
	return rc;
}

int osn_usage(struct osn *x, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	prefix(&sb, x);
	sb_adds(&sb, ": ");
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	errorx("%s", sb.buf);
	sb_release(&sb);
	return EXIT_USAGE;
}

int osn_open(struct osn *x, const char *default_cols)
{
	struct os_config_opts o = { net_os_cloud, net_os_region, net_os_interface };
	int rc = os_client_open(&x->c, &o, &x->err);
	if (rc) {
		os_client_close(&x->c);
		osn_fail(x, NULL, rc);
		sb_release(&x->err);
		return rc;
	}
	x->opened = 1;
	x->w = rec_writer_new(stdout, common.format, common.columns, default_cols);
	return 0;
}

int osn_close(struct osn *x, int rc)
{
	if (x->w && rec_writer_finish(x->w) < 0 && !rc)
		rc = EXIT_IOERR;
	x->w = NULL;
	if (x->opened)
		os_client_close(&x->c);
	x->opened = 0;
	sb_release(&x->err);
	return rc;
}

int osn_action_is(const char *action, const char *const *actions)
{
	for (; *actions; actions++)
		if (!strcmp(action, *actions))
			return 1;
	return 0;
}

/* records */

void osn_record(struct record *r, const struct kind *k, const json_t *o)
{
	rec_set(r, "kind", k->kind);
	rec_set(r, "driver", "openstack");
	rec_set(r, "id", os_jstr(o, "id"));
	const char *name = os_jstr(o, "name");
	if (name && *name)
		rec_set(r, "name", name);
	rec_set(r, "project", os_jstr(o, "project_id"));
	rec_set(r, "status", os_jstr(o, "status"));
	k->fill(r, o);
}

void osn_emit(struct osn *x, const struct kind *k, const json_t *o, const char *key, const char *val)
{
	struct record r = RECORD_INIT;
	osn_record(&r, k, o);
	if (key)
		rec_set(&r, key, val);
	rec_write(x->w, &r);
	rec_clear(&r);
}

/* calls */

int osn_get_list(struct osn *x, const struct kind *k, const char *query, json_t **items)
{
	char *path = xasprintf("%s%s", k->path, query ? query : "");
	int rc = os_list(&x->c.s, "network", path, k->keyn, items, &x->err);
	free(path);
	return rc;
}

/* Floating IPs have no names: an address finds one too. */
static int find_fip(struct osn *x, const char *ref, json_t **obj)
{
	int fam;
	unsigned char a[16];
	if (ip_parse(ref, &fam, a))
		return os_find(&x->c.s, "network", K_FIP.path, K_FIP.key1, K_FIP.keyn, K_FIP.what, ref, obj, &x->err);
	char *esc = http_escape(ref);
	char *q = xasprintf("?floating_ip_address=%s", esc);
	json_t *all = NULL;
	int rc = osn_get_list(x, &K_FIP, q, &all);
	free(esc);
	free(q);
	if (rc)
		return rc;
	if (json_array_size(all) == 1)
		*obj = json_incref(json_array_get(all, 0));
	else
		rc = sb_fail(&x->err, EXIT_NOTFOUND, "no floating IP %s", ref);
	json_decref(all);
	return rc;
}

int osn_find(struct osn *x, const struct kind *k, const char *ref, json_t **obj)
{
	*obj = NULL;
	if (k == &K_FIP)
		return find_fip(x, ref, obj);
	if (k->named)
		return os_find(&x->c.s, "network", k->path, k->key1, k->keyn, k->what, ref, obj, &x->err);
	char *esc = http_escape(ref);
	char *path = xasprintf("%s/%s", k->path, esc);
	json_t *doc = NULL;
	int rc = os_call(&x->c.s, "GET", "network", path, NULL, &doc, &x->err);
	free(esc);
	free(path);
	if (!rc && !(*obj = json_incref(json_object_get(doc, k->key1))))
		rc = sb_fail(&x->err, EXIT_UNAVAIL, "no \"%s\" in the answer", k->key1);
	if (rc == EXIT_NOTFOUND)
		sb_fail(&x->err, EXIT_NOTFOUND, "no %s with the ID '%s'", k->what, ref);
	json_decref(doc);
	return rc;
}

static json_t *wrap(const struct kind *k, json_t *body)
{
	json_t *doc = json_object();
	json_object_set_new(doc, k->key1, body);
	return doc;
}

static int take(const struct kind *k, int rc, json_t *doc, json_t **obj)
{
	if (obj)
		*obj = rc ? NULL : json_incref(json_object_get(doc, k->key1));
	json_decref(doc);
	return rc;
}

int osn_post(struct osn *x, const struct kind *k, json_t *body, json_t **obj)
{
	json_t *doc = wrap(k, body), *out = NULL;
	int rc = os_call(&x->c.s, "POST", "network", k->path, doc, &out, &x->err);
	json_decref(doc);
	return take(k, rc, out, obj);
}

int osn_put(struct osn *x, const struct kind *k, const char *id, json_t *body, json_t **obj)
{
	json_t *doc = wrap(k, body), *out = NULL;
	char *path = xasprintf("%s/%s", k->path, id);
	int rc = os_call(&x->c.s, "PUT", "network", path, doc, &out, &x->err);
	free(path);
	json_decref(doc);
	return take(k, rc, out, obj);
}

int osn_delete_id(struct osn *x, const struct kind *k, const char *id)
{
	char *path = xasprintf("%s/%s", k->path, id);
	int rc = os_call(&x->c.s, "DELETE", "network", path, NULL, NULL, &x->err);
	free(path);
	return rc;
}

/* targets */

static int refs_from_stdin(struct osn *x, const struct kind *k, struct strlist *refs)
{
	if (isatty(STDIN_FILENO))
		return osn_usage(x, "no %s named, and stdin is a terminal (give names, or records on stdin)", k->what);
	struct recset in = RECSET_INIT;
	if (rec_read_all(stdin, NULL, &in, &x->err) < 0) {
		recset_clear(&in); /* a record may have been started */
		return osn_fail(x, NULL, EXIT_DATA);
	}
	int rc = 0;
	for (size_t i = 0; i < in.n && !rc; i++) {
		const struct record *r = &in.r[i];
		const char *kind = rec_get(r, "kind"), *ref = rec_get(r, "id");
		if (kind && strcmp(kind, k->kind)) {
			debug("<stdin>:%ld: a %s record, not %s: passed over", r->line, kind, k->kind);
			continue;
		}
		if (!ref || !*ref)
			ref = rec_get(r, "name");
		if (!kind || !ref || !*ref)
			rc = sb_fail(&x->err, EXIT_DATA, "<stdin>:%ld: a record needs kind=%s and id= (or name=)", r->line,
				     k->kind);
		else
			strlist_add(refs, ref);
	}
	recset_clear(&in);
	return rc ? osn_fail(x, NULL, rc) : 0;
}

int osn_targets(struct osn *x, const struct kind *k, int argc, char **argv, json_t **objs)
{
	struct strlist refs = STRLIST_INIT;
	int rc = 0;
	*objs = json_array();
	if (argc == 0 || (argc == 1 && !strcmp(argv[0], "-")))
		rc = refs_from_stdin(x, k, &refs);
	else
		for (int i = 0; i < argc; i++)
			strlist_add(&refs, argv[i]);
	for (size_t i = 0; i < refs.n && !rc; i++) {
		json_t *o = NULL;
		if ((rc = osn_find(x, k, refs.v[i], &o)))
			osn_fail(x, refs.v[i], rc);
		else
			json_array_append_new(*objs, o);
	}
	strlist_clear(&refs);
	if (rc) {
		json_decref(*objs);
		*objs = NULL;
	}
	return rc;
}

/* generic actions */

int osn_list_action(struct osn *x, const struct kind *k, const char *query)
{
	json_t *items = NULL, *o;
	int rc = osn_get_list(x, k, query, &items);
	if (rc)
		return osn_fail(x, NULL, rc);
	size_t i;
	json_array_foreach(items, i, o)
		osn_emit(x, k, o, NULL, NULL);
	json_decref(items);
	return 0;
}

int osn_show_action(struct osn *x, const struct kind *k, int argc, char **argv)
{
	json_t *objs = NULL, *o;
	int rc = osn_targets(x, k, argc, argv, &objs);
	if (rc)
		return rc;
	size_t i;
	json_array_foreach(objs, i, o)
		osn_emit(x, k, o, NULL, NULL);
	json_decref(objs);
	return 0;
}

static const char *label(const json_t *o)
{
	const char *n = os_jstr(o, "name");
	if (!n || !*n)
		n = os_jstr(o, "floating_ip_address");
	return n && *n ? n : os_jstr(o, "id");
}

/* Each target is deleted even when an earlier one failed; the exit code is the
 * API's when every one failed, 1 when only some did. */
int osn_delete_action(struct osn *x, const struct kind *k, int argc, char **argv)
{
	json_t *objs = NULL, *o;
	int rc = osn_targets(x, k, argc, argv, &objs);
	if (rc)
		return rc;
	size_t i, failed = 0;
	json_array_foreach(objs, i, o) {
		int r = osn_delete_id(x, k, os_jstr(o, "id"));
		if (r) {
			osn_fail(x, label(o), r);
			rc = r;
			failed++;
			continue;
		}
		osn_emit(x, k, o, "state", "deleted");
	}
	size_t n = json_array_size(objs);
	json_decref(objs);
	return failed && failed < n ? EXIT_FAIL : rc;
}

int osn_create_named(struct osn *x, const struct kind *k, const char *name, json_t *body)
{
	json_t *o = NULL;
	int rc = osn_find(x, k, name, &o);
	if (rc == 0) {
		json_decref(body);
		if (!net_if_missing) {
			sb_fail(&x->err, EXIT_EXISTS, "a %s of this name exists already (--if-missing reports it)", k->what);
			json_decref(o);
			return osn_fail(x, name, EXIT_EXISTS);
		}
		osn_emit(x, k, o, "created", "false");
		json_decref(o);
		return 0;
	}
	if (rc != EXIT_NOTFOUND) {
		json_decref(body);
		return osn_fail(x, name, rc);
	}
	sb_reset(&x->err);
	json_object_set_new(body, "name", json_string(name));
	if (net_description)
		json_object_set_new(body, "description", json_string(net_description));
	if ((rc = osn_post(x, k, body, &o)))
		return osn_fail(x, name, rc);
	osn_emit(x, k, o, "created", "true");
	json_decref(o);
	return 0;
}

/* --external: the network named, else the only external one in sight. */
int osn_external_net(struct osn *x, const char *ref, json_t **net)
{
	*net = NULL;
	if (ref) {
		int rc = osn_find(x, &K_NET, ref, net);
		if (!rc && !json_is_true(json_object_get(*net, "router:external"))) {
			json_decref(*net);
			*net = NULL;
			rc = sb_fail(&x->err, EXIT_DATA, "network '%s' is not external", ref);
		}
		return rc;
	}
	json_t *all = NULL;
	int rc = osn_get_list(x, &K_NET, "?router:external=true", &all);
	if (rc)
		return rc;
	if (json_array_size(all) == 1)
		*net = json_incref(json_array_get(all, 0));
	else if (!json_array_size(all))
		rc = sb_fail(&x->err, EXIT_NOTFOUND, "no external network (give --external NET)");
	else
		rc = sb_fail(&x->err, EXIT_DATA, "%zu external networks: give --external NET", json_array_size(all));
	json_decref(all);
	return rc;
}

int osn_begin(struct osn *x, const char *verb, int argc, char **argv, const char *const *actions)
{
	x->verb = verb;
	struct strbuf list = STRBUF_INIT;
	for (const char *const *a = actions; *a; a++)
		sb_addf(&list, "%s%s", list.len ? ", " : "", *a);
	int rc = 0;
	if (argc < 1)
		rc = osn_usage(x, "an action is needed (%s)", list.buf);
	else if (!osn_action_is(argv[0], actions))
		rc = osn_usage(x, "unknown action '%s' (%s)", argv[0], list.buf);
	else
		x->action = argv[0];
	sb_reset(&list);
	if (!rc && net_check_options(verb, x->action, "openstack", &list))
		rc = osn_usage(x, "%s", list.buf);
	sb_release(&list);
	return rc;
}

int osn_operands(struct osn *x, int argc, int n, const char *what)
{
	if (argc == n)
		return 0;
	if (n == 0)
		return osn_usage(x, "takes no operand");
	return osn_usage(x, argc < n ? "%s is needed" : "one %s only", what);
}

int osn_simple(struct osn *x, const struct kind *k, int argc, char **argv, const char *query,
	       int (*check)(struct osn *x), json_t *(*create_body)(struct osn *x, int *rc))
{
	const char *a = x->action;
	int create = !strcmp(a, "create"), rc;
	if (!strcmp(a, "list") && (rc = osn_operands(x, argc, 0, NULL)))
		return rc;
	if (create && (rc = osn_operands(x, argc, 1, "NAME")))
		return rc;
	if (create && !*argv[0])
		return osn_usage(x, "the name is empty");
	if (create && check && (rc = check(x)))
		return rc;
	if ((rc = osn_open(x, k->cols)))
		return rc;
	if (!strcmp(a, "list"))
		rc = osn_list_action(x, k, query);
	else if (!strcmp(a, "show"))
		rc = osn_show_action(x, k, argc, argv);
	else if (!strcmp(a, "delete"))
		rc = osn_delete_action(x, k, argc, argv);
	else {
		json_t *body = create_body(x, &rc);
		if (body)
			rc = osn_create_named(x, k, argv[0], body);
	}
	return osn_close(x, rc);
}
