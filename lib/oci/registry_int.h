/* registry_int.h: what the files of the registry client (registry.h) share;
 * not for other callers.
 *
 * registry.c           handles, ping, one authenticated request (struct call),
 *                      error messages, digests
 * registry_auth.c      the WWW-Authenticate challenge, credentials, Bearer tokens
 *                      and their cache, the Authorization line of a call
 * registry_blob.c      blobs: HEAD, mount, uploads, downloads
 * registry_manifest.c  manifests and tags
 *
 * Specs: OCI distribution-spec (spec.md) and distribution's docs/spec/auth/token.md. */
#ifndef CLOUDCTL_OCI_REGISTRY_INT_H
#define CLOUDCTL_OCI_REGISTRY_INT_H

#include "oci/auth.h"
#include "secret.h"
#include "oci/registry.h"
#include "http.h"
#include "util.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum auth_scheme { AUTH_UNKNOWN, AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct token {
	char *scope;
	char *value; /* a secret */
	long long expires_ms; /* now_ms() clock */
};

/* What the clones of one registry share, under lock. */
struct shared {
	pthread_mutex_t lock;
	int refs;
	char *host;
	struct registry_opts opts; /* strings point to the copies below */
	char *cacert, *auth_file;
	struct http_opts http;
	/* from the first GET /v2/, updated by later challenges */
	char *base; /* "https://host", NULL until known */
	enum auth_scheme scheme;
	char *realm, *service;
	/* looked up once, on the first need */
	int cred_looked_up, cred_rc;
	char *cred_err;
	struct registry_cred cred;
	struct token *tokens;
	size_t ntokens, captokens;
};

struct registry {
	struct shared *s;
	struct http_client *http;
	struct registry_stats stats;
};

/* A WWW-Authenticate challenge: Bearer realm="...",service="...",error="...". */
struct challenge {
	enum auth_scheme scheme;
	char *realm, *service, *error;
};

/* One request to the registry API and its response. It owns url, scope and
 * what: reg_call_start takes them, reg_call_release frees them with the rest. */
struct call {
	const char *method;
	char *url;   /* absolute */
	char *scope; /* "repository:NAME:pull[,push][ repository:FROM:pull]" */
	char *what;  /* for messages: "upload of sha256:... to NAME" */
	const char *const *headers;
	const void *body;
	size_t len;
	const struct http_transfer *xfer;
	struct http_response resp;
	/* filled in */
	int fresh_token; /* the token sent was fetched for this call */
	struct challenge last; /* the challenge of a final 401 */
};

static inline char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* ---- registry.c: requests ---- */

void reg_call_start(struct call *c, const char *method, char *url, char *scope, char *what);
void reg_call_release(struct call *c);
/* Send c with the credentials due, and once more after a 401 that may be
 * cured. Returns 0 when a response arrived in c->resp (whatever its status),
 * -1 when none did (c->resp.errbuf), or an exit code from the credential or
 * token steps. */
int reg_call_do(struct registry *r, struct call *c, struct strbuf *err);
/* The one-line error for a call that got no response, or an unwanted status. */
int reg_call_fail(struct registry *r, const struct call *c, const struct http_response *resp, struct strbuf *err);
/* reg_call_do, then reg_call_fail unless the status is one of ok (0-terminated). */
int reg_call_expect(struct registry *r, struct call *c, const long *ok, struct strbuf *err);
/* The registry error document's first error: "CODE: message". */
void reg_message(const struct http_response *resp, struct strbuf *out);

/* Names checked before they go into a URL; then the registry, once reachable. */
int reg_check_args(struct registry *r, const char *repo, const char *digest, struct strbuf *err);
int reg_check_repo(struct registry *r, const char *repo, struct strbuf *err);
/* base + "/v2/" + repo + rest; the base is set once and never changes. */
char *reg_api_url(struct registry *r, const char *repo, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *reg_scope_pull(const char *repo);
char *reg_scope_push(const char *repo);
/* Content-Length, or -1. */
long long reg_content_length(const struct http_response *resp);

/* ---- registry.c: digests ---- */

const EVP_MD *reg_digest_md(const char *digest);
char *reg_digest_finish(EVP_MD_CTX *ctx, const EVP_MD *md);
/* The digest of data with the algorithm of like ("sha256:..." when NULL). */
char *reg_digest_of(const void *data, size_t len, const char *like);

/* ---- registry_auth.c ---- */

void reg_parse_challenge(const char *h, struct challenge *c);
void reg_challenge_release(struct challenge *c);
/* Keep what a challenge says for the next requests. */
void reg_adopt_challenge(struct shared *s, const struct challenge *c);
/* "Authorization: ..." for this call, or NULL (*line) when none is due;
 * renew: fetch a new token even when one is cached. */
int reg_auth_line(struct registry *r, struct call *c, int renew, char **line, struct strbuf *err);
/* Whether a 401 is worth one more try (c->last gets its challenge). */
int reg_auth_worth_retry(struct registry *r, struct call *c, int sent_auth);
/* Why a 401 or 403 happened, from our side: "; ..." or nothing. */
void reg_auth_hint(struct registry *r, const struct call *c, struct strbuf *out);
/* Free the credentials, challenge and tokens of s. */
void reg_auth_release(struct shared *s);

#endif
