/* udiff.h: a unified diff of two texts, line by line, as `diff -u` and git
 * print it: "--- A" / "+++ B" headers, "@@ -l,n +l,n @@" hunks with context
 * lines, and "\ No newline at end of file" after a last line without one. A
 * line's break is part of it, so a CRLF line that became LF shows as changed.
 * For `--dry-run`: what an edit would change, in a form patch(1) and
 * `git apply` take. */
#ifndef CLOUDCTL_UDIFF_H
#define CLOUDCTL_UDIFF_H

#include <stddef.h>

#include "util.h"

/* Append the diff from a to b to out; nothing when they are equal. context is
 * the number of unchanged lines around each change (diff -u: 3). The diff is
 * minimal (Myers) up to UDIFF_MAX_EDITS changed lines; beyond that, the
 * changed stretch between the common head and tail is one hunk. */
#define UDIFF_MAX_EDITS 1000
void udiff(struct strbuf *out, const char *a_name, const char *b_name, const char *a,
	   size_t alen, const char *b, size_t blen, int context);

#endif
