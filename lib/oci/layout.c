/* layout.c: an OCI image layout directory as an oci_dest (see layout.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "oci/image.h"
#include "oci/layout.h"
#include "oci/pathcheck.h"
#include "oci/ref.h"

#define OCI_LAYOUT_FILE "{\"imageLayoutVersion\":\"1.0.0\"}"
#define COPY_BUF (256 * 1024)

struct layout {
	struct oci_dest d;
	char *path, *blobdir;
};

static int sys_fail(struct strbuf *err, const char *path, int e)
{
	return sb_fail(err, exit_for_errno(e), "%s: %s", path, strerror(e));
}

void layout_split(const char *spec, char **path, char **tag)
{
	const char *colon = strrchr(spec, ':');
	if (colon && !strchr(colon, '/') && colon != spec) {
		*path = xstrndup(spec, (size_t)(colon - spec));
		*tag = colon[1] ? xstrdup(colon + 1) : NULL;
	} else {
		*path = xstrdup(spec);
		*tag = NULL;
	}
}

static struct layout *as_layout(struct oci_dest *d)
{
	return (struct layout *)d;
}

static char *blob_path(struct layout *l, const char *digest)
{
	return xasprintf("%s/%s", l->blobdir, digest + 7);
}

/* ---- blobs ---- */

static const char *lo_tmpdir(struct oci_dest *d)
{
	return as_layout(d)->blobdir;
}

