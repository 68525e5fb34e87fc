/* store.c: opening what a reference names, and resolving a tag to an image
 * manifest; the record writer. */
#include <string.h>

#include "build.h"
#include "oci/image.h"
#include "oci/layout.h"

int store_open(const char *ref, int create, struct oci_dest **out, struct strbuf *err)
{
	*out = NULL;
	if (str_starts(ref, "oci:"))
		return layout_open(ref + 4, create, out, err);
	/* The registry client plugs in here. */
	return sb_fail(err, EXIT_UNAVAIL, "%s: registry destinations: not built yet (use oci:PATH[:TAG])", ref);
}

char *store_ref(const struct oci_dest *d, const char *tag)
{
	return tag ? xasprintf("%s:%s", d->name, tag) : xstrdup(d->name);
}

int store_resolve(struct oci_dest *d, const char *ref, const struct oci_platform *p, struct strbuf *bytes,
		  char **media_type, char digest[OCI_DIGEST_MAX], struct strbuf *err)
{
	int rc = d->ops->get_manifest(d, ref, bytes, media_type, err);
	if (rc)
		return rc;
	if (image_is_index(*media_type, bytes->buf, bytes->len)) {
		struct oci_desc pick;
		char *what = store_ref(d, ref);
		rc = image_index_pick(bytes->buf, bytes->len, what, p, &pick, err);
		free(what);
		if (rc)
			return rc;
		free(*media_type);
		*media_type = NULL;
		rc = d->ops->get_manifest(d, pick.digest, bytes, media_type, err);
		if (!rc && !**media_type) {
			free(*media_type);
			*media_type = xstrdup(pick.media_type);
		}
		oci_desc_clear(&pick);
		if (rc)
			return rc;
	}
	oci_digest_bytes(bytes->buf, bytes->len, digest);
	return 0;
}

struct rec_writer *build_writer(const char *default_cols)
{
	return rec_writer_new(stdout, common.format, common.columns, default_cols);
}

int build_finish(struct rec_writer *w, int rc)
{
	if (w && rec_writer_finish(w) < 0 && !rc)
		rc = EXIT_IOERR;
	return rc;
}
