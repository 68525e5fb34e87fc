/* common.c: the client, errors, records and name lookup shared by every verb
 * of the OpenStack driver. */
#include "osnet.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "interrupt.h"
#include "target.h"

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
	struct os_config_opts o = { net_opts.target.os_cloud, net_opts.target.os_region, net_opts.target.os_interface };
	int rc = os_client_open(&x->c, &o, &x->err);
	if (rc) {
		os_client_close(&x->c);
		osn_fail(x, NULL, rc);
		sb_release(&x->err);
		return rc;
	}
	x->opened = 1;
	x->inputs = json_object();
	/* a signal ends a run between two requests, never in one (interrupt.h) */
	interrupt_install();
	/* the token's project: every name resolves there */
	if ((rc = os_authenticate(&x->c.s, 0, &x->err)))
		return osn_fail(x, NULL, rc);
	/* a copy: a login again after a 401 frees the session's */
	x->project = x->c.s.project_id ? xstrdup(x->c.s.project_id) : NULL;
	info("%s%s%s: cloud %s, project %s", x->verb, x->action ? " " : "", x->action ? x->action : "", osn_cloud(x),
	     x->project ? x->project : "(none)");
	x->w = rec_writer_new(stdout, common.format, common.columns, default_cols);
	return 0;
}

