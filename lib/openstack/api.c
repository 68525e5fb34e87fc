/* openstack/api.c: JSON calls, pagination, name lookup; see api.h. */
#include "openstack/api.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"

const char *os_jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int os_client_open(struct os_client *c, const struct os_config_opts *o, struct strbuf *err)
{
	struct os_config_opts none = { 0 };
	memset(c, 0, sizeof *c);
	int rc = os_config_load(o ? o : &none, &c->cloud, err);
	if (rc)
		return rc;
	if ((rc = os_session_open(&c->s, &c->cloud, NULL, err)))
		return rc;
	c->open = 1;
	return 0;
}

void os_client_close(struct os_client *c)
{
	if (c->open)
		os_session_close(&c->s);
	os_cloud_release(&c->cloud);
	memset(c, 0, sizeof *c);
}

/* The microversion header, for compute only (other services ignore it, but
 * a trace is easier to read without it). */
static const char *const compute_headers[] = {
	"OpenStack-API-Version: compute " OS_COMPUTE_MICROVERSION,
	"X-OpenStack-Nova-API-Version: " OS_COMPUTE_MICROVERSION,
	NULL,
};

static int is_compute(const char *service)
{
	return service && !strcmp(service, "compute");
}

/* send: METHOD to service/path (service NULL: path is a URL), headers for
 * compute when compute is set; *out as in os_call. */
static int call(struct os_session *s, const char *method, const char *service, int compute, const char *path,
		json_t *body, json_t **out, struct strbuf *err)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct os_req req = { method, service, path, compute ? compute_headers : NULL, text, 0, 0 };
	struct http_response resp = HTTP_RESPONSE_INIT;
	if (out)
		*out = NULL;
	int rc = os_request(s, &req, &resp, err);
	free(text);
	if (rc && compute && resp.status == 406) /* Nova: "Version 2.79 is not supported by the API" */
		sb_addf(err, " (cloudctl needs compute API microversion %s)", OS_COMPUTE_MICROVERSION);
	if (!rc && out && resp.body.len) {
		json_error_t jerr;
		*out = json_loadb(resp.body.buf, resp.body.len, 0, &jerr);
		if (!*out)
			rc = sb_fail(err, EXIT_UNAVAIL, "%s %s: the answer is not JSON: %s", method, path, jerr.text);
	}
	http_response_release(&resp);
	return rc;
}

int os_call(struct os_session *s, const char *method, const char *service, const char *path, json_t *body,
	    json_t **out, struct strbuf *err)
{
	return call(s, method, service, is_compute(service), path, body, out, err);
}

/* The next page of a list answer: "<key>_links" rel=next (Nova, Neutron; an
 * absolute URL) or "next" (Glance; a path from the endpoint's root). *service
 * says which: NULL for a URL. */
static const char *next_page(const json_t *doc, const char *key, const char **service, const char *svc)
{
	char *lk = xasprintf("%s_links", key);
	json_t *links = json_object_get(doc, lk), *l;
	free(lk);
	size_t i;
	json_array_foreach(links, i, l) {
		const char *rel = os_jstr(l, "rel"), *href = os_jstr(l, "href");
		if (rel && href && !strcmp(rel, "next")) {
			*service = NULL;
			return href;
		}
	}
	const char *next = os_jstr(doc, "next");
	*service = svc;
	return next;
}

/* Whether the page at next (a URL when nsvc is NULL) may be read: not a page
 * read already, not past the limit, and not on another host than the
 * service's, which the token (X-Auth-Token) would be sent to. */
static int next_page_allowed(struct os_session *s, const char *service, const char *next, const char *nsvc,
			     struct http_pages *pages, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	char *base = NULL;
	int rc = http_pages_next(pages, next, &why) < 0 ? EXIT_UNAVAIL : 0;
	if (!rc && !nsvc && !(rc = os_endpoint(s, service, &base, err)) && !http_same_origin(next, base)) {
		sb_addf(&why, "the next page %s is not on %s's endpoint %s", next, service, base);
		rc = EXIT_UNAVAIL;
	}
	if (why.len)
		sb_fail(err, rc, "GET %s: %s", service, why.buf);
	sb_release(&why);
	free(base);
	return rc;
}

