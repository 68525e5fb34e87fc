/* openstack/session.c: a Keystone session (see auth.h): opening and closing
 * it, and os_request, through which every OpenStack API call goes (the token
 * added, one fresh login after a 401). The login, the token cache, the
 * catalog and the error mapping are in login.c, tokencache.c, catalog.c and
 * errors.c. */
#include "openstack/api.h"
#include "openstack/session_int.h"
#include "secret.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

void os_drop_token(struct os_session *s)
{
	secret_free(s->token);
	s->token = NULL;
	free(s->user_id);
	free(s->project_id);
	free(s->project_name);
	free(s->domain_id);
	s->user_id = s->project_id = s->project_name = s->domain_id = NULL;
	json_decref(s->catalog);
	s->catalog = NULL;
	s->expires_at = 0;
	s->from_cache = 0;
}

/* auth_url as users write it (http://host:5000, .../v3, .../v3/) -> .../v3 */
static char *identity_url(const char *auth_url)
{
	char *u = xstrdup(auth_url);
	size_t n = strlen(u);
	while (n && u[n - 1] == '/')
		u[--n] = '\0';
	if (str_ends(u, "/v3"))
		return u;
	char *v3 = xasprintf("%s/v3", u);
	free(u);
	return v3;
}

static char *request_url(struct os_session *s, const struct os_req *r, struct strbuf *err, int *rc)
{
	if (!r->service)
		return xstrdup(r->path);
	char *base = NULL;
	if ((*rc = os_endpoint(s, r->service, &base, err)))
		return NULL;
	const char *p = r->path ? r->path : "";
	char *url = xasprintf("%s%s%s", base, *p && *p != '/' ? "/" : "", p);
	free(base);
	return url;
}

static int send_once(struct os_session *s, const struct os_req *r, const char *url, struct http_response *resp)
{
	struct strlist h = STRLIST_INIT;
	char *tok = xasprintf("X-Auth-Token: %s", s->token);
	strlist_add(&h, tok);
	secret_free(tok);
	strlist_add(&h, "Accept: application/json");
	if (r->body)
		strlist_add(&h, "Content-Type: application/json");
	for (const char *const *e = r->headers; e && *e; e++)
		strlist_add(&h, *e);
	struct http_request req = { r->method ? r->method : "GET", url, (const char *const *)h.v, r->body,
				    r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0, r->idempotent };
	http_response_release(resp);
	*resp = (struct http_response)HTTP_RESPONSE_INIT;
	s->requests++;
	int rc = http_do(s->http, &req, resp);
	secret_wipe(h.v[0], strlen(h.v[0]));
	strlist_clear(&h);
	return rc;
}

int os_request(struct os_session *s, const struct os_req *r, struct http_response *resp, struct strbuf *err)
{
	int rc = os_authenticate(s, 0, err);
	if (rc)
		return rc;
	char *url = request_url(s, r, err, &rc);
	if (!url)
		return rc;
	const char *method = r->method ? r->method : "GET";
	int sent = send_once(s, r, url, resp);
	if (sent == 0 && resp->status == 401) {
		/* expired early, revoked, or Keystone's keys rotated: one fresh login */
		debug("openstack: %s %s: 401, logging in again", method, url);
		os_forget_token(s);
		if ((rc = os_authenticate(s, 1, err))) {
			free(url);
			return rc;
		}
		sent = send_once(s, r, url, resp);
	}
	s->last_status = sent < 0 ? 0 : resp->status;
	rc = sent < 0 || resp->status < 200 || resp->status >= 300 ? os_request_failed(err, method, url, resp) : 0;
	free(url);
	return rc;
}

/* ---- the session ---- */

int os_session_open(struct os_session *s, const struct os_cloud *cloud, const struct http_opts *http_opts,
		    struct strbuf *err)
{
	memset(s, 0, sizeof *s);
	struct http_opts ho = HTTP_OPTS_INIT;
	if (http_opts)
		ho = *http_opts;
	if (cloud->cacert)
		ho.cacert = cloud->cacert;
	if (cloud->insecure)
		ho.insecure = 1;
	if (cloud->cert)
		ho.cert_file = cloud->cert;
	if (cloud->key)
		ho.key_file = cloud->key;
	s->http = http_client_new(&ho);
	if (!s->http)
		return sb_fail(err, EXIT_SOFTWARE, "cannot start an HTTP client");
	s->cloud = cloud;
	s->identity_url = identity_url(cloud->auth_url);
	char *key = os_cache_key(cloud, s->identity_url);
	s->cache_path = os_cache_path(cloud, key);
	free(key);
	int rc = s->cache_path ? os_cache_check_dir(s->cache_path, err) : 0;
	if (rc)
		os_session_close(s);
	return rc;
}

void os_session_close(struct os_session *s)
{
	os_drop_token(s);
	if (s->http)
		http_client_free(s->http);
	free(s->identity_url);
	free(s->cache_path);
	memset(s, 0, sizeof *s);
}