int osn_close(struct osn *x, int rc)
{
	/* a signal during the run's last request: it was done, and said so */
	if (!rc && x->opened && interrupted()) {
		errorx("%s%s%s: interrupted", x->verb, x->action ? " " : "", x->action ? x->action : "");
		rc = interrupt_exit_code();
	}
	if (x->w && rec_writer_finish(x->w) < 0 && !rc)
		rc = EXIT_IOERR;
	x->w = NULL;
	if (x->opened)
		os_client_close(&x->c);
	x->opened = 0;
	free((char *)x->project);
	x->project = NULL;
	json_decref(x->names);
	x->names = NULL;
	json_decref(x->inputs);
	x->inputs = NULL;
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

/* Neutron's status in lower case; the kinds without one (subnets, groups,
 * rules) are in effect as long as they exist. */
static void set_state(struct record *r, const struct kind *k, const json_t *o)
{
	const char *status = os_jstr(o, "status");
	if (!k->has_status || !status) {
		rec_set(r, "state", "active");
		return;
	}
	char *low = xstrdup(status);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	rec_set(r, "state", low);
	free(low);
}

void osn_record(struct osn *x, struct record *r, const struct kind *k, const json_t *o)
{
	rec_set(r, "kind", k->kind);
	rec_set(r, "id", os_jstr(o, "id"));
	const char *name = os_jstr(o, "name");
	if (name && *name)
		rec_set(r, "name", name);
	set_state(r, k, o);
	rec_set(r, "driver", "openstack");
	rec_set(r, "cloud", osn_cloud(x));
	rec_set(r, "project", os_jstr(o, "project_id"));
	k->fill(x, r, o);
	rec_set(r, "status", os_jstr(o, "status"));
}

/* The record on stdin that named o, or NULL. */
static const struct record *input_of(struct osn *x, const json_t *o)
{
	const char *id = os_jstr(o, "id");
	json_t *i = id ? json_object_get(x->inputs, id) : NULL;
	struct recset *in;
	struct strbuf err = STRBUF_INIT;
	int read = i && net_read_input(&in, &err) == 0;
	sb_release(&err);
	return read && (size_t)json_integer_value(i) < in->n ? &in->r[json_integer_value(i)] : NULL;
}

void osn_emit(struct osn *x, const struct kind *k, const json_t *o, const char *key, const char *val)
{
	struct record r = RECORD_INIT;
	osn_record(x, &r, k, o);
	if (key)
		rec_set(&r, key, val);
	/* the piped record's other fields pass through (cloudctl(7)); the kind's
	 * own fields are the cloud's, even when the cloud left one out */
	rec_merge_input(&r, input_of(x, o), rec_columns_declared);
	rec_write(x->w, &r);
	rec_clear(&r);
}

static void remember_names(struct osn *x, const json_t *items)
{
	size_t i;
	json_t *o;
	if (!x->names)
		x->names = json_object();
	json_array_foreach(items, i, o) {
		const char *id = os_jstr(o, "id"), *name = os_jstr(o, "name");
		if (id)
			json_object_set_new(x->names, id, json_string(name ? name : ""));
	}
}

const char *osn_name_of(struct osn *x, const struct kind *k, const char *id)
{
	if (!id || !*id)
		return NULL;
	if (!x->names || !json_object_get(x->names, id)) {
		char *path = xasprintf("%s/%s?fields=id&fields=name", k->path, id);
		json_t *doc = NULL, *one = json_array();
		struct strbuf err = STRBUF_INIT;
		if (!os_call(&x->c.s, "GET", "network", path, NULL, &doc, &err))
			json_array_append(one, json_object_get(doc, k->key1));
		else /* not visible to this project: known to have no name here */
			json_array_append_new(one, json_pack("{s:s}", "id", id));
		remember_names(x, one);
		json_decref(one);
		json_decref(doc);
		sb_release(&err);
		free(path);
	}
	const char *name = json_string_value(json_object_get(x->names, id));
	return name && *name ? name : NULL;
}

void osn_set_ref(struct osn *x, struct record *r, const struct kind *k, const char *key, const char *id)
{
	if (!id || !*id)
		return;
	char *key_id = xasprintf("%s_id", key);
	rec_set(r, key, osn_name_of(x, k, id));
	rec_set(r, key_id, id);
	free(key_id);
}

/* Before a list's records: the names they refer to, in one call per kind. */
static void preload_names(struct osn *x, const struct kind *k)
{
	json_t *items = NULL;
	char *path = xasprintf("%s?fields=id&fields=name", k->path);
	struct strbuf err = STRBUF_INIT;
	if (!os_list(&x->c.s, "network", path, k->keyn, &items, &err))
		remember_names(x, items);
	json_decref(items);
	sb_release(&err);
	free(path);
}

/* calls */

int osn_in_scope(const struct osn *x, const struct kind *k, const json_t *o, enum osn_scope scope)
{
	if (net_opts.target.all_projects || !x->project || str_eq(os_jstr(o, "project_id"), x->project))
		return 1;
	return scope == OSN_USE && k == &K_NET &&
	       (json_is_true(json_object_get(o, "shared")) || json_is_true(json_object_get(o, "router:external")));
}

/* query + "project_id=P" where the server can narrow the list to the project:
 * always for OSN_OWN; for OSN_USE but for networks (shared ones are others'). */
static char *scoped_path(const struct osn *x, const struct kind *k, const char *query, enum osn_scope scope)
{
	const char *q = query ? query : "";
	if (net_opts.target.all_projects || !x->project || (scope == OSN_USE && k == &K_NET))
		return xasprintf("%s%s", k->path, q);
	return xasprintf("%s%s%cproject_id=%s", k->path, q, *q ? '&' : '?', x->project);
}

/* GET the list, keep what is in scope. */
static int scoped_list(struct osn *x, const struct kind *k, const char *query, enum osn_scope scope,
		       json_t **items)
{
	char *path = scoped_path(x, k, query, scope);
	json_t *all = NULL, *o;
	int rc = os_list(&x->c.s, "network", path, k->keyn, &all, &x->err);
	free(path);
	*items = json_array();
	size_t i;
	json_array_foreach(all, i, o)
		if (osn_in_scope(x, k, o, scope))
			json_array_append(*items, o);
	json_decref(all);
	return rc;
}

int osn_get_list(struct osn *x, const struct kind *k, const char *query, json_t **items)
{
	char *path = xasprintf("%s%s", k->path, query ? query : "");
	int rc = os_list(&x->c.s, "network", path, k->keyn, items, &x->err);
	free(path);
	return rc;
}

static int looks_like_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (!s[i] || (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i])))
			return 0;
	return s[sizeof shape - 1] == '\0';
}

/* GET collection/ID: 0 and *obj, or 66 when there is no such object. */
static int by_id(struct osn *x, const struct kind *k, const char *id, json_t **obj)
{
	char *path = xasprintf("%s/%s", k->path, id);
	json_t *doc = NULL;
	int rc = os_call(&x->c.s, "GET", "network", path, NULL, &doc, &x->err);
	free(path);
	if (!rc && !(*obj = json_incref(json_object_get(doc, k->key1))))
		rc = sb_fail(&x->err, EXIT_UNAVAIL, "no \"%s\" in the answer", k->key1);
	json_decref(doc);
	return rc;
}

static const char *project_label(const struct osn *x)
{
	return x->c.s.project_name ? x->c.s.project_name : x->project;
}

