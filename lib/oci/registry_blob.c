/* registry_blob.c: blobs (registry.h): HEAD, cross-repository mount,
 * monolithic and chunked uploads, streamed and verified downloads. */
#include "oci/registry_int.h"
#include "oci/ref.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOB_STALL_MS 60000    /* a blob transfer with no byte moving this long fails */
#define MAX_REDIRECTS 5
#define OCTET_STREAM "Content-Type: application/octet-stream"

static void report_progress(struct registry *r, const char *digest, long long done, long long total)
{
	const struct registry_opts *o = &r->s->opts;
	if (o->progress)
		o->progress(o->progress_arg, digest, done, total);
}

/* The Location of resp, absolute (it may be relative to the request's URL). */
static char *location_of(const struct http_response *resp, const char *request_url)
{
	const char *loc = http_header_get(resp, "Location");
	return loc && *loc ? http_url_resolve(request_url, loc) : NULL;
}

/* ---- HEAD and mount ---- */

int registry_blob_exists(struct registry *r, const char *repo, const char *digest, int *exists, long long *size,
			 struct strbuf *err)
{
	*exists = 0;
	int rc = reg_check_args(r, repo, digest, err);
	if (rc)
		return rc;
	struct call c;
	reg_call_start(&c, "HEAD", reg_api_url(r, repo, "/blobs/%s", digest), reg_scope_pull(repo),
		       xasprintf("blob %s in %s", digest, repo));
	static const long ok[] = { 200, 404, 0 };
	rc = reg_call_expect(r, &c, ok, err);
	if (!rc && c.resp.status == 200) {
		*exists = 1;
		if (size)
			*size = reg_content_length(&c.resp);
	}
	reg_call_release(&c);
	return rc;
}

/* Cancel an upload session: best effort, the registry expires it anyway. */
static void cancel_upload(struct registry *r, const char *location, const char *scope)
{
	struct call c;
	reg_call_start(&c, "DELETE", xstrdup(location), xstrdup(scope), xstrdup("cancel upload"));
	struct strbuf ignored = STRBUF_INIT;
	reg_call_do(r, &c, &ignored);
	sb_release(&ignored);
	reg_call_release(&c);
}

int registry_blob_mount(struct registry *r, const char *repo, const char *digest, const char *from_repo,
			int *mounted, struct strbuf *err)
{
	*mounted = 0;
	int rc = reg_check_args(r, repo, digest, err);
	if (!rc)
		rc = reg_check_repo(r, from_repo, err);
	if (rc)
		return rc;
	char *d = http_escape(digest), *f = http_escape(from_repo);
	struct call c;
	reg_call_start(&c, "POST", reg_api_url(r, repo, "/blobs/uploads/?mount=%s&from=%s", d, f),
		       xasprintf("repository:%s:pull,push repository:%s:pull", repo, from_repo),
		       xasprintf("mount of %s from %s into %s", digest, from_repo, repo));
	free(d);
	free(f);
	static const char *const headers[] = { "Content-Length: 0", NULL };
	c.headers = headers;
	/* 401/403: reading from_repo may not be allowed; an upload is the way then */
	static const long ok[] = { 201, 202, 401, 403, 0 };
	rc = reg_call_expect(r, &c, ok, err);
	if (!rc && c.resp.status == 201)
		*mounted = 1;
	if (!rc && c.resp.status == 202) {
		char *loc = location_of(&c.resp, c.url);
		if (loc)
			cancel_upload(r, loc, c.scope);
		free(loc);
	}
	if (!rc && (c.resp.status == 401 || c.resp.status == 403))
		debug("registry %s: %s: HTTP %ld, uploading instead", r->s->host, c.what, c.resp.status);
	reg_call_release(&c);
	return rc;
}

/* ---- uploads ---- */

struct upload {
	struct registry *r;
	const char *repo, *digest;
	int fd;             /* the blob's file, or -1 with mem */
	const void *mem;
	long long size;
	char *scope, *what;
	char *location;     /* the session's URL, after the POST */
	long long offset;   /* where the next chunk starts */
	long long sent;     /* blob bytes the registry took */
	long last_status;   /* of the last exchange, for the decision to start over */
	int session_lost;   /* the registry no longer knows the session */
};

static void upload_progress(void *arg, long long sent)
{
	struct upload *u = arg;
	report_progress(u->r, u->digest, u->offset + sent, u->size);
}

