/* openstack/session_int.h: what the files of a Keystone session share and
 * nothing outside lib/openstack/ calls (the API is auth.h). session.c holds
 * the session and os_request, login.c the login, tokencache.c the cache file,
 * catalog.c the endpoints, errors.c the error mapping. */
#ifndef CLOUDCTL_OPENSTACK_SESSION_INT_H
#define CLOUDCTL_OPENSTACK_SESSION_INT_H

#include <jansson.h>

#include "http.h"
#include "openstack/auth.h"
#include "util.h"

/* session.c: forget the token in hand and what came with it (the file stays). */
void os_drop_token(struct os_session *s);

/* login.c: the expiry, ids and catalog of a token's body, into s. */
void os_take_token_body(struct os_session *s, const json_t *tok);

/* errors.c: err = "METHOD URL: the API's message (HTTP N)", the exit code returned. */
int os_request_failed(struct strbuf *err, const char *method, const char *url,
		      const struct http_response *resp);

/* tokencache.c: who logs in where with which scope (names and ids, never a
 * secret); the cache file for it (NULL when caching is off or there is no
 * home); the directory check of os_session_open (77 when another user owns it
 * or others can write it); a still valid cached token into s (1) or not (0);
 * the token in hand saved (a warning when it cannot be). */
char *os_cache_key(const struct os_cloud *c, const char *idurl);
char *os_cache_path(const struct os_cloud *c, const char *key);
int os_cache_check_dir(const char *cache_file, struct strbuf *err);
int os_cache_load(struct os_session *s, const char *key);
void os_cache_save(struct os_session *s, const char *key, const json_t *tokbody);

#endif
