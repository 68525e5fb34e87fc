/* redact.h: secrets taken out of text before it is printed (-vv traces, error
 * messages). A name counts as a secret when, lower-cased and without '-', '_'
 * and '.', it ends in password, passwd, secret, token, apikey, privatekey,
 * secretkey or secretaccesskey, or is Authorization, Proxy-Authorization,
 * Cookie or Set-Cookie; its value becomes "<redacted>". URLs lose their
 * user:password@. */
#ifndef CLOUDCTL_REDACT_H
#define CLOUDCTL_REDACT_H

#include <stddef.h>
#include "util.h"

/* A header line with its value redacted when the header names a secret; any
 * other line keeps all but the secrets of its URLs and query strings. */
char *redact_header(const char *line);
/* A URL fit to print: userinfo and secret query values removed. */
char *redact_url(const char *url);
/* JSON, form and query values of secret names redacted, URLs' userinfo dropped. */
char *redact_body(const char *body, size_t len);
/* redact_body, appended to out. */
void redact_into(struct strbuf *out, const char *s, size_t len);
/* A text line of libcurl's trace, where a bracketed "[name: value]" is a
 * header (HTTP/2's request headers). */
char *redact_trace_line(const char *line);

#endif
