/* query.c: cloudctl-build resolve IMAGE[:TAG] and tags REPO. */
#include <string.h>

#include "build.h"
#include "oci/image.h"

#define DEFAULT_PLATFORM "linux/amd64"

static int one_operand(int argc, const char *verb, const char *what)
{
	if (argc == 1)
		return 0;
	errorx("%s: expected one operand, %s", verb, what);
	return EXIT_USAGE;
}

/* source= from the image's revision label, when it has one. */
static void add_source(struct oci_dest *d, const struct oci_manifest *m, struct record *r)
{
	struct strbuf cfg = STRBUF_INIT, err = STRBUF_INIT;
	if (d->ops->get_blob(d, m->config.digest, &cfg, &err) == 0) {
		json_t *j = json_loadb(cfg.buf, cfg.len, 0, NULL);
		const char *rev = json_string_value(
			json_object_get(json_object_get(json_object_get(j, "config"), "Labels"), LABEL_REVISION));
		if (rev)
			rec_set(r, "source", rev);
		json_decref(j);
	}
	sb_release(&cfg);
	sb_release(&err);
}

int cmd_resolve(const struct build_common_opts *registry, int argc, char **argv)
{
	int rc = one_operand(argc, "resolve", "the image (oci:PATH:TAG)");
	if (rc)
		return rc;
	struct oci_dest *d;
	struct strbuf err = STRBUF_INIT, bytes = STRBUF_INIT;
	if ((rc = store_open(argv[0], 0, registry, 0, &d, &err))) {
		errorx("%s", err.buf);
		sb_release(&err);
		return rc;
	}
	const char *tag = d->tag ? d->tag : "latest";
	struct oci_platform p;
	image_parse_platform(DEFAULT_PLATFORM, &p);
	char *mt = NULL, digest[OCI_DIGEST_MAX];
	struct oci_manifest m = { 0 };
	char *ref = store_ref(d, tag);
	info("resolving %s (for %s/%s when it is an index)", ref, p.os, p.arch);
	rc = store_resolve(d, tag, &p, &bytes, &mt, digest, &err);
	if (!rc)
		rc = image_manifest_parse(bytes.buf, bytes.len, ref, &m, &err);
	if (!rc) {
		struct record r = RECORD_INIT;
		rec_set(&r, "kind", "image");
		rec_set(&r, "ref", ref);
		rec_set(&r, "digest", digest);
		add_source(d, &m, &r);
		unsigned long long size = bytes.len + m.config.size;
		for (size_t i = 0; i < m.n; i++)
			size += m.layers[i].size;
		rec_setf(&r, "size", "%llu", size);
		rec_setf(&r, "layers", "%zu", m.n);
		struct rec_writer *w = build_writer("ref,digest,source,size,layers");
		rec_write(w, &r);
		rec_clear(&r);
		rc = build_finish(w, 0);
	} else {
		errorx("%s", err.buf);
	}
	image_manifest_clear(&m);
	image_platform_clear(&p);
	free(ref);
	free(mt);
	d->ops->close(d);
	sb_release(&bytes);
	sb_release(&err);
	return rc;
}

int cmd_tags(const struct build_common_opts *registry, int argc, char **argv)
{
	int rc = one_operand(argc, "tags", "the repository (oci:PATH)");
	if (rc)
		return rc;
	struct oci_dest *d;
	struct strbuf err = STRBUF_INIT;
	struct strlist tags = STRLIST_INIT;
	if ((rc = store_open(argv[0], 0, registry, 0, &d, &err)) == 0)
		info("listing the tags of %s", d->name);
	if (!rc && (rc = d->ops->list_tags(d, &tags, &err)) == 0) {
		struct rec_writer *w = build_writer("repo,tag");
		for (size_t i = 0; i < tags.n; i++) {
			struct record r = RECORD_INIT;
			rec_set(&r, "kind", "tag");
			rec_set(&r, "repo", d->name);
			rec_set(&r, "tag", tags.v[i]);
			rec_write(w, &r);
			rec_clear(&r);
		}
		rc = build_finish(w, 0);
	}
	if (rc && err.len)
		errorx("%s", err.buf);
	if (d)
		d->ops->close(d);
	strlist_clear(&tags);
	sb_release(&err);
	return rc;
}
