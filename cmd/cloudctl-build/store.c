/* store.c: opening what a reference names, and resolving a tag to an image
 * manifest; the record writer. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "oci/image.h"
#include "oci/layout.h"
#include "oci/pathcheck.h"
#include "oci/regdest.h"

/* A --cacert that holds no certificate fails every TLS connection, which
 * would read as a registry that cannot be reached (69): say what it is. */
static int check_pem(const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	struct stat st;
	int rc = 0;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return 0; /* a pipe (--cacert <(...)) is read once, by TLS */
	if (sb_read_file(&text, path) < 0)
		rc = sb_fail(err, exit_for_errno(errno), "--cacert %s: %s", path, strerror(errno));
	else if (!strstr(text.buf, "-----BEGIN CERTIFICATE-----"))
		rc = sb_fail(err, EXIT_DATA, "--cacert %s: no PEM certificate (-----BEGIN CERTIFICATE-----) in it", path);
	sb_release(&text);
	return rc;
}

int check_input_files(const struct build_common_opts *registry, const char *ignore_file, struct strbuf *err)
{
	const struct { const char *opt, *path; } files[] = {
		{ "--cacert", registry->cacert }, { "--auth-file", registry->auth_file }, { "--ignore-file", ignore_file },
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		int rc = files[i].path ? oci_check_file(files[i].opt, files[i].path, err) : 0;
		if (rc)
			return rc;
	}
	return registry->cacert ? check_pem(registry->cacert, err) : 0;
}

int store_open(const char *ref, int create, const struct build_common_opts *registry, long long jobs,
	       struct oci_dest **out, struct strbuf *err)
{
	*out = NULL;
	int rc = check_input_files(registry, NULL, err);
	if (rc)
		return rc;
	if (str_starts(ref, "oci:"))
		return layout_open(ref + 4, create, out, err);
	struct regdest_opts o = {
		.cacert = registry->cacert, .insecure = registry->insecure, .auth_file = registry->auth_file,
		.jobs = jobs > 0 ? (int)jobs : BUILD_JOBS_DEFAULT, .progress = progress_blob,
	};
	/* a destination to create takes a tag; what is read may name a digest */
	return regdest_open(ref, &o, !create, out, err);
}

char *store_ref(const struct oci_dest *d, const char *tag)
{
	if (!tag)
		return xstrdup(d->name);
	return xasprintf("%s%c%s", d->name, strchr(tag, ':') ? '@' : ':', tag);
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
