/* http.c: see http.h.
 *
 * Each client owns one libcurl easy handle. It is reset, not recreated, for
 * every request, so that open connections, the DNS cache and TLS sessions
 * carry over from one request to the next. For the same reason a client is
 * not thread-safe: use one client per thread.
 *
 * What is retried, and why:
 * - failures before the request left (host not resolved, connection refused,
 *   a timeout before any byte of the request was sent, i.e. while connecting
 *   or in the TLS handshake): for every method, the server never saw it;
 * - send/receive errors and empty or cut-short replies: for idempotent
 *   requests only, the server may have acted on the request;
 * - a timeout after the request was sent: never. The timeout is the user's
 *   bound on the whole request, and retrying would multiply it;
 * - libcurl's own silent resend, when a reused connection turns out closed
 *   before any answer: a request that is not idempotent always goes on a
 *   fresh connection, so that it is never sent twice behind our back (a POST
 *   that creates a server would make two).
 * - HTTP 408, 429, 502, 503, 504: for idempotent requests only, after the
 *   Retry-After the server asked for (capped by max_backoff_ms) or else after
 *   a capped exponential backoff with full jitter.
 *
 * Streaming (struct http_transfer): a body from a file is read with pread at
 * offset + position, so each attempt (and libcurl's own rewind through the
 * seek callback) starts again at offset. A 2xx body goes to the sink; any
 * other body to resp->body, so that the caller reads the server's error.
 *
 * Limits (http.h): a server that sends without end, or headers by the
 * thousand, would otherwise fill memory or disk; one that answers a byte at a
 * time is bounded by the whole-request timeout, or by the stall limit of a
 * transfer without one. A callback that stops the transfer notes which limit
 * in limit_hit, and errbuf says it instead of libcurl's "write error".
 */
#include "http.h"
#include "redact.h"
#include "secret.h"
#include "curlapi.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOUDCTL_VERSION
#define CLOUDCTL_VERSION "unknown"
#endif

#define TRACE_BODY_MAX 4096 /* bytes of each body shown in traces */

enum { TRACE_OUT, TRACE_IN };

/* Trace state for one direction of the exchange. */
struct trace_side {
	struct strbuf line; /* a header line not yet complete */
	struct strbuf body; /* the first TRACE_BODY_MAX bytes of the body */
	size_t body_total;
};

struct http_client {
	CURL *curl;
	struct http_opts opts; /* its strings point to our copies */
	char *cacert, *cert_file, *key_file;
	char *user_agent;
	unsigned rng; /* rand_r state for the backoff jitter */
	char errbuf[CURL_ERROR_SIZE];
	struct trace_side trace[2];
	/* the exchange under way */
	struct http_response *resp;
	const struct http_transfer *xfer;
	long long read_pos; /* bytes of the source read in this attempt */
	int source_errno;   /* why reading the source failed; -1: it was short */
	int sink_used;      /* the sink got part of a body in this attempt */
	int sink_failed;
	long long max_body;     /* CLOUDCTL_HTTP_MAX_BODY */
	long long sink_bytes;   /* of the body given to the sink in this attempt */
	size_t header_bytes;    /* of the response under way */
	char limit_hit[128];    /* the limit an answer went past, or "" */
	int (*stop)(void);  /* http_client_stop_when */
};

/* ---- traces (-vv) ---- */

/* One line to stderr, in one write so that threads do not interleave. Control
 * characters are replaced: a body must not drive the terminal. */
static void trace_emit(char mark, const char *s, size_t n)
{
	struct strbuf line = STRBUF_INIT;
	sb_addf(&line, "%s: %c%s", progname, mark, n ? " " : "");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		sb_addc(&line, (ch < 0x20 && ch != '\t') || ch == 0x7f ? '?' : (char)ch);
	}
	sb_addc(&line, '\n');
	fwrite(line.buf, 1, line.len, stderr);
	sb_release(&line);
}

/* Emit text line by line, each through redactor unless it is NULL (text
 * redacted as a whole already); a final newline makes no empty line. */
static void trace_lines(char mark, const char *s, size_t len, char *(*redactor)(const char *))
{
	size_t start = 0;
	while (start < len) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len, n = end - start;
		if (n > 0 && s[start + n - 1] == '\r')
			n--;
		if (redactor) {
			char *line = xstrndup(s + start, n);
			char *clean = redactor(line);
			trace_emit(mark, clean, strlen(clean));
			free(clean);
			free(line);
		} else {
			trace_emit(mark, s + start, n);
		}
		start = end + 1;
	}
}

static char trace_mark(int side)
{
	return side == TRACE_OUT ? '>' : '<';
}

