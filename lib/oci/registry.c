/* registry.c: see registry.h; registry_int.h lists the other files.
 *
 * Here: the shared part of a registry and the handles; ping (where the
 * registry is and how it authenticates); one authenticated request (struct
 * call: reg_call_do) with its error message (reg_call_fail); the checks and
 * URLs every API call needs; digests. */
#include "oci/registry_int.h"
#include "oci/ref.h"
#include "log.h"

#include <jansson.h>
#include <stdarg.h>

const char *const registry_manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	NULL,
};

/* ---- handles ---- */

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
	reg_auth_release(s);
	free(s->host);
	free(s->cacert);
	free(s->auth_file);
	free(s->base);
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

/* ---- one authenticated request ---- */

void reg_call_start(struct call *c, const char *method, char *url, char *scope, char *what)
{
	*c = (struct call){ .method = method, .url = url, .scope = scope, .what = what, .resp = HTTP_RESPONSE_INIT };
}

void reg_call_release(struct call *c)
{
	http_response_release(&c->resp);
	reg_challenge_release(&c->last);
	free(c->url);
	free(c->scope);
	free(c->what);
}

static int send_once(struct registry *r, struct call *c, const char *auth)
{
	struct strlist h = STRLIST_INIT;
	for (const char *const *p = c->headers; p && *p; p++)
		strlist_add(&h, *p);
	if (auth)
		strlist_add(&h, auth);
	struct http_request req = { c->method, c->url, (const char *const *)h.v, c->body, c->len, 0 };
	r->stats.requests++;
	int rc = http_do_transfer(r->http, &req, c->xfer, &c->resp);
	if (auth)
		secret_wipe(h.v[h.n - 1], strlen(auth));
	strlist_clear(&h);
	return rc;
}

int reg_call_do(struct registry *r, struct call *c, struct strbuf *err)
{
	/* A Location or Link names the URL: storage elsewhere, or a host that
	 * wants the registry's credentials. They go to the registry only. */
	if (!r->s->base || !http_same_origin(c->url, r->s->base))
		return send_once(r, c, NULL);
	char *auth = NULL;
	int rc = reg_auth_line(r, c, 0, &auth, err);
	for (int attempt = 0; !rc; attempt++) {
		rc = send_once(r, c, auth);
		if (rc < 0 || c->resp.status != 401 || attempt > 0 || !reg_auth_worth_retry(r, c, auth != NULL))
			break;
		secret_free(auth);
		c->fresh_token = 0;
		rc = reg_auth_line(r, c, 1, &auth, err);
	}
	secret_free(auth);
	return rc;
}

/* ---- error messages ---- */

/* Printable text, at most max bytes: a message from a server must not drive the terminal. */
static void add_clean(struct strbuf *out, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++)
		sb_addc(out, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i]);
}

void reg_message(const struct http_response *resp, struct strbuf *out)
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

int reg_call_fail(struct registry *r, const struct call *c, const struct http_response *resp, struct strbuf *err)
{
	if (resp->status == 0) /* 69, or 77 for a certificate refused */
		return sb_fail(err, http_exit_code(resp), "registry %s: %s: %s", r->s->host, c->what, resp->errbuf);
	int code = http_exit_code(resp);
	if (code == EXIT_OK)
		code = EXIT_DATA; /* a 2xx the API does not give here */
	struct strbuf said = STRBUF_INIT, hint = STRBUF_INIT;
	reg_message(resp, &said);
	if (resp->status == 401 || resp->status == 403)
		reg_auth_hint(r, c, &hint);
	sb_fail(err, code, "registry %s: %s: %s%s(HTTP %ld%s)", r->s->host, c->what, said.buf, said.len ? " " : "",
		resp->status, hint.buf);
	sb_release(&said);
	sb_release(&hint);
	return code;
}

