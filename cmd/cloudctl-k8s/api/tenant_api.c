/* tenant_api.c: tenant apply, delete and list through the API server. apply sends
 * the objects tenant render prints, with server-side apply; delete removes the
 * namespace (the server removes what is in it) only when it is a tenant's; list
 * reads every tenant namespace and every tenant quota in two requests. */
#include "../k8s.h"
#include "http.h"
#include "interrupt.h"

#include <stdlib.h>
#include <string.h>

/* The kinds of a tenant's objects in its namespace: what a re-apply that no
 * longer renders one of them removes. */
static const struct {
	const char *api, *kind;
} tenant_kinds[] = {
	{ "v1", "ResourceQuota" },
	{ "v1", "LimitRange" },
	{ "rbac.authorization.k8s.io/v1", "RoleBinding" },
	{ "networking.k8s.io/v1", "NetworkPolicy" },
};

static int rendered(const json_t *objs, const char *kind, const char *name)
{
	size_t i;
	json_t *o;
	json_array_foreach(objs, i, o) {
		const json_t *m = json_object_get(o, "metadata");
		if (str_eq(json_string_value(json_object_get(o, "kind")), kind) &&
		    str_eq(json_string_value(json_object_get(m, "name")), name))
			return 1;
	}
	return 0;
}

/* Ours: carries the tenant's label (the list selected by it) and was applied
 * by cloudctl's field manager; an object someone else made, even with the
 * label copied, is not. */
static int applied_by_us(const json_t *obj)
{
	const char *manager = k8s_opts()->tenant.apply.manager;
	size_t i;
	json_t *mf;
	json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "managedFields"), i, mf) {
		if (str_eq(json_string_value(json_object_get(mf, "manager")), manager ? manager : "cloudctl") &&
		    str_eq(json_string_value(json_object_get(mf, "operation")), "Apply"))
			return 1;
	}
	return 0;
}

struct prune {
	struct kube_client *kc;
	const struct kube_resource *res;
	const json_t *objs;
	const char *tenant;
	struct rec_writer *w;
	struct strbuf *err;
	int rc;
};

/* DELETE with the uid and resourceVersion listed as preconditions: an object
 * changed or made again since (409) is left alone. */
static void prune_one(const json_t *item, const char *kind, void *arg)
{
	struct prune *p = arg;
	const json_t *m = json_object_get(item, "metadata");
	const char *name = json_string_value(json_object_get(m, "name"));
	if (p->rc || !name || rendered(p->objs, p->res->kind, name) || !applied_by_us(item))
		return;
	if (k8s_interrupted()) {
		p->rc = sb_fail(p->err, K8S_EXIT_INTERRUPTED, "interrupted (%s) while removing what is no longer asked for: "
				"the records say what was removed; run it again to finish", k8s_interrupted());
		return;
	}
	info("tenant apply: deleting %s/%s: no longer asked for", p->res->kind, name);
	json_t *opts = json_pack("{s:s, s:s, s:{s:O, s:O}}", "apiVersion", "v1", "kind", "DeleteOptions", "preconditions",
				 "uid", json_object_get(m, "uid"), "resourceVersion", json_object_get(m, "resourceVersion"));
	char *body = json_dumps(opts, JSON_COMPACT);
	char *path = kube_path(p->res, p->tenant, name);
	int dry_run = k8s_opts()->tenant.apply.dry_run;
	char *url = xasprintf("%s%s", path, dry_run ? "?dryRun=All" : "");
	p->rc = kube_request(p->kc, "DELETE", url, "application/json", body, NULL, p->err);
	if (p->rc == EXIT_NOTFOUND) {
		p->rc = 0; /* gone already */
	} else if (p->rc) {
		char *why = xstrdup(p->err->buf);
		sb_fail(p->err, p->rc, "%s/%s: %s", p->res->kind, name, why);
		free(why);
	} else {
		struct record r = { 0 };
		k8s_object_record(&r, item, p->res->kind);
		rec_set(&r, "result", "deleted");
		if (dry_run)
			rec_set(&r, "dry_run", "true");
		rec_write(p->w, &r);
		rec_clear(&r);
	}
	free(url);
	free(path);
	free(body);
	json_decref(opts);
}

/* Remove the tenant's objects it no longer renders: one list per kind. */
static int prune(struct kube_client *kc, const char *name, const json_t *objs, struct rec_writer *w,
		 struct strbuf *err)
{
	char *selector = xasprintf("%s=%s", TENANT_LABEL, name);
	struct prune p = { kc, NULL, objs, name, w, err, 0 };
	for (size_t i = 0; !p.rc && i < ARRAY_SIZE(tenant_kinds); i++) {
		p.rc = kube_resource_for_kind(kc, tenant_kinds[i].api, tenant_kinds[i].kind, &p.res, err);
		char *path = p.rc ? NULL : kube_path(p.res, name, NULL);
		int lrc = p.rc ? p.rc : k8s_list(kc, path, selector, prune_one, &p, err);
		if (!p.rc)
			p.rc = lrc;
		free(path);
	}
	free(selector);
	return p.rc;
}

