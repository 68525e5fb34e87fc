/* yamledit.h: change single scalars of a YAML file and keep every other byte.
 *
 * What `kustomize edit set image` and a YAML round trip lose — comments, key
 * order, quoting, blank lines, indentation, CRLF line ends, a missing final
 * newline — stays: an edit replaces only the bytes of the scalar it changes, or
 * inserts whole lines written in the file's own indentation. Every edit is
 * checked before it is kept: the new text, read by yaml_read (Kubernetes'
 * rules), must equal the old document with exactly that one value changed.
 *
 * Values are written so that they read back as strings: a tag such as 1.10,
 * 0x1f, 1e3, true or ~ is quoted. A quoted scalar keeps its quotes ('single'
 * or "double"); a plain one stays plain when it can, and gets double quotes
 * when it must.
 *
 * Refused, each with "FILE:LINE:COLUMN: reason" (1-based): text that is not
 * YAML (a tab in the indentation says so), more than one document, flow style
 * on the way to the value ({a: b}, [a]: we never rewrite it), anchors, aliases,
 * explicit tags and merge keys (<<) on the touched nodes, block scalars (| >)
 * as the old value, duplicate images entries for one name. */
#ifndef CLOUDCTL_YAMLEDIT_H
#define CLOUDCTL_YAMLEDIT_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

struct yedit_tree; /* private: the parsed text with byte positions */

/* The file being edited. Load it, edit it any number of times, take the text. */
struct yedit {
	char *name;          /* for messages */
	struct strbuf text;  /* the current text: the loaded one and the edits so far */
	json_t *doc;         /* the document as yaml_read reads the current text */
	int changed;         /* some edit changed the text */
	struct yedit_tree *tree;
};

/* Parse text (one YAML document, UTF-8, optional BOM) for editing; name is used
 * in messages. Returns 0, or -1 with "NAME:LINE:COL: reason" appended to err and
 * e left empty (yedit_release is still safe). */
int yedit_load(struct yedit *e, const char *name, const char *text, size_t len,
	       struct strbuf *err);
void yedit_release(struct yedit *e);

/* The results of an edit. */
enum { YEDIT_UNCHANGED = 0, YEDIT_CHANGED = 1 };

/* In a kustomization: set FIELD ("newTag", "digest" or "newName") of the entry
 * of the top-level `images:` block sequence whose name is IMAGE.
 * - The entry has the field: its scalar is replaced.
 * - The entry lacks it: a "FIELD: VALUE" line is added after the entry's last
 *   line, at the entry's indentation.
 * - No entry has that name: a new entry (name, then FIELD) is appended after the
 *   last entry, indented as the existing entries are.
 * - There is no `images:` (or it is empty): it is added at the end of the
 *   document, its entries indented as the file's other block sequences are
 *   (kustomize's unindented "- " when there are none).
 * *old (when old is not NULL) gets the previous value to free, or NULL when the
 * field, entry or list was missing or null. Returns YEDIT_CHANGED,
 * YEDIT_UNCHANGED (the field already reads as VALUE; nothing is touched), or -1
 * with "NAME:LINE:COL: reason" appended to err and nothing changed. */
int yedit_set_image(struct yedit *e, const char *image, const char *field, const char *value,
		    char **old, struct strbuf *err);

/* Set the scalar at a path of block-mapping keys separated by dots ("image.tag"
 * in a Helm values.yaml). Every key but the last must exist and hold a block
 * mapping (a missing one is an error: a mistyped --key must not add keys); the
 * last is replaced, or added after the mapping's last line when missing.
 * Results as yedit_set_image. */
int yedit_set_path(struct yedit *e, const char *path, const char *value, char **old,
		   struct strbuf *err);

/* The current text (NUL-terminated; len may be NULL). */
const char *yedit_text(const struct yedit *e, size_t *len);

#endif
