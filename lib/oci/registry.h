/* registry.h: a client of the OCI distribution API (the Docker Registry HTTP
 * API v2) on lib/http.h: blobs (HEAD, cross-repository mount, monolithic and
 * chunked uploads, streamed and verified downloads), manifests, tags.
 *
 * Connection: https://HOST; with insecure, TLS is not verified and, when the
 * registry speaks no TLS at all, plain http is used. The first request asks
 * GET /v2/ for the registry's challenge (WWW-Authenticate):
 * - none: requests go without credentials;
 * - Basic: every request carries the docker config's credentials (auth.h);
 * - Bearer realm=R,service=S: a token is fetched from R for the scopes each
 *   call needs ("repository:NAME:pull", "repository:NAME:pull,push", and for a
 *   mount also "repository:FROM:pull"), with the credentials as Basic when there
 *   are any (an identity token is exchanged by the OAuth2 refresh_token grant),
 *   anonymously otherwise. Tokens are cached per scope until they expire; a
 *   401 (expired, revoked) fetches a new one and retries once.
 * Credentials are looked up once per registry, on the first challenge.
 *
 * Errors: every call returns 0 or an exit code (log.h) and leaves in err one
 * line naming the registry, the request and what the registry said, e.g.
 *   registry 127.0.0.1:5444: push cloudctl/web: UNAUTHORIZED: authentication required
 *   (HTTP 401; insufficient_scope: the credentials of reader do not allow it)
 * 401/403 -> 77, 404 -> 66, a 2xx whose body is not what the API says (not
 * JSON, a digest that does not match) -> 65, no connection or 5xx -> 69 (503,
 * 504, 429 -> 75 as everywhere in lib/http.h), other 4xx -> 65, 409 -> 73.
 * Secrets never appear in err nor in traces (lib/http.c redacts them).
 *
 * Threads: a handle is used by one thread at a time. For parallel uploads give
 * each worker its own handle from registry_clone(): clones share the
 * credentials, the challenge and the token cache (under a lock) and each has
 * its own HTTP connection. Close every clone; the last close frees the shared part. */
#ifndef CLOUDCTL_OCI_REGISTRY_H
#define CLOUDCTL_OCI_REGISTRY_H

#include "http.h"
#include "util.h"

struct registry_opts {
	const char *cacert;    /* PEM CA bundle to trust instead of the system store */
	int insecure;          /* TLS unverified, and plain http when the registry has no TLS */
	const char *auth_file; /* docker config to read; NULL: docker_config_path() (auth.h) */
	int anonymous;         /* read no credentials at all */
	int jobs;              /* how many handles the caller will clone (a hint, not used yet:
				  each handle has its own connection) */
	/* Blobs larger than chunk_threshold go in PATCH chunks of chunk_size bytes;
	 * others in one PUT. 0: the defaults below. */
	long long chunk_threshold;
	long long chunk_size;
	/* Called as blob bytes go out or come in, from the thread of the handle
	 * doing it (lock what it shares): done of total bytes of that blob (total
	 * -1 on downloads). A retried request counts again from where it restarts. */
	void (*progress)(void *arg, const char *digest, long long done, long long total);
	void *progress_arg;
	/* Timeouts and retries; NULL: HTTP_OPTS_INIT. Its cacert and insecure are
	 * replaced by those above. */
	const struct http_opts *http;
};
#define REGISTRY_OPTS_INIT { NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL, NULL }
#define REGISTRY_CHUNK_THRESHOLD_DEFAULT (64LL << 20)
#define REGISTRY_CHUNK_SIZE_DEFAULT (16LL << 20)

/* What a handle did; clones count apart. */
struct registry_stats {
	long long blob_bytes_sent;     /* blob bytes the registry accepted from us */
	long long blob_bytes_received; /* blob bytes downloaded */
	long requests;                 /* HTTP exchanges, token requests included */
};

struct registry;