int os_list(struct os_session *s, const char *service, const char *path, const char *key, json_t **items,
	    struct strbuf *err)
{
	*items = json_array();
	char *cur = xstrdup(path);
	const char *cur_svc = service;
	struct http_pages seen = HTTP_PAGES_INIT;
	int rc = http_pages_next(&seen, cur, err) < 0 ? EXIT_UNAVAIL : 0;
	for (unsigned pages = 0; !rc; pages++) {
		json_t *doc = NULL;
		if ((rc = call(s, "GET", cur_svc, is_compute(service), cur, NULL, &doc, err)))
			break;
		json_t *page = json_object_get(doc, key);
		if (!json_is_array(page)) {
			rc = sb_fail(err, EXIT_UNAVAIL, "GET %s: no \"%s\" list in the answer", cur, key);
			json_decref(doc);
			break;
		}
		json_array_extend(*items, page);
		const char *nsvc, *next = next_page(doc, key, &nsvc, service);
		if (!next || !json_array_size(page) || (rc = next_page_allowed(s, service, next, nsvc, &seen, err))) {
			json_decref(doc);
			break;
		}
		debug("openstack: %s: page %u had %zu, next %s", key, pages + 1, json_array_size(page), next);
		free(cur);
		cur = xstrdup(next);
		cur_svc = nsvc;
		json_decref(doc);
	}
	free(cur);
	http_pages_release(&seen);
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	return rc;
}

static int by_id(struct os_session *s, const char *service, const char *collection, const char *key1,
		 const char *ref, json_t **obj, struct strbuf *err)
{
	char *esc = http_escape(ref);
	char *path = xasprintf("%s/%s", collection, esc);
	json_t *doc = NULL;
	int rc = os_call(s, "GET", service, path, NULL, &doc, err);
	free(esc);
	free(path);
	if (!rc) {
		*obj = json_incref(key1 ? json_object_get(doc, key1) : doc);
		if (!*obj)
			rc = sb_fail(err, EXIT_UNAVAIL, "GET %s/%s: no \"%s\" in the answer", collection, ref, key1);
	}
	json_decref(doc);
	return rc;
}

int os_find(struct os_session *s, const char *service, const char *collection, const char *key1,
	    const char *keyn, const char *what, const char *ref, json_t **obj, struct strbuf *err)
{
	*obj = NULL;
	struct strbuf e1 = STRBUF_INIT;
	int rc = by_id(s, service, collection, key1, ref, obj, &e1);
	if (rc != EXIT_NOTFOUND) {
		sb_adds(err, e1.buf);
		sb_release(&e1);
		return rc;
	}
	sb_release(&e1);
	char *esc = http_escape(ref);
	char *path = xasprintf("%s%sname=%s", collection, strchr(collection, '?') ? "&" : "?", esc);
	free(esc);
	json_t *all = NULL;
	struct strbuf e2 = STRBUF_INIT;
	rc = os_list(s, service, path, keyn, &all, &e2);
	free(path);
	/* Nova's flavors (and others) take no name filter: 400; list them all */
	if (rc == EXIT_DATA)
		rc = os_list(s, service, collection, keyn, &all, err);
	else
		sb_adds(err, e2.buf);
	sb_release(&e2);
	if (rc)
		return rc;
	size_t i, n = 0;
	json_t *o;
	json_array_foreach(all, i, o) {
		const char *name = os_jstr(o, "name");
		if (!name || strcmp(name, ref))
			continue;
		if (n++ == 0)
			*obj = json_incref(o);
	}
	json_decref(all);
	if (n == 1)
		return 0;
	json_decref(*obj);
	*obj = NULL;
	if (n == 0)
		return sb_fail(err, EXIT_NOTFOUND, "no %s named or with the ID '%s'", what, ref);
	return sb_fail(err, EXIT_DATA, "%zu %ss are named '%s': give the ID", n, what, ref);
}
