/* registry.c: see registry.h.
 *
 * Layout: the shared part of a registry (credentials, challenge, tokens) and
 * the handles; the WWW-Authenticate challenge; tokens; one authenticated
 * request (call_do) with its error message (call_fail); then the API: ping,
 * blobs, manifests, tags. Specs: OCI distribution-spec (spec.md) and
 * distribution's docs/spec/auth/token.md. */
#include "oci/registry.h"
#include "oci/auth.h"
#include "oci/ref.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_MIN_SECS 60      /* the token spec's default and minimum lifetime */
#define TOKEN_MARGIN_MS 10000  /* renew this long before a token expires */
#define BLOB_STALL_MS 60000    /* a blob transfer with no byte moving this long fails */
#define MAX_REDIRECTS 5
#define MAX_TAG_PAGES 100000
#define OCTET_STREAM "Content-Type: application/octet-stream"

enum auth_scheme { AUTH_UNKNOWN, AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct token {
	char *scope;
	char *value; /* a secret */
	long long expires_ms; /* now_ms() clock */
};

/* What the clones of one registry share, under lock. */
struct shared {
	pthread_mutex_t lock;
	int refs;
	char *host;
	struct registry_opts opts; /* strings point to the copies below */
	char *cacert, *auth_file;
	struct http_opts http;
	/* from the first GET /v2/, updated by later challenges */
	char *base; /* "https://host", NULL until known */
	enum auth_scheme scheme;
	char *realm, *service;
	/* looked up once, on the first need */
	int cred_looked_up, cred_rc;
	char *cred_err;
	struct registry_cred cred;
	struct token *tokens;
	size_t ntokens, captokens;
};

struct registry {
	struct shared *s;
	struct http_client *http;
	struct registry_stats stats;
};

const char *const registry_manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	NULL,
};

/* ---- handles ---- */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static struct shared *shared_new(const char *host, const struct registry_opts *o)
{
	static const struct registry_opts no_opts = REGISTRY_OPTS_INIT;
	static const struct http_opts http_defaults = HTTP_OPTS_INIT;
	struct shared *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	s->refs = 1;
	s->host = xstrdup(host);
	s->opts = o ? *o : no_opts;
	s->cacert = dup_or_null(s->opts.cacert);
	s->auth_file = dup_or_null(s->opts.auth_file);
	s->opts.cacert = s->cacert;
	s->opts.auth_file = s->auth_file;
	s->http = s->opts.http ? *s->opts.http : http_defaults;
	s->opts.http = NULL;
	s->http.cacert = s->cacert;
	s->http.insecure = s->opts.insecure;
	if (s->opts.chunk_threshold <= 0)
		s->opts.chunk_threshold = REGISTRY_CHUNK_THRESHOLD_DEFAULT;
	if (s->opts.chunk_size <= 0)
		s->opts.chunk_size = REGISTRY_CHUNK_SIZE_DEFAULT;
	s->scheme = AUTH_UNKNOWN;
	return s;
}

static void shared_unref(struct shared *s)
{
	pthread_mutex_lock(&s->lock);
	int last = --s->refs == 0;
	pthread_mutex_unlock(&s->lock);
	if (!last)
		return;
	for (size_t i = 0; i < s->ntokens; i++) {
		free(s->tokens[i].scope);
		explicit_bzero(s->tokens[i].value, strlen(s->tokens[i].value));
		free(s->tokens[i].value);
	}
	free(s->tokens);
	registry_cred_release(&s->cred);
	free(s->cred_err);
	free(s->host);
	free(s->cacert);
	free(s->auth_file);
	free(s->base);
	free(s->realm);
	free(s->service);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static struct registry *handle_new(struct shared *s)
{
	struct registry *r = xcalloc(1, sizeof *r);
	r->s = s;
	r->http = http_client_new(&s->http);
	return r;
}

struct registry *registry_open(const char *host, const struct registry_opts *o, struct strbuf *err)
{
	if (!oci_ref_host_valid(host)) {
		sb_fail(err, EXIT_USAGE, "invalid registry host '%s' (want host[:port])", host ? host : "");
		return NULL;
	}
	return handle_new(shared_new(host, o));
}

struct registry *registry_clone(struct registry *r)
{
	pthread_mutex_lock(&r->s->lock);
	r->s->refs++;
	pthread_mutex_unlock(&r->s->lock);
	return handle_new(r->s);
}

void registry_close(struct registry *r)
{
	if (!r)
		return;
	http_client_free(r->http);
	shared_unref(r->s);
	free(r);
}

const char *registry_host(const struct registry *r)
{
	return r->s->host;
}

const struct registry_stats *registry_stats(const struct registry *r)
{
	return &r->stats;
}

/* ---- digests ---- */

static const EVP_MD *digest_md(const char *digest)
{
	if (str_starts(digest, "sha512:"))
		return EVP_sha512();
	return EVP_sha256();
}

static char *digest_finish(EVP_MD_CTX *ctx, const EVP_MD *md)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_DigestFinal_ex(ctx, raw, &n);
	struct strbuf out = STRBUF_INIT;
	sb_adds(&out, md == EVP_sha512() ? "sha512:" : "sha256:");
	for (unsigned i = 0; i < n; i++)
		sb_addf(&out, "%02x", raw[i]);
	return sb_detach(&out);
}

/* The digest of data with the algorithm of like ("sha256:..." when NULL). */
static char *digest_of(const void *data, size_t len, const char *like)
{
	const EVP_MD *md = digest_md(like ? like : "sha256:");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		die(EXIT_OSERR, "out of memory");
	EVP_DigestInit_ex(ctx, md, NULL);
	EVP_DigestUpdate(ctx, data, len);
	char *out = digest_finish(ctx, md);
	EVP_MD_CTX_free(ctx);
	return out;
}

/* ---- the challenge: WWW-Authenticate: Bearer realm="...",service="..." ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

/* One auth-param: name=token or name="quoted \" string". Returns the rest. */
static const char *next_param(const char *p, struct strbuf *name, struct strbuf *value)
{
	sb_reset(name);
	sb_reset(value);
	p = skip_ws(p);
	while (*p && *p != '=' && *p != ',' && *p != ' ')
		sb_addc(name, *p++);
	if (*p != '=')
		return p;
	p++;
	if (*p != '"') {
		while (*p && *p != ',' && *p != ' ')
			sb_addc(value, *p++);
		return p;
	}
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		sb_addc(value, *p);
	}
	return *p ? p + 1 : p;
}

struct challenge {
	enum auth_scheme scheme;
	char *realm, *service, *error;
};

static void challenge_release(struct challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->error);
	memset(c, 0, sizeof *c);
}