/* Headers may come in pieces: only whole lines are redacted and shown, so that
 * no part of a secret value slips out on a line of its own. */
static void trace_headers(struct http_client *c, int side, const char *data, size_t size)
{
	struct strbuf *pending = &c->trace[side].line;
	sb_add(pending, data, size);
	const char *last_nl = NULL;
	for (size_t i = pending->len; i > 0; i--)
		if (pending->buf[i - 1] == '\n') {
			last_nl = pending->buf + i - 1;
			break;
		}
	if (!last_nl)
		return;
	size_t done = (size_t)(last_nl - pending->buf) + 1;
	trace_lines(trace_mark(side), pending->buf, done, redact_header);
	memmove(pending->buf, pending->buf + done, pending->len - done + 1);
	pending->len -= done;
}

static void trace_flush_line(struct http_client *c, int side)
{
	struct strbuf *pending = &c->trace[side].line;
	if (pending->len)
		trace_lines(trace_mark(side), pending->buf, pending->len, redact_header);
	sb_reset(pending);
}

/* Bodies are kept until complete: a secret split between two pieces would
 * escape a piece-by-piece redaction. */
static void trace_body(struct http_client *c, int side, const char *data, size_t size)
{
	struct trace_side *t = &c->trace[side];
	if (t->body.len < TRACE_BODY_MAX) {
		size_t room = TRACE_BODY_MAX - t->body.len;
		sb_add(&t->body, data, size < room ? size : room);
	}
	t->body_total += size;
}

static void trace_flush_body(struct http_client *c, int side)
{
	struct trace_side *t = &c->trace[side];
	if (!t->body_total)
		return;
	/* As a whole: a key and its value may be on different lines. A body
	 * with a NUL byte (a git pack, a gzip layer) is shown up to it. */
	const char *nul = memchr(t->body.buf, 0, t->body.len);
	size_t shown = nul ? (size_t)(nul - t->body.buf) : t->body.len;
	struct strbuf clean = STRBUF_INIT;
	redact_into(&clean, t->body.buf, shown);
	trace_lines(trace_mark(side), clean.buf, clean.len, NULL);
	sb_release(&clean);
	if (nul) {
		char note[96];
		int n = snprintf(note, sizeof note, "[%zu bytes in all, binary from byte %zu]", t->body_total, shown);
		trace_emit(trace_mark(side), note, (size_t)n);
	} else if (t->body_total > t->body.len) {
		char note[96];
		int n = snprintf(note, sizeof note, "[%zu bytes in all, the first %zu shown]",
				 t->body_total, t->body.len);
		trace_emit(trace_mark(side), note, (size_t)n);
	}
	sb_reset(&t->body);
	t->body_total = 0;
}

static void trace_flush_all(struct http_client *c)
{
	trace_flush_line(c, TRACE_OUT);
	trace_flush_body(c, TRACE_OUT);
	trace_flush_line(c, TRACE_IN);
	trace_flush_body(c, TRACE_IN);
}

/* Headers begin a phase of the exchange: a request's (out: the last exchange
 * is over) or its answer's (in: the request, body included, is sent). What
 * the phase before left pending is written first. */
static void trace_phase_headers(struct http_client *c, int side, const char *data, size_t size)
{
	if (side == TRACE_IN)
		trace_flush_line(c, TRACE_OUT);
	trace_flush_body(c, TRACE_OUT);
	trace_flush_body(c, TRACE_IN);
	trace_headers(c, side, data, size);
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	struct http_client *c = userp;
	(void)h;
	switch (type) {
	case CURLINFO_TEXT:
		trace_lines('*', data, size, redact_trace_line);
		break;
	case CURLINFO_HEADER_OUT:
	case CURLINFO_HEADER_IN:
		trace_phase_headers(c, type == CURLINFO_HEADER_OUT ? TRACE_OUT : TRACE_IN, data, size);
		break;
	case CURLINFO_DATA_OUT:
	case CURLINFO_DATA_IN:
		trace_body(c, type == CURLINFO_DATA_OUT ? TRACE_OUT : TRACE_IN, data, size);
		break;
	default: /* raw TLS records */
		break;
	}
	return 0;
}

/* ---- responses ---- */

static void free_headers(struct http_response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	resp->headers = NULL;
	resp->nheaders = 0;
}

static void reset_response(struct http_response *resp)
{
	resp->status = 0;
	resp->over_limit = 0;
	resp->local_exit = 0;
	resp->sent = 0;
	resp->cut_status = 0;
	sb_reset(&resp->body);
	free_headers(resp);
	resp->errbuf[0] = '\0';
}

