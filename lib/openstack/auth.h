/* openstack/auth.h: Keystone v3 login, the service catalog, the token cache and
 * os_request, through which every OpenStack API call goes.
 *
 * - Login: POST {auth_url}/v3/auth/tokens with the password or
 *   application_credential method; scoped to the project (id, or name + domain),
 *   else to the domain, else unscoped (an application credential carries its own
 *   scope). The token is the X-Subject-Token header; expires_at, the project, the
 *   user and the catalog come from the body.
 * - Cache: one file per cloud + user + scope, $XDG_CACHE_HOME/cloudctl/os-token-*.json
 *   (default ~/.cache/cloudctl; directory 0700), mode 0600 from its creation
 *   (write_file_atomic), holding the token, its expiry, the ids and the catalog.
 *   Reused until 5 minutes before expiry; a file owned by someone else or
 *   readable by others is ignored; a directory owned by someone else or
 *   writable by group or others fails os_session_open (77).
 *   CLOUDCTL_OS_NO_TOKEN_CACHE=1 turns it off.
 * - Endpoints: from the catalog only, by service type (block-storage also finds
 *   volumev3/volumev2), the cloud's interface and region; "%(project_id)s" and
 *   "$(project_id)s" are filled in; no trailing slash.
 * - os_request adds X-Auth-Token and JSON headers; on a 401 it logs in again once
 *   (dropping the cached token) and resends.
 * - Errors: one line from the API's own message: Keystone {"error": {"message"}},
 *   Nova/Cinder {"itemNotFound": {"message"}}, Neutron {"NeutronError": {"message"}},
 *   Placement {"errors": [{"detail"}]}, else the body's first text. Exit codes
 *   404 -> 66, 409 -> 73, 401/403 -> 77, 413/429 -> 75, otherwise http_exit_code;
 *   over a quota (Nova's 403 "Quota exceeded", Neutron's 409 OverQuota) is 75 too.
 * - Tokens and passwords never reach err, the log or -vv traces (lib/http.c
 *   redacts X-Auth-Token, X-Subject-Token and "password"/"secret" values).
 * A session is not thread-safe: one per thread.
 * Implemented in session.c (the session, os_request), login.c, tokencache.c,
 * catalog.c and errors.c, which share session_int.h. */
#ifndef CLOUDCTL_OPENSTACK_AUTH_H
#define CLOUDCTL_OPENSTACK_AUTH_H

#include <jansson.h>

#include "http.h"
#include "openstack/config.h"
#include "util.h"

/* Tokens closer than this to expiry are not reused. */
#define OS_TOKEN_MARGIN_S 300

struct os_session {
	const struct os_cloud *cloud; /* borrowed: must outlive the session */
	struct http_client *http;
	char *identity_url;  /* auth_url ending in /v3 */
	char *cache_path;    /* NULL when caching is off */
	char *token;
	long long expires_at; /* epoch seconds */
	char *user_id, *project_id, *project_name, *domain_id;
	json_t *catalog;      /* the token's catalog (a JSON array) */
	int from_cache;       /* the current token came from the cache file */
	unsigned logins;      /* POST /v3/auth/tokens sent by this session */
	unsigned requests;    /* every HTTP exchange of this session */
	long last_status;     /* of the last os_request: 0 when no answer came */
};

/* Start a session on a loaded cloud; nothing is sent yet. http_opts may be NULL
 * (defaults, with the cloud's cacert/insecure/cert applied on top). */
int os_session_open(struct os_session *s, const struct os_cloud *cloud, const struct http_opts *http_opts,
		    struct strbuf *err);
void os_session_close(struct os_session *s);

/* Make sure there is a token: the one in hand, the cached one, or a new login.
 * force: log in even if a token is at hand (and replace the cached one). */
int os_authenticate(struct os_session *s, int force, struct strbuf *err);

/* Drop the token in hand and its cache file (after a 401, or on logout). */
void os_forget_token(struct os_session *s);

/* The endpoint of a service type from the catalog (logging in if needed):
 * *url is a new string, without a trailing slash. 66 when the catalog has none. */
int os_endpoint(struct os_session *s, const char *service_type, char **url, struct strbuf *err);

struct os_req {
	const char *method;        /* "GET" when NULL */
	const char *service;       /* service type: the path is relative to its endpoint... */
	const char *path;          /* ...or an absolute URL when service is NULL */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated, may be NULL */
	const char *body;          /* JSON, may be NULL */
	size_t body_len;           /* 0: strlen(body) */
	int idempotent;            /* a POST that is safe to resend */
};

/* Send an API request with the token; 401 -> log in again once and resend.
 * Returns 0 on a 2xx response; otherwise the exit code above with err set to
 * "METHOD URL: message (HTTP nnn)", or "METHOD URL: <why no response>" (69).
 * resp holds the last response either way; release it with http_response_release. */
int os_request(struct os_session *s, const struct os_req *req, struct http_response *resp, struct strbuf *err);

/* The exit code for an HTTP status (0 for 2xx/3xx). */
int os_status_exit_code(long status);
/* Append the API's own one-line error message from a response body. */
void os_error_message(const struct http_response *resp, struct strbuf *out);

/* The cache file this session uses (for tests and `-v`), or NULL. */
const char *os_token_cache_path(const struct os_session *s);

#endif
