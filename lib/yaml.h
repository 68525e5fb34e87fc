/* yaml.h: render JSON values as block-style YAML, laid out as kubectl and
 * kustomize print it (go-yaml v2), so that the output pipes into
 * `kubectl apply -f -`. Scalars are quoted wherever a YAML 1.1 reader (PyYAML,
 * go-yaml v2) or a YAML 1.2 reader (go-yaml v3) could read them as anything but
 * the string they are, so every reader gets back the same JSON. */
#ifndef CLOUDCTL_YAML_H
#define CLOUDCTL_YAML_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* Append the YAML block-style rendering of a jansson value (an object or array
 * at the top) to sb: what `kubectl create --dry-run=client -o yaml` and
 * kustomize print, so the output pipes into `kubectl apply -f -`. Object keys in
 * insertion order (jansson preserves it). The text ends with a newline. */
void yaml_emit(struct strbuf *sb, const json_t *v);

/* A stream: documents separated by "---\n" lines (no leading "---" before the
 * first). n == 0 appends nothing. */
void yaml_emit_stream(struct strbuf *sb, json_t *const *docs, size_t n);

#endif