/* host is "host[:port]" (as in an image reference). Nothing is sent yet: the
 * first call connects. Returns NULL with err set (64) when host is malformed. */
struct registry *registry_open(const char *host, const struct registry_opts *o, struct strbuf *err);
/* Another handle on the same registry for another thread (see above). */
struct registry *registry_clone(struct registry *r);
void registry_close(struct registry *r);
const char *registry_host(const struct registry *r);
const struct registry_stats *registry_stats(const struct registry *r);

/* GET /v2/: reachable, speaks the API, and how it authenticates. */
int registry_ping(struct registry *r, struct strbuf *err);

/* HEAD a blob: *exists 1 with *size (may be NULL), or 0 when the registry has
 * no such blob in repo. */
int registry_blob_exists(struct registry *r, const char *repo, const char *digest, int *exists, long long *size,
			 struct strbuf *err);
/* Mount a blob of from_repo into repo: *mounted 1 (201 Created), or 0 when the
 * registry did not (the blob is not in from_repo, mounting is not supported,
 * or reading from_repo is not allowed): the caller then uploads. The upload
 * session a refused mount opens is cancelled. */
int registry_blob_mount(struct registry *r, const char *repo, const char *digest, const char *from_repo,
			int *mounted, struct strbuf *err);
/* Upload size bytes of fd (from offset 0, read with pread; a regular file)
 * as the blob digest: POST, then one PUT (size <= chunk_threshold) or PATCH
 * chunks and a closing PUT. The registry checks the digest. An upload cut
 * short (no answer, 5xx, session lost) starts over once; a failed upload's
 * session is cancelled. */
int registry_blob_upload(struct registry *r, const char *repo, const char *digest, int fd, long long size,
			 struct strbuf *err);
int registry_blob_upload_file(struct registry *r, const char *repo, const char *digest, const char *path,
			      struct strbuf *err);
int registry_blob_upload_mem(struct registry *r, const char *repo, const char *digest, const void *data,
			     size_t len, struct strbuf *err);
/* Download a blob to out_fd, following redirects to storage (credentials go
 * only to the registry itself), hashing as it streams: a body that does not
 * match digest is 65; one that goes past max bytes (its descriptor's size;
 * 0: unknown) is cut there, 69. When out_fd is a regular file, a retry or a
 * mismatch truncates it back to where it was. *size (may be NULL) gets the byte count. */
int registry_blob_get(struct registry *r, const char *repo, const char *digest, long long max, int out_fd,
		      long long *size, struct strbuf *err);

/* The media types a manifest GET accepts when accept is NULL: OCI manifest
 * and index, Docker schema 2 manifest and manifest list. */
extern const char *const registry_manifest_types[];

/* GET a manifest by tag or digest. body gets it; *media_type and *digest
 * (each may be NULL; free them) its Content-Type and sha256 digest, computed
 * here: by digest, the body must match (65); by tag, a Docker-Content-Digest
 * that disagrees is 65. */
int registry_manifest_get(struct registry *r, const char *repo, const char *ref, const char *const *accept,
			  struct strbuf *body, char **media_type, char **digest, struct strbuf *err);
/* HEAD a manifest: digest, media type and size without the body. *exists 0 on 404. */
int registry_manifest_head(struct registry *r, const char *repo, const char *ref, const char *const *accept,
			   int *exists, char **media_type, char **digest, long long *size, struct strbuf *err);
/* PUT a manifest under ref (a tag, or its own digest). *digest (may be NULL;
 * free it) gets its digest; one the registry reports otherwise is 65. */
int registry_manifest_put(struct registry *r, const char *repo, const char *ref, const char *media_type,
			  const void *body, size_t len, char **digest, struct strbuf *err);

/* Every tag of repo, in the registry's order, following Link: <...>; rel="next"
 * pages of page_size (0: the registry's own page size). */
int registry_tags(struct registry *r, const char *repo, int page_size, struct strlist *out, struct strbuf *err);

#endif