int reg_call_expect(struct registry *r, struct call *c, const long *ok, struct strbuf *err)
{
	int rc = reg_call_do(r, c, err);
	if (rc > 0)
		return rc;
	for (const long *p = ok; rc == 0 && *p; p++)
		if (c->resp.status == *p)
			return 0;
	return reg_call_fail(r, c, &c->resp, err);
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
	struct challenge ch;
	if (resp->status == 200) {
		ch = (struct challenge){ AUTH_NONE, NULL, NULL, NULL };
	} else if (resp->status == 401) {
		reg_parse_challenge(http_header_get(resp, "WWW-Authenticate"), &ch);
	} else if (resp->status == 404) {
		return sb_fail(err, EXIT_UNAVAIL, "registry %s: %s/v2/ is not the registry API (HTTP 404)",
			       r->s->host, base);
	} else {
		struct call c;
		reg_call_start(&c, "GET", NULL, xstrdup(""), xstrdup("GET /v2/"));
		int rc = reg_call_fail(r, &c, resp, err);
		reg_call_release(&c);
		return rc;
	}
	struct shared *s = r->s;
	pthread_mutex_lock(&s->lock);
	if (!s->base)
		s->base = xstrdup(base);
	pthread_mutex_unlock(&s->lock);
	reg_adopt_challenge(s, &ch);
	reg_challenge_release(&ch);
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
	int rc = got < 0 ? sb_fail(err, http_exit_code(&resp), "registry %s: cannot connect: %s", s->host, resp.errbuf)
			 : ping_result(r, base, &resp, err);
	http_response_release(&resp);
	free(https);
	free(http);
	return rc;
}

/* ---- what every API call needs ---- */

/* The base URL, pinging first when no handle has yet. */
static int ensure_base(struct registry *r, struct strbuf *err)
{
	pthread_mutex_lock(&r->s->lock);
	int known = r->s->base != NULL;
	pthread_mutex_unlock(&r->s->lock);
	return known ? 0 : registry_ping(r, err);
}

char *reg_api_url(struct registry *r, const char *repo, const char *fmt, ...)
{
	struct strbuf url = STRBUF_INIT;
	sb_addf(&url, "%s/v2/%s", r->s->base, repo);
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&url, fmt, ap);
	va_end(ap);
	return sb_detach(&url);
}

int reg_check_repo(struct registry *r, const char *repo, struct strbuf *err)
{
	if (!oci_ref_repo_valid(repo))
		return sb_fail(err, EXIT_USAGE, "registry %s: invalid repository name '%s'", r->s->host, repo ? repo : "");
	return 0;
}

int reg_check_args(struct registry *r, const char *repo, const char *digest, struct strbuf *err)
{
	int rc = reg_check_repo(r, repo, err);
	if (rc)
		return rc;
	if (digest && !oci_ref_digest_valid(digest))
		return sb_fail(err, EXIT_USAGE, "registry %s: invalid digest '%s'", r->s->host, digest);
	return ensure_base(r, err);
}

char *reg_scope_pull(const char *repo)
{
	return xasprintf("repository:%s:pull", repo);
}

char *reg_scope_push(const char *repo)
{
	return xasprintf("repository:%s:pull,push", repo);
}

long long reg_content_length(const struct http_response *resp)
{
	const char *v = http_header_get(resp, "Content-Length");
	long long n;
	return v && parse_ll(v, 0, (long long)1 << 62, &n) == 0 ? n : -1;
}

/* ---- digests ---- */

const EVP_MD *reg_digest_md(const char *digest)
{
	if (str_starts(digest, "sha512:"))
		return EVP_sha512();
	return EVP_sha256();
}

char *reg_digest_finish(EVP_MD_CTX *ctx, const EVP_MD *md)
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

char *reg_digest_of(const void *data, size_t len, const char *like)
{
	const EVP_MD *md = reg_digest_md(like ? like : "sha256:");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		die(EXIT_OSERR, "out of memory");
	EVP_DigestInit_ex(ctx, md, NULL);
	EVP_DigestUpdate(ctx, data, len);
	char *out = reg_digest_finish(ctx, md);
	EVP_MD_CTX_free(ctx);
	return out;
}
