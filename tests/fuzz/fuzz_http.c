/* fuzz_http.c: the scripted transport of fuzz_http.h. */
#include "fuzz_http.h"
#include "curlapi.h"
#include "fuzz.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#define MAX_ANSWERS 64

struct answer {
	const char *p;
	size_t n;
};

static struct answer answers[MAX_ANSWERS];
static size_t nanswers, next_answer;
static unsigned requests;

/* What lib/http.c set on its handle: only the callbacks matter here. */
struct fake_easy {
	curl_write_callback on_header, on_body;
	void *header_arg, *body_arg;
	curl_debug_callback on_debug;
	void *debug_arg;
	long verbose;
	long status;
};

static void add_answer(const char *p, size_t n)
{
	if (nanswers < MAX_ANSWERS)
		answers[nanswers++] = (struct answer){ p, n };
}

void fuzz_http_script(const char *const *fixed, const char *data, size_t size)
{
	nanswers = next_answer = 0;
	requests = 0;
	for (; fixed && *fixed; fixed++)
		add_answer(*fixed, strlen(*fixed));
	const char *end = data + size, *sep;
	size_t seplen = strlen(FUZZ_HTTP_NEXT);
	while ((sep = memmem(data, (size_t)(end - data), FUZZ_HTTP_NEXT, seplen))) {
		add_answer(data, (size_t)(sep - data));
		data = sep + seplen;
	}
	add_answer(data, (size_t)(end - data));
}

unsigned fuzz_http_requests(void)
{
	return requests;
}

/* A status line, "HTTP/1.1 404 Not Found" -> 404; 0 for any other line (libcurl
 * wants three digits after the version and a space). */
static long status_of(const char *line, size_t n)
{
	const char *nl = memchr(line, '\n', n);
	if (nl)
		n = (size_t)(nl - line);
	if (n < 5 || memcmp(line, "HTTP/", 5) != 0)
		return 0;
	const char *sp = memchr(line, ' ', n);
	if (!sp || (size_t)(line + n - sp) < 4)
		return 0;
	long status = 0;
	for (int i = 1; i <= 3; i++) {
		if (sp[i] < '0' || sp[i] > '9')
			return 0;
		status = status * 10 + (sp[i] - '0');
	}
	return status >= 100 ? status : 0;
}

/* Hand the header lines to the callbacks as libcurl does, each with its line
 * end; returns where the body starts, or NULL when a callback refused. */
static const char *feed_headers(struct fake_easy *e, const char *p, const char *end)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
		long st = status_of(p, n);
		if (st)
			e->status = st;
		if (e->verbose && e->on_debug)
			e->on_debug((CURL *)e, CURLINFO_HEADER_IN, (char *)p, n, e->debug_arg);
		char *line = fuzz_str((const uint8_t *)p, n); /* a copy: ASan sees reads past the line */
		size_t took = e->on_header(line, 1, n, e->header_arg);
		free(line);
		if (took != n)
			return NULL;
		int blank = (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
		p += n;
		if (blank)
			break;
	}
	return p;
}

/* The body in pieces of varying sizes, as it comes off a socket. */
static CURLcode feed_body(struct fake_easy *e, const char *p, const char *end)
{
	size_t piece = 1;
	while (p < end) {
		size_t n = (size_t)(end - p) < piece ? (size_t)(end - p) : piece;
		if (e->verbose && e->on_debug)
			e->on_debug((CURL *)e, CURLINFO_DATA_IN, (char *)p, n, e->debug_arg);
		char *copy = fuzz_str((const uint8_t *)p, n);
		size_t took = e->on_body(copy, 1, n, e->body_arg);
		free(copy);
		if (took != n)
			return CURLE_WRITE_ERROR;
		p += n;
		piece = piece * 3 + 1;
	}
	return CURLE_OK;
}