void http_response_release(struct http_response *resp)
{
	reset_response(resp);
	sb_release(&resp->body);
	resp->attempts = 0;
}

const char *http_header_get(const struct http_response *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* A folded line (obsolete, but legal from old servers) continues the last value. */
static void continue_header(struct http_response *resp, const char *s, size_t n)
{
	struct http_header *h = &resp->headers[resp->nheaders - 1];
	char *value = xasprintf("%s %.*s", h->value, (int)n, s);
	free(h->value);
	h->value = value;
}

static void add_header_line(struct http_response *resp, const char *data, size_t len)
{
	int folded = len > 0 && (data[0] == ' ' || data[0] == '\t');
	trim(&data, &len);
	if (len == 0)
		return;
	if (folded) {
		if (resp->nheaders)
			continue_header(resp, data, len);
		return;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon)
		return;
	const char *name = data, *value = colon + 1;
	size_t name_len = (size_t)(colon - data), value_len = len - name_len - 1;
	trim(&name, &name_len);
	trim(&value, &value_len);
	resp->headers = xrealloc(resp->headers, (resp->nheaders + 1) * sizeof *resp->headers);
	resp->headers[resp->nheaders].name = xstrndup(name, name_len);
	resp->headers[resp->nheaders].value = xstrndup(value, value_len);
	resp->nheaders++;
}

/* Stop the transfer: returning a count other than the one given makes
 * libcurl end it with a write error, which is never retried. */
static size_t __attribute__((format(printf, 2, 3))) stop_at_limit(struct http_client *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->limit_hit, sizeof c->limit_hit, fmt, ap);
	va_end(ap);
	return 0;
}

/* "64 MiB" for a whole number of MiB, else the bytes. */
static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
	struct http_client *c = userp;
	struct http_response *resp = c->resp;
	size_t len = size * n;
	/* Each status line starts a response (100 Continue, then the real one):
	 * keep the headers of the last only. */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		free_headers(resp);
		c->header_bytes = 0;
		return len;
	}
	c->header_bytes += len;
	if (c->header_bytes > HTTP_MAX_HEADER_BYTES)
		return stop_at_limit(c, "the answer's headers are larger than %d KiB", HTTP_MAX_HEADER_BYTES / 1024);
	if (resp->nheaders >= HTTP_MAX_HEADERS && len > 2) /* "\r\n" ends the headers: no header */
		return stop_at_limit(c, "the answer has more than %d headers", HTTP_MAX_HEADERS);
	add_header_line(resp, data, len);
	return len;
}

static int status_is_success(struct http_client *c)
{
	long status = 0;
	curl_api.easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	return status >= 200 && status < 300;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
	struct http_client *c = userp;
	const struct http_sink *sink = c->xfer ? c->xfer->sink : NULL;
	size_t len = size * n;
	if (!sink || !status_is_success(c)) {
		char limit[32];
		if ((long long)(c->resp->body.len + len) > c->max_body)
			return stop_at_limit(c, "the answer is larger than %s (CLOUDCTL_HTTP_MAX_BODY)",
					     size_text(c->max_body, limit, sizeof limit));
		sb_add(&c->resp->body, data, len);
		return len;
	}
	c->sink_bytes += (long long)len;
	if (c->xfer->max_bytes > 0 && c->sink_bytes > c->xfer->max_bytes)
		return stop_at_limit(c, "the answer goes on past the %lld bytes expected", c->xfer->max_bytes);
	c->sink_used = 1;
	if (sink->write(sink->arg, data, len) < 0) {
		c->sink_failed = 1;
		return 0; /* libcurl ends the transfer with a write error */
	}
	return len;
}

/* ---- request bodies from files ---- */

static size_t on_read(char *buf, size_t size, size_t n, void *userp)
{
	struct http_client *c = userp;
	const struct http_source *src = c->xfer->source;
	long long left = src->length - c->read_pos;
	size_t want = size * n;
	if ((long long)want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	ssize_t got;
	do
		got = pread(src->fd, buf, want, (off_t)(src->offset + c->read_pos));
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		c->source_errno = got < 0 ? errno : -1;
		return CURL_READFUNC_ABORT;
	}
	c->read_pos += got;
	if (src->progress)
		src->progress(src->arg, c->read_pos);
	return (size_t)got;
}

/* libcurl rewinds the body when it must send it again on the same attempt. */
static int on_seek(void *userp, curl_off_t offset, int origin)
{
	struct http_client *c = userp;
	if (origin != SEEK_SET || offset < 0 || offset > c->xfer->source->length)
		return CURL_SEEKFUNC_CANTSEEK;
	c->read_pos = offset;
	return CURL_SEEKFUNC_OK;
}

