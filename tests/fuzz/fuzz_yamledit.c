/* fuzz_yamledit.c: the YAML editor. Property: after an edit that changed the
 * text, the text still reads as YAML, and as the same document but for the
 * edited value (the editor checks the second itself; the first is checked here
 * by the independent reader). */
#include "fuzz.h"
#include "yamledit.h"
#include "yamlread.h"

#include <string.h>

static void reparse(const struct yedit *e)
{
	size_t len;
	const char *t = yedit_text(e, &len);
	json_t *docs = NULL;
	struct strbuf err = STRBUF_INIT;
	FUZZ_ASSERT(yaml_read("edited", t, len, &docs, &err) == 0);
	FUZZ_ASSERT(json_array_size(docs) == 1);
	json_decref(docs);
	sb_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct yedit e;
	struct strbuf err = STRBUF_INIT;
	memset(&e, 0, sizeof e);
	if (yedit_load(&e, "fuzz", (const char *)data, size, &err) == 0) {
		char *old = NULL;
		if (yedit_set_item(&e, "images", "name", "app", "newTag", "1.20", &old, &err) == YEDIT_CHANGED)
			reparse(&e);
		free(old);
		old = NULL;
		if (yedit_set_path(&e, "image.tag", "sha-3f2a1bc", &old, &err) == YEDIT_CHANGED)
			reparse(&e);
		free(old);
	}
	yedit_release(&e);
	sb_release(&err);
	return 0;
}
