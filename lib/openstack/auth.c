/* openstack/auth.c: Keystone v3 login, catalog, token cache and os_request; see auth.h.
 * API: https://docs.openstack.org/api-ref/identity/v3/ (POST /v3/auth/tokens). */
#include "openstack/auth.h"
#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "strmap.h"

/* ---- small helpers ---- */

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void free_token(struct os_session *s)
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

/* ---- the cache file ---- */

/* Who logs in where with which scope: the cache file's identity. Holds names
 * and ids, never a secret. */
static char *cache_key(const struct os_cloud *c, const char *idurl)
{
	struct strbuf k = STRBUF_INIT;
	sb_addf(&k, "%s\n", idurl);
	if (c->auth_type == OS_AUTH_APPCRED) {
		sb_addf(&k, "appcred id=%s name=%s user=%s/%s domain=%s/%s\n", c->appcred_id ? c->appcred_id : "",
			c->appcred_name ? c->appcred_name : "", c->user_id ? c->user_id : "",
			c->username ? c->username : "", c->user_domain_id ? c->user_domain_id : "",
			c->user_domain_name ? c->user_domain_name : "");
		return sb_detach(&k);
	}
	sb_addf(&k, "password user=%s/%s domain=%s/%s\n", c->user_id ? c->user_id : "", c->username ? c->username : "",
		c->user_domain_id ? c->user_domain_id : "", c->user_domain_name ? c->user_domain_name : "");
	sb_addf(&k, "project=%s/%s domain=%s/%s scope-domain=%s/%s", c->project_id ? c->project_id : "",
		c->project_name ? c->project_name : "", c->project_domain_id ? c->project_domain_id : "",
		c->project_domain_name ? c->project_domain_name : "", c->domain_id ? c->domain_id : "",
		c->domain_name ? c->domain_name : "");
	return sb_detach(&k);
}

static int mkdir_private(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*q = '/';
	}
	int rc = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* $XDG_CACHE_HOME/cloudctl/os-token-CLOUD-HASH.json, or NULL when there is no home. */
static char *cache_path(const struct os_cloud *c, const char *key)
{
	const char *off = getenv("CLOUDCTL_OS_NO_TOKEN_CACHE");
	if (off && *off && strcmp(off, "0"))
		return NULL;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = xdg && *xdg ? xasprintf("%s/cloudctl", xdg)
		    : home && *home ? xasprintf("%s/.cache/cloudctl", home) : NULL;
	if (!dir)
		return NULL;
	char *name = xstrdup(c->name ? c->name : "cloud");
	for (char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			*p = '_';
	char *path = xasprintf("%s/os-token-%s-%016llx.json", dir, name, (unsigned long long)strmap_hash(key));
	free(name);
	free(dir);
	return path;
}

/* The cache directory, when it exists, must be ours and writable by nobody else:
 * whoever can write it can plant a token (ours would then act in their project)
 * or swap our file for a link. Missing, it is made 0700 when a token is saved. */
static int check_cache_dir(const char *cache_file, struct strbuf *err)
{
	char *dir = xstrdup(cache_file);
	*strrchr(dir, '/') = '\0';
	struct stat st;
	int rc = 0;
	int exists = stat(dir, &st) == 0;
	if (exists && st.st_uid != geteuid())
		rc = sb_fail(err, EXIT_PERM, "%s: token cache directory owned by uid %lu, not by you (uid %lu): refused",
			     dir, (unsigned long)st.st_uid, (unsigned long)geteuid());
	else if (exists && (st.st_mode & 022))
		rc = sb_fail(err, EXIT_PERM, "%s: token cache directory writable by group or others (mode %04o): refused",
			     dir, (unsigned)(st.st_mode & 07777));
	free(dir);
	return rc;
}

/* The cache is ours only if we own it and nobody else can read it. */
static json_t *read_cache_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	int fine = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
	if (fine && (st.st_mode & 077)) {
		warnx("%s: ignored: readable by others", path);
		fine = 0;
	}
	if (!fine) {
		close(fd);
		return NULL;
	}
	json_error_t jerr;
	json_t *doc = json_loadfd(fd, 0, &jerr);
	close(fd);
	return doc;
}