/* libcurl's progress callback: non-zero ends the transfer (CURLE_ABORTED_BY_CALLBACK). */
static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_client *c = userp;
	return c->stop() != 0;
}

/* ---- clients ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static char global_error[256]; /* why libcurl cannot be used, once global_init failed */

static void global_init(void)
{
	if (curl_api_load(global_error, sizeof global_error) < 0)
		return;
	if (curl_api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(global_error, sizeof global_error, "curl_global_init failed");
		return;
	}
	atexit(curl_api.global_cleanup);
}

/* libcurl, loaded and initialized on first use (curlapi.h says why); the tools
 * cannot do without it once they make a request. */
static void need_curl(void)
{
	pthread_once(&global_once, global_init);
	if (global_error[0])
		die(EXIT_UNAVAIL, "cannot use libcurl: %s", global_error);
}

static unsigned random_seed(const void *salt)
{
	unsigned seed;
	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
		return seed;
	return (unsigned)time(NULL) ^ (unsigned)getpid() ^ (unsigned)(uintptr_t)salt;
}

/* A duration from the environment for *ms (kept when the variable is unset
 * or empty); a value that is not one is a configuration error. */
static void env_duration(const char *name, long *ms)
{
	const char *v = getenv(name);
	long long parsed;
	if (!v || !*v)
		return;
	if (parse_duration_ms(v, &parsed) < 0 || parsed <= 0 || parsed > LONG_MAX)
		die(EXIT_CONFIG, "%s '%s': not a duration such as 30s or 5m", name, v);
	*ms = (long)parsed;
}

/* The user's limits (cloudctl(7), LIMITS) over the tool's defaults. */
static void apply_environment(struct http_client *c)
{
	env_duration("CLOUDCTL_HTTP_CONNECT_TIMEOUT", &c->opts.connect_timeout_ms);
	env_duration("CLOUDCTL_HTTP_TIMEOUT", &c->opts.timeout_ms);
	c->max_body = env_size("CLOUDCTL_HTTP_MAX_BODY", HTTP_MAX_BODY_DEFAULT);
}

struct http_client *http_client_new(const struct http_opts *opts)
{
	static const struct http_opts defaults = HTTP_OPTS_INIT;
	need_curl();
	struct http_client *c = xcalloc(1, sizeof *c);
	c->opts = opts ? *opts : defaults;
	if (c->opts.max_retries < 0)
		c->opts.max_retries = 0;
	apply_environment(c);
	c->cacert = c->opts.cacert ? xstrdup(c->opts.cacert) : NULL;
	c->user_agent = xstrdup(c->opts.user_agent ? c->opts.user_agent : "cloudctl/" CLOUDCTL_VERSION);
	c->opts.cacert = c->cacert;
	c->cert_file = c->opts.cert_file ? xstrdup(c->opts.cert_file) : NULL;
	c->key_file = c->opts.key_file ? xstrdup(c->opts.key_file) : NULL;
	c->opts.cert_file = c->cert_file;
	c->opts.key_file = c->key_file;
	c->opts.user_agent = c->user_agent;
	c->curl = curl_api.easy_init();
	if (!c->curl)
		die(EXIT_OSERR, "out of memory"); /* all curl_easy_init can lack, once initialized */
	c->rng = random_seed(c);
	for (int side = 0; side < 2; side++) {
		c->trace[side].line = (struct strbuf)STRBUF_INIT;
		c->trace[side].body = (struct strbuf)STRBUF_INIT;
	}
	return c;
}

long long http_client_max_body(const struct http_client *c)
{
	return c->max_body;
}

void http_client_stop_when(struct http_client *c, int (*stop)(void))
{
	c->stop = stop;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_api.easy_cleanup(c->curl);
	free(c->cacert);
	free(c->cert_file);
	free(c->key_file);
	free(c->user_agent);
	for (int side = 0; side < 2; side++) {
		sb_release(&c->trace[side].line);
		sb_release(&c->trace[side].body);
	}
	free(c);
}

/* ---- requests ---- */

static int method_is_idempotent(const char *method)
{
	static const char *const idempotent[] = { "GET", "HEAD", "PUT", "DELETE", "OPTIONS" };
	for (size_t i = 0; i < ARRAY_SIZE(idempotent); i++)
		if (strcmp(method, idempotent[i]) == 0)
			return 1;
	return 0;
}

/* Methods that carry a body send one even when empty: "Content-Length: 0",
 * which some servers require (411 Length Required). */