/* The namespace NAME (*ns, NULL when the server has none: 66), its resource
 * and path (to free) for what comes next. */
static int read_namespace(struct kube_client *kc, const char *name, const struct kube_resource **res, char **path,
			  json_t **ns, struct strbuf *err)
{
	*path = NULL;
	*ns = NULL;
	int rc = kube_resource_for_kind(kc, "v1", "Namespace", res, err);
	*path = rc ? NULL : kube_path(*res, NULL, name);
	return rc ? rc : kube_request(kc, "GET", *path, NULL, NULL, ns, err);
}

/* Whether the namespace carries cloudctl.dev/tenant=NAME. */
static int is_tenant(const json_t *ns, const char *name)
{
	return str_eq(json_string_value(json_object_get(
			      json_object_get(json_object_get(ns, "metadata"), "labels"), TENANT_LABEL)),
		      name);
}

/* A namespace that exists and is not this tenant's (someone's application, or
 * another tenant's under that name) is not taken over: its label would be
 * changed and default-deny policies put among its pods. */
static int not_anothers(struct kube_client *kc, const char *name, struct strbuf *err)
{
	const struct kube_resource *res;
	char *path;
	json_t *ns;
	int rc = read_namespace(kc, name, &res, &path, &ns, err);
	if (rc == EXIT_NOTFOUND)
		rc = 0; /* a new tenant */
	else if (!rc && !is_tenant(ns, name))
		rc = sb_fail(err, EXIT_EXISTS, "namespace \"%s\" exists and is not this tenant's (no label %s=%s): not "
			     "taking it over (label it so to make it one)", name, TENANT_LABEL, name);
	json_decref(ns);
	free(path);
	return rc;
}

static int apply_tenant(struct kube_client *kc, const char *name, struct rec_writer *w, struct strbuf *err)
{
	json_t *objs = tenant_objects(name);
	size_t applied;
	k8s_catch_interrupts();
	info("tenant apply: reading namespace %s: it must be new or this tenant's", name);
	int rc = not_anothers(kc, name, err);
	rc = rc ? rc : k8s_apply_objects(kc, objs, &k8s_opts()->tenant.apply, "tenant apply", w, &applied);
	if (!rc)
		info("tenant apply: looking for objects of tenant %s that it no longer renders", name);
	rc = rc ? rc : prune(kc, name, objs, w, err);
	json_decref(objs);
	return rc;
}

static int gone(const char *type, json_t *obj, void *arg, struct strbuf *err)
{
	return obj ? KUBE_WAIT_MORE : 0;
}

/* Until the namespace is gone: a signal ends the watch at once (the DELETE
 * before it was not cut short: its answer says the deletion began). */
static int wait_gone(struct kube_client *kc, const struct kube_resource *res, const char *name, long long deadline,
		     struct strbuf *err)
{
	info("tenant delete: waiting for namespace %s to go (at most %lld s)", name, (deadline - kube_now_ms() + 999) / 1000);
	http_client_stop_when(kc->http, interrupted);
	int rc = kube_wait_object(kc, res, NULL, name, gone, NULL, deadline, err);
	http_client_stop_when(kc->http, NULL);
	if (rc == EXIT_TEMPFAIL)
		sb_fail(err, rc, "timed out waiting for namespace \"%s\" to go (it is being deleted)", name);
	return rc;
}

/* DELETE the tenant's namespace (the server removes what is in it) and, with
 * --wait, wait until it is gone. *result: NULL while nothing is deleted, then
 * "deleting" once the server accepted the DELETE, "deleted" once it is gone. A
 * signal stops what is left: 130, with the namespace as far as it got. */
static int delete_namespace(struct kube_client *kc, const char *name, const char **result, struct strbuf *err)
{
	*result = NULL;
	int wait = k8s_opts()->tenant.wait;
	long long deadline = wait ? k8s_deadline(300000) : 0;
	if (deadline < 0)
		return sb_fail(err, EXIT_USAGE, "--timeout '%s': not a duration (e.g. 30s, 5m)",
			       k8s_opts()->global.timeout);
	const struct kube_resource *res;
	char *path;
	json_t *ns;
	info("tenant delete: reading namespace %s: it must be this tenant's", name);
	int rc = read_namespace(kc, name, &res, &path, &ns, err);
	if (!rc && !is_tenant(ns, name))
		rc = sb_fail(err, EXIT_DATA, "namespace \"%s\" is not a tenant's (no label %s=%s): not deleting it", name,
			     TENANT_LABEL, name);
	if (!rc && k8s_interrupted())
		rc = sb_fail(err, K8S_EXIT_INTERRUPTED, "interrupted (%s): nothing was deleted", k8s_interrupted());
	if (!rc)
		info("tenant delete: deleting namespace %s and everything in it", name);
	rc = rc ? rc : kube_request(kc, "DELETE", path, NULL, NULL, NULL, err);
	if (!rc)
		*result = "deleting";
	if (!rc && wait && !k8s_interrupted() && !(rc = wait_gone(kc, res, name, deadline, err)))
		*result = "deleted";
	if (*result && k8s_interrupted())
		rc = sb_fail(err, K8S_EXIT_INTERRUPTED, "interrupted (%s): namespace \"%s\" is %s", k8s_interrupted(), name,
			     strcmp(*result, "deleted") ? "being deleted, not gone yet" : "gone");
	json_decref(ns);
	free(path);
	return rc;
}

