/* image.c: OCI image configs and manifests (see image.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "oci/image.h"

void image_dump(const json_t *j, struct strbuf *out)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	sb_adds(out, s);
	free(s);
}

char *image_rfc3339(long long epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[32];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

int image_parse_platform(const char *s, struct oci_platform *p)
{
	memset(p, 0, sizeof *p);
	const char *a = strchr(s, '/');
	if (!a || a == s || !a[1])
		return -1;
	const char *v = strchr(a + 1, '/');
	if (v && (v == a + 1 || !v[1] || strchr(v + 1, '/')))
		return -1;
	p->os = xstrndup(s, (size_t)(a - s));
	char *arch = v ? xstrndup(a + 1, (size_t)(v - a - 1)) : xstrdup(a + 1);
	if (strcmp(arch, "x86_64") == 0 || strcmp(arch, "x86-64") == 0) {
		free(arch);
		arch = xstrdup("amd64");
	} else if (strcmp(arch, "aarch64") == 0) {
		free(arch);
		arch = xstrdup("arm64");
	}
	p->arch = arch;
	p->variant = v ? xstrdup(v + 1) : NULL;
	return 0;
}

void image_platform_clear(struct oci_platform *p)
{
	free(p->os);
	free(p->arch);
	free(p->variant);
	memset(p, 0, sizeof *p);
}

int image_parse_argv(const char *s, json_t **out, struct strbuf *err)
{
	*out = NULL;
	const char *t = s + strspn(s, " \t");
	if (*t == '[') {
		json_error_t je;
		json_t *a = json_loads(t, 0, &je);
		size_t i;
		json_t *v;
		int ok = a && json_is_array(a);
		json_array_foreach(ok ? a : NULL, i, v) ok = ok && json_is_string(v);
		if (!ok) {
			json_decref(a);
			return sb_fail(err, EXIT_USAGE, "'%s': expected a JSON array of strings or words", s);
		}
		*out = a;
		return 0;
	}
	json_t *a = json_array();
	while (*t) {
		size_t n = strcspn(t, " \t");
		char *w = xstrndup(t, n);
		json_array_append_new(a, json_string(w));
		free(w);
		t += n;
		t += strspn(t, " \t");
	}
	*out = a;
	return 0;
}

void oci_desc_clear(struct oci_desc *d)
{
	free(d->media_type);
	memset(d, 0, sizeof *d);
}

json_t *oci_desc_json(const struct oci_desc *d)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type, "digest", d->digest, "size",
			 (json_int_t)d->size);
}

int oci_desc_parse(const json_t *j, const char *what, struct oci_desc *d, struct strbuf *err)
{
	memset(d, 0, sizeof *d);
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	const char *dg = json_string_value(json_object_get(j, "digest"));
	json_t *size = json_object_get(j, "size");
	if (!json_is_object(j) || !dg || !json_is_integer(size) || json_integer_value(size) < 0)
		return sb_fail(err, EXIT_DATA, "%s: a descriptor without digest or size", what);
	if (!oci_digest_valid(dg))
		return sb_fail(err, EXIT_DATA, "%s: unsupported digest '%.80s' (sha256 only)", what, dg);
	d->media_type = xstrdup(mt ? mt : "");
	snprintf(d->digest, sizeof d->digest, "%s", dg);
	d->size = (unsigned long long)json_integer_value(size);
	return 0;
}

const char *image_layer_media_type(const char *mt)
{
	if (strcmp(mt, MT_DOCKER_LAYER_GZIP) == 0)
		return MT_OCI_LAYER_GZIP;
	if (strcmp(mt, "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip") == 0)
		return "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
	return mt;
}

/* ---- the config ---- */

static json_t *object_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(obj, key, v);
	}
	return v;
}

static json_t *array_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_array(v)) {
		v = json_array();
		json_object_set_new(obj, key, v);
	}
	return v;
}

