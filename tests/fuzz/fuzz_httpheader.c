/* fuzz_httpheader.c: the HTTP layer's reading of an answer (lib/http.c): the
 * header callback (status lines of interim answers, folded lines, names and
 * values trimmed), Retry-After on a retried 503, the body. Properties: every
 * header kept is found again by its name, with no white space around its name
 * nor after its value; Retry-After values parse to -1 or a delay of at least 0. */
#include "fuzz.h"
#include "fuzz_http.h"
#include "http.h"
#include "redact.h"
#include "log.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

static int trimmed(const char *s)
{
	size_t n = strlen(s);
	return n == 0 || (!isspace((unsigned char)s[0]) && !isspace((unsigned char)s[n - 1]));
}

static int ends_trimmed(const char *s)
{
	size_t n = strlen(s);
	return n == 0 || !isspace((unsigned char)s[n - 1]);
}

static void check_headers(const struct http_response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		const struct http_header *h = &resp->headers[i];
		FUZZ_ASSERT(http_header_get(resp, h->name) != NULL);
		/* a folded line after an empty value starts with the space it joins with */
		FUZZ_ASSERT(trimmed(h->name) && ends_trimmed(h->value));
		FUZZ_ASSERT(strchr(h->name, ':') == NULL);
		FUZZ_ASSERT(http_parse_retry_after(h->value, (long)time(NULL)) >= -1);
		char *line = xasprintf("%s: %s", h->name, h->value);
		free(redact_header(line));
		free(line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_client *c;
	if (!c) {
		log_level = LOG_QUIET;
		struct http_opts o = HTTP_OPTS_INIT;
		o.max_retries = 2; /* a 503 with Retry-After is asked again: that path too */
		c = http_client_new(&o);
	}
	fuzz_http_script(NULL, (const char *)data, size);
	struct http_request req = { "GET", "https://fuzz.invalid/v2/", NULL, NULL, 0, 0 };
	struct http_response resp = HTTP_RESPONSE_INIT;
	if (http_do(c, &req, &resp) == 0) {
		FUZZ_ASSERT(resp.status > 0);
		check_headers(&resp);
		http_exit_code(&resp);
	}
	http_response_release(&resp);
	return 0;
}
