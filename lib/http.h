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
 *   replaced by "<redacted>" (lib/redact.h).
 * - Streaming (http_do_transfer): a request body read from a file descriptor,
 *   read again from its start on every attempt, and a 2xx response body handed
 *   to a sink as it arrives instead of being kept in memory.
 * - Limits on what a server may send (cloudctl(7), LIMITS): a body kept in
 *   memory up to CLOUDCTL_HTTP_MAX_BODY (64 MiB), a streamed one up to the
 *   transfer's max_bytes; at most HTTP_MAX_HEADERS headers of HTTP_MAX_HEADER_BYTES
 *   in all; CLOUDCTL_HTTP_TIMEOUT and CLOUDCTL_HTTP_CONNECT_TIMEOUT replace the
 *   default timeouts. An answer past a limit ends the request (not retried)
 *   with errbuf naming the limit. Redirects are never followed here: a caller
 *   that follows one sends credentials only where http_same_origin allows.
 */
#ifndef CLOUDCTL_HTTP_H
#define CLOUDCTL_HTTP_H

#include <stddef.h>
#include "strmap.h"
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

#define HTTP_MAX_BODY_DEFAULT (64LL << 20) /* CLOUDCTL_HTTP_MAX_BODY */
#define HTTP_MAX_HEADERS 500               /* in one response */
#define HTTP_MAX_HEADER_BYTES (256 * 1024) /* all the header lines of one response */
#define HTTP_MAX_PAGES_DEFAULT 10000       /* CLOUDCTL_HTTP_MAX_PAGES */

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
	/* Not 0 when a failure calls for another exit code than 69: a file of
	 * ours (cacert, cert_file, key_file) that cannot be read, so nothing was
	 * sent (exit_for_errno: 66, 77, 74); a server certificate that does not
	 * verify (unknown issuer, wrong name, expired): 77. */
	int local_exit;
	/* An answer past a limit (see the top): errbuf names it; exit 69. */
	int over_limit;
};
#define HTTP_RESPONSE_INIT { 0, STRBUF_INIT, NULL, 0, 0, "", 0, 0, 0, 0 }

/* A client keeps one connection cache: it is not thread-safe, use one per thread. */
struct http_client;

struct http_client *http_client_new(const struct http_opts *opts);
void http_client_free(struct http_client *c);
/* The most a body kept in memory may have (CLOUDCTL_HTTP_MAX_BODY): also a
 * bound for what a caller keeps of a streamed one, such as a line of it. */
long long http_client_max_body(const struct http_client *c);

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
	long long max_bytes; /* a 2xx body to the sink longer than this is cut and refused; 0: no limit */
};

/* http_do with a transfer (which may be NULL). Failures of the source (a read
 * error or a file shorter than length) or of the sink end the request at once,
 * with -1 and errbuf saying what failed. */
int http_do_transfer(struct http_client *c, const struct http_request *req, const struct http_transfer *x,
		     struct http_response *resp);

/* Whether a and b have the same scheme, host and port (the default port when
 * none is written): only then may credentials meant for one go to the other.
 * 0 when either cannot be parsed. */
int http_same_origin(const char *a, const char *b);

/* The pages of a list that a server links one to the next: a link back to a
 * page already read, or more than CLOUDCTL_HTTP_MAX_PAGES pages, would never end. */
struct http_pages {
	struct strmap seen;
	long count, max;
};
#define HTTP_PAGES_INIT { STRMAP_INIT, 0, 0 }
/* 0 when url may be read as the next page (the first included); -1 with why
 * (a phrase) when it was read already or the pages are too many. */
int http_pages_next(struct http_pages *p, const char *url, struct strbuf *why);
void http_pages_release(struct http_pages *p);

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
 * (66 missing or a directory, 77 permission denied), a server certificate
 * refused -> 77, no response or one past a limit -> 69, 401/403 -> 77, 404 -> 66,
 * 409 -> 73, 408/429/503/504 -> 75, other 4xx -> 65, 5xx -> 69. */
int http_exit_code(const struct http_response *resp);

/* Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); -1 if unparsable. */
long http_parse_retry_after(const char *value, long now_epoch);


#endif