static void set_env(json_t *env, const char *kv)
{
	size_t klen = strcspn(kv, "=") + 1, i;
	json_t *v;
	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);
		if (s && strncmp(s, kv, klen) == 0) {
			json_array_set_new(env, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
}

static void apply_runtime(json_t *cc, const struct image_settings *s)
{
	if (s->entrypoint) {
		json_object_set(cc, "Entrypoint", s->entrypoint);
		if (!s->cmd)
			json_object_del(cc, "Cmd"); /* as a Dockerfile's ENTRYPOINT does */
	}
	if (s->cmd)
		json_object_set(cc, "Cmd", s->cmd);
	for (size_t i = 0; s->env && i < s->env->n; i++)
		set_env(array_member(cc, "Env"), s->env->v[i]);
	if (s->workdir)
		json_object_set_new(cc, "WorkingDir", json_string(s->workdir));
	if (s->user)
		json_object_set_new(cc, "User", json_string(s->user));
	json_t *labels = object_member(cc, "Labels");
	for (size_t i = 0; s->labels && i < s->labels->n; i++) {
		const char *kv = s->labels->v[i], *eq = strchr(kv, '=');
		char *k = xstrndup(kv, eq ? (size_t)(eq - kv) : strlen(kv));
		json_object_set_new(labels, k, json_string(eq ? eq + 1 : ""));
		free(k);
	}
}

int image_config_build(const json_t *base, const struct image_settings *s, struct strbuf *out, struct strbuf *err)
{
	if (base && !json_is_object(base))
		return sb_fail(err, EXIT_DATA, "base image config: not a JSON object");
	json_t *c = base ? json_deep_copy(base) : json_object();
	json_object_set_new(c, "created", json_string(s->created));
	json_object_set_new(c, "architecture", json_string(s->platform.arch));
	json_object_set_new(c, "os", json_string(s->platform.os));
	if (s->platform.variant)
		json_object_set_new(c, "variant", json_string(s->platform.variant));
	apply_runtime(object_member(c, "config"), s);
	json_t *rootfs = object_member(c, "rootfs");
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_array_append_new(array_member(rootfs, "diff_ids"), json_string(s->diff_id));
	json_array_append_new(array_member(c, "history"),
			      json_pack("{s:s, s:s}", "created", s->created, "created_by", s->history_by));
	sb_reset(out);
	image_dump(c, out);
	json_decref(c);
	return 0;
}

/* ---- manifests ---- */

void image_manifest_build(const struct oci_desc *config, const struct oci_desc *layers, size_t n,
			  const json_t *annotations, struct strbuf *out)
{
	json_t *m = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "config",
			      oci_desc_json(config));
	json_t *ls = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(ls, oci_desc_json(&layers[i]));
	json_object_set_new(m, "layers", ls);
	if (annotations && json_object_size(annotations))
		json_object_set(m, "annotations", (json_t *)annotations);
	sb_reset(out);
	image_dump(m, out);
	json_decref(m);
}

static json_t *load_object(const char *bytes, size_t len, const char *what, struct strbuf *err)
{
	json_error_t je;
	json_t *j = json_loadb(bytes, len, 0, &je);
	if (!j)
		sb_fail(err, EXIT_DATA, "%s: not JSON (line %d: %s)", what, je.line, je.text);
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		sb_fail(err, EXIT_DATA, "%s: not a JSON object", what);
	}
	return j;
}

int image_manifest_parse(const char *bytes, size_t len, const char *what, struct oci_manifest *m, struct strbuf *err)
{
	memset(m, 0, sizeof *m);
	json_t *j = load_object(bytes, len, what, err);
	if (!j)
		return EXIT_DATA;
	json_t *layers = json_object_get(j, "layers");
	int rc = json_integer_value(json_object_get(j, "schemaVersion")) != 2 || !json_is_array(layers)
			 ? sb_fail(err, EXIT_DATA, "%s: not an image manifest (schemaVersion 2 with layers)", what)
			 : oci_desc_parse(json_object_get(j, "config"), what, &m->config, err);
	for (size_t i = 0; !rc && i < json_array_size(layers); i++) {
		m->layers = xrealloc(m->layers, (m->n + 1) * sizeof *m->layers);
		rc = oci_desc_parse(json_array_get(layers, i), what, &m->layers[m->n], err);
		if (!rc)
			m->n++;
	}
	json_decref(j);
	if (rc)
		image_manifest_clear(m);
	return rc;
}

void image_manifest_clear(struct oci_manifest *m)
{
	oci_desc_clear(&m->config);
	for (size_t i = 0; i < m->n; i++)
		oci_desc_clear(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof *m);
}

int image_is_index(const char *media_type, const char *bytes, size_t len)
{
	if (media_type && (strcmp(media_type, MT_OCI_INDEX) == 0 || strcmp(media_type, MT_DOCKER_LIST) == 0))
		return 1;
	if (media_type && *media_type)
		return 0;
	json_t *j = json_loadb(bytes, len, 0, NULL);
	int idx = json_is_array(json_object_get(j, "manifests")) && !json_object_get(j, "layers");
	json_decref(j);
	return idx;
}

static int platform_matches(const json_t *pl, const struct oci_platform *p)
{
	const char *os = json_string_value(json_object_get(pl, "os"));
	const char *arch = json_string_value(json_object_get(pl, "architecture"));
	const char *variant = json_string_value(json_object_get(pl, "variant"));
	return str_eq(os, p->os) && str_eq(arch, p->arch) && (!p->variant || str_eq(variant, p->variant));
}

int image_index_pick(const char *bytes, size_t len, const char *what, const struct oci_platform *p,
		     struct oci_desc *out, struct strbuf *err)
{
	json_t *j = load_object(bytes, len, what, err);
	if (!j)
		return EXIT_DATA;
	json_t *ms = json_object_get(j, "manifests"), *m;
	size_t i;
	int rc = EXIT_NOTFOUND;
	json_array_foreach(ms, i, m) {
		if (platform_matches(json_object_get(m, "platform"), p)) {
			rc = oci_desc_parse(m, what, out, err);
			break;
		}
	}
	if (rc == EXIT_NOTFOUND)
		sb_fail(err, rc, "%s: no image for platform %s/%s%s%s", what, p->os, p->arch, p->variant ? "/" : "",
			p->variant ? p->variant : "");
	json_decref(j);
	return rc;
}
