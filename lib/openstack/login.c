/* openstack/login.c: Keystone v3 login (POST /v3/auth/tokens with the password
 * or application_credential method) and what the token's body says.
 * API: https://docs.openstack.org/api-ref/identity/v3/ */
#include "openstack/api.h"
#include "openstack/session_int.h"
#include "secret.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Keystone's "2024-05-01T12:00:00.000000Z" (UTC) -> epoch seconds, -1 if unparsable. */
static long long parse_expiry(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!end)
		return -1;
	return (long long)timegm(&tm);
}

void os_take_token_body(struct os_session *s, const json_t *tok)
{
	s->expires_at = parse_expiry(os_jstr(tok, "expires_at"));
	s->user_id = dup_or_null(os_jstr(json_object_get(tok, "user"), "id"));
	s->project_id = dup_or_null(os_jstr(json_object_get(tok, "project"), "id"));
	s->project_name = dup_or_null(os_jstr(json_object_get(tok, "project"), "name"));
	s->domain_id = dup_or_null(os_jstr(json_object_get(tok, "domain"), "id"));
	json_t *cat = json_object_get(tok, "catalog");
	s->catalog = json_is_array(cat) ? json_incref(cat) : json_array();
}

static json_t *id_or_name(const char *id, const char *name)
{
	return id ? json_pack("{s:s}", "id", id) : json_pack("{s:s}", "name", name);
}

static json_t *user_obj(const struct os_cloud *c)
{
	if (c->user_id)
		return json_pack("{s:s}", "id", c->user_id);
	return json_pack("{s:s, s:o}", "name", c->username, "domain",
			 id_or_name(c->user_domain_id, c->user_domain_name));
}

/* The scope asked for: project, else domain, else none (Keystone then uses the
 * user's default project). Application credentials carry their own scope. */
static json_t *scope_obj(const struct os_cloud *c)
{
	if (c->auth_type == OS_AUTH_APPCRED)
		return NULL;
	if (c->project_id)
		return json_pack("{s:{s:s}}", "project", "id", c->project_id);
	if (c->project_name)
		return json_pack("{s:{s:s, s:o}}", "project", "name", c->project_name, "domain",
				 id_or_name(c->project_domain_id, c->project_domain_name));
	if (c->domain_id || c->domain_name)
		return json_pack("{s:o}", "domain", id_or_name(c->domain_id, c->domain_name));
	return NULL;
}

static char *login_body(const struct os_cloud *c)
{
	json_t *ident;
	if (c->auth_type == OS_AUTH_APPCRED) {
		json_t *ac = c->appcred_id ? json_pack("{s:s}", "id", c->appcred_id)
					   : json_pack("{s:s, s:o}", "name", c->appcred_name, "user", user_obj(c));
		json_object_set_new(ac, "secret", json_string(c->appcred_secret));
		ident = json_pack("{s:[s], s:o}", "methods", "application_credential", "application_credential", ac);
	} else {
		json_t *user = user_obj(c);
		json_object_set_new(user, "password", json_string(c->password));
		ident = json_pack("{s:[s], s:{s:o}}", "methods", "password", "password", "user", user);
	}
	json_t *auth = json_pack("{s:o}", "identity", ident);
	json_t *scope = scope_obj(c);
	if (scope)
		json_object_set_new(auth, "scope", scope);
	json_t *doc = json_pack("{s:o}", "auth", auth);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static int login(struct os_session *s, const char *key, struct strbuf *err)
{
	char *url = xasprintf("%s/auth/tokens", s->identity_url);
	char *body = login_body(s->cloud);
	const char *hdrs[] = { "Content-Type: application/json", "Accept: application/json", NULL };
	/* creating a token changes nothing: safe to resend after a timeout */
	struct http_request req = { "POST", url, hdrs, body, strlen(body), 1 };
	struct http_response resp = HTTP_RESPONSE_INIT;
	int rc = 0;
	s->logins++;
	s->requests++;
	debug("openstack: logging in to %s as cloud \"%s\"", s->identity_url, s->cloud->name);
	if (http_do(s->http, &req, &resp) < 0 || resp.status != 201) {
		rc = os_request_failed(err, "POST", url, &resp);
		goto out;
	}
	const char *tok = http_header_get(&resp, "X-Subject-Token");
	json_error_t jerr;
	json_t *doc = json_loadb(resp.body.buf, resp.body.len, 0, &jerr);
	json_t *tokbody = json_object_get(doc, "token");
	if (!tok || !*tok || !json_is_object(tokbody)) {
		json_decref(doc);
		rc = sb_fail(err, EXIT_UNAVAIL, "POST %s: no token in Keystone's answer", url);
		goto out;
	}
	os_drop_token(s);
	s->token = xstrdup(tok);
	os_take_token_body(s, tokbody);
	if (s->expires_at <= 0)
		s->expires_at = (long long)time(NULL) + 3600; /* no expiry given: assume Keystone's default */
	os_cache_save(s, key, tokbody);
	json_decref(doc);
out:
	secret_free(body);
	free(url);
	http_response_release(&resp);
	return rc;
}

int os_authenticate(struct os_session *s, int force, struct strbuf *err)
{
	long long now = (long long)time(NULL);
	if (!force && s->token && s->expires_at - OS_TOKEN_MARGIN_S > now)
		return 0;
	char *key = os_cache_key(s->cloud, s->identity_url);
	int rc = 0;
	if (force || !os_cache_load(s, key))
		rc = login(s, key, err);
	free(key);
	return rc;
}