static void parse_challenge(const char *h, struct challenge *c)
{
	memset(c, 0, sizeof *c);
	c->scheme = AUTH_NONE;
	if (!h)
		return;
	size_t n = strcspn(h, " ");
	if (n == 5 && strncasecmp(h, "Basic", 5) == 0)
		c->scheme = AUTH_BASIC;
	else if (n == 6 && strncasecmp(h, "Bearer", 6) == 0)
		c->scheme = AUTH_BEARER;
	else
		return;
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	for (const char *p = h + n; *(p = skip_ws(p));) {
		const char *next = next_param(p, &name, &value);
		if (!strcasecmp(name.buf, "realm"))
			c->realm = xstrdup(value.buf);
		else if (!strcasecmp(name.buf, "service"))
			c->service = xstrdup(value.buf);
		else if (!strcasecmp(name.buf, "error"))
			c->error = xstrdup(value.buf);
		p = next == p ? p + 1 : next;
	}
	sb_release(&name);
	sb_release(&value);
}

/* Keep what a challenge says for the next requests. */
static void adopt_challenge(struct shared *s, const struct challenge *c)
{
	pthread_mutex_lock(&s->lock);
	s->scheme = c->scheme;
	if (c->scheme == AUTH_BEARER && c->realm) {
		free(s->realm);
		free(s->service);
		s->realm = xstrdup(c->realm);
		s->service = dup_or_null(c->service);
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- credentials ---- */

/* Looked up once for all clones; err gets the lookup's error every time. */
static int ensure_cred(struct registry *r, struct strbuf *err)
{
	struct shared *s = r->s;
	pthread_mutex_lock(&s->lock);
	if (!s->cred_looked_up && !s->opts.anonymous) {
		struct strbuf why = STRBUF_INIT;
		s->cred_rc = docker_auth_lookup(s->opts.auth_file, s->host, &s->cred, &why);
		s->cred_err = s->cred_rc ? sb_detach(&why) : NULL;
		sb_release(&why);
	}
	s->cred_looked_up = 1;
	int rc = s->cred_rc;
	if (rc)
		sb_fail(err, rc, "registry %s: %s", s->host, s->cred_err);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int have_cred(const struct shared *s)
{
	return s->cred.username || s->cred.identity_token;
}

/* Who we are, for messages: "the credentials of USER from SOURCE", or "anonymous access". */
static void describe_cred(const struct shared *s, struct strbuf *out)
{
	if (s->cred.username)
		sb_addf(out, "the credentials of %s from %s", s->cred.username, s->cred.source);
	else if (s->cred.identity_token)
		sb_addf(out, "the identity token from %s", s->cred.source);
	else
		sb_adds(out, "anonymous access");
}

/* ---- tokens ---- */

/* Whether the actions "pull,push" include every one of "pull". */
static int actions_cover(const char *have, const char *want)
{
	char *w = xstrdup(want);
	int all = 1;
	for (char *save = NULL, *a = strtok_r(w, ",", &save); a && all; a = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(a);
		const char *p = have;
		for (all = 0; !all && (p = strstr(p, a)); p += n)
			all = (p == have || p[-1] == ',') && (p[n] == ',' || p[n] == '\0');
	}
	free(w);
	return all;
}

/* Whether a token for scope `have` serves `want`: every word of want
 * ("repository:NAME:ACTIONS") is in have with at least those actions. A push
 * token then serves the HEADs and GETs of the same repository. */
static int scope_covers(const char *have, const char *want)
{
	char *w = xstrdup(want);
	int all = 1;
	for (char *save = NULL, *word = strtok_r(w, " ", &save); word && all; word = strtok_r(NULL, " ", &save)) {
		const char *colon = strrchr(word, ':');
		size_t n = colon ? (size_t)(colon - word) + 1 : strlen(word);
		all = 0;
		for (const char *p = have; *p && !all; p += strcspn(p, " "), p += *p == ' ') {
			size_t len = strcspn(p, " ");
			if (colon && len > n && !strncmp(p, word, n)) {
				char *acts = xstrndup(p + n, len - n);
				all = actions_cover(acts, colon + 1);
				free(acts);
			}
		}
	}
	free(w);
	return all;
}

/* A live token for scope: one fetched for exactly it, or for more. */
static char *cached_token(struct shared *s, const char *scope)
{
	char *out = NULL;
	long long now = now_ms();
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->ntokens && !out; i++)
		if (s->tokens[i].expires_ms > now && !strcmp(s->tokens[i].scope, scope))
			out = xstrdup(s->tokens[i].value);
	for (size_t i = 0; i < s->ntokens && !out; i++)
		if (s->tokens[i].expires_ms > now && scope_covers(s->tokens[i].scope, scope))
			out = xstrdup(s->tokens[i].value);
	pthread_mutex_unlock(&s->lock);
	return out;
}

static void store_token(struct shared *s, const char *scope, const char *value, long long expires_ms)
{
	pthread_mutex_lock(&s->lock);
	size_t i = 0;
	while (i < s->ntokens && strcmp(s->tokens[i].scope, scope) != 0)
		i++;
	if (i == s->ntokens) {
		s->tokens = xgrow(s->tokens, &s->captokens, s->ntokens + 1, sizeof *s->tokens);
		s->tokens[s->ntokens++] = (struct token){ xstrdup(scope), NULL, 0 };
	} else {
		explicit_bzero(s->tokens[i].value, strlen(s->tokens[i].value));
		free(s->tokens[i].value);
	}
	s->tokens[i].value = xstrdup(value);
	s->tokens[i].expires_ms = expires_ms;
	pthread_mutex_unlock(&s->lock);
}

/* The token request: GET realm?service=S&scope=A&scope=B with Basic
 * credentials, or the OAuth2 refresh_token grant for an identity token. */
static void token_request(struct shared *s, const char *realm, const char *service, const char *scope,
			  struct strbuf *url, struct strbuf *form)
{
	sb_adds(url, realm);
	char sep = strchr(realm, '?') ? '&' : '?';
	struct strbuf query = STRBUF_INIT;
	if (service) {
		char *e = http_escape(service);
		sb_addf(&query, "service=%s", e);
		free(e);
	}
	char *words = xstrdup(scope);
	for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *e = http_escape(w);
		sb_addf(&query, "%sscope=%s", query.len ? "&" : "", e);
		free(e);
	}
	free(words);
	if (s->cred.identity_token) { /* POST: the scopes go space-separated in the form */
		char *sc = http_escape(scope), *tok = http_escape(s->cred.identity_token);
		char *sv = http_escape(service ? service : "");
		sb_addf(form, "grant_type=refresh_token&client_id=cloudctl&service=%s&scope=%s&refresh_token=%s", sv, sc,
			tok);
		explicit_bzero(tok, strlen(tok));
		free(sc);
		free(tok);
		free(sv);
	} else if (query.len) {
		sb_addc(url, sep);
		sb_add(url, query.buf, query.len);
	}
	sb_release(&query);
}

static void strip_query(struct strbuf *out, const char *url)
{
	sb_add(out, url, strcspn(url, "?#"));
}

/* {"token": T} or {"access_token": T}, "expires_in" seconds (at least 60). */
static int parse_token(struct registry *r, const char *realm, const struct http_response *resp, const char *scope,
		       char **token, struct strbuf *err)
{
	json_error_t je;
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, &je);
	const char *t = json_string_value(json_object_get(doc, "token"));
	if (!t || !*t)
		t = json_string_value(json_object_get(doc, "access_token"));
	int rc = 0;
	if (!t || !*t) {
		struct strbuf where = STRBUF_INIT;
		strip_query(&where, realm);
		rc = sb_fail(err, EXIT_DATA, "registry %s: the token server %s answered %s", r->s->host, where.buf,
			     doc ? "JSON without a token" : "something that is not JSON");
		sb_release(&where);
	} else {
		json_int_t secs = json_integer_value(json_object_get(doc, "expires_in"));
		if (secs < TOKEN_MIN_SECS)
			secs = TOKEN_MIN_SECS;
		long long expires = now_ms() + (long long)secs * 1000 - TOKEN_MARGIN_MS;
		store_token(r->s, scope, t, expires);
		*token = xstrdup(t);
	}
	json_decref(doc);
	return rc;
}

