/* test_pgzip.c: parallel gzip (lib/oci/pgzip.h): what it writes inflates back
 * to the input with zlib's own gzip reader (CRC and length checked), for sizes
 * around the block boundaries, and the bytes are the same for 1, 2 and 3
 * threads; gzip(1) reads it too. */
#include "check.h"
#include "log.h"
#include "oci/pgzip.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static int to_buf(void *arg, const unsigned char *p, size_t n, struct strbuf *err)
{
	(void)err;
	sb_add(arg, p, n);
	return 0;
}

static void pgz(const unsigned char *in, size_t n, int threads, size_t chunk, struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	struct pgzip *z = pgzip_new(6, threads, to_buf, out);
	for (size_t off = 0; off < n; off += chunk)
		CHECK_INT(pgzip_write(z, in + off, n - off < chunk ? n - off : chunk, &err), 0);
	CHECK_INT(pgzip_finish(z, &err), 0);
	pgzip_free(z);
	sb_release(&err);
}

/* zlib's gzip reader checks the CRC-32 and the length of the trailer. */
static int inflates_to(const struct strbuf *gz, const unsigned char *want, size_t n)
{
	z_stream s;
	memset(&s, 0, sizeof s);
	if (inflateInit2(&s, 15 + 16) != Z_OK)
		return 0;
	unsigned char *back = xmalloc(n + 1);
	s.next_in = (unsigned char *)gz->buf;
	s.avail_in = (uInt)gz->len;
	s.next_out = back;
	s.avail_out = (uInt)n + 1;
	int rc = inflate(&s, Z_FINISH);
	int ok = rc == Z_STREAM_END && s.total_out == n && s.avail_in == 0 && memcmp(back, want, n) == 0;
	inflateEnd(&s);
	free(back);
	return ok;
}

/* Text-like and random bytes, so that blocks refer back across boundaries. */
static unsigned char *sample(size_t n)
{
	unsigned char *p = xmalloc(n ? n : 1);
	unsigned x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (i / 4096) % 3 == 0 ? (unsigned char)(x >> 16) : (unsigned char)("lorem ipsum dolor "[i % 18]);
	}
	return p;
}

static void test_round_trips(void)
{
	const size_t sizes[] = { 0, 1, 100, PGZIP_BLOCK - 1, PGZIP_BLOCK, PGZIP_BLOCK + 1, 3 * PGZIP_BLOCK + 17,
				 7 * PGZIP_BLOCK };
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		size_t n = sizes[i];
		unsigned char *in = sample(n);
		struct strbuf one = STRBUF_INIT, two = STRBUF_INIT, three = STRBUF_INIT;
		pgz(in, n, 1, 65536, &one);
		pgz(in, n, 2, 1000, &two);
		pgz(in, n, 3, PGZIP_BLOCK, &three);
		if (!inflates_to(&one, in, n))
			printf("    size %zu does not inflate back\n", n);
		CHECK(inflates_to(&one, in, n));
		CHECK(one.len == two.len && memcmp(one.buf, two.buf, one.len) == 0);
		CHECK(one.len == three.len && memcmp(one.buf, three.buf, one.len) == 0);
		sb_release(&one);
		sb_release(&two);
		sb_release(&three);
		free(in);
	}
}

/* The header: no name, mtime 0, XFL 0 at level 6, OS 255; and gzip -t agrees. */
static void test_header_and_gzip(void)
{
	size_t n = 2 * PGZIP_BLOCK + 5;
	unsigned char *in = sample(n);
	struct strbuf gz = STRBUF_INIT;
	pgz(in, n, 2, 4096, &gz);
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255 };
	CHECK(gz.len > 10 && memcmp(gz.buf, head, 10) == 0);
	char path[] = "/tmp/test_pgzip.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, gz.buf, gz.len) == (ssize_t)gz.len);
	close(fd);
	char *cmd = xasprintf("gzip -t < %s", path);
	CHECK_INT(system(cmd), 0);
	free(cmd);
	unlink(path);
	sb_release(&gz);
	free(in);
}

int main(void)
{
	log_init("test_pgzip");
	RUN(test_round_trips);
	RUN(test_header_and_gzip);
	return CHECK_DONE("pgzip");
}
