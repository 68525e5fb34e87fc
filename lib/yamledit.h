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
 * as the old value, two items of a list with the same name.
 *
 * Generic: what a file's keys mean (kustomize's images:, a Helm chart's
 * image.tag) is its caller's (cloudctl-deploy's kustomize.c and bump.c). */
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

/* Set FIELD of the item of the top-level block sequence LIST (a list of
 * mappings told apart by the scalar at KEY) whose KEY is NAME; messages call it
 * LIST[KEY=NAME].FIELD.
 * - The item has the field: its scalar is replaced.
 * - The item lacks it: a "FIELD: VALUE" line is added after the item's last
 *   line, at the item's indentation.
 * - No item has that name: a new item (KEY: NAME, then FIELD) is appended
 *   after the last one, indented as the existing items are.
 * - There is no LIST (or it is null): it is added at the end of the document,
 *   its items indented as the file's other block sequences are (unindented
 *   "- " when there are none).
 * *old (when old is not NULL) gets the previous value to free, or NULL when the
 * field, item or list was missing or null. Returns YEDIT_CHANGED,
 * YEDIT_UNCHANGED (the field already reads as VALUE; nothing is touched), or -1
 * with "NAME:LINE:COL: reason" appended to err and nothing changed. */
int yedit_set_item(struct yedit *e, const char *list, const char *key, const char *name,
		   const char *field, const char *value, char **old, struct strbuf *err);

/* Set the scalar at a path of block-mapping keys separated by dots ("image.tag"
 * in a Helm values.yaml). Every key but the last must exist and hold a block
 * mapping (a missing one is an error: a mistyped --key must not add keys); the
 * last is replaced, or added after the mapping's last line when missing.
 * Results as yedit_set_item. */
int yedit_set_path(struct yedit *e, const char *path, const char *value, char **old,
		   struct strbuf *err);

/* The current text (NUL-terminated; len may be NULL). */
const char *yedit_text(const struct yedit *e, size_t *len);

#endif