/* The registry error document's first error: "CODE: message". */
static void registry_message(const struct http_response *resp, struct strbuf *out);

static int token_refused(struct registry *r, const char *realm, const struct http_response *resp, struct strbuf *err)
{
	struct strbuf where = STRBUF_INIT, who = STRBUF_INIT, said = STRBUF_INIT;
	strip_query(&where, realm);
	describe_cred(r->s, &who);
	registry_message(resp, &said);
	int code = resp->status ? http_exit_code(resp) : EXIT_UNAVAIL;
	if (resp->status == 0)
		sb_fail(err, code, "registry %s: token server %s: %s", r->s->host, where.buf, resp->errbuf);
	else
		sb_fail(err, code, "registry %s: the token server %s refused %s%s%s (HTTP %ld)", r->s->host, where.buf,
			who.buf, said.len ? ": " : "", said.buf, resp->status);
	sb_release(&where);
	sb_release(&who);
	sb_release(&said);
	return code;
}

static int fetch_token(struct registry *r, const char *scope, char **token, struct strbuf *err)
{
	struct shared *s = r->s;
	pthread_mutex_lock(&s->lock);
	char *realm = dup_or_null(s->realm), *service = dup_or_null(s->service);
	pthread_mutex_unlock(&s->lock);
	int rc = 0;
	if (!realm || !(str_starts(realm, "https://") || (s->opts.insecure && str_starts(realm, "http://"))))
		rc = sb_fail(err, EXIT_UNAVAIL, "registry %s: the token realm '%s' is not an https URL%s", s->host,
			     realm ? realm : "", realm && str_starts(realm, "http://") ? " (--insecure allows http)" : "");
	struct strbuf url = STRBUF_INIT, form = STRBUF_INIT;
	char *basic = NULL;
	if (!rc) {
		token_request(s, realm, service, scope, &url, &form);
		if (s->cred.username && !s->cred.identity_token)
			basic = registry_cred_basic(&s->cred);
	}
	struct http_response resp = HTTP_RESPONSE_INIT;
	if (!rc) {
		char *auth = basic ? xasprintf("Authorization: %s", basic) : NULL;
		const char *headers[] = { auth, NULL };
		const char *form_headers[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
		struct http_request req = { form.len ? "POST" : "GET", url.buf, form.len ? form_headers : headers,
					    form.len ? form.buf : NULL, form.len, 1 };
		r->stats.requests++;
		int got = http_do(r->http, &req, &resp);
		if (auth)
			explicit_bzero(auth, strlen(auth));
		free(auth);
		if (got < 0 || resp.status != 200)
			rc = token_refused(r, realm, &resp, err);
		else
			rc = parse_token(r, realm, &resp, scope, token, err);
	}
	if (basic)
		explicit_bzero(basic, strlen(basic));
	free(basic);
	explicit_bzero(form.buf, form.len);
	sb_release(&form);
	sb_release(&url);
	http_response_release(&resp);
	free(realm);
	free(service);
	return rc;
}

/* ---- one authenticated request ---- */

struct call {
	const char *method;
	const char *url;   /* absolute */
	const char *scope; /* "repository:NAME:pull[,push][ repository:FROM:pull]" */
	const char *what;  /* for messages: "upload of sha256:... to NAME" */
	const char *const *headers;
	const void *body;
	size_t len;
	const struct http_transfer *xfer;
	/* filled in */
	int fresh_token; /* the token sent was fetched for this call */
	struct challenge last; /* the challenge of a final 401 */
};

/* "Authorization: ..." for this call, or NULL (*line) when none is due. */
static int auth_line(struct registry *r, struct call *c, int renew, char **line, struct strbuf *err)
{
	struct shared *s = r->s;
	*line = NULL;
	pthread_mutex_lock(&s->lock);
	enum auth_scheme scheme = s->scheme;
	pthread_mutex_unlock(&s->lock);
	if (scheme != AUTH_BASIC && scheme != AUTH_BEARER)
		return 0;
	int rc = ensure_cred(r, err);
	if (rc)
		return rc;
	if (scheme == AUTH_BASIC) {
		if (s->cred.username) {
			char *b = registry_cred_basic(&s->cred);
			*line = xasprintf("Authorization: %s", b);
			explicit_bzero(b, strlen(b));
			free(b);
		}
		return 0;
	}
	char *token = renew ? NULL : cached_token(s, c->scope);
	if (!token) {
		rc = fetch_token(r, c->scope, &token, err);
		if (rc)
			return rc;
		c->fresh_token = 1;
	}
	*line = xasprintf("Authorization: Bearer %s", token);
	explicit_bzero(token, strlen(token));
	free(token);
	return 0;
}

static void wipe_line(char **line)
{
	if (*line) {
		explicit_bzero(*line, strlen(*line));
		free(*line);
		*line = NULL;
	}
}

static int send_once(struct registry *r, const struct call *c, const char *auth, struct http_response *resp)
{
	struct strlist h = STRLIST_INIT;
	for (const char *const *p = c->headers; p && *p; p++)
		strlist_add(&h, *p);
	if (auth)
		strlist_add(&h, auth);
	struct http_request req = { c->method, c->url, (const char *const *)h.v, c->body, c->len, 0 };
	r->stats.requests++;
	int rc = http_do_transfer(r->http, &req, c->xfer, resp);
	if (auth)
		explicit_bzero(h.v[h.n - 1], strlen(auth));
	strlist_clear(&h);
	return rc;
}

/* Whether a 401 is worth one more try: a Basic challenge where none was
 * expected, or a Bearer token that was cached (it may have expired or lack a
 * scope), or a new realm. Not when a token fetched just now was refused. */
static int worth_retry(struct registry *r, struct call *c, const struct http_response *resp, int sent_auth)
{
	challenge_release(&c->last);
	parse_challenge(http_header_get(resp, "WWW-Authenticate"), &c->last);
	pthread_mutex_lock(&r->s->lock);
	enum auth_scheme before = r->s->scheme;
	pthread_mutex_unlock(&r->s->lock);
	if (c->last.scheme == AUTH_NONE)
		return 0;
	adopt_challenge(r->s, &c->last);
	if (c->last.scheme == AUTH_BASIC)
		return before != AUTH_BASIC && !sent_auth;
	return before != AUTH_BEARER || !c->fresh_token;
}

/* Send c with the credentials due, and once more after a 401 that may be
 * cured. Returns 0 when a response arrived (whatever its status), -1 when
 * none did (resp->errbuf), or an exit code from the credential or token steps. */
static int call_do(struct registry *r, struct call *c, struct http_response *resp, struct strbuf *err)
{
	char *auth = NULL;
	int rc = auth_line(r, c, 0, &auth, err);
	for (int attempt = 0; !rc; attempt++) {
		rc = send_once(r, c, auth, resp);
		if (rc < 0 || resp->status != 401 || attempt > 0 || !worth_retry(r, c, resp, auth != NULL))
			break;
		wipe_line(&auth);
		c->fresh_token = 0;
		rc = auth_line(r, c, 1, &auth, err);
	}
	wipe_line(&auth);
	return rc;
}

/* ---- error messages ---- */

/* Printable text, at most max bytes: a message from a server must not drive the terminal. */
static void add_clean(struct strbuf *out, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++)
		sb_addc(out, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i]);
}

