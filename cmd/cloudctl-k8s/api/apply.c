/* apply.c: cloudctl-k8s apply -f FILE|-: server-side apply of a YAML stream, one
 * record per object. Every document is checked before the first is sent, so a
 * malformed file changes nothing on the server. */
#include "../k8s.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *str_at(const json_t *obj, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(obj, k1);
	return json_string_value(k2 ? json_object_get(v, k2) : v);
}

/* The first object before index n with obj's apiVersion group, kind, namespace
 * and name; n when there is none. */
static size_t first_same(const json_t *objs, const json_t *obj, size_t n)
{
	const char *api = str_at(obj, "apiVersion", NULL), *slash = strchr(api, '/');
	size_t glen = slash ? (size_t)(slash - api) : 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(objs, i);
		const char *oapi = str_at(o, "apiVersion", NULL), *oslash = strchr(oapi, '/');
		size_t olen = oslash ? (size_t)(oslash - oapi) : 0;
		if (glen == olen && !strncmp(api, oapi, glen) && str_eq(str_at(o, "kind", NULL), str_at(obj, "kind", NULL)) &&
		    str_eq(str_at(o, "metadata", "name"), str_at(obj, "metadata", "name")) &&
		    str_eq(str_at(o, "metadata", "namespace"), str_at(obj, "metadata", "namespace")))
			return i;
	}
	return n;
}

/* Documents -> the objects to apply: empty documents dropped, Lists expanded. */
static int collect(const char *file, json_t *docs, json_t *objs)
{
	const char *want_ns = k8s_opts()->global.namespace;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d) {
		if (json_is_null(d))
			continue;
		const char *kind = str_at(d, "kind", NULL);
		if (kind && !strcmp(kind, "List") && json_is_array(json_object_get(d, "items"))) {
			json_array_extend(objs, json_object_get(d, "items"));
			continue;
		}
		json_array_append(objs, d);
	}
	json_array_foreach(objs, i, d) {
		const char *name = str_at(d, "metadata", "name");
		if (!json_is_object(d) || !str_at(d, "apiVersion", NULL) || !str_at(d, "kind", NULL) || !name || !*name) {
			errorx("%s: object %zu: needs apiVersion, kind and metadata.name", file, i + 1);
			return EXIT_DATA;
		}
		const char *ns = str_at(d, "metadata", "namespace");
		if (want_ns && ns && strcmp(ns, want_ns) != 0) {
			errorx("%s: %s/%s: its namespace '%s' is not the --namespace '%s'", file, str_at(d, "kind", NULL),
			       name, ns, want_ns);
			return EXIT_DATA;
		}
		size_t j = first_same(objs, d, i);
		if (j < i) {
			errorx("%s: object %zu: %s/%s is object %zu too: one of them would silently undo the other", file,
			       i + 1, str_at(d, "kind", NULL), name, j + 1);
			return EXIT_DATA;
		}
	}
	if (json_array_size(objs) == 0) {
		errorx("%s: no objects to apply", file);
		return EXIT_DATA;
	}
	return 0;
}

int k8s_apply_objects(struct kube_client *kc, const json_t *objs, const struct kube_apply_opts *o, const char *what,
		      struct rec_writer *w, size_t *applied)
{
	struct strbuf err = STRBUF_INIT;
	struct record r = { 0 };
	int rc = 0;
	size_t i;
	json_t *obj;
	*applied = 0;
	json_array_foreach(objs, i, obj) {
		if (k8s_interrupted()) {
			errorx("%s: interrupted (%s) after %zu of %zu objects: the records say which exist; run it again "
			       "to finish", what, k8s_interrupted(), i, json_array_size(objs));
			rc = K8S_EXIT_INTERRUPTED;
			break;
		}
		json_t *res = NULL;
		int created = 0;
		info("%s: applying %s/%s (%zu of %zu)", what, str_at(obj, "kind", NULL), str_at(obj, "metadata", "name"), i + 1,
		     json_array_size(objs));
		rc = kube_apply(kc, obj, k8s_namespace(kc), o, &res, &created, &err);
		if (rc) {
			errorx("%s: %s/%s: %s", what, str_at(obj, "kind", NULL), str_at(obj, "metadata", "name"), err.buf);
			break;
		}
		k8s_object_record(&r, res, NULL);
		rec_set(&r, "result", created ? "created" : "applied");
		if (o->dry_run)
			rec_set(&r, "dry_run", "true");
		rec_write(w, &r);
		rec_clear(&r);
		json_decref(res);
		(*applied)++;
	}
	sb_release(&err);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	if (argc > 0) {
		errorx("apply: unexpected operand '%s' (the objects come from -f FILE or -f -)", argv[0]);
		return EXIT_USAGE;
	}
	const struct apply_options *o = &k8s_opts()->apply;
	if (!o->file) {
		errorx("apply: give the objects with -f FILE (or -f - for stdin)");
		return EXIT_USAGE;
	}
	const char *name = strcmp(o->file, "-") ? o->file : "<stdin>";
	struct strbuf err = STRBUF_INIT;
	json_t *docs = NULL, *objs = json_array();
	int rc = 0;
	if (strcmp(o->file, "-") != 0 && (rc = kube_file_check("apply: -f", o->file, &err))) {
		errorx("%s", err.buf);
	} else if (yaml_read_file(o->file, &docs, &err) < 0) {
		errorx("%s", err.buf);
		rc = EXIT_DATA;
	}
	rc = rc ? rc : collect(name, docs, objs);
	if (!rc)
		info("apply: %zu object%s from %s, checked", json_array_size(objs), json_array_size(objs) == 1 ? "" : "s",
		     name);
	struct kube_client kc;
	if (!rc && !(rc = k8s_connect(&kc))) {
		struct rec_writer *w = k8s_writer("kind,name,namespace,result");
		size_t applied;
		k8s_catch_interrupts();
		rc = w ? k8s_apply_objects(&kc, objs, &o->apply, name, w, &applied) : EXIT_CONFIG;
		rc = k8s_finish(w, rc);
		kube_client_close(&kc);
	}
	json_decref(objs);
	json_decref(docs);
	sb_release(&err);
	return rc;
}