/* A request of the upload session to url (taken). */
static void upload_call(struct upload *u, struct call *c, const char *method, char *url,
			const char *const *headers)
{
	reg_call_start(c, method, url, xstrdup(u->scope), xstrdup(u->what));
	c->headers = headers;
}

/* The body of [from, from+len): from the file, or from memory. */
static void set_body(struct upload *u, struct call *c, struct http_source *src, struct http_transfer *x,
		     long long from, long long len)
{
	*x = (struct http_transfer){ NULL, NULL, -1, BLOB_STALL_MS, 0 };
	c->xfer = x;
	if (u->fd < 0 || len == 0) {
		c->body = u->mem ? (const char *)u->mem + from : "";
		c->len = (size_t)len;
		return;
	}
	*src = (struct http_source){ u->fd, from, len, upload_progress, u };
	x->source = src;
}

/* Keep the last status and what the registry said of the session. */
static void note_outcome(struct upload *u, const struct http_response *resp)
{
	u->last_status = resp->status;
	if (resp->status == 404 || resp->status == 400) {
		struct strbuf said = STRBUF_INIT;
		reg_message(resp, &said);
		u->session_lost = str_starts(said.buf, "BLOB_UPLOAD_UNKNOWN") || str_starts(said.buf, "BLOB_UPLOAD_INVALID");
		sb_release(&said);
	}
}

/* Send c, expecting one of ok, and note how it went for worth_restart. */
static int upload_send(struct upload *u, struct call *c, const long *ok, struct strbuf *err)
{
	int rc = reg_call_expect(u->r, c, ok, err);
	note_outcome(u, &c->resp);
	return rc;
}

/* Take the session's next URL from a response, if it gives one. */
static void follow_location(struct upload *u, const struct http_response *resp, const char *url)
{
	char *next = location_of(resp, url);
	if (next) {
		free(u->location);
		u->location = next;
	}
}

static int upload_start(struct upload *u, struct strbuf *err)
{
	static const char *const headers[] = { "Content-Length: 0", NULL };
	static const long ok[] = { 202, 0 };
	struct call c;
	upload_call(u, &c, "POST", reg_api_url(u->r, u->repo, "/blobs/uploads/"), headers);
	int rc = upload_send(u, &c, ok, err);
	free(u->location);
	u->location = NULL;
	if (!rc)
		follow_location(u, &c.resp, c.url);
	if (!rc && !u->location)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry gave no upload Location", u->r->s->host, u->what);
	reg_call_release(&c);
	return rc;
}

/* The session URL with digest=D added to its query. */
static char *with_digest(const char *location, const char *digest)
{
	char *d = http_escape(digest);
	char *url = xasprintf("%s%cdigest=%s", location, strchr(location, '?') ? '&' : '?', d);
	free(d);
	return url;
}

/* The closing PUT, with the rest of the blob (maybe nothing) as its body. */
static int upload_finish(struct upload *u, struct strbuf *err)
{
	static const char *const headers[] = { OCTET_STREAM, NULL };
	static const long ok[] = { 201, 0 };
	struct call c;
	upload_call(u, &c, "PUT", with_digest(u->location, u->digest), headers);
	struct http_source src;
	struct http_transfer x;
	long long len = u->size - u->offset;
	set_body(u, &c, &src, &x, u->offset, len);
	int rc = upload_send(u, &c, ok, err);
	const char *said = http_header_get(&c.resp, "Docker-Content-Digest");
	if (!rc && said && strcmp(said, u->digest) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry stored it as %s", u->r->s->host, u->what, said);
	if (!rc) {
		u->sent += len;
		u->offset = u->size;
	}
	reg_call_release(&c);
	return rc;
}

/* "0-N" or "bytes=0-N": the registry has N+1 bytes. -1 when unreadable. */
static long long range_end(const struct http_response *resp)
{
	const char *v = http_header_get(resp, "Range");
	if (!v)
		return -1;
	if (str_starts(v, "bytes="))
		v += 6;
	const char *dash = strchr(v, '-');
	long long end;
	return dash && parse_ll(dash + 1, 0, (long long)1 << 62, &end) == 0 ? end : -1;
}

/* One PATCH of [offset, offset+len). On 202 or 416 the registry's Range says
 * where the next chunk starts. */
static int upload_chunk(struct upload *u, long long len, struct strbuf *err)
{
	static const long ok[] = { 202, 416, 0 };
	char *range = xasprintf("Content-Range: %lld-%lld", u->offset, u->offset + len - 1);
	const char *headers[] = { OCTET_STREAM, range, NULL };
	struct call c;
	upload_call(u, &c, "PATCH", xstrdup(u->location), headers);
	struct http_source src;
	struct http_transfer x;
	set_body(u, &c, &src, &x, u->offset, len);
	int rc = upload_send(u, &c, ok, err);
	long long end = rc ? -1 : range_end(&c.resp);
	if (!rc && (end < -1 || end + 1 > u->offset + len || (c.resp.status == 416 && end + 1 < 0)))
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry's Range '%s' does not fit", u->r->s->host,
			     u->what, http_header_get(&c.resp, "Range"));
	if (!rc) {
		long long next = end >= 0 ? end + 1 : u->offset + len; /* no Range: all taken */
		u->sent += next > u->offset ? next - u->offset : 0;
		u->offset = next;
		follow_location(u, &c.resp, c.url);
	}
	reg_call_release(&c);
	free(range);
	return rc;
}

