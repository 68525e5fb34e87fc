/* pgzip.h: gzip on every core, with the same bytes on any machine.
 *
 * pigz's method: the input is cut into blocks of PGZIP_BLOCK bytes; each is
 * deflated on its own (raw deflate, primed with the last 32 KiB of the block
 * before it, so the ratio stays that of one stream), ended with a sync flush
 * (byte-aligned, not final), and the pieces are written in order between one
 * gzip header and trailer (CRC-32 combined, length). The last block ends the
 * deflate stream. The bytes depend on the level and the block size only — not
 * on the number of threads — so a layer's digest is the same everywhere (with
 * zlib 1.2.x; see layer.h).
 * Blocks are compressed a batch at a time (one block per thread), the caller's
 * thread taking one of them. */
#ifndef CLOUDCTL_OCI_PGZIP_H
#define CLOUDCTL_OCI_PGZIP_H

#include <stddef.h>

#include "util.h"

#define PGZIP_BLOCK (1024 * 1024)

/* Where the compressed bytes go, in order; returns 0 or an exit code with err set. */
typedef int (*pgzip_out_fn)(void *arg, const unsigned char *p, size_t n, struct strbuf *err);

struct pgzip;

/* threads <= 0: one per online CPU (at most 8). */
struct pgzip *pgzip_new(int level, int threads, pgzip_out_fn out, void *arg);
int pgzip_write(struct pgzip *z, const void *data, size_t n, struct strbuf *err);
/* Compress what is left, end the stream, write the trailer. */
int pgzip_finish(struct pgzip *z, struct strbuf *err);
void pgzip_free(struct pgzip *z);

#endif
