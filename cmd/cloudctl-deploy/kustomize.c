/* kustomize.c: see kustomize.h. */
#include "kustomize.h"

#include <string.h>

/* The fields of an images entry that say which image runs (kustomize's
 * image.Image); `name` is the key the entries go by. */
static int image_field(const char *field)
{
	return strcmp(field, "newTag") == 0 || strcmp(field, "digest") == 0 || strcmp(field, "newName") == 0;
}

int kustomize_set_image(struct yedit *e, const char *image, const char *field, const char *value,
			char **old, struct strbuf *err)
{
	if (old)
		*old = NULL;
	if (!image_field(field)) {
		sb_addf(err, "%s: images field \"%s\": not one of newTag, digest, newName", e->name, field);
		return -1;
	}
	return yedit_set_item(e, "images", "name", image, field, value, old, err);
}