static void registry_message(const struct http_response *resp, struct strbuf *out)
{
	json_error_t je;
	json_t *doc = resp->body.len ? json_loadb(resp->body.buf, resp->body.len, 0, &je) : NULL;
	json_t *first = json_array_get(json_object_get(doc, "errors"), 0);
	const char *code = json_string_value(json_object_get(first, "code"));
	const char *msg = json_string_value(json_object_get(first, "message"));
	if (code || msg) {
		add_clean(out, code ? code : "", 80);
		sb_adds(out, code && msg ? ": " : "");
		add_clean(out, msg ? msg : "", 300);
	} else if (!doc && resp->body.len) {
		add_clean(out, resp->body.buf, strcspn(resp->body.buf, "\n") < 200 ? strcspn(resp->body.buf, "\n") : 200);
	}
	json_decref(doc);
}

/* Why a 401 or 403 happened, from our side. */
static void auth_hint(struct registry *r, const struct call *c, struct strbuf *out)
{
	struct shared *s = r->s;
	if (c->last.error && !strcmp(c->last.error, "insufficient_scope")) {
		sb_adds(out, "; insufficient_scope: ");
		describe_cred(s, out);
		sb_addf(out, " do%s not allow %s", have_cred(s) ? "" : "es", c->scope);
	} else if (!have_cred(s) && !s->opts.anonymous) {
		char *file = s->opts.auth_file ? xstrdup(s->opts.auth_file) : docker_config_path();
		sb_addf(out, "; no credentials for %s in %s", s->host, file ? file : "(no docker config)");
		free(file);
	} else if (have_cred(s)) {
		sb_adds(out, "; ");
		describe_cred(s, out);
		sb_adds(out, " were refused");
	}
}

/* The one-line error for a call that got no response, or an unwanted status. */
static int call_fail(struct registry *r, const struct call *c, const struct http_response *resp, struct strbuf *err)
{
	if (resp->status == 0)
		return sb_fail(err, EXIT_UNAVAIL, "registry %s: %s: %s", r->s->host, c->what, resp->errbuf);
	int code = http_exit_code(resp);
	if (code == EXIT_OK)
		code = EXIT_DATA; /* a 2xx the API does not give here */
	struct strbuf said = STRBUF_INIT, hint = STRBUF_INIT;
	registry_message(resp, &said);
	if (resp->status == 401 || resp->status == 403)
		auth_hint(r, c, &hint);
	sb_fail(err, code, "registry %s: %s: %s%s(HTTP %ld%s)", r->s->host, c->what, said.buf, said.len ? " " : "",
		resp->status, hint.buf);
	sb_release(&said);
	sb_release(&hint);
	return code;
}

/* call_do, then call_fail unless the status is one of ok (0-terminated). */
static int call_expect(struct registry *r, struct call *c, struct http_response *resp, const long *ok,
		       struct strbuf *err)
{
	int rc = call_do(r, c, resp, err);
	if (rc > 0)
		return rc;
	for (const long *p = ok; rc == 0 && *p; p++)
		if (resp->status == *p)
			return 0;
	return call_fail(r, c, resp, err);
}

static void call_release(struct call *c)
{
	challenge_release(&c->last);
}

/* ---- ping: where the registry is and how it authenticates ---- */

static int ping_at(struct registry *r, const char *base, struct http_response *resp)
{
	char *url = xasprintf("%s/v2/", base);
	struct http_request req = { "GET", url, NULL, NULL, 0, 0 };
	r->stats.requests++;
	int rc = http_do(r->http, &req, resp);
	free(url);
	return rc;
}

static int ping_result(struct registry *r, const char *base, const struct http_response *resp, struct strbuf *err)
{
	struct call c = { .what = "GET /v2/", .scope = "" };
	struct challenge ch;
	if (resp->status == 200) {
		ch = (struct challenge){ AUTH_NONE, NULL, NULL, NULL };
	} else if (resp->status == 401) {
		parse_challenge(http_header_get(resp, "WWW-Authenticate"), &ch);
	} else if (resp->status == 404) {
		return sb_fail(err, EXIT_UNAVAIL, "registry %s: %s/v2/ is not the registry API (HTTP 404)",
			       r->s->host, base);
	} else {
		return call_fail(r, &c, resp, err);
	}
	struct shared *s = r->s;
	pthread_mutex_lock(&s->lock);
	if (!s->base)
		s->base = xstrdup(base);
	pthread_mutex_unlock(&s->lock);
	adopt_challenge(s, &ch);
	challenge_release(&ch);
	return 0;
}

int registry_ping(struct registry *r, struct strbuf *err)
{
	struct shared *s = r->s;
	char *https = xasprintf("https://%s", s->host), *http = xasprintf("http://%s", s->host);
	const char *base = https;
	struct http_response resp = HTTP_RESPONSE_INIT;
	int got = ping_at(r, https, &resp);
	if (got < 0 && s->opts.insecure) {
		struct http_response plain = HTTP_RESPONSE_INIT;
		if (ping_at(r, http, &plain) == 0) { /* no TLS there: plain http, as asked */
			http_response_release(&resp);
			resp = plain;
			base = http;
			got = 0;
		} else {
			http_response_release(&plain);
		}
	}
	int rc = got < 0 ? sb_fail(err, EXIT_UNAVAIL, "registry %s: cannot connect: %s", s->host, resp.errbuf)
			 : ping_result(r, base, &resp, err);
	http_response_release(&resp);
	free(https);
	free(http);
	return rc;
}

