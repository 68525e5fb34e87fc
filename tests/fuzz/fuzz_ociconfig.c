/* fuzz_ociconfig.c: a base image's config JSON, as a registry serves it, with
 * a new layer's settings applied (image_config_build, lib/oci/image.c).
 * Properties: the new config is a JSON object whose Env holds the variable
 * set, whose Labels hold the label set, and whose last diff_id is the new
 * layer's. */
#include "fuzz.h"
#include "oci/image.h"

#include <string.h>

static const char diff_id[] = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void check_config(const struct strbuf *out)
{
	json_t *c = json_loadb(out->buf, out->len, 0, NULL);
	FUZZ_ASSERT(json_is_object(c));
	json_t *cc = json_object_get(c, "config"), *e;
	int found = 0;
	size_t i;
	json_array_foreach(json_object_get(cc, "Env"), i, e)
		found |= str_eq(json_string_value(e), "FUZZ=1");
	FUZZ_ASSERT(found);
	FUZZ_ASSERT(str_eq(json_string_value(json_object_get(json_object_get(cc, "Labels"), LABEL_REVISION)), "abc"));
	json_t *ids = json_object_get(json_object_get(c, "rootfs"), "diff_ids");
	FUZZ_ASSERT(str_eq(json_string_value(json_array_get(ids, json_array_size(ids) - 1)), diff_id));
	json_decref(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *base = json_loadb((const char *)data, size, 0, NULL);
	if (!base)
		return 0;
	struct strlist env = STRLIST_INIT, labels = STRLIST_INIT;
	strlist_add(&env, "PATH=/usr/local/bin:/usr/bin");
	strlist_add(&env, "FUZZ=1");
	strlist_add(&labels, LABEL_REVISION "=abc");
	struct image_settings s = { { "linux", "amd64", NULL }, "2026-12-07T00:00:00Z", NULL, NULL, &env, &labels,
				    "/app", "1000", "cloudctl-build", diff_id };
	s.entrypoint = json_pack("[s]", "/app/run");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	if (image_config_build(base, &s, &out, &err) == 0)
		check_config(&out);
	json_decref(s.entrypoint);
	json_decref(base);
	strlist_clear(&env);
	strlist_clear(&labels);
	sb_release(&out);
	sb_release(&err);
	return 0;
}
