/* tenant_api.c: tenant apply, delete and list through the API server. apply sends
 * the objects tenant render prints, with server-side apply; delete removes the
 * namespace (the server removes what is in it) only when it is a tenant's; list
 * reads every tenant namespace and every tenant quota in two requests. */
#include "k8s.h"

#include <stdlib.h>
#include <string.h>

static int tenant_apply(const char *name)
{
	struct kube_client kc;
	int rc = k8s_connect(&kc);
	if (rc)
		return rc;
	json_t *objs = tenant_objects(name);
	rc = k8s_apply_objects(&kc, objs, "tenant apply");
	json_decref(objs);
	kube_client_close(&kc);
	return rc;
}

static int gone(const char *type, json_t *obj, void *arg, struct strbuf *err)
{
	return obj ? KUBE_WAIT_MORE : 0;
}

static int delete_namespace(struct kube_client *kc, const char *name, struct strbuf *err)
{
	const struct kube_resource *res;
	int rc = kube_resource_for_kind(kc, "v1", "Namespace", &res, err);
	char *path = rc ? NULL : kube_path(res, NULL, name);
	json_t *ns = NULL;
	rc = rc ? rc : kube_request(kc, "GET", path, NULL, NULL, &ns, err);
	const char *label = json_string_value(
		json_object_get(json_object_get(json_object_get(ns, "metadata"), "labels"), TENANT_LABEL));
	if (!rc && !str_eq(label, name))
		rc = sb_fail(err, EXIT_DATA, "namespace \"%s\" is not a tenant's (no label %s=%s): not deleting it", name,
			     TENANT_LABEL, name);
	rc = rc ? rc : kube_request(kc, "DELETE", path, NULL, NULL, NULL, err);
	if (!rc && t_wait) {
		long long deadline = k8s_deadline(300000);
		rc = deadline < 0 ? sb_fail(err, EXIT_USAGE, "--timeout '%s': not a duration", k_timeout)
				  : kube_wait_object(kc, res, NULL, name, gone, NULL, deadline, err);
		if (rc == EXIT_TEMPFAIL)
			sb_fail(err, rc, "timed out waiting for namespace \"%s\" to go", name);
	}
	json_decref(ns);
	free(path);
	return rc;
}

static int tenant_delete(const char *name)
{
	struct kube_client kc;
	int rc = k8s_connect(&kc);
	if (rc)
		return rc;
	struct strbuf err = STRBUF_INIT;
	struct rec_writer *w = k8s_writer("kind,name,result");
	rc = w ? delete_namespace(&kc, name, &err) : EXIT_CONFIG;
	if (rc && w)
		errorx("tenant delete: %s", err.buf);
	if (!rc) {
		struct record r = { 0 };
		rec_set(&r, "kind", "tenant");
		rec_set(&r, "name", name);
		rec_set(&r, "result", t_wait ? "deleted" : "deleting");
		rec_write(w, &r);
		rec_clear(&r);
	}
	rc = k8s_finish(w, rc);
	sb_release(&err);
	kube_client_close(&kc);
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

static int list_tenants(struct kube_client *kc, struct rec_writer *w, struct strbuf *err)
{
	const struct kube_resource *nsr, *qr;
	json_t *namespaces = json_array(), *quotas = json_array();
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

static int tenant_list(void)
{
	struct kube_client kc;
	int rc = k8s_connect(&kc);
	if (rc)
		return rc;
	struct strbuf err = STRBUF_INIT;
	struct rec_writer *w = k8s_writer("name,phase,quota.requests.cpu.used,quota.requests.cpu.hard,"
					  "quota.requests.memory.used,quota.requests.memory.hard");
	rc = w ? list_tenants(&kc, w, &err) : EXIT_CONFIG;
	if (rc && w)
		errorx("tenant list: %s", err.buf);
	rc = k8s_finish(w, rc);
	sb_release(&err);
	kube_client_close(&kc);
	return rc;
}

/* tenant apply|delete NAME, tenant list: checked by cmd_tenant in the executable. */
int cmd_tenant_api(int argc, char **argv)
{
	if (!strcmp(argv[0], "list"))
		return tenant_list();
	return !strcmp(argv[0], "delete") ? tenant_delete(argv[1]) : tenant_apply(argv[1]);
}