/* The base URL, pinging first when no handle has yet. */
static int ensure_base(struct registry *r, struct strbuf *err)
{
	pthread_mutex_lock(&r->s->lock);
	int known = r->s->base != NULL;
	pthread_mutex_unlock(&r->s->lock);
	return known ? 0 : registry_ping(r, err);
}

/* base + "/v2/" + repo + rest; the base is set once and never changes. */
static char *api_url(struct registry *r, const char *repo, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *api_url(struct registry *r, const char *repo, const char *fmt, ...)
{
	struct strbuf url = STRBUF_INIT;
	sb_addf(&url, "%s/v2/%s", r->s->base, repo);
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&url, fmt, ap);
	va_end(ap);
	return sb_detach(&url);
}

/* Names checked before they go into a URL; then the registry, once reachable. */
static int check_args(struct registry *r, const char *repo, const char *digest, struct strbuf *err)
{
	if (!oci_ref_repo_valid(repo))
		return sb_fail(err, EXIT_USAGE, "registry %s: invalid repository name '%s'", r->s->host, repo ? repo : "");
	if (digest && !oci_ref_digest_valid(digest))
		return sb_fail(err, EXIT_USAGE, "registry %s: invalid digest '%s'", r->s->host, digest);
	return ensure_base(r, err);
}

static char *scope_pull(const char *repo)
{
	return xasprintf("repository:%s:pull", repo);
}

static char *scope_push(const char *repo)
{
	return xasprintf("repository:%s:pull,push", repo);
}

/* ---- blobs: HEAD and mount ---- */

static long long content_length(const struct http_response *resp)
{
	const char *v = http_header_get(resp, "Content-Length");
	long long n;
	return v && parse_ll(v, 0, (long long)1 << 62, &n) == 0 ? n : -1;
}

