/* http.h: the one HTTP layer of cloudctl, on libcurl (loaded with the first request: curlapi.h).
 *
 * - TLS verification is always on unless insecure is set explicitly; cacert
 *   names a CA bundle to trust instead of the system one.
 * - Retries: on connect errors (refused, resolve, connect timeout) and on HTTP
 *   408/429/502/503/504, for idempotent requests only (GET, HEAD, PUT, DELETE,
 *   OPTIONS, or a request marked idempotent). Capped exponential backoff with full
 *   jitter; a Retry-After header (seconds or HTTP-date) is honoured, capped by
 *   max_backoff_ms.
 *   Failures before anything was sent (unresolved host, connection refused, a
 *   timeout while connecting) are retried for every method: the server never saw
 *   the request. A timeout after the request was sent is not retried.
 *   A request that is not idempotent goes on a fresh connection: libcurl would
 *   otherwise send it again by itself when a reused connection dies unanswered.
 * - Traces at -vv (log_level >= LOG_DEBUG) on stderr: request line, headers and
 *   bodies, with Authorization, Proxy-Authorization, X-Auth-Token, X-Subject-Token,
 *   Cookie and Set-Cookie values and JSON/form "password"/"secret"/"token" values
 *   replaced by "<redacted>".
 * - Streaming (http_do_transfer): a request body read from a file descriptor,
 *   read again from its start on every attempt, and a 2xx response body handed
 *   to a sink as it arrives instead of being kept in memory.
 */
#ifndef CLOUDCTL_HTTP_H
#define CLOUDCTL_HTTP_H

#include <stddef.h>
#include "util.h"

struct http_opts {
	long connect_timeout_ms; /* default 10000 */
	long timeout_ms;         /* whole request; default 60000; 0 = none */
	const char *cacert;      /* PEM bundle path, or NULL for the system store */
	int insecure;            /* skip TLS verification: only when the user asked */
	int max_retries;         /* default 4 (so up to 5 attempts) */
	long base_backoff_ms;    /* default 200 */
	long max_backoff_ms;     /* default 10000 */
	const char *user_agent;  /* default "cloudctl/VERSION" */
	const char *cert_file;   /* client certificate (PEM), or NULL */
	const char *key_file;    /* its private key (PEM), or NULL */
	int http1;               /* HTTP/1.1 only: a server that refuses a POST before
				  * reading its body (a 401) may otherwise end the
				  * HTTP/2 stream before its answer arrives */
};
#define HTTP_OPTS_INIT { 10000, 60000, NULL, 0, 4, 200, 10000, NULL, NULL, NULL, 0 }

struct http_header {
	char *name;
	char *value;
};

struct http_request {
	const char *method;  /* "GET" when NULL */
	const char *url;
	const char *const *headers; /* NULL-terminated "Name: value" strings, may be NULL */
	const void *body;    /* may be NULL */
	size_t body_len;
	int idempotent;      /* 1: retry even if the method is not idempotent (e.g. POST known safe) */
};

struct http_response {
	long status;             /* 0 when no response arrived */
	struct strbuf body;
	struct http_header *headers; /* of the final response */
	size_t nheaders;
	int attempts;            /* how many times the request was sent */
	char errbuf[256];        /* libcurl's message when status is 0 */
	/* When no response arrived (status 0): whether any byte of the request went
	 * out (else the server never saw it), and the status of an answer cut short
	 * (0 when none began): a 401 refused before the body was read, say. */
	int sent;
	long cut_status;
	/* Not 0 when nothing was sent because a file of ours (cacert, cert_file,
	 * key_file) cannot be read: its exit code (exit_for_errno: 66, 77, 74). */
	int local_exit;
};
#define HTTP_RESPONSE_INIT { 0, STRBUF_INIT, NULL, 0, 0, "", 0, 0, 0 }

/* A client keeps one connection cache: it is not thread-safe, use one per thread. */
struct http_client;