static CURLcode fake_perform(CURL *h)
{
	struct fake_easy *e = (struct fake_easy *)h;
	requests++;
	e->status = 0;
	if (next_answer >= nanswers)
		return CURLE_ABORTED_BY_CALLBACK; /* not retried: the script is over */
	struct answer a = answers[next_answer++];
	if (status_of(a.p, a.n) == 0)
		return CURLE_RECV_ERROR;
	/* libcurl refuses a header with a NUL byte ("Nul byte in header") */
	const char *blank = memmem(a.p, a.n, "\n\r\n", 3), *blank2 = memmem(a.p, a.n, "\n\n", 2);
	const char *head_end = blank && (!blank2 || blank < blank2) ? blank : blank2 ? blank2 : a.p + a.n;
	if (memchr(a.p, '\0', (size_t)(head_end - a.p)))
		return CURLE_WEIRD_SERVER_REPLY;
	const char *body = feed_headers(e, a.p, a.p + a.n);
	if (!body)
		return CURLE_WRITE_ERROR;
	return feed_body(e, body, a.p + a.n);
}

static CURLcode fake_setopt(CURL *h, CURLoption option, ...)
{
	struct fake_easy *e = (struct fake_easy *)h;
	va_list ap;
	va_start(ap, option);
	switch (option) {
	case CURLOPT_HEADERFUNCTION:
		e->on_header = va_arg(ap, curl_write_callback);
		break;
	case CURLOPT_HEADERDATA:
		e->header_arg = va_arg(ap, void *);
		break;
	case CURLOPT_WRITEFUNCTION:
		e->on_body = va_arg(ap, curl_write_callback);
		break;
	case CURLOPT_WRITEDATA:
		e->body_arg = va_arg(ap, void *);
		break;
	case CURLOPT_DEBUGFUNCTION:
		e->on_debug = va_arg(ap, curl_debug_callback);
		break;
	case CURLOPT_DEBUGDATA:
		e->debug_arg = va_arg(ap, void *);
		break;
	case CURLOPT_VERBOSE:
		e->verbose = va_arg(ap, long);
		break;
	default:
		break;
	}
	va_end(ap);
	return CURLE_OK;
}

static CURLcode fake_getinfo(CURL *h, CURLINFO info, ...)
{
	struct fake_easy *e = (struct fake_easy *)h;
	va_list ap;
	va_start(ap, info);
	CURLcode rc = CURLE_OK;
	if (info == CURLINFO_RESPONSE_CODE)
		*va_arg(ap, long *) = e->status;
	else if (info == CURLINFO_REQUEST_SIZE)
		*va_arg(ap, long *) = 1; /* every request went out */
	else
		rc = CURLE_UNKNOWN_OPTION;
	va_end(ap);
	return rc;
}

static CURL *fake_init(void)
{
	return (CURL *)calloc(1, sizeof(struct fake_easy));
}

static void fake_cleanup(CURL *h)
{
	free(h);
}

static void fake_reset(CURL *h)
{
	memset(h, 0, sizeof(struct fake_easy));
}

static CURLcode fake_global_init(long flags)
{
	(void)flags;
	return CURLE_OK;
}

static void fake_global_cleanup(void)
{
}

/* curlapi.h takes a const CURLU, as newer libcurl headers do; older ones do not. */
static CURLUcode url_get(const CURLU *u, CURLUPart part, char **content, unsigned int flags)
{
	return curl_url_get((CURLU *)u, part, content, flags);
}

struct curl_api curl_api;

/* The table lib/http.c loads with its first request: the fake transport, and
 * libcurl's own URL, list and date functions (linked, not loaded). */
int curl_api_load(char *why, size_t why_size)
{
	(void)why;
	(void)why_size;
	curl_api = (struct curl_api){
		.global_init = fake_global_init,
		.global_cleanup = fake_global_cleanup,
		.easy_init = fake_init,
		.easy_cleanup = fake_cleanup,
		.easy_reset = fake_reset,
		.easy_setopt = fake_setopt,
		.easy_getinfo = fake_getinfo,
		.easy_perform = fake_perform,
		.easy_strerror = curl_easy_strerror,
		.slist_append = curl_slist_append,
		.slist_free_all = curl_slist_free_all,
		.url = curl_url,
		.url_set = curl_url_set,
		.url_get = url_get,
		.url_cleanup = curl_url_cleanup,
		.free = curl_free,
		.getdate = curl_getdate,
	};
	return 0;
}

/* No time passes in a target (see fuzz_http.h). */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	(void)req;
	if (rem)
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}
