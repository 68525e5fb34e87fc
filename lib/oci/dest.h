/* dest.h: where images are read from and written to: an OCI image layout
 * directory (layout.h) or, later, a registry repository. cloudctl-build talks
 * to either through these operations only.
 *
 * Every operation returns 0 or an exit code (log.h) with a one-line reason in
 * err. The caller pushes in this order, so that a tag never names an image
 * with a missing blob: every blob (has_blob first, then mount_blob or
 * put_blob), then put_manifest. */
#ifndef CLOUDCTL_OCI_DEST_H
#define CLOUDCTL_OCI_DEST_H

#include "util.h"

struct oci_dest;

struct oci_dest_ops {
	/* A directory for temporary files that put_blob may take over (a layer
	 * being built): for a layout, its blob directory, so taking is a rename. */
	const char *(*tmpdir)(struct oci_dest *d);
	/* *present = 1 when the blob with this digest (and size) is there. */
	int (*has_blob)(struct oci_dest *d, const char *digest, unsigned long long size, int *present,
			struct strbuf *err);
	/* Store the file at path (size bytes, digest known). take: path is a
	 * temporary file of ours, which put_blob renames or removes. */
	int (*put_blob)(struct oci_dest *d, const char *digest, unsigned long long size, const char *path, int take,
			struct strbuf *err);
	/* Registry only (NULL otherwise): mount the blob from repository from
	 * without sending it; *mounted = 0 when the registry declined. */
	int (*mount_blob)(struct oci_dest *d, const char *digest, const char *from, int *mounted, struct strbuf *err);
	/* Store a manifest (or index) and point tag at it (tag NULL: by digest only). */
	int (*put_manifest)(struct oci_dest *d, const char *tag, const char *media_type, const void *bytes, size_t n,
			    struct strbuf *err);

	/* Reading (base images, resolve, tags). ref is a tag or "sha256:..."
	 * digest; the media type may be "" when the store does not say. */
	int (*get_manifest)(struct oci_dest *d, const char *ref, struct strbuf *bytes, char **media_type,
			    struct strbuf *err);
	/* A small blob (a config) into bytes, its digest checked. */
	int (*get_blob)(struct oci_dest *d, const char *digest, struct strbuf *bytes, struct strbuf *err);
	/* A blob as a file to copy from: *path is the store's own file (*temp 0)
	 * or a download into dir that the caller removes (*temp 1). size is the
	 * descriptor's: a download that goes past it is refused. */
	int (*fetch_blob)(struct oci_dest *d, const char *digest, unsigned long long size, const char *dir,
			  char **path, int *temp, struct strbuf *err);
	/* Every tag, sorted. */
	int (*list_tags)(struct oci_dest *d, struct strlist *tags, struct strbuf *err);
	void (*close)(struct oci_dest *d); /* frees d */
};

struct oci_dest {
	const struct oci_dest_ops *ops;
	char *name; /* the reference without its tag, fit to print: "oci:out", "host/repo" */
	char *tag;  /* the tag the reference named, or NULL */
	/* Where a blob can be mounted from (registry repositories on the same
	 * host): the base image's repository name, or NULL. */
	const char *same_host_repo;
};

#endif
