/* test_kustomize.c: cloudctl-deploy's images: rules (cmd/cloudctl-deploy/
 * kustomize.c) on the generic editor: the fields it sets and the one message
 * for any other. How an edit keeps the file's bytes is test_yamledit.c's.
 * kustomize.c lives with the tool, not in a library: it is compiled into this
 * test as it is (as test_gitmsg.c does with msg.c). */
#include "../../cmd/cloudctl-deploy/kustomize.c"

#include "check.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const kust = "images:\n- name: a\n  newTag: v1\n";

/* The three fields are set as the editor sets any; any other is refused
 * before the file is looked at, nothing changed and *old NULL. */
static void test_fields(void)
{
	static const struct {
		const char *image, *field, *value;
		int rc;
		const char *want, *old; /* the new text or the message; the old value */
	} cases[] = {
		{ "a", "newTag", "v2", YEDIT_CHANGED, "images:\n- name: a\n  newTag: v2\n", "v1" },
		{ "a", "digest", "sha256:9c1e", YEDIT_CHANGED,
		  "images:\n- name: a\n  newTag: v1\n  digest: sha256:9c1e\n", NULL },
		{ "b", "newName", "reg/b", YEDIT_CHANGED,
		  "images:\n- name: a\n  newTag: v1\n- name: b\n  newName: reg/b\n", NULL },
		{ "a", "newTag", "v1", YEDIT_UNCHANGED, "images:\n- name: a\n  newTag: v1\n", "v1" },
		{ "a", "tag", "v2", -1, "k.yaml: images field \"tag\": not one of newTag, digest, newName", NULL },
		{ "a", "name", "v2", -1, "k.yaml: images field \"name\": not one of newTag, digest, newName", NULL },
		{ "a", "newtag", "v2", -1, "k.yaml: images field \"newtag\": not one of newTag, digest, newName", NULL },
		{ "a", "", "v2", -1, "k.yaml: images field \"\": not one of newTag, digest, newName", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct yedit e;
		struct strbuf err = STRBUF_INIT;
		char *old = (char *)"untouched";
		CHECK(yedit_load(&e, "k.yaml", kust, strlen(kust), &err) == 0);
		int rc = kustomize_set_image(&e, cases[i].image, cases[i].field, cases[i].value, &old, &err);
		CHECK_INT(rc, cases[i].rc);
		CHECK_STR(rc < 0 ? err.buf : yedit_text(&e, NULL), cases[i].want);
		if (rc < 0)
			CHECK_STR(yedit_text(&e, NULL), kust);
		CHECK(cases[i].old ? old && strcmp(old, cases[i].old) == 0 : old == NULL);
		CHECK_INT(e.changed, rc == YEDIT_CHANGED);
		free(old);
		yedit_release(&e);
		sb_release(&err);
	}
}

int main(void)
{
	RUN(test_fields);
	return CHECK_DONE("kustomize");
}
