/* layer.h: a directory as an OCI image layer, in one streaming pass:
 * tar (tarwriter.h) -> gzip (pgzip.h: zlib on every core) -> a file, hashing
 * with SHA-256 (OpenSSL EVP) both the compressed blob (its digest) and the tar
 * (its diff_id).
 *
 * Stable output: zlib at a fixed level, window and memory level, in blocks of
 * a fixed size whatever the number of cores; the gzip header has no file name,
 * mtime 0 and the OS byte 255 ("unknown", as Go's compress/gzip writes it) so
 * that the bytes do not depend on the machine.
 * They do depend on the deflate implementation: zlib 1.2.x gives the same bytes
 * everywhere; zlib-ng (zlib-ng-compat) gives other bytes, valid but different. */
#ifndef CLOUDCTL_OCI_LAYER_H
#define CLOUDCTL_OCI_LAYER_H

#include "util.h"
#include "oci/tarwriter.h"

#define LAYER_GZIP_LEVEL 6
#define OCI_DIGEST_MAX 72 /* "sha256:" + 64 hex + NUL */

struct layer {
	char digest[OCI_DIGEST_MAX];  /* of the gzip blob */
	char diff_id[OCI_DIGEST_MAX]; /* of the uncompressed tar */
	unsigned long long size;      /* bytes of the blob */
	unsigned long long tar_size;  /* bytes of the tar */
	struct tar_stats stats;
	char *path;                   /* the temporary file holding the blob */
};

/* Build the layer of dir into a new temporary file in tmpdir (".tmp-layer-*",
 * mode 0644, synced). level: zlib's 0-9. Returns 0, or an exit code with err
 * set and no file left behind. */
int layer_build(const char *dir, const struct tar_opts *o, int level, const char *tmpdir,
		struct layer *out, struct strbuf *err);
/* Remove the temporary file (when it is still there) and free. */
void layer_discard(struct layer *l);

/* "sha256:<hex>" of n bytes. */
void oci_digest_bytes(const void *data, size_t n, char out[OCI_DIGEST_MAX]);
/* The digest of a file's contents; 0 or -1 (errno). */
int oci_digest_file(const char *path, char out[OCI_DIGEST_MAX], unsigned long long *size);
/* Whether s is "sha256:" and 64 lower-case hex digits. */
int oci_digest_valid(const char *s);

#endif
