/* image.h: OCI image configs, manifests and indexes as JSON.
 *
 * What is written is byte-stable: compact JSON with every object's keys in
 * sorted order (jansson's JSON_SORT_KEYS), so the same inputs give the same
 * digest. What is read is any OCI or Docker schema 2 image; Docker layer media
 * types are written as their OCI equivalents (the bytes are the same). */
#ifndef CLOUDCTL_OCI_IMAGE_H
#define CLOUDCTL_OCI_IMAGE_H

#include <jansson.h>
#include "util.h"
#include "oci/layer.h"

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

#define LABEL_REVISION "org.opencontainers.image.revision"
#define LABEL_SOURCE "org.opencontainers.image.source"
#define LABEL_CREATED "org.opencontainers.image.created"
#define ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"
#define ANNOTATION_BASE_NAME "org.opencontainers.image.base.name"
#define ANNOTATION_BASE_DIGEST "org.opencontainers.image.base.digest"

struct oci_desc {
	char *media_type;
	char digest[OCI_DIGEST_MAX];
	unsigned long long size;
};

struct oci_platform {
	char *os, *arch, *variant; /* variant may be NULL */
};

/* What the new image changes on top of its base. NULL/unset: the base's value. */
struct image_settings {
	struct oci_platform platform;
	const char *created;          /* RFC 3339 UTC */
	json_t *entrypoint, *cmd;     /* arrays of strings; a new entrypoint without cmd drops the base's Cmd */
	const struct strlist *env;    /* "K=V": replaces K in the base's Env, or is appended */
	const struct strlist *labels; /* "K=V": set after the base's */
	const char *workdir, *user;
	const char *history_by;       /* created_by of the new layer's history entry */
	const char *diff_id;          /* the new layer */
};

/* The image config: the base's (may be NULL) with the settings applied, as
 * canonical JSON in out. Returns 0 or 65 (with err) when the base is malformed. */
int image_config_build(const json_t *base, const struct image_settings *s, struct strbuf *out, struct strbuf *err);

/* An image manifest (schemaVersion 2, OCI media types), canonical JSON. */
void image_manifest_build(const struct oci_desc *config, const struct oci_desc *layers, size_t n,
			  const json_t *annotations, struct strbuf *out);

struct oci_manifest {
	struct oci_desc config;
	struct oci_desc *layers;
	size_t n;
};
/* Parse an image manifest (OCI or Docker schema 2). what names it in errors. */
int image_manifest_parse(const char *bytes, size_t len, const char *what, struct oci_manifest *m, struct strbuf *err);
void image_manifest_clear(struct oci_manifest *m);
/* Whether the document is an index / manifest list (by media type, or by its "manifests" key). */
int image_is_index(const char *media_type, const char *bytes, size_t len);
/* The manifest for the platform in an index. 0, 66 when none matches, 65 malformed. */
int image_index_pick(const char *bytes, size_t len, const char *what, const struct oci_platform *p,
		     struct oci_desc *out, struct strbuf *err);

/* "--entrypoint" values: a JSON array of strings, or words split on blanks ("" is []). */
int image_parse_argv(const char *s, json_t **out, struct strbuf *err);
/* "os/arch[/variant]" (x86_64 and aarch64 become amd64 and arm64). 0 or -1. */
int image_parse_platform(const char *s, struct oci_platform *p);
void image_platform_clear(struct oci_platform *p);
/* RFC 3339 UTC, "2024-05-01T12:00:00Z". */
char *image_rfc3339(long long epoch);
/* The OCI media type for a base layer's (Docker's gzip layer becomes OCI's). */
const char *image_layer_media_type(const char *mt);
void oci_desc_clear(struct oci_desc *d);
/* A descriptor object {"digest","mediaType","size"} (jansson, new reference). */
json_t *oci_desc_json(const struct oci_desc *d);
/* Read one from JSON; 0 or 65 with err naming what. */
int oci_desc_parse(const json_t *j, const char *what, struct oci_desc *d, struct strbuf *err);
/* Canonical JSON text of j into out. */
void image_dump(const json_t *j, struct strbuf *out);

#endif