/* The one object of the matches; 66 for none, 65 for several. */
static int one_match(struct osn *x, const struct kind *k, const char *ref, json_t *matches, json_t **obj)
{
	size_t n = json_array_size(matches);
	if (n == 1) {
		*obj = json_incref(json_array_get(matches, 0));
		return 0;
	}
	if (n == 0) {
		sb_fail(&x->err, EXIT_NOTFOUND, "no %s %s '%s'", k->what,
			k == &K_FIP ? "with the address or the ID" : k->named ? "named or with the ID" : "with the ID", ref);
		if (x->project && !net_opts.target.all_projects)
			sb_addf(&x->err, " in project %s", project_label(x));
		return EXIT_NOTFOUND;
	}
	struct strbuf ids = STRBUF_INIT;
	size_t i;
	json_t *o;
	json_array_foreach(matches, i, o)
		sb_addf(&ids, "%s%s", i ? ", " : "", os_jstr(o, "id"));
	sb_fail(&x->err, EXIT_DATA, "%zu %ss match (%s); give an ID", n, k->what, ids.buf);
	sb_release(&ids);
	return EXIT_DATA;
}

int osn_lookup(struct osn *x, const struct kind *k, const char *ref, enum osn_scope scope, json_t **obj)
{
	*obj = NULL;
	if (looks_like_uuid(ref)) {
		json_t *o = NULL;
		int rc = by_id(x, k, ref, &o);
		if (rc == 0 && osn_in_scope(x, k, o, scope)) {
			*obj = o;
			return 0;
		}
		if (rc == 0) {
			sb_fail(&x->err, EXIT_NOTFOUND, "the %s with this ID is project %s's, not %s's (--all-projects "
				"reaches it)", k->what, os_jstr(o, "project_id"), project_label(x));
			json_decref(o);
			return EXIT_NOTFOUND;
		}
		if (rc != EXIT_NOTFOUND)
			return rc;
		sb_reset(&x->err);
	}
	int fam;
	unsigned char addr[16];
	const char *filter = k == &K_FIP ? (ip_parse(ref, &fam, addr) ? NULL : "floating_ip_address")
			     : k->named ? "name" : NULL;
	json_t *matches = json_array();
	int rc = 0;
	if (filter) {
		char *esc = http_escape(ref);
		char *q = xasprintf("?%s=%s", filter, esc);
		json_decref(matches);
		rc = scoped_list(x, k, q, scope, &matches);
		free(q);
		free(esc);
	}
	if (!rc)
		rc = one_match(x, k, ref, matches, obj);
	json_decref(matches);
	return rc;
}

int osn_find(struct osn *x, const struct kind *k, const char *ref, json_t **obj)
{
	return osn_lookup(x, k, ref, OSN_OWN, obj);
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
	const char *name = os_jstr(body, "name");
	info("%s %s: creating %s%s%s%s", x->verb, x->action, k->what, name ? " '" : "", name ? name : "",
	     name ? "'" : "");
	json_t *doc = wrap(k, body), *out = NULL;
	int rc = os_call(&x->c.s, "POST", "network", k->path, doc, &out, &x->err);
	json_decref(doc);
	return take(k, rc, out, obj);
}

int osn_put(struct osn *x, const struct kind *k, const char *id, json_t *body, json_t **obj)
{
	info("%s %s: changing %s %s", x->verb, x->action, k->what, id);
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
	info("%s %s: deleting %s %s", x->verb, x->action, k->what, id);
	int rc = os_call(&x->c.s, "DELETE", "network", path, NULL, NULL, &x->err);
	free(path);
	return rc;
}

/* targets */

/* cloud= in records: the clouds.yaml name, or "env" when the OS_* variables
 * made the cloud (lib/target.h). */
const char *osn_cloud(const struct osn *x)
{
	const char *env = getenv("OS_CLOUD");
	if (!net_opts.target.os_cloud && !(env && *env) && !x->c.cloud.config_file)
		return "env";
	return x->c.cloud.name;
}

/* Where this command acts, for lib/target: a record piped in from libvirt,
 * another cloud or another project names another object, even where its name
 * is the same. */
static int record_is_ours(struct osn *x, const struct record *r)
{
	struct target_spec here = { "openstack", (char *)osn_cloud(x), NULL,
				    net_opts.target.all_projects ? NULL : (char *)x->project };
	return target_check_record(&here, r, "<stdin>", &x->err);
}

/* The references of the records of kind k. An empty stream is nothing to do;
 * records none of which is of kind k are a mistake (65). */