static void take_token_body(struct os_session *s, const json_t *tok)
{
	s->expires_at = parse_expiry(jstr(tok, "expires_at"));
	s->user_id = dup_or_null(jstr(json_object_get(tok, "user"), "id"));
	s->project_id = dup_or_null(jstr(json_object_get(tok, "project"), "id"));
	s->project_name = dup_or_null(jstr(json_object_get(tok, "project"), "name"));
	s->domain_id = dup_or_null(jstr(json_object_get(tok, "domain"), "id"));
	json_t *cat = json_object_get(tok, "catalog");
	s->catalog = json_is_array(cat) ? json_incref(cat) : json_array();
}

static int load_cached(struct os_session *s, const char *key)
{
	if (!s->cache_path)
		return 0;
	json_t *doc = read_cache_file(s->cache_path);
	const char *tok = jstr(doc, "token");
	int ok = doc && tok && str_eq(jstr(doc, "key"), key);
	if (ok) {
		free_token(s);
		take_token_body(s, json_object_get(doc, "body"));
		ok = s->expires_at > 0 && s->expires_at - OS_TOKEN_MARGIN_S > (long long)time(NULL);
		if (ok) {
			s->token = xstrdup(tok);
			s->from_cache = 1;
			debug("openstack: token from %s, expires in %lld s", s->cache_path,
			      s->expires_at - (long long)time(NULL));
		} else
			free_token(s);
	}
	json_decref(doc);
	return ok;
}

static void save_cache(struct os_session *s, const char *key, const json_t *tokbody)
{
	if (!s->cache_path)
		return;
	char *dir = xstrdup(s->cache_path);
	*strrchr(dir, '/') = '\0';
	json_t *doc = json_pack("{s:s, s:s, s:O}", "key", key, "token", s->token, "body", tokbody);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	/* write_file_atomic's temporary file is created 0600 (mkstemp) before any byte is written */
	if (!text || mkdir_private(dir) < 0 || write_file_atomic(s->cache_path, text, strlen(text), 0600) < 0)
		warnx("%s: cannot cache the token: %s", s->cache_path, strerror(errno));
	secret_free(text);
	json_decref(doc);
	free(dir);
}

void os_forget_token(struct os_session *s)
{
	free_token(s);
	if (s->cache_path)
		unlink(s->cache_path);
}

const char *os_token_cache_path(const struct os_session *s)
{
	return s->cache_path;
}

/* ---- the login ---- */

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

static int request_failed(struct strbuf *err, const char *method, const char *url,
			  const struct http_response *resp);

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
		rc = request_failed(err, "POST", url, &resp);
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
	free_token(s);
	s->token = xstrdup(tok);
	take_token_body(s, tokbody);
	if (s->expires_at <= 0)
		s->expires_at = (long long)time(NULL) + 3600; /* no expiry given: assume Keystone's default */
	save_cache(s, key, tokbody);
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
	char *key = cache_key(s->cloud, s->identity_url);
	int rc = 0;
	if (force || !load_cached(s, key))
		rc = login(s, key, err);
	free(key);
	return rc;
}

/* ---- the catalog ---- */

static int type_matches(const char *have, const char *want)
{
	static const char *const block[] = { "block-storage", "volumev3", "volumev2", "volume", "block-store" };
	if (str_eq(have, want))
		return 1;
	int h = 0, w = 0;
	for (size_t i = 0; i < ARRAY_SIZE(block); i++) {
		h |= str_eq(have, block[i]);
		w |= str_eq(want, block[i]);
	}
	return h && w && str_eq(want, "block-storage");
}