static int delete_tenant(struct kube_client *kc, const char *name, struct rec_writer *w, struct strbuf *err)
{
	const char *result = NULL;
	k8s_catch_interrupts();
	int rc = delete_namespace(kc, name, &result, err);
	if (result) { /* the server accepted the DELETE: whatever came after, say so */
		struct record r = { 0 };
		rec_set(&r, "kind", "tenant");
		rec_set(&r, "name", name);
		rec_set(&r, "result", result);
		rec_write(w, &r);
		rec_clear(&r);
	}
	return rc;
}

static void keep(const json_t *item, const char *kind, void *arg)
{
	json_array_append((json_t *)arg, (json_t *)item);
}

static const json_t *quota_of(const json_t *quotas, const char *ns)
{
	size_t i;
	json_t *q;
	json_array_foreach(quotas, i, q) {
		const json_t *m = json_object_get(q, "metadata");
		if (str_eq(json_string_value(json_object_get(m, "namespace")), ns))
			return q;
	}
	return NULL;
}

static int list_tenants(struct kube_client *kc, const char *unused, struct rec_writer *w, struct strbuf *err)
{
	const struct kube_resource *nsr, *qr;
	json_t *namespaces = json_array(), *quotas = json_array();
	info("tenant list: listing the namespaces and quotas labelled %s", TENANT_LABEL);
	int rc = kube_resource_for_kind(kc, "v1", "Namespace", &nsr, err);
	rc = rc ? rc : kube_resource_for_kind(kc, "v1", "ResourceQuota", &qr, err);
	char *npath = rc ? NULL : kube_path(nsr, NULL, NULL), *qpath = rc ? NULL : kube_path(qr, NULL, NULL);
	rc = rc ? rc : k8s_list(kc, npath, TENANT_LABEL, keep, namespaces, err);
	rc = rc ? rc : k8s_list(kc, qpath, TENANT_LABEL, keep, quotas, err);
	size_t i;
	json_t *ns;
	json_array_foreach(namespaces, i, ns) {
		if (rc)
			break;
		const json_t *m = json_object_get(ns, "metadata");
		const char *name = json_string_value(json_object_get(m, "name"));
		struct record r = { 0 };
		rec_set(&r, "kind", "tenant");
		rec_set(&r, "name", name);
		rec_set(&r, "phase", json_string_value(json_object_get(json_object_get(ns, "status"), "phase")));
		rec_set(&r, "created", json_string_value(json_object_get(m, "creationTimestamp")));
		const json_t *q = quota_of(quotas, name);
		if (q) {
			struct record qrec = { 0 };
			k8s_object_record(&qrec, q, "ResourceQuota");
			for (size_t f = 0; f < qrec.n; f++)
				if (str_starts(qrec.f[f].key, "quota."))
					rec_set(&r, qrec.f[f].key, qrec.f[f].val);
			rec_clear(&qrec);
		}
		rec_write(w, &r);
		rec_clear(&r);
	}
	free(npath);
	free(qpath);
	json_decref(namespaces);
	json_decref(quotas);
	return rc;
}

/* One tenant verb on a connection: act() writes its records to w and leaves the
 * reason of a failure in err (empty when it said it already). */
typedef int (*tenant_action)(struct kube_client *kc, const char *name, struct rec_writer *w, struct strbuf *err);

static int tenant_verb(const char *verb, const char *cols, tenant_action act, const char *name)
{
	struct kube_client kc;
	int rc = k8s_connect(&kc);
	if (rc)
		return rc;
	struct strbuf err = STRBUF_INIT;
	struct rec_writer *w = k8s_writer(cols);
	rc = w ? act(&kc, name, w, &err) : EXIT_CONFIG;
	if (rc && err.len)
		errorx("tenant %s: %s", verb, err.buf);
	rc = k8s_finish(w, rc);
	sb_release(&err);
	kube_client_close(&kc);
	return rc;
}

/* tenant apply|delete NAME, tenant list: checked by cmd_tenant in the executable. */
int cmd_tenant_api(int argc, char **argv)
{
	if (!strcmp(argv[0], "list"))
		return tenant_verb("list", "name,phase,quota.requests.cpu.used,quota.requests.cpu.hard,"
				   "quota.requests.memory.used,quota.requests.memory.hard", list_tenants, NULL);
	if (!strcmp(argv[0], "delete"))
		return tenant_verb("delete", "kind,name,result", delete_tenant, argv[1]);
	return tenant_verb("apply", "kind,name,namespace,result", apply_tenant, argv[1]);
}
