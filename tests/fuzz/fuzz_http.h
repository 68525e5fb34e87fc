/* fuzz_http.h: libcurl replaced under lib/http.c for the targets that fuzz what
 * a server answers. lib/http.c calls libcurl through the curl_api table
 * (lib/curlapi.h); fuzz_http.c fills it with a transport that sends nothing and
 * answers each request with the next answer of a script, handed to the real
 * header and body callbacks. So the HTTP layer and the clients above it
 * (Keystone, Nova, Neutron, the Kubernetes API) run as they do against a
 * server, minus the socket. Time does not pass in a target either: the
 * backoff and Retry-After waits (sleep_ms, nanosleep) return at once. */
#ifndef CLOUDCTL_FUZZ_HTTP_H
#define CLOUDCTL_FUZZ_HTTP_H

#include <stddef.h>

/* Between two answers of an input. */
#define FUZZ_HTTP_NEXT "\n=====\n"

/* The answers of the next requests: the fixed ones (NUL-terminated strings, may
 * be NULL), then those of data cut at each FUZZ_HTTP_NEXT. An answer is a
 * status line and header lines up to the first empty line, then the body; one
 * without a status line is a connection that failed. data must outlive the
 * requests. Once the answers run out, a request fails as if the server were
 * gone. */
void fuzz_http_script(const char *const *fixed, const char *data, size_t size);

/* Requests made since the last fuzz_http_script. */
unsigned fuzz_http_requests(void);

#endif
