/* curlapi.h: libcurl, loaded by lib/http when its first request is made.
 *
 * libcurl brings some 30 shared libraries (nghttp2, libssh2, krb5, ldap, ...);
 * linked into an executable they are mapped on every start, a cost even a local
 * cloudctl-deploy bump, which makes no request, would pay (README's measured
 * table says how much). So nothing links it: http.c calls it through this
 * table, filled from libcurl.so.4 (its ABI since 2006) the first time it is
 * needed. The headers are still those of the libcurl the project was built
 * against. */
#ifndef CLOUDCTL_CURLAPI_H
#define CLOUDCTL_CURLAPI_H

#include <curl/curl.h>
#include <stddef.h>
#include <time.h>

struct curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *h);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	CURLcode (*easy_perform)(CURL *h);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content, unsigned int flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **content, unsigned int flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
	time_t (*getdate)(const char *p, const time_t *unused);
};

/* Filled by curl_api_load; all NULL before. */
extern struct curl_api curl_api;

/* Load libcurl and fill curl_api: 0, or -1 with the reason in why. Not thread-safe:
 * http.c calls it once, under pthread_once. */
int curl_api_load(char *why, size_t why_size);

#endif
