/* discovery.c: resource paths from the server's discovery documents (/api, /apis,
 * and each group version's APIResourceList), read once per process and only as far
 * as needed: applying a manifest reads just the group versions it names. */
#include "kube/client.h"
#include "log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int discovered(const struct kube_client *kc, const char *gv)
{
	for (size_t i = 0; i < kc->discovered.n; i++)
		if (!strcmp(kc->discovered.v[i], gv))
			return 1;
	return 0;
}

static struct kube_resource *find(struct kube_client *kc, const char *group, const char *version, const char *name)
{
	for (size_t i = 0; i < kc->nres; i++) {
		struct kube_resource *r = &kc->res[i];
		if (!strcmp(r->group, group) && !strcmp(r->version, version) && !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

static void add_resource(struct kube_client *kc, const char *group, const char *version, json_t *e, int preferred)
{
	const char *name = json_string_value(json_object_get(e, "name"));
	const char *kind = json_string_value(json_object_get(e, "kind"));
	if (!name || !kind || strchr(name, '/')) /* subresources such as deployments/status */
		return;
	struct kube_resource *r = find(kc, group, version, name);
	if (r) {
		r->preferred |= preferred;
		return;
	}
	if (kc->nres == kc->allocres) {
		kc->allocres = kc->allocres ? 2 * kc->allocres : 64;
		kc->res = xrealloc(kc->res, kc->allocres * sizeof *kc->res);
	}
	r = &kc->res[kc->nres++];
	memset(r, 0, sizeof *r);
	const char *singular = json_string_value(json_object_get(e, "singularName"));
	r->group = xstrdup(group);
	r->version = xstrdup(version);
	r->name = xstrdup(name);
	r->kind = xstrdup(kind);
	/* older servers leave singularName empty; kubectl then uses the lower-case kind */
	r->singular = singular && *singular ? xstrdup(singular) : xstrdup(kind);
	if (!singular || !*singular)
		for (char *p = r->singular; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	r->namespaced = json_is_true(json_object_get(e, "namespaced"));
	r->preferred = preferred;
	size_t i;
	json_t *sn;
	json_array_foreach(json_object_get(e, "shortNames"), i, sn)
		if (json_is_string(sn))
			strlist_add(&r->short_names, json_string_value(sn));
}

/* Read one group version's APIResourceList. */
static int read_group_version(struct kube_client *kc, const char *group, const char *version, int preferred,
			      struct strbuf *err)
{
	char *gv = *group ? xasprintf("%s/%s", group, version) : xstrdup(version);
	int rc = 0;
	if (!discovered(kc, gv) || preferred) {
		char *path = *group ? xasprintf("/apis/%s", gv) : xasprintf("/api/%s", gv);
		json_t *list = NULL;
		rc = kube_request(kc, "GET", path, NULL, NULL, &list, err);
		if (rc == EXIT_NOTFOUND)
			sb_fail(err, rc, "the server has no API version %s", gv);
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(list, "resources"), i, e)
			add_resource(kc, group, version, e, preferred);
		if (!rc)
			strlist_add(&kc->discovered, gv);
		json_decref(list);
		free(path);
	}
	free(gv);
	return rc;
}

/* Every group at its preferred version: /api (the core group, v1) and /apis. */
static int discover_all(struct kube_client *kc, struct strbuf *err)
{
	if (discovered(kc, "*"))
		return 0;
	json_t *core = NULL, *groups = NULL;
	int rc = kube_request(kc, "GET", "/api", NULL, NULL, &core, err);
	const char *v = json_string_value(json_array_get(json_object_get(core, "versions"), 0));
	if (!rc && !v)
		rc = sb_fail(err, EXIT_DATA, "GET /api: the server lists no versions");
	if (!rc)
		rc = read_group_version(kc, "", v, 1, err);
	if (!rc)
		rc = kube_request(kc, "GET", "/apis", NULL, NULL, &groups, err);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(groups, "groups"), i, g) {
		if (rc)
			break;
		const char *name = json_string_value(json_object_get(g, "name"));
		json_t *pref = json_object_get(g, "preferredVersion");
		const char *pv = json_string_value(json_object_get(pref, "version"));
		if (!pv) /* no preference stated: the first version listed */
			pv = json_string_value(json_object_get(json_array_get(json_object_get(g, "versions"), 0), "version"));
		if (name && pv)
			rc = read_group_version(kc, name, pv, 1, err);
	}
	json_decref(core);
	json_decref(groups);
	if (!rc)
		strlist_add(&kc->discovered, "*");
	return rc;
}

int kube_resource_for_kind(struct kube_client *kc, const char *api_version, const char *kind,
			   const struct kube_resource **out, struct strbuf *err)
{
	const char *slash = strchr(api_version, '/');
	char *group = slash ? xstrndup(api_version, (size_t)(slash - api_version)) : xstrdup("");
	const char *version = slash ? slash + 1 : api_version;
	int rc = read_group_version(kc, group, version, 0, err);
	*out = NULL;
	for (size_t i = 0; !rc && i < kc->nres && !*out; i++) {
		const struct kube_resource *r = &kc->res[i];
		if (!strcmp(r->group, group) && !strcmp(r->version, version) && !strcmp(r->kind, kind))
			*out = r;
	}
	if (!rc && !*out)
		rc = sb_fail(err, EXIT_NOTFOUND, "the server has no kind %s in %s", kind, api_version);
	free(group);
	return rc;
}

static int names_match(const struct kube_resource *r, const char *what)
{
	if (!strcasecmp(r->name, what) || !strcasecmp(r->singular, what) || !strcasecmp(r->kind, what))
		return 1;
	for (size_t i = 0; i < r->short_names.n; i++)
		if (!strcasecmp(r->short_names.v[i], what))
			return 1;
	return 0;
}

int kube_resource_lookup(struct kube_client *kc, const char *what, const struct kube_resource **out,
			 struct strbuf *err)
{
	*out = NULL;
	int rc = discover_all(kc, err);
	if (rc)
		return rc;
	/* "deployments.apps": a resource qualified by its group */
	const char *dot = strchr(what, '.');
	char *name = dot ? xstrndup(what, (size_t)(dot - what)) : xstrdup(what);
	const char *group = dot ? dot + 1 : NULL;
	/* discovery order: the core group first, as kubectl prefers it */
	for (size_t i = 0; i < kc->nres && !*out; i++) {
		const struct kube_resource *r = &kc->res[i];
		if (r->preferred && names_match(r, name) && (!group || !strcmp(r->group, group)))
			*out = r;
	}
	free(name);
	if (!*out)
		return sb_fail(err, EXIT_NOTFOUND, "the server has no resource type \"%s\"", what);
	return 0;
}