static int refs_from_stdin(struct osn *x, const struct kind *k, struct strlist *refs, json_t *index)
{
	if (isatty(STDIN_FILENO))
		return osn_usage(x, "no %s named, and stdin is a terminal (give names, or records on stdin)", k->what);
	struct recset *in;
	if (net_read_input(&in, &x->err) < 0)
		return osn_fail(x, NULL, EXIT_DATA);
	int rc = 0;
	for (size_t i = 0; i < in->n && !rc; i++) {
		const struct record *r = &in->r[i];
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
		else if (!(rc = record_is_ours(x, r))) {
			strlist_add(refs, ref);
			json_array_append_new(index, json_integer((json_int_t)i));
		}
	}
	if (!rc && in->n && !refs->n)
		rc = sb_fail(&x->err, EXIT_DATA, "<stdin>: %zu record%s, none of kind=%s", in->n, in->n == 1 ? "" : "s",
			     k->kind);
	else if (!rc && !in->n)
		info("%s %s: no records on stdin: nothing to do", x->verb, x->action);
	return rc ? osn_fail(x, NULL, rc) : 0;
}

int osn_targets(struct osn *x, const struct kind *k, int argc, char **argv, enum osn_scope scope, json_t **objs)
{
	struct strlist refs = STRLIST_INIT;
	json_t *index = json_array(); /* of each ref from stdin, its record */
	int rc = 0;
	*objs = json_array();
	if (argc == 0 || (argc == 1 && !strcmp(argv[0], "-")))
		rc = refs_from_stdin(x, k, &refs, index);
	else
		for (int i = 0; i < argc; i++)
			strlist_add(&refs, argv[i]);
	for (size_t i = 0; i < refs.n && !rc; i++) {
		json_t *o = NULL;
		if ((rc = osn_lookup(x, k, refs.v[i], scope, &o)))
			osn_fail(x, refs.v[i], rc);
		else
			json_array_append_new(*objs, o);
		if (!rc && i < json_array_size(index) && os_jstr(o, "id"))
			json_object_set(x->inputs, os_jstr(o, "id"), json_array_get(index, i));
	}
	json_decref(index);
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
	int rc = scoped_list(x, k, query, OSN_USE, &items);
	if (rc) {
		json_decref(items);
		return osn_fail(x, NULL, rc);
	}
	if (json_array_size(items) > 1 && k->refs)
		preload_names(x, k->refs);
	size_t i;
	json_array_foreach(items, i, o)
		osn_emit(x, k, o, NULL, NULL);
	json_decref(items);
	return 0;
}