static int upload_chunks(struct upload *u, struct strbuf *err)
{
	long long chunk = u->r->s->opts.chunk_size;
	int rc = 0, stuck = 0;
	while (!rc && u->offset < u->size) {
		long long before = u->offset;
		long long len = u->size - u->offset < chunk ? u->size - u->offset : chunk;
		rc = upload_chunk(u, len, err);
		stuck = u->offset <= before ? stuck + 1 : 0;
		if (!rc && stuck >= 3)
			rc = sb_fail(err, EXIT_UNAVAIL, "registry %s: %s: the registry takes no more bytes at %lld",
				     u->r->s->host, u->what, u->offset);
	}
	return rc ? rc : upload_finish(u, err);
}

static int upload_once(struct upload *u, struct strbuf *err)
{
	u->offset = 0;
	u->session_lost = 0;
	int rc = upload_start(u, err);
	if (rc)
		return rc;
	if (u->size > u->r->s->opts.chunk_threshold)
		rc = upload_chunks(u, err);
	else
		rc = upload_finish(u, err);
	if (rc && u->location && !u->session_lost)
		cancel_upload(u->r, u->location, u->scope);
	return rc;
}

/* Cut short, or the registry lost the session (it was restarted): worth one more go. */
static int worth_restart(const struct upload *u, int rc)
{
	if (rc == EXIT_USAGE || rc == EXIT_PERM || rc == EXIT_CONFIG)
		return 0;
	return u->last_status == 0 || u->last_status >= 500 || u->session_lost;
}

static int upload(struct registry *r, const char *repo, const char *digest, int fd, const void *mem,
		  long long size, struct strbuf *err)
{
	int rc = reg_check_args(r, repo, digest, err);
	if (rc)
		return rc;
	struct upload u = { r, repo, digest, fd, mem, size, reg_scope_push(repo), NULL, NULL, 0, 0, 0, 0 };
	u.what = xasprintf("upload of %s to %s", digest, repo);
	for (int attempt = 0;; attempt++) {
		rc = upload_once(&u, err);
		if (!rc || attempt > 0 || !worth_restart(&u, rc))
			break;
		info("%s; starting the upload again", err->buf);
	}
	r->stats.blob_bytes_sent += u.sent;
	free(u.location);
	free(u.scope);
	free(u.what);
	return rc;
}

int registry_blob_upload(struct registry *r, const char *repo, const char *digest, int fd, long long size,
			 struct strbuf *err)
{
	if (fd < 0 || size < 0)
		return sb_fail(err, EXIT_USAGE, "registry %s: upload of %s: no file", r->s->host, digest);
	return upload(r, repo, digest, fd, NULL, size, err);
}

int registry_blob_upload_file(struct registry *r, const char *repo, const char *digest, const char *path,
			      struct strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return sb_fail(err, e == ENOENT ? EXIT_NOTFOUND : e == EACCES ? EXIT_PERM : EXIT_IOERR,
			       "cannot read '%s': %s", path, strerror(e));
	}
	int rc = upload(r, repo, digest, fd, NULL, (long long)st.st_size, err);
	close(fd);
	return rc;
}