static int method_has_body(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
}

static struct curl_slist *build_headers(const struct http_request *req)
{
	struct curl_slist *list = NULL;
	for (const char *const *h = req->headers; h && *h; h++) {
		struct curl_slist *next = curl_api.slist_append(list, *h);
		if (!next)
			die(EXIT_OSERR, "out of memory");
		list = next;
	}
	return list;
}

/* UPLOAD is libcurl's PUT with a read callback; CUSTOMREQUEST renames it. */
static void set_source_body(struct http_client *c, const struct http_source *src, const char *method)
{
	CURL *h = c->curl;
	curl_api.easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_api.easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)src->length);
	curl_api.easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_api.easy_setopt(h, CURLOPT_READDATA, c);
	curl_api.easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
	curl_api.easy_setopt(h, CURLOPT_SEEKDATA, c);
	if (strcmp(method, "PUT") != 0)
		curl_api.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
}

static void set_method_and_body(struct http_client *c, const struct http_request *req, const char *method)
{
	CURL *h = c->curl;
	if (!strcmp(method, "HEAD")) {
		/* NOBODY, not CUSTOMREQUEST: libcurl would wait for a body */
		curl_api.easy_setopt(h, CURLOPT_NOBODY, 1L);
		return;
	}
	if (c->xfer && c->xfer->source) {
		set_source_body(c, c->xfer->source, method);
		return;
	}
	int has_body = req->body || req->body_len || method_has_body(method);
	if (has_body) {
		curl_api.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
		curl_api.easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	}
	if (strcmp(method, has_body ? "POST" : "GET") != 0)
		curl_api.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
}