static int lo_has_blob(struct oci_dest *d, const char *digest, unsigned long long size, int *present,
		       struct strbuf *err)
{
	char *p = blob_path(as_layout(d), digest);
	struct stat st;
	*present = stat(p, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size == size;
	free(p);
	return 0;
}

/* Copy src into a temporary file in the blob directory, then rename it to dst. */
static int copy_blob(struct layout *l, const char *src, const char *dst, struct strbuf *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return sys_fail(err, src, errno);
	char *tmp = xasprintf("%s/.tmp-copy-XXXXXX", l->blobdir);
	int out = mkstemp(tmp), rc = 0;
	char *buf = xmalloc(COPY_BUF);
	ssize_t n = 0;
	if (out < 0)
		rc = sys_fail(err, l->blobdir, errno);
	while (!rc && (n = read(in, buf, COPY_BUF)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = sys_fail(err, n < 0 ? src : tmp, errno);
	}
	if (!rc && (fchmod(out, 0644) < 0 || fsync(out) < 0 || rename(tmp, dst) < 0))
		rc = sys_fail(err, dst, errno);
	if (out >= 0)
		close(out);
	if (rc && out >= 0)
		unlink(tmp);
	close(in);
	free(buf);
	free(tmp);
	return rc;
}

static int lo_put_blob(struct oci_dest *d, const char *digest, unsigned long long size, const char *path, int take,
		       struct strbuf *err)
{
	struct layout *l = as_layout(d);
	char *dst = blob_path(l, digest);
	int rc = 0;
	if (take) {
		if (rename(path, dst) < 0) {
			rc = sys_fail(err, dst, errno);
			unlink(path);
		}
	} else if (link(path, dst) < 0 && errno != EEXIST) {
		rc = copy_blob(l, path, dst, err);
	}
	free(dst);
	return rc;
}

/* ---- index.json ---- */

static int read_index(struct layout *l, json_t **out, struct strbuf *err)
{
	char *p = xasprintf("%s/index.json", l->path);
	struct strbuf text = STRBUF_INIT;
	int rc = 0;
	*out = NULL;
	if (sb_read_file(&text, p) < 0) {
		if (errno == ENOENT)
			*out = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests");
		else
			rc = sys_fail(err, p, errno);
	} else {
		json_error_t je;
		*out = json_loadb(text.buf, text.len, 0, &je);
		if (!*out || !json_is_array(json_object_get(*out, "manifests"))) {
			rc = sb_fail(err, EXIT_DATA, "%s: not an OCI image index%s%s", p, *out ? "" : ": ",
				     *out ? "" : je.text);
			json_decref(*out);
			*out = NULL;
		}
	}
	sb_release(&text);
	free(p);
	return rc;
}

static const char *ref_name(const json_t *desc)
{
	return json_string_value(json_object_get(json_object_get(desc, "annotations"), ANNOTATION_REF_NAME));
}

static int write_index(struct layout *l, json_t *index, struct strbuf *err)
{
	char *p = xasprintf("%s/index.json", l->path);
	struct strbuf text = STRBUF_INIT;
	image_dump(index, &text);
	int rc = write_file_atomic(p, text.buf, text.len, 0644) < 0 ? sys_fail(err, p, errno) : 0;
	sb_release(&text);
	free(p);
	return rc;
}

static int tag_manifest(struct layout *l, const char *tag, const char *media_type, const char *digest,
			size_t size, struct strbuf *err)
{
	int dfd = open(l->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || flock(dfd, LOCK_EX) < 0) {
		int e = errno;
		if (dfd >= 0)
			close(dfd);
		return sys_fail(err, l->path, e);
	}
	json_t *index;
	int rc = read_index(l, &index, err);
	if (!rc) {
		json_t *ms = json_object_get(index, "manifests");
		for (size_t i = json_array_size(ms); i-- > 0;)
			if (str_eq(ref_name(json_array_get(ms, i)), tag))
				json_array_remove(ms, i);
		struct oci_desc desc = { (char *)media_type, "", size };
		snprintf(desc.digest, sizeof desc.digest, "%s", digest);
		json_t *dj = oci_desc_json(&desc);
		json_object_set_new(dj, "annotations", json_pack("{s:s}", ANNOTATION_REF_NAME, tag));
		json_array_append_new(ms, dj);
		rc = write_index(l, index, err);
		json_decref(index);
	}
	close(dfd); /* and the lock with it */
	return rc;
}

static int lo_put_manifest(struct oci_dest *d, const char *tag, const char *media_type, const void *bytes,
			   size_t n, struct strbuf *err)
{
	struct layout *l = as_layout(d);
	char digest[OCI_DIGEST_MAX];
	oci_digest_bytes(bytes, n, digest);
	char *p = blob_path(l, digest);
	struct stat st;
	int rc = 0;
	if ((stat(p, &st) < 0 || (size_t)st.st_size != n) && write_file_atomic(p, bytes, n, 0644) < 0)
		rc = sys_fail(err, p, errno);
	free(p);
	if (!rc && tag)
		rc = tag_manifest(l, tag, media_type, digest, n, err);
	return rc;
}

/* ---- reading ---- */

static int lo_get_blob(struct oci_dest *d, const char *digest, struct strbuf *bytes, struct strbuf *err)
{
	struct layout *l = as_layout(d);
	if (!oci_digest_valid(digest))
		return sb_fail(err, EXIT_DATA, "%s: unsupported digest '%.80s'", d->name, digest);
	char *p = blob_path(l, digest);
	int rc = 0;
	sb_reset(bytes);
	if (sb_read_file(bytes, p) < 0) {
		rc = errno == ENOENT ? sb_fail(err, EXIT_NOTFOUND, "%s: blob %s is missing", d->name, digest)
				     : sys_fail(err, p, errno);
	} else {
		char got[OCI_DIGEST_MAX];
		oci_digest_bytes(bytes->buf, bytes->len, got);
		if (strcmp(got, digest) != 0)
			rc = sb_fail(err, EXIT_DATA, "%s: blob %s is corrupt (its contents hash to %s)", d->name, digest,
				     got);
	}
	free(p);
	return rc;
}

static int lo_get_manifest(struct oci_dest *d, const char *ref, struct strbuf *bytes, char **media_type,
			   struct strbuf *err)
{
	*media_type = NULL;
	if (str_starts(ref, "sha256:")) {
		*media_type = xstrdup("");
		return lo_get_blob(d, ref, bytes, err);
	}
	json_t *index, *m;
	int rc = read_index(as_layout(d), &index, err);
	if (rc)
		return rc;
	size_t i;
	const json_t *found = NULL;
	json_array_foreach(json_object_get(index, "manifests"), i, m) if (str_eq(ref_name(m), ref)) found = m;
	if (!found) {
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no tag '%s'", d->name, ref);
	} else {
		const char *dg = json_string_value(json_object_get(found, "digest"));
		const char *mt = json_string_value(json_object_get(found, "mediaType"));
		*media_type = xstrdup(mt ? mt : "");
		rc = dg ? lo_get_blob(d, dg, bytes, err)
			: sb_fail(err, EXIT_DATA, "%s/index.json: tag '%s' has no digest", as_layout(d)->path, ref);
	}
	json_decref(index);
	return rc;
}

static int lo_fetch_blob(struct oci_dest *d, const char *digest, unsigned long long size, const char *dir,
			 char **path, int *temp, struct strbuf *err)
{
	(void)size; /* the layout's own file, read as it is */
	*temp = 0;
	*path = blob_path(as_layout(d), digest);
	if (access(*path, R_OK) == 0)
		return 0;
	int e = errno;
	free(*path);
	*path = NULL;
	return e == ENOENT ? sb_fail(err, EXIT_NOTFOUND, "%s: blob %s is missing", d->name, digest)
			   : sys_fail(err, d->name, e);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lo_list_tags(struct oci_dest *d, struct strlist *tags, struct strbuf *err)
{
	json_t *index, *m;
	int rc = read_index(as_layout(d), &index, err);
	if (rc)
		return rc;
	size_t i;
	struct strlist all = STRLIST_INIT;
	json_array_foreach(json_object_get(index, "manifests"), i, m) if (ref_name(m)) strlist_add(&all, ref_name(m));
	if (all.n)
		qsort(all.v, all.n, sizeof *all.v, cmp_str);
	for (i = 0; i < all.n; i++)
		if (i == 0 || strcmp(all.v[i], all.v[i - 1]) != 0)
			strlist_add(tags, all.v[i]);
	strlist_clear(&all);
	json_decref(index);
	return 0;
}

static void lo_close(struct oci_dest *d)
{
	struct layout *l = as_layout(d);
	free(l->path);
	free(l->blobdir);
	free(d->name);
	free(d->tag);
	free(l);
}

static const struct oci_dest_ops layout_ops = {
	.tmpdir = lo_tmpdir,
	.has_blob = lo_has_blob,
	.put_blob = lo_put_blob,
	.mount_blob = NULL,
	.put_manifest = lo_put_manifest,
	.get_manifest = lo_get_manifest,
	.get_blob = lo_get_blob,
	.fetch_blob = lo_fetch_blob,
	.list_tags = lo_list_tags,
	.close = lo_close,
};

/* ---- opening ---- */

static int mkdir_p(const char *path, struct strbuf *err)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; !rc; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = sys_fail(err, p, errno);
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	struct dirent *de;
	int empty = 1;
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static int check_or_create(struct layout *l, int create, struct strbuf *err)
{
	char *marker = xasprintf("%s/oci-layout", l->path);
	struct strbuf text = STRBUF_INIT;
	int rc = 0;
	if (sb_read_file(&text, marker) == 0) {
		json_t *j = json_loadb(text.buf, text.len, 0, NULL);
		if (!json_is_string(json_object_get(j, "imageLayoutVersion")))
			rc = sb_fail(err, EXIT_DATA, "%s: not an oci-layout file", marker);
		json_decref(j);
		if (!rc && create)
			rc = mkdir_p(l->blobdir, err);
	} else if (errno == ENOTDIR) { /* the layout's path, or a directory above it, is a file */
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: not a directory (a file is on its path)", l->d.name);
	} else if (errno != ENOENT) {
		rc = sys_fail(err, marker, errno);
	} else if (!create) {
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: not an OCI image layout (no oci-layout file)", l->d.name);
	} else if (access(l->path, F_OK) == 0 && !dir_is_empty(l->path)) {
		rc = sb_fail(err, EXIT_DATA, "%s: exists and is not an OCI image layout (no oci-layout file)", l->path);
	} else if (!(rc = mkdir_p(l->blobdir, err)) && write_file_atomic(marker, OCI_LAYOUT_FILE, strlen(OCI_LAYOUT_FILE), 0644) < 0) {
		rc = sys_fail(err, marker, errno);
	}
	sb_release(&text);
	free(marker);
	return rc;
}

int layout_open(const char *spec, int create, struct oci_dest **out, struct strbuf *err)
{
	*out = NULL;
	char *path, *tag;
	layout_split(spec, &path, &tag);
	if (!*path || (tag && !oci_ref_tag_valid(tag))) {
		int rc = sb_fail(err, EXIT_USAGE, "'oci:%s': expected oci:PATH[:TAG] (a tag is [A-Za-z0-9_][A-Za-z0-9._-]*)",
				 spec);
		free(path);
		free(tag);
		return rc;
	}
	struct layout *l = xcalloc(1, sizeof *l);
	l->d.ops = &layout_ops;
	l->d.name = xasprintf("oci:%s", path);
	l->d.tag = tag;
	l->path = path;
	l->blobdir = xasprintf("%s/blobs/sha256", path);
	int rc = check_or_create(l, create, err);
	if (rc) {
		lo_close(&l->d);
		return rc;
	}
	*out = &l->d;
	return 0;
}
