/* apply.c: server-side apply (PATCH, application/apply-patch+yaml). The object
 * goes as JSON, which is YAML: the server merges it by field manager, answers
 * 409 with the conflicting fields, and creates the object when it is missing. */
#include "kube/client.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

static const char *str_at(const json_t *obj, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(obj, k1);
	if (k2)
		v = json_object_get(v, k2);
	return json_string_value(v);
}

int kube_apply(struct kube_client *kc, const json_t *obj, const char *default_ns, const struct kube_apply_opts *o,
	       json_t **result, int *created, struct strbuf *err)
{
	const char *api = str_at(obj, "apiVersion", NULL), *kind = str_at(obj, "kind", NULL);
	const char *name = str_at(obj, "metadata", "name"), *ns = str_at(obj, "metadata", "namespace");
	if (!api || !kind || !name || !*name)
		return sb_fail(err, EXIT_DATA, "an object needs apiVersion, kind and metadata.name");
	const struct kube_resource *r;
	int rc = kube_resource_for_kind(kc, api, kind, &r, err);
	if (rc)
		return rc;
	char *path = kube_path(r, ns && *ns ? ns : default_ns, name);
	char *url = xasprintf("%s?fieldManager=%s%s%s", path, o && o->manager ? o->manager : "cloudctl",
			      o && o->force ? "&force=true" : "", o && o->dry_run ? "&dryRun=All" : "");
	char *body = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = kube_request(kc, "PATCH", url, "application/apply-patch+yaml", body, result, err);
	if (created)
		*created = kc->last_status == 201;
	free(body);
	free(url);
	free(path);
	return rc;
}
