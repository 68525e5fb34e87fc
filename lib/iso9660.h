/* iso9660.h: a minimal ISO 9660 image writer for cloud-init NoCloud seeds.
 *
 * Writes a flat image (root directory only) with a volume label, ISO 9660
 * level-1-style identifiers plus Rock Ridge (RRIP) NM/PX entries so the exact
 * lower-case names ("user-data", "meta-data", "network-config") appear on Linux,
 * and Joliet is not needed. Output is deterministic: fixed timestamps, sorted
 * entries, so the same inputs give the same bytes. */
#ifndef CLOUDCTL_ISO9660_H
#define CLOUDCTL_ISO9660_H

#include <stddef.h>
#include "util.h"

struct iso_file {
	const char *name; /* e.g. "user-data"; [a-z0-9._-], at most 64 bytes */
	const void *data;
	size_t len;
};

/* Build the image into out. label: volume identifier, e.g. "cidata" (stored upper-case
 * is NOT done: cloud-init accepts "cidata" or "CIDATA"; it is stored as given).
 * Returns 0, or -1 with a reason in err. */
int iso9660_build(struct strbuf *out, const char *label, const struct iso_file *files,
		  size_t nfiles, struct strbuf *err);

#endif
