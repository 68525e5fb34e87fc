/* strmap.h: a map from strings to size_t (open addressing, FNV-1a). For
 * de-duplicating records by id and indexing them; keys are copied. */
#ifndef CLOUDCTL_STRMAP_H
#define CLOUDCTL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, len;
};
#define STRMAP_INIT { NULL, NULL, 0, 0 }

/* FNV-1a of a string: the map's hash, also for sets of hashes. */
uint64_t strmap_hash(const char *s);

/* Returns 1 and sets *val when key is present, else 0. */
int strmap_get(const struct strmap *m, const char *key, size_t *val);
/* Insert or replace. */
void strmap_put(struct strmap *m, const char *key, size_t val);
void strmap_clear(struct strmap *m);

#endif