int registry_blob_upload_mem(struct registry *r, const char *repo, const char *digest, const void *data,
			     size_t len, struct strbuf *err)
{
	return upload(r, repo, digest, -1, data ? data : "", (long long)len, err);
}

/* ---- downloads ---- */

struct download {
	struct registry *r;
	const char *digest;
	int fd;
	int seekable;
	off_t start;
	EVP_MD_CTX *md;
	long long n;
	int write_errno;
};

static int download_write(void *arg, const void *data, size_t len)
{
	struct download *d = arg;
	const char *p = data;
	for (size_t left = len; left > 0;) {
		ssize_t w = write(d->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			d->write_errno = errno;
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	EVP_DigestUpdate(d->md, data, len);
	d->n += (long long)len;
	report_progress(d->r, d->digest, d->n, -1);
	return 0;
}

/* Undo what was written: only a regular file can. */
static int download_rewind(void *arg)
{
	struct download *d = arg;
	if (!d->seekable || ftruncate(d->fd, d->start) < 0 || lseek(d->fd, d->start, SEEK_SET) < 0)
		return -1;
	EVP_DigestInit_ex(d->md, reg_digest_md(d->digest), NULL);
	d->n = 0;
	return 0;
}

/* One GET of the blob, following redirects (c->url becomes the last one);
 * credentials go to the registry only. */
static int download_follow(struct registry *r, struct call *c, struct strbuf *err)
{
	int rc = 0;
	for (int hops = 0;; hops++) {
		rc = reg_call_do(r, c, err); /* credentials only to the registry's own origin */
		long st = c->resp.status;
		int redirect = rc == 0 && (st == 301 || st == 302 || st == 303 || st == 307 || st == 308);
		char *next = redirect ? location_of(&c->resp, c->url) : NULL;
		if (!next || hops >= MAX_REDIRECTS) {
			free(next);
			break;
		}
		free(c->url);
		c->url = next;
	}
	return rc;
}

static int write_failed(const struct download *d, const struct call *c, struct strbuf *err)
{
	return sb_fail(err, EXIT_IOERR, "registry %s: %s: cannot write: %s", d->r->s->host, c->what,
		       strerror(d->write_errno));
}

static int download_check(struct download *d, const struct call *c, struct strbuf *err)
{
	struct registry *r = d->r;
	if (c->resp.status != 200)
		return d->write_errno ? write_failed(d, c, err) : reg_call_fail(r, c, &c->resp, err);
	char *got = reg_digest_finish(d->md, reg_digest_md(d->digest));
	int rc = 0;
	if (strcmp(got, d->digest) != 0) {
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the %lld bytes received have digest %s", r->s->host,
			     c->what, d->n, got);
		download_rewind(d);
	}
	free(got);
	return rc;
}

int registry_blob_get(struct registry *r, const char *repo, const char *digest, long long max, int out_fd,
		      long long *size, struct strbuf *err)
{
	int rc = reg_check_args(r, repo, digest, err);
	if (rc)
		return rc;
	struct stat st;
	struct download d = { r, digest, out_fd, 0, 0, EVP_MD_CTX_new(), 0, 0 };
	if (!d.md)
		die(EXIT_OSERR, "out of memory");
	EVP_DigestInit_ex(d.md, reg_digest_md(digest), NULL);
	d.seekable = fstat(out_fd, &st) == 0 && S_ISREG(st.st_mode) && (d.start = lseek(out_fd, 0, SEEK_CUR)) >= 0;
	struct http_sink sink = { download_write, download_rewind, &d };
	struct http_transfer x = { NULL, &sink, -1, BLOB_STALL_MS, max };
	struct call c;
	reg_call_start(&c, "GET", reg_api_url(r, repo, "/blobs/%s", digest), reg_scope_pull(repo),
		       xasprintf("download of %s from %s", digest, repo));
	c.xfer = &x;
	rc = download_follow(r, &c, err);
	if (rc < 0 && d.write_errno)
		rc = write_failed(&d, &c, err);
	else if (rc <= 0)
		rc = rc < 0 ? reg_call_fail(r, &c, &c.resp, err) : download_check(&d, &c, err);
	r->stats.blob_bytes_received += d.n;
	if (size)
		*size = d.n;
	EVP_MD_CTX_free(d.md);
	reg_call_release(&c);
	return rc;
}
