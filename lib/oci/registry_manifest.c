/* registry_manifest.c: manifests (GET, HEAD, PUT, with their digests checked)
 * and tag lists followed through their Link pages (registry.h). */
#include "oci/registry_int.h"
#include "oci/ref.h"
#include "log.h"

#include <jansson.h>


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
	return reg_check_args(r, repo, NULL, err);
}

/* The media type without parameters ("; charset=utf-8"). */
static char *media_type_of(const struct http_response *resp)
{
	const char *v = http_header_get(resp, "Content-Type");
	return v ? xstrndup(v, strcspn(v, "; ")) : NULL;
}

/* GET or HEAD of the manifest repo:ref (checked already) with an Accept
 * header of accept; a status not in ok is an error. c gets the response. */
static int manifest_fetch(struct registry *r, struct call *c, const char *method, const char *repo, const char *ref,
			  const char *const *accept, const long *ok, struct strbuf *err)
{
	char *acc = accept_header(accept);
	const char *headers[] = { acc, NULL };
	reg_call_start(c, method, reg_api_url(r, repo, "/manifests/%s", ref), reg_scope_pull(repo),
		       xasprintf("manifest %s:%s", repo, ref));
	c->headers = headers;
	int rc = reg_call_expect(r, c, ok, err);
	c->headers = NULL;
	free(acc);
	return rc;
}

/* The manifest's digest, checked against what was asked for and what the registry says. */
static int manifest_digest(struct registry *r, const struct call *c, const char *ref, char **out, struct strbuf *err)
{
	const struct http_response *resp = &c->resp;
	const char *said = http_header_get(resp, "Docker-Content-Digest");
	char *got = reg_digest_of(resp->body.buf, resp->body.len, oci_ref_digest_valid(ref) ? ref : said);
	int rc = 0;
	if (oci_ref_digest_valid(ref) && strcmp(got, ref) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the body has digest %s", r->s->host, c->what, got);
	else if (said && reg_digest_md(said) == reg_digest_md(got) && strcmp(said, got) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry says digest %s, the body has %s", r->s->host,
			     c->what, said, got);
	if (!rc && out)
		*out = got;
	else
		free(got);
	return rc;
}

static int check_json_object(struct registry *r, const struct call *c, struct strbuf *err)
{
	json_error_t je;
	json_t *doc = json_loadb(c->resp.body.buf, c->resp.body.len, 0, &je);
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
	struct call c;
	static const long ok[] = { 200, 0 };
	rc = manifest_fetch(r, &c, "GET", repo, ref, accept, ok, err);
	rc = rc ? rc : check_json_object(r, &c, err);
	rc = rc ? rc : manifest_digest(r, &c, ref, digest, err);
	if (!rc) {
		sb_reset(body);
		sb_add(body, c.resp.body.buf, c.resp.body.len);
		if (media_type)
			*media_type = media_type_of(&c.resp);
	}
	reg_call_release(&c);
	return rc;
}

int registry_manifest_head(struct registry *r, const char *repo, const char *ref, const char *const *accept,
			   int *exists, char **media_type, char **digest, long long *size, struct strbuf *err)
{
	*exists = 0;
	int rc = check_ref(r, repo, ref, err);
	if (rc)
		return rc;
	struct call c;
	static const long ok[] = { 200, 404, 0 };
	rc = manifest_fetch(r, &c, "HEAD", repo, ref, accept, ok, err);
	const char *said = rc ? NULL : http_header_get(&c.resp, "Docker-Content-Digest");
	if (!rc && c.resp.status == 200 && !said && !oci_ref_digest_valid(ref))
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: no Docker-Content-Digest in the answer", r->s->host, c.what);
	if (!rc && c.resp.status == 200) {
		*exists = 1;
		if (digest)
			*digest = xstrdup(said ? said : ref);
		if (media_type)
			*media_type = media_type_of(&c.resp);
		if (size)
			*size = reg_content_length(&c.resp);
	}
	reg_call_release(&c);
	return rc;
}

int registry_manifest_put(struct registry *r, const char *repo, const char *ref, const char *media_type,
			  const void *body, size_t len, char **digest, struct strbuf *err)
{
	int rc = check_ref(r, repo, ref, err);
	if (rc)
		return rc;
	char *ctype = xasprintf("Content-Type: %s", media_type);
	const char *headers[] = { ctype, NULL };
	struct call c;
	reg_call_start(&c, "PUT", reg_api_url(r, repo, "/manifests/%s", ref), reg_scope_push(repo),
		       xasprintf("push of manifest %s:%s", repo, ref));
	c.headers = headers;
	c.body = body;
	c.len = len;
	static const long ok[] = { 201, 200, 0 };
	rc = reg_call_expect(r, &c, ok, err);
	char *mine = reg_digest_of(body, len, oci_ref_digest_valid(ref) ? ref : NULL);
	const char *said = rc ? NULL : http_header_get(&c.resp, "Docker-Content-Digest");
	if (!rc && said && strcmp(said, mine) != 0)
		rc = sb_fail(err, EXIT_DATA, "registry %s: %s: the registry stored it as %s, not %s", r->s->host, c.what,
			     said, mine);
	if (!rc && digest)
		*digest = xstrdup(mine);
	free(mine);
	reg_call_release(&c);
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

static int add_tags(struct registry *r, const struct call *c, struct strlist *out, struct strbuf *err)
{
	json_error_t je;
	json_t *doc = json_loadb(c->resp.body.buf, c->resp.body.len, 0, &je);
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

/* One page of tags at url (taken) into out; *next gets the next page's URL or
 * NULL. A next page read already, or too many, would never end: 69. */
static int tags_page(struct registry *r, const char *repo, char *url, struct http_pages *pages, struct strlist *out,
		     char **next, struct strbuf *err)
{
	static const long ok[] = { 200, 0 };
	struct call c;
	reg_call_start(&c, "GET", url, reg_scope_pull(repo), xasprintf("tags of %s", repo));
	int rc = reg_call_expect(r, &c, ok, err);
	rc = rc ? rc : add_tags(r, &c, out, err);
	*next = rc ? NULL : next_page(&c.resp, c.url);
	struct strbuf why = STRBUF_INIT;
	if (*next && http_pages_next(pages, *next, &why) < 0)
		rc = sb_fail(err, EXIT_UNAVAIL, "registry %s: %s: %s", r->s->host, c.what, why.buf);
	sb_release(&why);
	if (rc) {
		free(*next);
		*next = NULL;
	}
	reg_call_release(&c);
	return rc;
}

int registry_tags(struct registry *r, const char *repo, int page_size, struct strlist *out, struct strbuf *err)
{
	int rc = reg_check_args(r, repo, NULL, err);
	if (rc)
		return rc;
	char *url = page_size > 0 ? reg_api_url(r, repo, "/tags/list?n=%d", page_size)
				  : reg_api_url(r, repo, "/tags/list");
	struct http_pages pages = HTTP_PAGES_INIT;
	http_pages_next(&pages, url, err); /* the first page */
	while (url && !rc)
		rc = tags_page(r, repo, url, &pages, out, &url, err);
	http_pages_release(&pages);
	return rc;
}