static int endpoint_matches(const json_t *ep, const struct os_cloud *c)
{
	if (!str_eq(jstr(ep, "interface"), c->interface))
		return 0;
	if (!c->region_name)
		return 1;
	return str_eq(jstr(ep, "region_id"), c->region_name) || str_eq(jstr(ep, "region"), c->region_name);
}

/* Fill %(project_id)s / $(project_id)s (and the tenant_id spellings). */
static char *fill_template(const char *url, const char *project_id)
{
	static const char *const marks[] = { "%(project_id)s", "$(project_id)s", "%(tenant_id)s", "$(tenant_id)s" };
	struct strbuf out = STRBUF_INIT;
	const char *p = url;
	while (*p) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(marks); i++)
			if (str_starts(p, marks[i]))
				break;
		if (i < ARRAY_SIZE(marks)) {
			sb_adds(&out, project_id ? project_id : "");
			p += strlen(marks[i]);
		} else
			sb_addc(&out, *p++);
	}
	while (out.len && out.buf[out.len - 1] == '/')
		out.buf[--out.len] = '\0';
	return sb_detach(&out);
}

int os_endpoint(struct os_session *s, const char *service_type, char **url, struct strbuf *err)
{
	int rc = os_authenticate(s, 0, err);
	if (rc)
		return rc;
	const char *override = os_endpoint_override(s->cloud, service_type);
	if (override) {
		*url = fill_template(override, s->project_id);
		return 0;
	}
	size_t i, j;
	json_t *svc, *ep;
	json_array_foreach(s->catalog, i, svc) {
		if (!type_matches(jstr(svc, "type"), service_type))
			continue;
		json_array_foreach(json_object_get(svc, "endpoints"), j, ep) {
			const char *u = jstr(ep, "url");
			if (u && endpoint_matches(ep, s->cloud)) {
				*url = fill_template(u, s->project_id);
				return 0;
			}
		}
	}
	sb_fail(err, EXIT_NOTFOUND, "cloud \"%s\": no %s endpoint (interface %s", s->cloud->name, service_type,
		s->cloud->interface);
	if (s->cloud->region_name)
		sb_addf(err, ", region %s", s->cloud->region_name);
	sb_adds(err, ") in the service catalog");
	return EXIT_NOTFOUND;
}

/* ---- errors ---- */

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
	if ((m = jstr(doc, "message")) || (m = jstr(doc, "faultstring")))
		return m;
	const json_t *errs = json_object_get(doc, "errors");
	if (json_is_array(errs) && json_array_size(errs)) {
		const json_t *e = json_array_get(errs, 0);
		if ((m = jstr(e, "detail")) || (m = jstr(e, "title")))
			return m;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)doc, k, v) {
		(void)k;
		if (json_is_object(v) && ((m = jstr(v, "message")) || (m = jstr(v, "detail"))))
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
	char *clean = http_redact_body(out->buf + start, out->len - start);
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
	const char *type = jstr(json_object_get(doc, "NeutronError"), "type");
	int yes = type && !strcmp(type, "OverQuota");
	json_decref(doc);
	return yes;
}

static int request_failed(struct strbuf *err, const char *method, const char *url,
			  const struct http_response *resp)
{
	char *safe = http_redact_url(url);
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

/* ---- requests ---- */

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
	rc = sent < 0 || resp->status < 200 || resp->status >= 300 ? request_failed(err, method, url, resp) : 0;
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
	char *key = cache_key(cloud, s->identity_url);
	s->cache_path = cache_path(cloud, key);
	free(key);
	int rc = s->cache_path ? check_cache_dir(s->cache_path, err) : 0;
	if (rc)
		os_session_close(s);
	return rc;
}

void os_session_close(struct os_session *s)
{
	free_token(s);
	if (s->http)
		http_client_free(s->http);
	free(s->identity_url);
	free(s->cache_path);
	memset(s, 0, sizeof *s);
}
