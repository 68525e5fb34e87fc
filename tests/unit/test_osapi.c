/* test_osapi.c: os_call, os_list (every page, for Nova, Neutron and Glance)
 * and os_find (lib/openstack/api.h), against the real cloud that
 * tests/services/openstack-start.sh starts; skipped, with the reason, when its
 * env file ($CLOUDCTL_SVC_DIR/openstack/env) is missing. */
#include "check.h"
#include "osenv.h"
#include "log.h"
#include "openstack/api.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct os_client cl;

/* The same collection unpaged and one item per page: the same items, and
 * one request per page (plus the empty or link-less last one). */
static void paged_like_whole(const char *service, const char *path, const char *key)
{
	struct strbuf err = STRBUF_INIT;
	json_t *whole = NULL, *paged = NULL;
	CHECK_INT(os_list(&cl.s, service, path, key, &whole, &err), 0);
	unsigned before = cl.s.requests;
	char *p1 = xasprintf("%s%slimit=1", path, strchr(path, '?') ? "&" : "?");
	CHECK_INT(os_list(&cl.s, service, p1, key, &paged, &err), 0);
	if (err.len)
		printf("# %s\n", err.buf);
	size_t n = json_array_size(whole);
	CHECK(n >= 2); /* or the test proves nothing */
	CHECK_INT(json_array_size(paged), n);
	CHECK(cl.s.requests - before >= n);
	for (size_t i = 0; i < n && i < json_array_size(paged); i++)
		CHECK_STR(os_jstr(json_array_get(paged, i), "id"), os_jstr(json_array_get(whole, i), "id"));
	free(p1);
	json_decref(whole);
	json_decref(paged);
	sb_release(&err);
}

static void test_pages_nova(void)
{
	paged_like_whole("compute", "/flavors", "flavors");
}

static char *make_image(const char *name, struct strbuf *err);
static char *make_network(const char *name, struct strbuf *err);
static void delete_all(const char *service, const char *collection, char **ids);

/* Two of our own, so that there are pages to follow whatever the cloud holds. */
static void test_pages_neutron(void)
{
	struct strbuf err = STRBUF_INIT;
	char *name = xasprintf("t-osapi-%d", (int)getpid());
	char *ids[] = { make_network(name, &err), make_network(name, &err), NULL };
	CHECK(ids[0] && ids[1]);
	/* only ours: other tests make networks at the same time */
	char *path = xasprintf("/v2.0/networks?name=%s", name);
	paged_like_whole("network", path, "networks");
	free(path);
	delete_all("network", "/v2.0/networks", ids);
	free(name);
	sb_release(&err);
}

static void test_pages_glance(void)
{
	struct strbuf err = STRBUF_INIT;
	char *name = xasprintf("t-osapi-%d", (int)getpid());
	char *ids[] = { make_image(name, &err), make_image(name, &err), NULL };
	CHECK(ids[0] && ids[1]);
	char *path = xasprintf("/v2/images?name=%s", name);
	paged_like_whole("image", path, "images");
	free(path);
	delete_all("image", "/v2/images", ids);
	free(name);
	sb_release(&err);
}

/* The microversion goes out: "description" came with compute 2.55. */
static void test_microversion(void)
{
	struct strbuf err = STRBUF_INIT;
	json_t *doc = NULL;
	CHECK_INT(os_call(&cl.s, "GET", "compute", "/flavors/1", NULL, &doc, &err), 0);
	json_t *f = json_object_get(doc, "flavor");
	CHECK_STR(os_jstr(f, "name"), "m1.tiny");
	CHECK(json_object_get(f, "description") != NULL);
	json_decref(doc);
	sb_release(&err);
}

static void test_find_flavor(void)
{
	struct strbuf err = STRBUF_INIT;
	json_t *o = NULL;
	/* Nova's flavors take no ?name=: found through the whole list */
	CHECK_INT(os_find(&cl.s, "compute", "/flavors", "flavor", "flavors", "flavor", "m1.small", &o, &err), 0);
	CHECK_STR(os_jstr(o, "name"), "m1.small");
	char *id = xstrdup(os_jstr(o, "id") ? os_jstr(o, "id") : "");
	json_decref(o);
	CHECK_INT(os_find(&cl.s, "compute", "/flavors", "flavor", "flavors", "flavor", id, &o, &err), 0);
	CHECK_STR(os_jstr(o, "name"), "m1.small");
	json_decref(o);
	CHECK_INT(os_find(&cl.s, "compute", "/flavors", "flavor", "flavors", "flavor", "m9.none", &o, &err), 66);
	CHECK_STR(err.buf, "no flavor named or with the ID 'm9.none'");
	CHECK(o == NULL);
	free(id);
	sb_release(&err);
}

