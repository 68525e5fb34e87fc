/* get.c: cloudctl-k8s get KIND [NAME...]: objects as records. The resource type is
 * found by discovery (plural, singular, short name or kind, as kubectl takes
 * them); lists are read page by page, so nothing is cut off. */
#include "../k8s.h"
#include "http.h"

#include <stdlib.h>
#include <string.h>

/* Every item of a list path, following continue tokens; each goes to emit(). */
int k8s_list(struct kube_client *kc, const char *path, const char *selector,
	     void (*emit)(const json_t *item, const char *kind, void *arg), void *arg, struct strbuf *err)
{
	char *cont = NULL, *sel = selector ? http_escape(selector) : NULL;
	int rc = 0;
	do {
		char *url = xasprintf("%s?limit=500%s%s%s%s", path, sel ? "&labelSelector=" : "", sel ? sel : "",
				      cont ? "&continue=" : "", cont ? cont : "");
		json_t *list = NULL;
		rc = kube_request(kc, "GET", url, NULL, NULL, &list, err);
		free(url);
		free(cont);
		cont = NULL;
		/* items carry no kind in a list: it is the list's kind without "List" */
		const char *lk = json_string_value(json_object_get(list, "kind"));
		char *kind = lk && str_ends(lk, "List") ? xstrndup(lk, strlen(lk) - 4) : NULL;
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(list, "items"), i, item)
			emit(item, kind, arg);
		const char *c = json_string_value(json_object_get(json_object_get(list, "metadata"), "continue"));
		if (c && *c)
			cont = http_escape(c);
		free(kind);
		json_decref(list);
	} while (!rc && cont);
	free(cont);
	free(sel);
	return rc;
}

static void emit_record(const json_t *item, const char *kind, void *arg)
{
	struct record r = { 0 };
	k8s_object_record(&r, item, kind);
	rec_write(arg, &r);
	rec_clear(&r);
}

int cmd_get(int argc, char **argv)
{
	if (argc < 1) {
		errorx("get: name the resource type: get KIND [NAME...]");
		return EXIT_USAGE;
	}
	const struct get_options *o = &k8s_opts()->get;
	/* as kubectl: a selector or every namespace would be passed over for named objects */
	if (argc > 1 && (o->selector || o->all_namespaces)) {
		errorx("get: objects named (%s) cannot also be chosen by %s", argv[1],
		       o->selector ? "--selector" : "--all-namespaces (a name is looked up in one namespace: -n)");
		return EXIT_USAGE;
	}
	struct kube_client kc;
	int rc = k8s_connect(&kc);
	if (rc)
		return rc;
	struct strbuf err = STRBUF_INIT;
	const struct kube_resource *res;
	rc = kube_resource_lookup(&kc, argv[0], &res, &err);
	struct rec_writer *w = rc ? NULL : k8s_writer(res->namespaced && (o->all_namespaces || argc > 1) ?
							"kind,name,namespace,created" : "kind,name,created");
	if (!rc && !w)
		rc = EXIT_CONFIG;
	const char *ns = o->all_namespaces ? NULL : k8s_namespace(&kc);
	if (!rc && argc == 1) {
		char *path = kube_path(res, ns, NULL);
		info("get: listing %s%s%s%s%s", res->name, !res->namespaced ? "" : ns ? " in namespace " : " in every namespace",
		     res->namespaced && ns ? ns : "", o->selector ? " with labels " : "", o->selector ? o->selector : "");
		rc = k8s_list(&kc, path, o->selector, emit_record, w, &err);
		free(path);
	}
	for (int i = 1; !rc && i < argc; i++) {
		char *path = kube_path(res, ns, argv[i]);
		json_t *obj = NULL;
		info("get: reading %s/%s%s%s", res->singular, argv[i], res->namespaced ? " in namespace " : "",
		     res->namespaced ? ns : "");
		rc = kube_request(&kc, "GET", path, NULL, NULL, &obj, &err);
		if (!rc)
			emit_record(obj, res->kind, w);
		json_decref(obj);
		free(path);
	}
	if (rc)
		errorx("get: %s", err.buf);
	rc = k8s_finish(w, rc);
	sb_release(&err);
	kube_client_close(&kc);
	return rc;
}
