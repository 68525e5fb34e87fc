/* yamlread.h: read YAML into jansson values the way Kubernetes does
 * (sigs.k8s.io/yaml on top of go-yaml v2, YAML 1.1 scalars), so that a file
 * kubectl accepts gives cloudctl the same JSON. Reads back what yaml_emit writes. */
#ifndef CLOUDCTL_YAMLREAD_H
#define CLOUDCTL_YAMLREAD_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* Refused with an error: nesting deeper than this... */
#define YAMLREAD_MAX_DEPTH 256
/* ...and documents that alias expansion makes larger than this many nodes. */
#define YAMLREAD_MAX_NODES 1000000

/* Parse a YAML stream (one or more documents) into jansson values. Plain
 * scalars resolve as go-yaml v2 does: null/Null/NULL/~/empty -> null;
 * true/false/yes/no/on/off/y/n (lower, Capitalised, UPPER) -> bool; integers
 * (decimal, 0x hex, 0o and leading-0 octal, 0b binary, _ separators) and
 * floats -> numbers; anything else, and every quoted or block scalar -> string.
 * .inf and .nan are numbers JSON cannot hold: an error, as in sigs.k8s.io/yaml.
 * Mapping keys are the scalar's text. Anchors and aliases are expanded, merge
 * keys (<<) applied (explicit keys win, then earlier merged maps); a duplicate
 * or non-scalar key is an error.
 * Returns 0 and sets *docs to a new array of the documents (an empty stream
 * gives an empty array), or -1 with "NAME:LINE:COLUMN: reason" (1-based)
 * appended to err. */
int yaml_read(const char *name, const char *text, size_t len, json_t **docs,
	      struct strbuf *err);

/* Read a file ("-" is stdin, named "<stdin>" in errors) the same way. */
int yaml_read_file(const char *path, json_t **docs, struct strbuf *err);

#endif