struct http_client *http_client_new(const struct http_opts *opts);
void http_client_free(struct http_client *c);

/* From now on, a request of c under way polls stop() (at least once a second,
 * and as soon as a signal breaks the wait for data): non-zero ends it without a
 * retry, errbuf saying so. For a long wait (a watch) that a signal must end (see
 * interrupt.h) while the requests before it ran to their end; NULL: never. */
void http_client_stop_when(struct http_client *c, int (*stop)(void));

/* Perform the request with retries. Returns 0 when an HTTP response arrived
 * (whatever its status), -1 when none did (resp->errbuf says why). */
int http_do(struct http_client *c, const struct http_request *req, struct http_response *resp);

/* A request body read from a file: length bytes from offset, with pread, so the
 * descriptor's own position is neither used nor moved. Every attempt (retries,
 * and libcurl's own rewinds) reads it again from offset. */
struct http_source {
	int fd;
	long long offset;
	long long length; /* sent as Content-Length */
	/* Called as the body goes out with the bytes of it read so far in this
	 * attempt (it starts again from 0 on a retry); may be NULL. */
	void (*progress)(void *arg, long long sent);
	void *arg;
};

/* Where a 2xx response's body goes, piece by piece. Bodies of other statuses
 * (error documents) still go to resp->body, so that callers can read them. */
struct http_sink {
	/* Return 0, or -1 to abort the transfer: it is then not retried. */
	int (*write)(void *arg, const void *data, size_t len);
	/* Called before a retry when part of a body was written: start over.
	 * NULL, or a return of -1, makes the failed attempt final. */
	int (*rewind)(void *arg);
	void *arg;
};

/* What a request may add to struct http_request; zero-initialize it. */
struct http_transfer {
	const struct http_source *source; /* the body from a file, instead of req->body */
	const struct http_sink *sink;     /* a 2xx body goes here instead of resp->body */
	long timeout_ms; /* 0: the client's timeout_ms; -1: no limit on the whole request */
	long stall_ms;   /* fail when no byte moves for this long (rounded to seconds); 0: never */
};

/* http_do with a transfer (which may be NULL). Failures of the source (a read
 * error or a file shorter than length) or of the sink end the request at once,
 * with -1 and errbuf saying what failed. */
int http_do_transfer(struct http_client *c, const struct http_request *req, const struct http_transfer *x,
		     struct http_response *resp);

/* ref (a Location header: absolute, or relative to base) as an absolute URL;
 * NULL when either cannot be parsed. */
char *http_url_resolve(const char *base, const char *ref);
/* s percent-encoded for a query value or a path segment (RFC 3986 unreserved kept). */
char *http_escape(const char *s);

/* "Basic base64(user:password)", the value of an Authorization header (NULLs
 * read as ""). The plain text is wiped from memory. */
char *http_basic_auth(const char *user, const char *password);

/* Case-insensitive header lookup in the final response; NULL when absent. */
const char *http_header_get(const struct http_response *resp, const char *name);
void http_response_release(struct http_response *resp);

/* Exit code for a failed exchange: a file of ours unreadable -> its code
 * (66 missing or a directory, 77 permission denied), no response -> 69, 401/403 -> 77, 404 -> 66,
 * 409 -> 73, 408/429/503/504 -> 75, other 4xx -> 65, 5xx -> 69. */
int http_exit_code(const struct http_response *resp);

/* Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); -1 if unparsable. */
long http_parse_retry_after(const char *value, long now_epoch);

/* Return a copy of a header line with its secret value redacted when the header
 * is one of those listed above. Exposed for tests. */
char *http_redact_header(const char *line);
/* A URL fit to print: userinfo (user:password@) and secret query values removed. */
char *http_redact_url(const char *url);
/* Redact "password"/"secret"/"token" values in a JSON or form body. Exposed for tests. */
char *http_redact_body(const char *body, size_t len);

#endif
