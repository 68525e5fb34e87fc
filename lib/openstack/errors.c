/* openstack/errors.c: an OpenStack API's error answer as one line and an exit
 * code (404 -> 66, 409 -> 73, 401/403 -> 77, over a quota -> 75; see auth.h). */
#include "openstack/api.h"
#include "openstack/session_int.h"
#include "redact.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int os_status_exit_code(long status)
{
	if (status >= 200 && status < 400)
		return 0;
	switch (status) {
	case 404: return EXIT_NOTFOUND;
	case 409: return EXIT_EXISTS;
	case 401:
	case 403: return EXIT_PERM;
	case 408:
	case 413:
	case 429:
	case 503:
	case 504: return EXIT_TEMPFAIL;
	}
	if (status >= 400 && status < 500)
		return EXIT_DATA;
	return EXIT_UNAVAIL;
}

/* {"error": {...}}, {"NeutronError": {...}}, {"itemNotFound": {...}}: the one
 * member holding a "message"; or Placement's {"errors": [{"detail"}]}. */
static const char *json_message(const json_t *doc)
{
	const char *m;
	if ((m = os_jstr(doc, "message")) || (m = os_jstr(doc, "faultstring")))
		return m;
	const json_t *errs = json_object_get(doc, "errors");
	if (json_is_array(errs) && json_array_size(errs)) {
		const json_t *e = json_array_get(errs, 0);
		if ((m = os_jstr(e, "detail")) || (m = os_jstr(e, "title")))
			return m;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)doc, k, v) {
		(void)k;
		if (json_is_object(v) && ((m = os_jstr(v, "message")) || (m = os_jstr(v, "detail"))))
			return m;
		if (json_is_string(v) && !strcmp(k, "NeutronError"))
			return json_string_value(v);
	}
	return NULL;
}

/* Text bodies (Glance's "404 Not Found\n\nThe resource could not be found."),
 * HTML tags dropped, whitespace collapsed, at most max characters: a page of
 * HTML is cut, an API's own message (Neutron's lists every port ID) is not. */
static void add_collapsed(struct strbuf *out, const char *s, size_t n, size_t max)
{
	int space = 0, tag = 0;
	size_t start = out->len;
	for (size_t i = 0; i < n && out->len - start < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '<')
			tag = 1;
		if (tag) {
			if (ch == '>')
				tag = 0;
			space = 1;
			continue;
		}
		if (isspace(ch) || ch < 0x20) {
			space = 1;
			continue;
		}
		if (space && out->len > start)
			sb_addc(out, ' ');
		space = 0;
		sb_addc(out, (char)ch);
	}
}

void os_error_message(const struct http_response *resp, struct strbuf *out)
{
	json_error_t jerr;
	json_t *doc = resp->body.len ? json_loadb(resp->body.buf, resp->body.len, 0, &jerr) : NULL;
	const char *m = json_is_object(doc) ? json_message(doc) : NULL;
	size_t start = out->len;
	if (m)
		add_collapsed(out, m, strlen(m), SIZE_MAX);
	else if (!doc)
		add_collapsed(out, resp->body.buf, resp->body.len, 300);
	if (out->len == start)
		sb_adds(out, "no message");
	/* an API could echo what it was sent: never let a secret through */
	char *clean = redact_body(out->buf + start, out->len - start);
	out->len = start;
	out->buf[start] = '\0';
	sb_adds(out, clean);
	free(clean);
	json_decref(doc);
}

/* Over a quota: Nova says so in a 403's message, Neutron in a 409 of type
 * OverQuota. Either is 75 (it may work once something is freed), as a 413. */
static int over_quota(const struct http_response *resp, const char *message)
{
	if (strstr(message, "Quota exceeded"))
		return 1;
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	const char *type = os_jstr(json_object_get(doc, "NeutronError"), "type");
	int yes = type && !strcmp(type, "OverQuota");
	json_decref(doc);
	return yes;
}

int os_request_failed(struct strbuf *err, const char *method, const char *url,
			  const struct http_response *resp)
{
	char *safe = redact_url(url);
	if (resp->status == 0) {
		/* 69, or the code of an unreadable CA bundle of ours */
		int code = sb_fail(err, http_exit_code(resp), "%s %s: %s", method, safe,
				   resp->errbuf[0] ? resp->errbuf : "no response");
		free(safe);
		return code;
	}
	int code = os_status_exit_code(resp->status);
	sb_fail(err, code, "%s %s: ", method, safe);
	size_t at = err->len;
	os_error_message(resp, err);
	if (over_quota(resp, err->buf + at))
		code = EXIT_TEMPFAIL;
	sb_addf(err, " (HTTP %ld)", resp->status);
	free(safe);
	return code ? code : EXIT_UNAVAIL;
}
