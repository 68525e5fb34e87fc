/* ignore.h: .dockerignore rules, as Docker reads them (moby/patternmatcher).
 *
 * One pattern a line; lines starting with '#' are comments; blank lines are
 * skipped; leading and trailing white space is dropped; a pattern is cleaned
 * like a path ("./a//b/" is "a/b", a leading '/' goes). Patterns match paths
 * relative to the build directory, slash-separated:
 *   *      any run of characters but '/'      ?    one character but '/'
 *   **     any number of directories (also none): "**" + "/" + "*.go", "a/" + "**"
 *   [a-z]  a class ([^...] negated)           \x   x itself
 * A path is excluded when it, or one of its parent directories, matches; the
 * last matching pattern decides, and "!pattern" takes a path back in. */
#ifndef CLOUDCTL_OCI_IGNORE_H
#define CLOUDCTL_OCI_IGNORE_H

#include <stddef.h>
#include "util.h"

struct ignore;

/* Parse the text of an ignore file; name is used in errors ("NAME:LINE: ...").
 * Returns 0, or 65 with err set (and *out NULL) on a bad pattern. */
int ignore_parse(const char *text, size_t n, const char *name, struct ignore **out, struct strbuf *err);
/* Read and parse path. A missing file is no rules (*out NULL, returns 0) when
 * optional; otherwise 66. Unreadable: 77 or 74. */
int ignore_load(const char *path, int optional, struct ignore **out, struct strbuf *err);

/* Whether rel (relative, slash-separated, no leading "./") is excluded. NULL: never. */
int ignore_match(const struct ignore *ig, const char *rel);
/* Whether any pattern starts with '!': excluded directories must then still be walked. */
int ignore_has_exceptions(const struct ignore *ig);
size_t ignore_count(const struct ignore *ig);
void ignore_free(struct ignore *ig);

#endif