static void set_tls(struct http_client *c)
{
	if (c->cacert)
		curl_api.easy_setopt(c->curl, CURLOPT_CAINFO, c->cacert);
	if (c->cert_file)
		curl_api.easy_setopt(c->curl, CURLOPT_SSLCERT, c->cert_file);
	if (c->key_file)
		curl_api.easy_setopt(c->curl, CURLOPT_SSLKEY, c->key_file);
	if (c->opts.insecure) {
		curl_api.easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_api.easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* VERBOSE only feeds on_debug: with a DEBUGFUNCTION set, libcurl itself
 * prints nothing, so every line goes through the redaction. */
static void set_trace(struct http_client *c)
{
	if (log_level < LOG_DEBUG)
		return;
	curl_api.easy_setopt(c->curl, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_api.easy_setopt(c->curl, CURLOPT_DEBUGDATA, c);
	curl_api.easy_setopt(c->curl, CURLOPT_VERBOSE, 1L);
}

/* The client's timeout unless the transfer has its own; a stall limit is
 * libcurl's low-speed check: under 1 byte/s for that many seconds. */
static void set_timeouts(struct http_client *c)
{
	const struct http_transfer *x = c->xfer;
	long timeout = c->opts.timeout_ms;
	if (x && x->timeout_ms)
		timeout = x->timeout_ms < 0 ? 0 : x->timeout_ms;
	curl_api.easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout);
	if (x && x->stall_ms > 0) {
		long secs = (x->stall_ms + 999) / 1000;
		curl_api.easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_api.easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, secs);
	}
}

/* A body whose Content-Length is past the limit is refused before any of it
 * is read (CURLE_FILESIZE_EXCEEDED); one without is counted as it comes. Not
 * for HEAD: libcurl would refuse the length of the body it does not read (a
 * registry's HEAD of a large blob). */
static void set_limits(struct http_client *c, const char *method)
{
	const struct http_transfer *x = c->xfer;
	if (!strcmp(method, "HEAD"))
		return;
	long long max = c->max_body; /* a body kept in memory, an error document included */
	if (x && x->sink)
		max = x->max_bytes <= 0 ? 0 : x->max_bytes > max ? x->max_bytes : max;
	if (max > 0)
		curl_api.easy_setopt(c->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
}

static void setup_request(struct http_client *c, const struct http_request *req, const char *method,
			  int idempotent, struct curl_slist *headers, struct http_response *resp)
{
	CURL *h = c->curl;
	curl_api.easy_reset(h); /* keeps the connections, DNS and TLS session caches */
	curl_api.easy_setopt(h, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_api.easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM for timeouts: we may be threaded */
	curl_api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
	set_timeouts(c);
	curl_api.easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	if (c->opts.http1)
		curl_api.easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	/* The tools follow redirects themselves, sending credentials to the
	 * same origin only (http_same_origin): libcurl would carry X-Auth-Token
	 * to any host. UNRESTRICTED_AUTH stays off (easy_reset's default). */
	curl_api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	set_limits(c, method);
	curl_api.easy_setopt(h, CURLOPT_FRESH_CONNECT, idempotent ? 0L : 1L);
	curl_api.easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_api.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_api.easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_api.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_api.easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_api.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	if (c->stop) {
		curl_api.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_api.easy_setopt(h, CURLOPT_XFERINFODATA, c);
		curl_api.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}
	c->resp = resp;
	set_method_and_body(c, req, method);
	set_tls(c);
	set_trace(c);
}

/* Whether any byte of the request went out, so the server may have seen it. */
static int request_was_sent(struct http_client *c)
{
	long sent = 0;
	return curl_api.easy_getinfo(c->curl, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK && sent > 0;
}

/* See the top of the file. */
static int error_is_retryable(struct http_client *c, CURLcode rc, int idempotent)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		return !request_was_sent(c);
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return idempotent;
	default:
		return 0;
	}
}

static int status_is_retryable(long status)
{
	return status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
}

/* Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
static long backoff_ms(struct http_client *c, int attempt)
{
	long ceiling = c->opts.base_backoff_ms, max = c->opts.max_backoff_ms;
	for (int i = 1; i < attempt && ceiling < max && ceiling <= LONG_MAX / 2; i++)
		ceiling *= 2;
	if (ceiling > max)
		ceiling = max;
	if (ceiling <= 0)
		return 0;
	double unit = (double)rand_r(&c->rng) / ((double)RAND_MAX + 1.0);
	return (long)(unit * ((double)ceiling + 1.0));
}

/* How long to wait before the next attempt, or -1 when the outcome is final. */
static long retry_wait_ms(struct http_client *c, CURLcode rc, const struct http_response *resp,
			  int idempotent, int attempt)
{
	if (rc != CURLE_OK)
		return error_is_retryable(c, rc, idempotent) ? backoff_ms(c, attempt) : -1;
	if (!idempotent || !status_is_retryable(resp->status))
		return -1;
	const char *value = http_header_get(resp, "Retry-After");
	long secs = value ? http_parse_retry_after(value, (long)time(NULL)) : -1;
	if (secs < 0)
		return backoff_ms(c, attempt);
	long max = c->opts.max_backoff_ms > 0 ? c->opts.max_backoff_ms : 0;
	return secs > max / 1000 ? max : secs * 1000;
}

static void log_retry(const char *method, const char *url, CURLcode rc, const struct http_response *resp,
		      int next_attempt, long attempts, long wait_ms)
{
	if (log_level < LOG_INFO)
		return;
	char reason[128];
	if (rc == CURLE_OK)
		snprintf(reason, sizeof reason, "%ld", resp->status);
	else
		snprintf(reason, sizeof reason, "%s", curl_api.easy_strerror(rc));
	reason[0] = (char)tolower((unsigned char)reason[0]);
	struct strbuf safe_url = STRBUF_INIT;
	redact_into(&safe_url, url, strlen(url));
	info("retrying %s %s after %s (attempt %d of %ld, waiting %.1fs)", method, safe_url.buf, reason,
	     next_attempt, attempts, (double)wait_ms / 1000.0);
	sb_release(&safe_url);
}

/* The limit a Content-Length went past: that of a streamed body, or else of
 * one kept in memory (set_limits). libcurl refuses it as it reads the header,
 * before our header callback sees it. */
static const char *declared_too_large(struct http_client *c)
{
	const struct http_transfer *x = c->xfer;
	char limit[32];
	if (x && x->sink && status_is_success(c))
		stop_at_limit(c, "the answer's declared length is past the %lld bytes expected", x->max_bytes);
	else
		stop_at_limit(c, "the answer's declared length is larger than %s (CLOUDCTL_HTTP_MAX_BODY)",
			      size_text(c->max_body, limit, sizeof limit));
	return c->limit_hit;
}

/* What failed, for errbuf: our source or sink, or else libcurl's words. */
static void describe_failure(struct http_client *c, CURLcode rc, struct http_response *resp)
{
	if (c->source_errno)
		snprintf(resp->errbuf, sizeof resp->errbuf, "reading the request body: %s",
			 c->source_errno > 0 ? strerror(c->source_errno) : "the file is shorter than its length");
	else if (c->sink_failed)
		snprintf(resp->errbuf, sizeof resp->errbuf, "writing the response body failed");
	else if (c->limit_hit[0])
		snprintf(resp->errbuf, sizeof resp->errbuf, "%s", c->limit_hit);
	else if (rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(resp->errbuf, sizeof resp->errbuf, "%s", declared_too_large(c));
	else if (rc == CURLE_ABORTED_BY_CALLBACK && c->stop)
		snprintf(resp->errbuf, sizeof resp->errbuf, "stopped before the answer (interrupted)");
	else
		snprintf(resp->errbuf, sizeof resp->errbuf, "%s", c->errbuf[0] ? c->errbuf : curl_api.easy_strerror(rc));
}

static CURLcode perform_attempt(struct http_client *c, struct http_response *resp)
{
	reset_response(resp);
	c->errbuf[0] = '\0';
	c->read_pos = 0;
	c->source_errno = 0;
	c->sink_used = 0;
	c->sink_failed = 0;
	c->sink_bytes = 0;
	c->header_bytes = 0;
	c->limit_hit[0] = '\0';
	CURLcode rc = curl_api.easy_perform(c->curl);
	trace_flush_all(c);
	if (rc == CURLE_OK) {
		curl_api.easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
		return rc;
	}
	reset_response(resp); /* a response cut short is no response */
	resp->sent = request_was_sent(c);
	curl_api.easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->cut_status);
	describe_failure(c, rc, resp);
	resp->over_limit = c->limit_hit[0] != '\0'; /* describe_failure may note one */
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		resp->local_exit = EXIT_PERM; /* the server is not who it says: as an unknown ssh host key */
	return rc;
}

/* Whether another attempt may start: nothing of ours failed, and what the
 * sink received is undone. */
static int may_start_over(struct http_client *c)
{
	if (c->source_errno || c->sink_failed)
		return 0;
	if (!c->sink_used)
		return 1;
	const struct http_sink *sink = c->xfer->sink;
	return sink->rewind && sink->rewind(sink->arg) == 0;
}

int http_do(struct http_client *c, const struct http_request *req, struct http_response *resp)
{
	return http_do_transfer(c, req, NULL, resp);
}

/* A CA bundle, certificate or key named but unreadable is the user's input
 * file, not a service that cannot be reached: said, and exit_for_errno's code. */
static int check_local_files(const struct http_client *c, struct http_response *resp)
{
	const char *files[] = { c->cacert, c->cert_file, c->key_file };
	const char *names[] = { "CA bundle", "client certificate", "client key" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f = files[i] ? open_input_file(files[i]) : NULL;
		if (f) {
			fclose(f);
		} else if (files[i]) {
			snprintf(resp->errbuf, sizeof resp->errbuf, "%s '%s': %s", names[i], files[i], strerror(errno));
			resp->local_exit = exit_for_errno(errno);
			return -1;
		}
	}
	return 0;
}

int http_do_transfer(struct http_client *c, const struct http_request *req, const struct http_transfer *x,
		     struct http_response *resp)
{
	resp->local_exit = 0;
	if (check_local_files(c, resp) < 0) {
		resp->status = 0;
		return -1;
	}
	const char *method = req->method ? req->method : "GET";
	int idempotent = req->idempotent || method_is_idempotent(method);
	struct curl_slist *headers = build_headers(req);
	CURLcode rc;

	c->xfer = x;
	setup_request(c, req, method, idempotent, headers, resp);
	for (int attempt = 1;; attempt++) {
		resp->attempts = attempt;
		rc = perform_attempt(c, resp);
		long wait = attempt <= c->opts.max_retries ? retry_wait_ms(c, rc, resp, idempotent, attempt) : -1;
		if (wait < 0 || !may_start_over(c))
			break;
		log_retry(method, req->url, rc, resp, attempt + 1, (long)c->opts.max_retries + 1, wait);
		sleep_ms(wait);
	}
	curl_api.slist_free_all(headers);
	c->xfer = NULL;
	c->resp = NULL;
	return rc == CURLE_OK ? 0 : -1;
}

/* ---- small helpers ---- */

int http_exit_code(const struct http_response *resp)
{
	if (resp && resp->local_exit)
		return resp->local_exit;
	long status = resp ? resp->status : 0;
	if (status >= 200 && status < 300)
		return EXIT_OK;
	switch (status) {
	case 401:
	case 403:
		return EXIT_PERM;
	case 404:
		return EXIT_NOTFOUND;
	case 409:
		return EXIT_EXISTS;
	case 408:
	case 429:
	case 503:
	case 504:
		return EXIT_TEMPFAIL;
	}
	if (status >= 400 && status < 500)
		return EXIT_DATA;
	return EXIT_UNAVAIL; /* no response, 5xx, or a 1xx/3xx left unhandled */
}

static long parse_delta_seconds(const char *s, size_t n)
{
	long secs = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		int digit = s[i] - '0';
		if (secs > (LONG_MAX - digit) / 10)
			return LONG_MAX; /* absurdly far: the caller caps it anyway */
		secs = secs * 10 + digit;
	}
	return secs;
}

long http_parse_retry_after(const char *value, long now_epoch)
{
	if (!value)
		return -1;
	size_t n = strlen(value);
	trim(&value, &n);
	if (n == 0)
		return -1;
	long secs = parse_delta_seconds(value, n);
	if (secs >= 0)
		return secs;
	need_curl();
	char *text = xstrndup(value, n);
	time_t when = curl_api.getdate(text, NULL);
	free(text);
	if (when == -1)
		return -1;
	return (long)when > now_epoch ? (long)when - now_epoch : 0;
}

char *http_url_resolve(const char *base, const char *ref)
{
	need_curl();
	CURLU *u = curl_api.url();
	char *url = NULL, *out = NULL;
	if (!u)
		die(EXIT_OSERR, "out of memory");
	/* A second URL set on a handle is resolved against the first when relative. */
	if (curl_api.url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_api.url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_api.url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK) {
		out = xstrdup(url);
		curl_api.free(url);
	}
	curl_api.url_cleanup(u);
	return out;
}

/* The parts of url that make its origin, lower-cased by libcurl; the port is
 * the scheme's default when none is written. 0, or -1 when url is not one. */
static int origin_of(const char *url, char **scheme, char **host, char **port)
{
	need_curl();
	CURLU *u = curl_api.url();
	if (!u)
		die(EXIT_OSERR, "out of memory");
	*scheme = *host = *port = NULL;
	int ok = curl_api.url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		 curl_api.url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
		 curl_api.url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
		 curl_api.url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_api.url_cleanup(u);
	return ok ? 0 : -1;
}

static void free_origin(char *scheme, char *host, char *port)
{
	curl_api.free(scheme);
	curl_api.free(host);
	curl_api.free(port);
}

int http_same_origin(const char *a, const char *b)
{
	char *sa, *ha, *pa, *sb, *hb, *pb;
	int ok_a = origin_of(a, &sa, &ha, &pa) == 0, ok_b = origin_of(b, &sb, &hb, &pb) == 0;
	int same = ok_a && ok_b && !strcasecmp(sa, sb) && !strcasecmp(ha, hb) && !strcmp(pa, pb);
	free_origin(sa, ha, pa);
	free_origin(sb, hb, pb);
	return same;
}

/* The limit from CLOUDCTL_HTTP_MAX_PAGES, read once per list. */
static long max_pages(void)
{
	const char *v = getenv("CLOUDCTL_HTTP_MAX_PAGES");
	long long n;
	if (!v || !*v)
		return HTTP_MAX_PAGES_DEFAULT;
	if (parse_ll(v, 1, LONG_MAX, &n) < 0)
		die(EXIT_CONFIG, "CLOUDCTL_HTTP_MAX_PAGES '%s': not a number of pages", v);
	return (long)n;
}

int http_pages_next(struct http_pages *p, const char *url, struct strbuf *why)
{
	if (!p->max)
		p->max = max_pages();
	size_t seen_as;
	if (strmap_get(&p->seen, url, &seen_as)) {
		sb_addf(why, "page %ld links back to page %zu: the list would never end", p->count, seen_as);
		return -1;
	}
	if (p->count >= p->max) {
		sb_addf(why, "more than %ld pages (CLOUDCTL_HTTP_MAX_PAGES)", p->max);
		return -1;
	}
	strmap_put(&p->seen, url, (size_t)++p->count);
	return 0;
}

void http_pages_release(struct http_pages *p)
{
	strmap_clear(&p->seen);
	p->count = 0;
}

/* RFC 3986's unreserved characters, in ASCII whatever the locale. */
static int is_unreserved(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("-._~", ch) != NULL);
}

char *http_basic_auth(const char *user, const char *password)
{
	struct strbuf plain = STRBUF_SECRET_INIT, out = STRBUF_SECRET_INIT;
	sb_addf(&plain, "%s:%s", user ? user : "", password ? password : "");
	sb_adds(&out, "Basic ");
	base64_encode(&out, (const unsigned char *)plain.buf, plain.len);
	secret_sb_release(&plain);
	return sb_detach(&out);
}

char *http_escape(const char *s)
{
	struct strbuf out = STRBUF_INIT;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (is_unreserved(ch))
			sb_addc(&out, (char)ch);
		else
			sb_addf(&out, "%%%02X", ch);
	}
	return sb_detach(&out);
}
