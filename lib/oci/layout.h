/* layout.h: an OCI image layout directory (image-spec, image-layout.md) as an
 * oci_dest: PATH/oci-layout, PATH/index.json whose manifests carry the tag in
 * org.opencontainers.image.ref.name, and PATH/blobs/sha256/<hex>.
 *
 * Blobs are written to a temporary file in the blob directory and renamed, so
 * a blob's name always matches its contents; index.json is replaced
 * atomically, under an flock on the layout directory, after every blob it
 * names is there. Re-tagging replaces the entry with the same ref.name. */
#ifndef CLOUDCTL_OCI_LAYOUT_H
#define CLOUDCTL_OCI_LAYOUT_H

#include "util.h"
#include "oci/dest.h"

/* spec is "PATH[:TAG]" (what follows "oci:"); the tag is what follows the
 * last ':' when that part has no '/'. create: make the layout when missing;
 * otherwise a missing layout is 66. */
int layout_open(const char *spec, int create, struct oci_dest **out, struct strbuf *err);

/* Split "PATH[:TAG]" (exposed for tests): *path and *tag (NULL when none) are new strings. */
void layout_split(const char *spec, char **path, char **tag);

#endif
