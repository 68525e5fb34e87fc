/* registry_auth.c: how the registry client authenticates (registry.h): the
 * WWW-Authenticate challenge, the docker config's credentials, Bearer tokens
 * fetched from the realm and cached per scope, and the Authorization line of
 * each call. Spec: distribution's docs/spec/auth/token.md. */
#include "oci/registry_int.h"
#include "log.h"

#include <jansson.h>
#include <strings.h>

#define TOKEN_MIN_SECS 60      /* the token spec's default and minimum lifetime */
#define TOKEN_MARGIN_MS 10000  /* renew this long before a token expires */

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

void reg_challenge_release(struct challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->error);
	memset(c, 0, sizeof *c);
}

/* RFC 7235 lets a parameter occur once per challenge; a server that repeats one
 * gets its first value (a later one must not leak the first). */
static void first_value(char **slot, const char *v)
{
	if (!*slot)
		*slot = xstrdup(v);
}

void reg_parse_challenge(const char *h, struct challenge *c)
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
			first_value(&c->realm, value.buf);
		else if (!strcasecmp(name.buf, "service"))
			first_value(&c->service, value.buf);
		else if (!strcasecmp(name.buf, "error"))
			first_value(&c->error, value.buf);
		p = next == p ? p + 1 : next;
	}
	sb_release(&name);
	sb_release(&value);
}

void reg_adopt_challenge(struct shared *s, const struct challenge *c)
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

static enum auth_scheme current_scheme(struct shared *s)
{
	pthread_mutex_lock(&s->lock);
	enum auth_scheme scheme = s->scheme;
	pthread_mutex_unlock(&s->lock);
	return scheme;
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

/* "Authorization: Basic ..." from the credentials. */
static char *basic_line(const struct shared *s)
{
	char *b = registry_cred_basic(&s->cred);
	char *line = xasprintf("Authorization: %s", b);
	secret_free(b);
	return line;
}

void reg_auth_hint(struct registry *r, const struct call *c, struct strbuf *out)
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

/* ---- the token cache ---- */

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
		secret_free(s->tokens[i].value);
	}
	s->tokens[i].value = xstrdup(value);
	s->tokens[i].expires_ms = expires_ms;
	pthread_mutex_unlock(&s->lock);
}

void reg_auth_release(struct shared *s)
{
	for (size_t i = 0; i < s->ntokens; i++) {
		free(s->tokens[i].scope);
		secret_free(s->tokens[i].value);
	}
	free(s->tokens);
	registry_cred_release(&s->cred);
	free(s->cred_err);
	free(s->realm);
	free(s->service);
}

/* ---- fetching a token ---- */

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
		secret_free(tok);
		free(sc);
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

static int token_refused(struct registry *r, const char *realm, const struct http_response *resp, struct strbuf *err)
{
	struct strbuf where = STRBUF_INIT, who = STRBUF_INIT, said = STRBUF_INIT;
	strip_query(&where, realm);
	describe_cred(r->s, &who);
	reg_message(resp, &said);
	int code = http_exit_code(resp); /* no answer: 69, or 77 for a certificate refused */
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

/* GET (or POST, for the refresh_token grant) the token request built from
 * url and form; the credentials go as Basic unless they are an identity token. */
static int token_exchange(struct registry *r, const char *realm, const char *scope, const struct strbuf *url,
			  const struct strbuf *form, char **token, struct strbuf *err)
{
	struct shared *s = r->s;
	char *auth = s->cred.username && !s->cred.identity_token ? basic_line(s) : NULL;
	const char *headers[] = { auth, NULL };
	const char *form_headers[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	struct http_request req = { form->len ? "POST" : "GET", url->buf, form->len ? form_headers : headers,
				    form->len ? form->buf : NULL, form->len, 1 };
	struct http_response resp = HTTP_RESPONSE_INIT;
	r->stats.requests++;
	int got = http_do(r->http, &req, &resp);
	secret_free(auth);
	int rc;
	if (got < 0 || resp.status != 200)
		rc = token_refused(r, realm, &resp, err);
	else
		rc = parse_token(r, realm, &resp, scope, token, err);
	http_response_release(&resp);
	return rc;
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
	struct strbuf url = STRBUF_INIT, form = STRBUF_SECRET_INIT;
	if (!rc) {
		token_request(s, realm, service, scope, &url, &form);
		rc = token_exchange(r, realm, scope, &url, &form, token, err);
	}
	secret_sb_release(&form);
	sb_release(&url);
	free(realm);
	free(service);
	return rc;
}

/* ---- the Authorization line of a call ---- */

int reg_auth_line(struct registry *r, struct call *c, int renew, char **line, struct strbuf *err)
{
	struct shared *s = r->s;
	*line = NULL;
	enum auth_scheme scheme = current_scheme(s);
	if (scheme != AUTH_BASIC && scheme != AUTH_BEARER)
		return 0;
	int rc = ensure_cred(r, err);
	if (rc)
		return rc;
	if (scheme == AUTH_BASIC) {
		if (s->cred.username)
			*line = basic_line(s);
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
	secret_free(token);
	return 0;
}

/* Whether a 401 is worth one more try: a Basic challenge where none was
 * expected, or a Bearer token that was cached (it may have expired or lack a
 * scope), or a new realm. Not when a token fetched just now was refused. */
int reg_auth_worth_retry(struct registry *r, struct call *c, int sent_auth)
{
	reg_challenge_release(&c->last);
	reg_parse_challenge(http_header_get(&c->resp, "WWW-Authenticate"), &c->last);
	enum auth_scheme before = current_scheme(r->s);
	if (c->last.scheme == AUTH_NONE)
		return 0;
	reg_adopt_challenge(r->s, &c->last);
	if (c->last.scheme == AUTH_BASIC)
		return before != AUTH_BASIC && !sent_auth;
	return before != AUTH_BEARER || !c->fresh_token;
}