static char *make_image(const char *name, struct strbuf *err)
{
	json_t *body = json_pack("{s:s, s:s, s:s}", "name", name, "disk_format", "raw", "container_format", "bare");
	json_t *doc = NULL;
	char *id = NULL;
	if (os_call(&cl.s, "POST", "image", "/v2/images", body, &doc, err) == 0 && os_jstr(doc, "id"))
		id = xstrdup(os_jstr(doc, "id"));
	json_decref(body);
	json_decref(doc);
	return id;
}

static char *make_network(const char *name, struct strbuf *err)
{
	json_t *body = json_pack("{s:{s:s}}", "network", "name", name);
	json_t *doc = NULL;
	char *id = NULL;
	if (os_call(&cl.s, "POST", "network", "/v2.0/networks", body, &doc, err) == 0)
		id = xstrdup(os_jstr(json_object_get(doc, "network"), "id"));
	json_decref(body);
	json_decref(doc);
	return id;
}

/* Delete and free each ID of a NULL-terminated array (NULL entries skipped up to the end). */
static void delete_all(const char *service, const char *collection, char **ids)
{
	struct strbuf err = STRBUF_INIT;
	for (; *ids; ids++) {
		char *p = xasprintf("%s/%s", collection, *ids);
		CHECK_INT(os_call(&cl.s, "DELETE", service, p, NULL, NULL, &err), 0);
		free(p);
		free(*ids);
	}
	sb_release(&err);
}

/* Two Glance images of one name: an error that says to give the ID; by ID it
 * works. Glance answers GET /v2/images/ID with the image itself (key1 NULL). */
static void test_find_ambiguous(void)
{
	struct strbuf err = STRBUF_INIT;
	char *name = xasprintf("t-osapi-%d", (int)getpid());
	char *a = make_image(name, &err), *b = make_image(name, &err);
	CHECK(a && b);
	json_t *o = NULL;
	CHECK_INT(os_find(&cl.s, "image", "/v2/images", NULL, "images", "image", name, &o, &err), 65);
	char *want = xasprintf("2 images are named '%s': give the ID", name);
	CHECK_STR(err.buf, want);
	sb_reset(&err);
	CHECK_INT(os_find(&cl.s, "image", "/v2/images", NULL, "images", "image", a ? a : "x", &o, &err), 0);
	CHECK_STR(os_jstr(o, "name"), name);
	json_decref(o);
	delete_all("image", "/v2/images", (char *[]){ a, b, NULL });
	CHECK_INT(os_find(&cl.s, "image", "/v2/images", NULL, "images", "image", name, &o, &err), 66);
	free(want);
	free(name);
	sb_release(&err);
}

/* An API error is one line with the API's own message and the exit code. */
static void test_call_error(void)
{
	struct strbuf err = STRBUF_INIT;
	json_t *doc = NULL;
	CHECK_INT(os_call(&cl.s, "GET", "network", "/v2.0/networks/00000000-0000-0000-0000-000000000000", NULL, &doc,
			  &err), 66);
	CHECK(doc == NULL);
	CHECK(strstr(err.buf, "Network 00000000-0000-0000-0000-000000000000 could not be found.") != NULL);
	CHECK(strchr(err.buf, '\n') == NULL);
	sb_release(&err);
}

int main(void)
{
	log_init("test_osapi");
	log_level = LOG_QUIET;
	const char *base = getenv("CLOUDCTL_SVC_DIR");
	char *envfile = xasprintf("%s/openstack/env", base && *base ? base : "/var/tmp/cloudctl-svc");
	if (load_env_file(envfile) < 0) {
		printf("skip - osapi: no %s: run tests/services/openstack-start.sh\n", envfile);
		free(envfile);
		return CHECK_DONE("osapi");
	}
	free(envfile);
	setenv("CLOUDCTL_OS_NO_TOKEN_CACHE", "1", 1);
	struct os_config_opts o = { "admin", NULL, NULL };
	struct strbuf err = STRBUF_INIT;
	if (os_client_open(&cl, &o, &err) != 0) {
		printf("FAIL - osapi: cannot open the admin cloud: %s\n", err.buf);
		sb_release(&err);
		return 1;
	}
	RUN(test_pages_nova);
	RUN(test_pages_neutron);
	RUN(test_pages_glance);
	RUN(test_microversion);
	RUN(test_find_flavor);
	RUN(test_find_ambiguous);
	RUN(test_call_error);
	os_client_close(&cl);
	sb_release(&err);
	return CHECK_DONE("osapi");
}