int osn_show_action(struct osn *x, const struct kind *k, int argc, char **argv)
{
	json_t *objs = NULL, *o;
	int rc = osn_targets(x, k, argc, argv, OSN_USE, &objs);
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
	int rc = osn_targets(x, k, argc, argv, OSN_OWN, &objs);
	if (rc)
		return rc;
	size_t i, failed = 0;
	json_array_foreach(objs, i, o) {
		if (interrupted()) { /* the rest is written as it is */
			osn_emit(x, k, o, NULL, NULL);
			continue;
		}
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

/* The record field a key of a request body stands for (cloudctl(7)); outer:
 * the key of the object it is in ("" at the top). */
static const char *field_of(const char *outer, const char *key)
{
	static const char *const map[][3] = {
		{ "", "router:external", "external" },	 { "", "enable_dhcp", "dhcp" },
		{ "", "gateway_ip", "gateway" },	 { "", "dns_nameservers", "dns" },
		{ "", "allocation_pools", "pools" },	 { "", "network_id", "net_id" },
		{ "external_gateway_info", "network_id", "external_net_id" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(map[i][0], outer) && !strcmp(map[i][1], key))
			return map[i][2];
	return key;
}

/* A value as records write it: none, "" (empty), true, 1450, a,b for a
 * list, START-END for a pool. */
static void value_text(struct strbuf *sb, const json_t *v)
{
	size_t i;
	json_t *e;
	if (!v || json_is_null(v))
		sb_adds(sb, "none");
	else if (json_is_string(v))
		sb_adds(sb, *json_string_value(v) ? json_string_value(v) : "\"\"");
	else if (json_is_boolean(v))
		sb_adds(sb, json_is_true(v) ? "true" : "false");
	else if (json_is_integer(v))
		sb_addf(sb, "%lld", (long long)json_integer_value(v));
	else if (json_is_array(v) && !json_array_size(v))
		sb_adds(sb, "none");
	else if (json_is_array(v))
		json_array_foreach(v, i, e) {
			if (i)
				sb_addc(sb, ',');
			value_text(sb, e);
		}
	else if (os_jstr(v, "start") && os_jstr(v, "end"))
		sb_addf(sb, "%s-%s", os_jstr(v, "start"), os_jstr(v, "end"));
	else
		sb_adds(sb, "?");
}

/* Two arrays with the same elements in any order (allocation pools: Neutron
 * keeps them in an order of its own). */
static int same_elements(const json_t *a, const json_t *b)
{
	size_t i, j;
	json_t *e, *f;
	if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b))
		return 0;
	json_array_foreach(a, i, e) {
		int found = 0;
		json_array_foreach(b, j, f)
			found |= json_equal(e, f);
		if (!found)
			return 0;
	}
	return 1;
}

static int same_value(const char *key, const json_t *want, const json_t *got)
{
	if (!strcmp(key, "allocation_pools"))
		return same_elements(want, got);
	return json_equal((json_t *)want, (json_t *)got) || (json_is_null(want) && !got);
}

/* --if-missing accepts only the object asked for: every key of the body the
 * create would have sent must have that value in the existing object (of an
 * object such as external_gateway_info, the keys asked). 0, or 73 with x->err
 * naming the first field that differs. */
static int differs(struct osn *x, const char *outer, const json_t *asked, const json_t *have)
{
	const char *key;
	json_t *want;
	json_object_foreach((json_t *)asked, key, want) {
		const json_t *got = json_object_get(have, key);
		int rc = 0;
		if (json_is_object(want) && json_object_size(want))
			rc = differs(x, key, want, got);
		if (rc)
			return rc;
		if (json_is_object(want) || same_value(key, want, got))
			continue;
		const char *f = field_of(outer, key);
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		value_text(&a, want);
		value_text(&b, got);
		rc = sb_fail(&x->err, EXIT_EXISTS, "exists with %s=%s; asked %s=%s (--if-missing takes only the same)", f,
			     b.buf, f, a.buf);
		sb_release(&a);
		sb_release(&b);
		return rc;
	}
	return 0;
}

/* What a create asks without saying it: a network is neither external nor
 * shared unless --external or --shared says so. Compared, not sent (Neutron
 * lets only an admin name these, even as false). */
static json_t *asked_of(const struct kind *k, const json_t *body)
{
	json_t *asked = json_deep_copy(body);
	if (k == &K_NET) {
		if (!json_object_get(asked, "router:external"))
			json_object_set_new(asked, "router:external", json_false());
		if (!json_object_get(asked, "shared"))
			json_object_set_new(asked, "shared", json_false());
	}
	return asked;
}

/* An existing object of the name: 73, or with --if-missing its record
 * (created=false) when it is what was asked. */
static int report_existing(struct osn *x, const struct kind *k, const char *name, const json_t *body,
			   const json_t *o)
{
	if (!net_opts.create.if_missing) {
		sb_fail(&x->err, EXIT_EXISTS, "a %s of this name exists already (--if-missing reports it)", k->what);
		return osn_fail(x, name, EXIT_EXISTS);
	}
	json_t *asked = asked_of(k, body);
	int rc = differs(x, "", asked, o);
	json_decref(asked);
	if (rc)
		return osn_fail(x, name, rc);
	osn_emit(x, k, o, "created", "false");
	return 0;
}

int osn_create_named(struct osn *x, const struct kind *k, const char *name, json_t *body)
{
	json_t *o = NULL;
	if (net_opts.create.description)
		json_object_set_new(body, "description", json_string(net_opts.create.description));
	int rc = osn_find(x, k, name, &o);
	if (rc == 0) {
		rc = report_existing(x, k, name, body, o);
		json_decref(body);
		json_decref(o);
		return rc;
	}
	if (rc != EXIT_NOTFOUND) {
		json_decref(body);
		return osn_fail(x, name, rc);
	}
	sb_reset(&x->err);
	json_object_set_new(body, "name", json_string(name));
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
		int rc = osn_lookup(x, &K_NET, ref, OSN_USE, net);
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
	/* options out of their driver's or action's scope were refused by tool_main;
	 * what a command makes or changes is its own project's */
	static const char *const every_project[] = { "list", "show", "delete", "disassociate", NULL };
	if (!rc && net_opts.target.all_projects &&
	    (!strcmp(verb, "tenant") || !osn_action_is(x->action, every_project)))
		rc = osn_usage(x, "--all-projects goes with list, show, delete and disassociate");
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
