/* pgzip.c: parallel gzip in fixed blocks; see pgzip.h. */
#include "oci/pgzip.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"

#define DICT 32768 /* deflate's window: what a block may refer back to */
#define MAX_THREADS 8

struct block {
	unsigned char *in, *out;
	size_t len, out_len, out_cap;
	const unsigned char *dict; /* the 32 KiB before this block, or NULL */
	size_t dict_len;
	int last, level, failed;
	uLong crc;
};

struct pgzip {
	int level, threads;
	pgzip_out_fn out;
	void *arg;
	struct block b[MAX_THREADS];
	int cur;                   /* the block being filled */
	unsigned char dict[DICT];  /* the tail of the last block compressed */
	size_t dict_len;
	uLong crc;
	unsigned long long total;
	int started;               /* the header is out */
};

struct pgzip *pgzip_new(int level, int threads, pgzip_out_fn out, void *arg)
{
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (int)n : 1;
	}
	struct pgzip *z = xcalloc(1, sizeof *z);
	z->level = level;
	z->threads = threads > MAX_THREADS ? MAX_THREADS : threads;
	z->out = out;
	z->arg = arg;
	z->crc = crc32(0, NULL, 0);
	for (int i = 0; i < z->threads; i++)
		z->b[i].in = xmalloc(PGZIP_BLOCK);
	return z;
}

void pgzip_free(struct pgzip *z)
{
	if (!z)
		return;
	for (int i = 0; i < z->threads; i++) {
		free(z->b[i].in);
		free(z->b[i].out);
	}
	free(z);
}

/* One block: raw deflate primed with the dictionary, ended with a sync flush
 * (byte-aligned, the stream goes on) or, for the last, with the final block. */
static void *compress_block(void *arg)
{
	struct block *b = arg;
	z_stream s;
	memset(&s, 0, sizeof s);
	b->failed = 1;
	if (deflateInit2(&s, b->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	if (b->dict_len)
		deflateSetDictionary(&s, b->dict, (uInt)b->dict_len);
	size_t need = deflateBound(&s, b->len) + 64; /* + the sync flush's empty block */
	if (need > b->out_cap) {
		free(b->out);
		b->out = xmalloc(need);
		b->out_cap = need;
	}
	s.next_in = b->in;
	s.avail_in = (uInt)b->len;
	s.next_out = b->out;
	s.avail_out = (uInt)b->out_cap;
	int rc = deflate(&s, b->last ? Z_FINISH : Z_SYNC_FLUSH);
	if ((b->last ? rc == Z_STREAM_END : rc == Z_OK) && s.avail_in == 0 && s.avail_out > 0) {
		b->out_len = b->out_cap - s.avail_out;
		b->crc = crc32(0, b->in, (uInt)b->len);
		b->failed = 0;
	}
	deflateEnd(&s);
	return NULL;
}

static int write_header(struct pgzip *z, struct strbuf *err)
{
	/* no name, mtime 0, XFL as zlib sets it for the level, OS 255 ("unknown") */
	unsigned char h[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255 };
	h[8] = z->level == 9 ? 2 : z->level == 1 ? 4 : 0;
	z->started = 1;
	return z->out(z->arg, h, sizeof h, err);
}

/* Compress blocks 0..n-1 at once (the last of them ends the stream when last),
 * then write them in order. */
static int compress_batch(struct pgzip *z, int n, int last, struct strbuf *err)
{
	int rc = z->started ? 0 : write_header(z, err);
	for (int i = 0; i < n; i++) {
		struct block *b = &z->b[i];
		b->level = z->level;
		b->last = last && i == n - 1;
		if (i == 0) {
			b->dict = z->dict;
			b->dict_len = z->dict_len;
		} else {
			struct block *p = &z->b[i - 1];
			b->dict_len = p->len < DICT ? p->len : DICT;
			b->dict = p->in + p->len - b->dict_len;
		}
	}
	pthread_t t[MAX_THREADS];
	int spawned[MAX_THREADS] = { 0 };
	for (int i = 1; i < n; i++)
		spawned[i] = pthread_create(&t[i], NULL, compress_block, &z->b[i]) == 0;
	compress_block(&z->b[0]);
	for (int i = 1; i < n; i++) {
		if (spawned[i])
			pthread_join(t[i], NULL);
		else
			compress_block(&z->b[i]); /* no thread to be had: do it here */
	}
	for (int i = 0; i < n && !rc; i++) {
		struct block *b = &z->b[i];
		if (b->failed)
			return sb_fail(err, EXIT_SOFTWARE, "zlib: deflate failed");
		z->crc = crc32_combine(z->crc, b->crc, (z_off_t)b->len);
		z->total += b->len;
		rc = z->out(z->arg, b->out, b->out_len, err);
	}
	/* the next batch refers back to the end of this one */
	struct block *e = &z->b[n - 1];
	size_t keep = e->len < DICT ? e->len : DICT;
	if (keep)
		memmove(z->dict, e->in + e->len - keep, keep);
	z->dict_len = keep;
	for (int i = 0; i < n; i++)
		z->b[i].len = 0;
	return rc;
}

int pgzip_write(struct pgzip *z, const void *data, size_t n, struct strbuf *err)
{
	const unsigned char *p = data;
	while (n > 0) {
		struct block *b = &z->b[z->cur];
		size_t take = PGZIP_BLOCK - b->len < n ? PGZIP_BLOCK - b->len : n;
		memcpy(b->in + b->len, p, take);
		b->len += take;
		p += take;
		n -= take;
		if (b->len == PGZIP_BLOCK && ++z->cur == z->threads) {
			z->cur = 0;
			int rc = compress_batch(z, z->threads, 0, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int pgzip_finish(struct pgzip *z, struct strbuf *err)
{
	/* the block being filled ends the stream, even empty (a final empty block) */
	int rc = compress_batch(z, z->cur + 1, 1, err);
	z->cur = 0;
	if (rc)
		return rc;
	unsigned char t[8];
	unsigned long long len = z->total;
	for (int i = 0; i < 4; i++) {
		t[i] = (unsigned char)(z->crc >> (8 * i));
		t[4 + i] = (unsigned char)(len >> (8 * i)); /* ISIZE: the length modulo 2^32 */
	}
	return z->out(z->arg, t, sizeof t, err);
}