int registry_blob_exists(struct registry *r, const char *repo, const char *digest, int *exists, long long *size,
			 struct strbuf *err)
{
	*exists = 0;
	int rc = check_args(r, repo, digest, err);
	if (rc)
		return rc;
	char *url = api_url(r, repo, "/blobs/%s", digest), *scope = scope_pull(repo);
	char *what = xasprintf("blob %s in %s", digest, repo);
	struct call c = { "HEAD", url, scope, what, NULL, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const long ok[] = { 200, 404, 0 };
	rc = call_expect(r, &c, &resp, ok, err);
	if (!rc && resp.status == 200) {
		*exists = 1;
		if (size)
			*size = content_length(&resp);
	}
	http_response_release(&resp);
	call_release(&c);
	free(url);
	free(scope);
	free(what);
	return rc;
}

/* Cancel an upload session: best effort, the registry expires it anyway. */
static void cancel_upload(struct registry *r, const char *location, const char *scope)
{
	struct call c = { "DELETE", location, scope, "cancel upload", NULL, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct strbuf ignored = STRBUF_INIT;
	call_do(r, &c, &resp, &ignored);
	http_response_release(&resp);
	sb_release(&ignored);
	call_release(&c);
}

/* The Location of resp, absolute (it may be relative to the request's URL). */
static char *location_of(const struct http_response *resp, const char *request_url)
{
	const char *loc = http_header_get(resp, "Location");
	return loc && *loc ? http_url_resolve(request_url, loc) : NULL;
}

int registry_blob_mount(struct registry *r, const char *repo, const char *digest, const char *from_repo,
			int *mounted, struct strbuf *err)
{
	*mounted = 0;
	int rc = check_args(r, repo, digest, err);
	if (!rc && !oci_ref_repo_valid(from_repo))
		rc = sb_fail(err, EXIT_USAGE, "registry %s: invalid repository name '%s'", r->s->host, from_repo);
	if (rc)
		return rc;
	char *d = http_escape(digest), *f = http_escape(from_repo);
	char *url = api_url(r, repo, "/blobs/uploads/?mount=%s&from=%s", d, f);
	char *scope = xasprintf("repository:%s:pull,push repository:%s:pull", repo, from_repo);
	char *what = xasprintf("mount of %s from %s into %s", digest, from_repo, repo);
	static const char *const headers[] = { "Content-Length: 0", NULL };
	struct call c = { "POST", url, scope, what, headers, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	/* 401/403: reading from_repo may not be allowed; an upload is the way then */
	static const long ok[] = { 201, 202, 401, 403, 0 };
	rc = call_expect(r, &c, &resp, ok, err);
	if (!rc && resp.status == 201)
		*mounted = 1;
	if (!rc && resp.status == 202) {
		char *loc = location_of(&resp, url);
		if (loc)
			cancel_upload(r, loc, scope);
		free(loc);
	}
	if (!rc && (resp.status == 401 || resp.status == 403))
		debug("registry %s: %s: HTTP %ld, uploading instead", r->s->host, what, resp.status);
	http_response_release(&resp);
	call_release(&c);
	free(d);
	free(f);
	free(url);
	free(scope);
	free(what);
	return rc;
}

/* ---- blobs: uploads ---- */

struct upload {
	struct registry *r;
	const char *repo, *digest;
	int fd;             /* the blob's file, or -1 with mem */
	const void *mem;
	long long size;
	char *scope, *what;
	char *location;     /* the session's URL, after the POST */
	long long offset;   /* where the next chunk starts */
	long long sent;     /* blob bytes the registry took */
	long last_status;   /* of the last exchange, for the decision to start over */
	int session_lost;   /* the registry no longer knows the session */
};

static void upload_progress(void *arg, long long sent)
{
	struct upload *u = arg;
	const struct registry_opts *o = &u->r->s->opts;
	if (o->progress)
		o->progress(o->progress_arg, u->digest, u->offset + sent, u->size);
}

/* The body of [from, from+len): from the file, or from memory. */
static void set_body(struct upload *u, struct call *c, struct http_source *src, struct http_transfer *x,
		     long long from, long long len)
{
	*x = (struct http_transfer){ NULL, NULL, -1, BLOB_STALL_MS };
	c->xfer = x;
	if (u->fd < 0 || len == 0) {
		c->body = u->mem ? (const char *)u->mem + from : "";
		c->len = (size_t)len;
		return;
	}
	*src = (struct http_source){ u->fd, from, len, upload_progress, u };
	x->source = src;
}

/* Keep the last status and what the registry said of the session. */
static void note_outcome(struct upload *u, const struct http_response *resp)
{
	u->last_status = resp->status;
	if (resp->status == 404 || resp->status == 400) {
		struct strbuf said = STRBUF_INIT;
		registry_message(resp, &said);
		u->session_lost = str_starts(said.buf, "BLOB_UPLOAD_UNKNOWN") || str_starts(said.buf, "BLOB_UPLOAD_INVALID");
		sb_release(&said);
	}
}

/* Take the session's next URL from a response, if it gives one. */
static void follow_location(struct upload *u, const struct http_response *resp, const char *url)
{
	char *next = location_of(resp, url);
	if (next) {
		free(u->location);
		u->location = next;
	}
}

static int upload_start(struct upload *u, struct strbuf *err)
{
	char *url = api_url(u->r, u->repo, "/blobs/uploads/");
	static const char *const headers[] = { "Content-Length: 0", NULL };
	struct call c = { "POST", url, u->scope, u->what, headers, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const long ok[] = { 202, 0 };
	int rc = call_expect(u->r, &c, &resp, ok, err);
	note_outcome(u, &resp);
	free(u->location);
	u->location = NULL;
	if (!rc)
		follow_location(u, &resp, url);
	if (!rc && !u->location)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry gave no upload Location", u->r->s->host, u->what);
	http_response_release(&resp);
	call_release(&c);
	free(url);
	return rc;
}

/* The session URL with digest=D added to its query. */
static char *with_digest(const char *location, const char *digest)
{
	char *d = http_escape(digest);
	char *url = xasprintf("%s%cdigest=%s", location, strchr(location, '?') ? '&' : '?', d);
	free(d);
	return url;
}

/* The closing PUT, with the rest of the blob (maybe nothing) as its body. */
static int upload_finish(struct upload *u, struct strbuf *err)
{
	char *url = with_digest(u->location, u->digest);
	const char *headers[] = { OCTET_STREAM, NULL };
	struct call c = { "PUT", url, u->scope, u->what, headers, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_source src;
	struct http_transfer x;
	long long len = u->size - u->offset;
	set_body(u, &c, &src, &x, u->offset, len);
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const long ok[] = { 201, 0 };
	int rc = call_expect(u->r, &c, &resp, ok, err);
	note_outcome(u, &resp);
	const char *said = http_header_get(&resp, "Docker-Content-Digest");
	if (!rc && said && strcmp(said, u->digest) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry stored it as %s", u->r->s->host, u->what, said);
	if (!rc) {
		u->sent += len;
		u->offset = u->size;
	}
	http_response_release(&resp);
	call_release(&c);
	free(url);
	return rc;
}

/* "0-N" or "bytes=0-N": the registry has N+1 bytes. -1 when unreadable. */
static long long range_end(const struct http_response *resp)
{
	const char *v = http_header_get(resp, "Range");
	if (!v)
		return -1;
	if (str_starts(v, "bytes="))
		v += 6;
	const char *dash = strchr(v, '-');
	long long end;
	return dash && parse_ll(dash + 1, 0, (long long)1 << 62, &end) == 0 ? end : -1;
}

/* One PATCH of [offset, offset+len). On 202 or 416 the registry's Range says
 * where the next chunk starts. */
static int upload_chunk(struct upload *u, long long len, struct strbuf *err)
{
	char *range = xasprintf("Content-Range: %lld-%lld", u->offset, u->offset + len - 1);
	const char *headers[] = { OCTET_STREAM, range, NULL };
	char *url = xstrdup(u->location);
	struct call c = { "PATCH", url, u->scope, u->what, headers, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_source src;
	struct http_transfer x;
	set_body(u, &c, &src, &x, u->offset, len);
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const long ok[] = { 202, 416, 0 };
	int rc = call_expect(u->r, &c, &resp, ok, err);
	note_outcome(u, &resp);
	long long end = rc ? -1 : range_end(&resp);
	if (!rc && (end < -1 || end + 1 > u->offset + len || (resp.status == 416 && end + 1 < 0)))
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry's Range '%s' does not fit", u->r->s->host,
			     u->what, http_header_get(&resp, "Range"));
	if (!rc) {
		long long next = end >= 0 ? end + 1 : u->offset + len; /* no Range: all taken */
		u->sent += next > u->offset ? next - u->offset : 0;
		u->offset = next;
		follow_location(u, &resp, url);
	}
	http_response_release(&resp);
	call_release(&c);
	free(url);
	free(range);
	return rc;
}

static int upload_chunks(struct upload *u, struct strbuf *err)
{
	long long chunk = u->r->s->opts.chunk_size;
	int rc = 0, stuck = 0;
	while (!rc && u->offset < u->size) {
		long long before = u->offset;
		long long len = u->size - u->offset < chunk ? u->size - u->offset : chunk;
		rc = upload_chunk(u, len, err);
		stuck = u->offset <= before ? stuck + 1 : 0;
		if (!rc && stuck >= 3)
			rc = sb_fail(err, EXIT_UNAVAIL, "registry %s: %s: the registry takes no more bytes at %lld",
				     u->r->s->host, u->what, u->offset);
	}
	return rc ? rc : upload_finish(u, err);
}

static int upload_once(struct upload *u, struct strbuf *err)
{
	u->offset = 0;
	u->session_lost = 0;
	int rc = upload_start(u, err);
	if (rc)
		return rc;
	if (u->size > u->r->s->opts.chunk_threshold)
		rc = upload_chunks(u, err);
	else
		rc = upload_finish(u, err);
	if (rc && u->location && !u->session_lost)
		cancel_upload(u->r, u->location, u->scope);
	return rc;
}

/* Cut short, or the registry lost the session (it was restarted): worth one more go. */
static int worth_restart(const struct upload *u, int rc)
{
	if (rc == EXIT_USAGE || rc == EXIT_PERM || rc == EXIT_CONFIG)
		return 0;
	return u->last_status == 0 || u->last_status >= 500 || u->session_lost;
}

static int upload(struct registry *r, const char *repo, const char *digest, int fd, const void *mem,
		  long long size, struct strbuf *err)
{
	int rc = check_args(r, repo, digest, err);
	if (rc)
		return rc;
	struct upload u = { r, repo, digest, fd, mem, size, scope_push(repo), NULL, NULL, 0, 0, 0, 0 };
	u.what = xasprintf("upload of %s to %s", digest, repo);
	for (int attempt = 0;; attempt++) {
		rc = upload_once(&u, err);
		if (!rc || attempt > 0 || !worth_restart(&u, rc))
			break;
		info("%s; starting the upload again", err->buf);
	}
	r->stats.blob_bytes_sent += u.sent;
	free(u.location);
	free(u.scope);
	free(u.what);
	return rc;
}

int registry_blob_upload(struct registry *r, const char *repo, const char *digest, int fd, long long size,
			 struct strbuf *err)
{
	if (fd < 0 || size < 0)
		return sb_fail(err, EXIT_USAGE, "registry %s: upload of %s: no file", r->s->host, digest);
	return upload(r, repo, digest, fd, NULL, size, err);
}

int registry_blob_upload_file(struct registry *r, const char *repo, const char *digest, const char *path,
			      struct strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return sb_fail(err, e == ENOENT ? EXIT_NOTFOUND : e == EACCES ? EXIT_PERM : EXIT_IOERR,
			       "cannot read '%s': %s", path, strerror(e));
	}
	int rc = upload(r, repo, digest, fd, NULL, (long long)st.st_size, err);
	close(fd);
	return rc;
}

int registry_blob_upload_mem(struct registry *r, const char *repo, const char *digest, const void *data,
			     size_t len, struct strbuf *err)
{
	return upload(r, repo, digest, -1, data ? data : "", (long long)len, err);
}

/* ---- blobs: downloads ---- */

struct download {
	struct registry *r;
	const char *digest;
	int fd;
	int seekable;
	off_t start;
	EVP_MD_CTX *md;
	long long n;
	int write_errno;
};

static int download_write(void *arg, const void *data, size_t len)
{
	struct download *d = arg;
	const char *p = data;
	for (size_t left = len; left > 0;) {
		ssize_t w = write(d->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			d->write_errno = errno;
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	EVP_DigestUpdate(d->md, data, len);
	d->n += (long long)len;
	const struct registry_opts *o = &d->r->s->opts;
	if (o->progress)
		o->progress(o->progress_arg, d->digest, d->n, -1);
	return 0;
}

/* Undo what was written: only a regular file can. */
static int download_rewind(void *arg)
{
	struct download *d = arg;
	if (!d->seekable || ftruncate(d->fd, d->start) < 0 || lseek(d->fd, d->start, SEEK_SET) < 0)
		return -1;
	EVP_DigestInit_ex(d->md, digest_md(d->digest), NULL);
	d->n = 0;
	return 0;
}

/* Same scheme, host and port as the registry: credentials may go there. */
static int same_origin(const char *url, const char *base)
{
	size_t n = strlen(base);
	return strncmp(url, base, n) == 0 && (url[n] == '/' || url[n] == '\0');
}

/* One GET of the blob, following redirects; credentials go to the registry only. */
static int download_follow(struct registry *r, struct call *c, struct http_response *resp, struct strbuf *err)
{
	char *url = xstrdup(c->url);
	int rc = 0;
	for (int hops = 0;; hops++) {
		c->url = url;
		if (same_origin(url, r->s->base)) {
			rc = call_do(r, c, resp, err);
		} else {
			struct http_request req = { "GET", url, NULL, NULL, 0, 0 };
			r->stats.requests++;
			rc = http_do_transfer(r->http, &req, c->xfer, resp);
		}
		long st = resp->status;
		int redirect = rc == 0 && (st == 301 || st == 302 || st == 303 || st == 307 || st == 308);
		char *next = redirect ? location_of(resp, url) : NULL;
		if (!next || hops >= MAX_REDIRECTS) {
			free(next);
			break;
		}
		free(url);
		url = next;
	}
	c->url = NULL;
	free(url);
	return rc;
}

static int download_check(struct download *d, struct call *c, const struct http_response *resp, struct strbuf *err)
{
	struct registry *r = d->r;
	if (resp->status != 200) {
		if (d->write_errno)
			return sb_fail(err, EXIT_IOERR, "registry %s: %s: cannot write: %s", r->s->host, c->what,
				       strerror(d->write_errno));
		return call_fail(r, c, resp, err);
	}
	char *got = digest_finish(d->md, digest_md(d->digest));
	int rc = 0;
	if (strcmp(got, d->digest) != 0) {
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the %lld bytes received have digest %s", r->s->host,
			     c->what, d->n, got);
		download_rewind(d);
	}
	free(got);
	return rc;
}

int registry_blob_get(struct registry *r, const char *repo, const char *digest, int out_fd, long long *size,
		      struct strbuf *err)
{
	int rc = check_args(r, repo, digest, err);
	if (rc)
		return rc;
	struct stat st;
	struct download d = { r, digest, out_fd, 0, 0, EVP_MD_CTX_new(), 0, 0 };
	if (!d.md)
		die(EXIT_OSERR, "out of memory");
	EVP_DigestInit_ex(d.md, digest_md(digest), NULL);
	d.seekable = fstat(out_fd, &st) == 0 && S_ISREG(st.st_mode) && (d.start = lseek(out_fd, 0, SEEK_CUR)) >= 0;
	struct http_sink sink = { download_write, download_rewind, &d };
	struct http_transfer x = { NULL, &sink, -1, BLOB_STALL_MS };
	char *url = api_url(r, repo, "/blobs/%s", digest), *scope = scope_pull(repo);
	char *what = xasprintf("download of %s from %s", digest, repo);
	struct call c = { "GET", url, scope, what, NULL, NULL, 0, &x, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	rc = download_follow(r, &c, &resp, err);
	c.url = url;
	if (rc < 0 && d.write_errno)
		rc = sb_fail(err, EXIT_IOERR, "registry %s: %s: cannot write: %s", r->s->host, what, strerror(d.write_errno));
	else if (rc <= 0)
		rc = rc < 0 ? call_fail(r, &c, &resp, err) : download_check(&d, &c, &resp, err);
	r->stats.blob_bytes_received += d.n;
	if (size)
		*size = d.n;
	EVP_MD_CTX_free(d.md);
	http_response_release(&resp);
	call_release(&c);
	free(url);
	free(scope);
	free(what);
	return rc;
}

/* ---- manifests ---- */

static char *accept_header(const char *const *accept)
{
	struct strbuf h = STRBUF_INIT;
	sb_adds(&h, "Accept: ");
	for (const char *const *p = accept ? accept : registry_manifest_types; *p; p++)
		sb_addf(&h, "%s%s", p == (accept ? accept : registry_manifest_types) ? "" : ", ", *p);
	return sb_detach(&h);
}

static int check_ref(struct registry *r, const char *repo, const char *ref, struct strbuf *err)
{
	if (!ref || !(oci_ref_tag_valid(ref) || oci_ref_digest_valid(ref)))
		return sb_fail(err, EXIT_USAGE, "registry %s: invalid tag or digest '%s'", r->s->host, ref ? ref : "");
	return check_args(r, repo, NULL, err);
}

/* The media type without parameters ("; charset=utf-8"). */
static char *media_type_of(const struct http_response *resp)
{
	const char *v = http_header_get(resp, "Content-Type");
	return v ? xstrndup(v, strcspn(v, "; ")) : NULL;
}

/* The manifest's digest, checked against what was asked for and what the registry says. */
static int manifest_digest(struct registry *r, const struct call *c, const char *ref, const struct http_response *resp,
			   char **out, struct strbuf *err)
{
	const char *said = http_header_get(resp, "Docker-Content-Digest");
	char *got = digest_of(resp->body.buf, resp->body.len, oci_ref_digest_valid(ref) ? ref : said);
	int rc = 0;
	if (oci_ref_digest_valid(ref) && strcmp(got, ref) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the body has digest %s", r->s->host, c->what, got);
	else if (said && digest_md(said) == digest_md(got) && strcmp(said, got) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry says digest %s, the body has %s", r->s->host,
			     c->what, said, got);
	if (!rc && out)
		*out = got;
	else
		free(got);
	return rc;
}

static int check_json_object(struct registry *r, const struct call *c, const struct strbuf *body, struct strbuf *err)
{
	json_error_t je;
	json_t *doc = json_loadb(body->buf, body->len, 0, &je);
	int ok = json_is_object(doc);
	json_decref(doc);
	if (ok)
		return 0;
	return sb_fail(err, EXIT_DATA, "registry %s: %s: the answer is not a JSON object%s%s", r->s->host, c->what,
		       doc ? "" : ": ", doc ? "" : je.text);
}

int registry_manifest_get(struct registry *r, const char *repo, const char *ref, const char *const *accept,
			  struct strbuf *body, char **media_type, char **digest, struct strbuf *err)
{
	int rc = check_ref(r, repo, ref, err);
	if (rc)
		return rc;
	char *url = api_url(r, repo, "/manifests/%s", ref), *scope = scope_pull(repo);
	char *what = xasprintf("manifest %s:%s", repo, ref), *acc = accept_header(accept);
	const char *headers[] = { acc, NULL };
	struct call c = { "GET", url, scope, what, headers, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const long ok[] = { 200, 0 };
	rc = call_expect(r, &c, &resp, ok, err);
	rc = rc ? rc : check_json_object(r, &c, &resp.body, err);
	rc = rc ? rc : manifest_digest(r, &c, ref, &resp, digest, err);
	if (!rc) {
		sb_reset(body);
		sb_add(body, resp.body.buf, resp.body.len);
		if (media_type)
			*media_type = media_type_of(&resp);
	}
	http_response_release(&resp);
	call_release(&c);
	free(url);
	free(scope);
	free(what);
	free(acc);
	return rc;
}

int registry_manifest_head(struct registry *r, const char *repo, const char *ref, const char *const *accept,
			   int *exists, char **media_type, char **digest, long long *size, struct strbuf *err)
{
	*exists = 0;
	int rc = check_ref(r, repo, ref, err);
	if (rc)
		return rc;
	char *url = api_url(r, repo, "/manifests/%s", ref), *scope = scope_pull(repo);
	char *what = xasprintf("manifest %s:%s", repo, ref), *acc = accept_header(accept);
	const char *headers[] = { acc, NULL };
	struct call c = { "HEAD", url, scope, what, headers, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const long ok[] = { 200, 404, 0 };
	rc = call_expect(r, &c, &resp, ok, err);
	const char *said = rc ? NULL : http_header_get(&resp, "Docker-Content-Digest");
	if (!rc && resp.status == 200 && !said && !oci_ref_digest_valid(ref))
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: no Docker-Content-Digest in the answer", r->s->host, what);
	if (!rc && resp.status == 200) {
		*exists = 1;
		if (digest)
			*digest = xstrdup(said ? said : ref);
		if (media_type)
			*media_type = media_type_of(&resp);
		if (size)
			*size = content_length(&resp);
	}
	http_response_release(&resp);
	call_release(&c);
	free(url);
	free(scope);
	free(what);
	free(acc);
	return rc;
}

int registry_manifest_put(struct registry *r, const char *repo, const char *ref, const char *media_type,
			  const void *body, size_t len, char **digest, struct strbuf *err)
{
	int rc = check_ref(r, repo, ref, err);
	if (rc)
		return rc;
	char *url = api_url(r, repo, "/manifests/%s", ref), *scope = scope_push(repo);
	char *what = xasprintf("push of manifest %s:%s", repo, ref);
	char *ctype = xasprintf("Content-Type: %s", media_type);
	const char *headers[] = { ctype, NULL };
	struct call c = { "PUT", url, scope, what, headers, body, len, NULL, 0, { 0, NULL, NULL, NULL } };
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const long ok[] = { 201, 200, 0 };
	rc = call_expect(r, &c, &resp, ok, err);
	char *mine = digest_of(body, len, oci_ref_digest_valid(ref) ? ref : NULL);
	const char *said = rc ? NULL : http_header_get(&resp, "Docker-Content-Digest");
	if (!rc && said && strcmp(said, mine) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry stored it as %s, not %s", r->s->host, what,
			     said, mine);
	if (!rc && digest)
		*digest = xstrdup(mine);
	free(mine);
	http_response_release(&resp);
	call_release(&c);
	free(url);
	free(scope);
	free(what);
	free(ctype);
	return rc;
}

/* ---- tags ---- */

/* Link: <URL>; rel="next" -> URL resolved against the page's, or NULL. */
static char *next_page(const struct http_response *resp, const char *url)
{
	const char *link = http_header_get(resp, "Link");
	if (!link || !strstr(link, "rel=\"next\""))
		return NULL;
	const char *lt = strchr(link, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (!gt)
		return NULL;
	char *ref = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	char *next = http_url_resolve(url, ref);
	free(ref);
	return next;
}

static int add_tags(struct registry *r, const struct call *c, const struct http_response *resp, struct strlist *out,
		    struct strbuf *err)
{
	json_error_t je;
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, &je);
	json_t *tags = json_object_get(doc, "tags");
	int rc = 0;
	if (!json_is_object(doc) || (tags && !json_is_array(tags) && !json_is_null(tags)))
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the answer is not a tag list%s%s", r->s->host, c->what,
			     doc ? "" : ": not JSON: ", doc ? "" : je.text);
	size_t i;
	json_t *t;
	json_array_foreach(rc ? NULL : tags, i, t) {
		if (!json_is_string(t)) {
			rc = sb_fail(err, EXIT_DATA, "registry %s: %s: tags[%zu] is not a string", r->s->host, c->what, i);
			break;
		}
		strlist_add(out, json_string_value(t));
	}
	json_decref(doc);
	return rc;
}

int registry_tags(struct registry *r, const char *repo, int page_size, struct strlist *out, struct strbuf *err)
{
	int rc = check_args(r, repo, NULL, err);
	if (rc)
		return rc;
	char *url = page_size > 0 ? api_url(r, repo, "/tags/list?n=%d", page_size) : api_url(r, repo, "/tags/list");
	char *scope = scope_pull(repo), *what = xasprintf("tags of %s", repo);
	for (int page = 0; url && !rc; page++) {
		struct call c = { "GET", url, scope, what, NULL, NULL, 0, NULL, 0, { 0, NULL, NULL, NULL } };
		struct http_response resp = HTTP_RESPONSE_INIT;
		static const long ok[] = { 200, 0 };
		rc = call_expect(r, &c, &resp, ok, err);
		rc = rc ? rc : add_tags(r, &c, &resp, out, err);
		char *next = rc ? NULL : next_page(&resp, url);
		if (next && (page + 1 >= MAX_TAG_PAGES || !strcmp(next, url)))
			rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the Link pages do not end", r->s->host, what);
		http_response_release(&resp);
		call_release(&c);
		free(url);
		url = next;
		if (rc) {
			free(url);
			url = NULL;
		}
	}
	free(url);
	free(scope);
	free(what);
	return rc;
}
