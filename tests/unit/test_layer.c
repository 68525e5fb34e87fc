/* test_layer.c: the reproducible tar stream (headers, order, links, pax) and the
 * layer (gzip header, digests stable and dependent on the mtime), and the
 * errors: vanishing files, FIFOs, names that are not UTF-8. */
#include "check.h"
#include "util.h"
#include "oci/ignore.h"
#include "oci/layer.h"
#include "oci/tarwriter.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *rel, const char *text, unsigned mode)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static void mk(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	mkdir(p, 0755);
	free(p);
}

static int mem_write(void *ctx, const void *data, size_t n, struct strbuf *err)
{
	sb_add(ctx, data, n);
	return 0;
}

static unsigned long long octal(const char *f, size_t w)
{
	char tmp[16];
	memcpy(tmp, f, w);
	tmp[w] = '\0';
	return strtoull(tmp, NULL, 8);
}

/* "TYPE MODE NAME[ -> LINK]" for every entry, pax paths applied, one a line. */
static char *listing(const struct strbuf *tar)
{
	struct strbuf out = STRBUF_INIT;
	char *pax_path = NULL;
	for (size_t off = 0; off + 512 <= tar->len;) {
		const char *h = tar->buf + off;
		if (!h[0])
			break;
		unsigned long long size = octal(h + 124, 11);
		if (h[156] == 'x') {
			const char *p = strstr(h + 512, " path=");
			pax_path = p ? xstrndup(p + 6, strcspn(p + 6, "\n")) : NULL;
		} else {
			sb_addf(&out, "%c %04llo %s%s%.100s\n", h[156], octal(h + 100, 7), pax_path ? pax_path : h,
				h[157] ? " -> " : "", h + 157);
			free(pax_path);
			pax_path = NULL;
		}
		off += 512 + size + tar_padding(size);
	}
	return sb_detach(&out);
}

static int tree(struct strbuf *tar, const struct tar_opts *o, struct strbuf *err)
{
	struct tar_sink sink = { mem_write, tar };
	struct tar_stats st;
	sb_reset(tar);
	return tar_write_tree(root, o, &sink, &st, err);
}

static void sample_tree(void)
{
	mk("b");
	mk("b/sub");
	mk("a-dir");
	mk(".git");
	put(".git/HEAD", "ref", 0644);
	put("b/sub/run.sh", "#!/bin/sh\n", 0755);
	put("b/z", "z", 0600);
	put("a", "hello\n", 04755);
	char *a = xasprintf("%s/a", root), *l = xasprintf("%s/b/hard", root), *s = xasprintf("%s/b/link", root);
	link(a, l);
	symlink("../a", s);
	free(a), free(l), free(s);
}

static void order_modes_links(void)
{
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT;
	struct tar_opts o = { .mtime = 1700000000 };
	CHECK_INT(tree(&tar, &o, &err), 0);
	char *got = listing(&tar);
	CHECK_STR(got, "0 4755 a\n"
		       "5 0755 a-dir/\n"
		       "5 0755 b/\n"
		       "1 4755 b/hard -> a\n"
		       "2 0777 b/link -> ../a\n"
		       "5 0755 b/sub/\n"
		       "0 0755 b/sub/run.sh\n"
		       "0 0600 b/z\n");
	free(got);
	/* uid, gid, names, mtime and the checksum of the first header */
	const char *h = tar.buf;
	CHECK_INT(octal(h + 108, 7), 0);
	CHECK_INT(octal(h + 116, 7), 0);
	CHECK(h[265] == '\0' && h[297] == '\0');
	CHECK_INT(octal(h + 136, 11), 1700000000);
	CHECK(memcmp(h + 257, "ustar\0" "00", 8) == 0);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)(i >= 148 && i < 156 ? ' ' : h[i]);
	CHECK_INT(octal(h + 148, 6), sum);
	/* the end: two zero blocks */
	CHECK(tar.len % 512 == 0);
	CHECK(memcmp(tar.buf + tar.len - 1024, tar_zero_block, 512) == 0);
	sb_release(&tar);
	sb_release(&err);
}

/* layer_build's progress callback: the tar's bytes, growing to its size. */
static unsigned long long progress_seen;
static void count_progress(void *ctx, unsigned long long bytes)
{
	(void)ctx;
	CHECK(bytes >= progress_seen);
	progress_seen = bytes;
}

/* git_modes: what git records, whatever the work tree's bits (setuid, 0600,
 * a directory of another umask). */
static void git_modes(void)
{
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT;
	char *p = xasprintf("%s/b/sub", root);
	chmod(p, 0775);
	struct tar_opts o = { .mtime = 1700000000, .git_modes = 1 };
	CHECK_INT(tree(&tar, &o, &err), 0);
	chmod(p, 0755);
	free(p);
	char *got = listing(&tar);
	CHECK_STR(got, "0 0755 a\n"
		       "5 0755 a-dir/\n"
		       "5 0755 b/\n"
		       "1 0755 b/hard -> a\n"
		       "2 0777 b/link -> ../a\n"
		       "5 0755 b/sub/\n"
		       "0 0755 b/sub/run.sh\n"
		       "0 0644 b/z\n");
	free(got);
	sb_release(&tar);
	sb_release(&err);
}

static void pax_headers(void)
{
	struct strbuf out = STRBUF_INIT;
	char name[151];
	memset(name, 'n', 150);
	name[150] = '\0';
	struct tar_header h = { name, NULL, '0', 0644, 5ULL << 30, 0 };
	tar_format_header(&out, &h);
	CHECK_INT(out.len, 512 * 3); /* 'x', its records, then the entry */
	CHECK(out.buf[156] == 'x');
	char *want = xasprintf("160 path=%s\n", name); /* 160 counts itself */
	CHECK(strncmp(out.buf + 512, want, strlen(want)) == 0);
	CHECK_INT(strlen(want), 160);
	free(want);
	CHECK_INT(octal(out.buf + 1024 + 124, 11), 5ULL << 30); /* 5 GiB fits ustar's 11 digits */
	sb_reset(&out);
	struct tar_header big = { "big", NULL, '0', 0644, 9ULL << 30, 0 };
	tar_format_header(&out, &big);
	CHECK(out.buf[156] == 'x');
	CHECK(strncmp(out.buf + 512, "19 size=9663676416\n", 19) == 0);
	CHECK_INT(octal(out.buf + 1024 + 124, 11), 0);
	sb_reset(&out);
	struct tar_header utf = { "caf\xc3\xa9", NULL, '0', 0644, 1, 0 };
	tar_format_header(&out, &utf);
	CHECK(out.buf[156] == 'x');
	CHECK(strncmp(out.buf + 512, "14 path=caf\xc3\xa9\n", 14) == 0);
	sb_reset(&out);
	struct tar_header plain = { "short", NULL, '0', 0644, 1, 0 };
	tar_format_header(&out, &plain);
	CHECK_INT(out.len, 512);
	sb_release(&out);
}

static void ignore_rules(void)
{
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT;
	struct ignore *ig = NULL;
	const char *rules = "b\n!b/sub/run.sh\n";
	CHECK_INT(ignore_parse(rules, strlen(rules), "x", &ig, &err), 0);
	struct tar_opts o = { .mtime = 0, .ignore = ig };
	CHECK_INT(tree(&tar, &o, &err), 0);
	char *got = listing(&tar);
	/* b/ and b/sub/ come back only as the parents of what the exception keeps */
	CHECK_STR(got, "0 4755 a\n5 0755 a-dir/\n5 0755 b/\n5 0755 b/sub/\n0 0755 b/sub/run.sh\n");
	free(got);
	ignore_free(ig);
	sb_release(&tar);
	sb_release(&err);
}

static char *layer_digest(long long mtime, char *diff_id)
{
	struct strbuf err = STRBUF_INIT;
	struct tar_opts o = { .mtime = mtime, .progress = count_progress };
	struct layer l;
	char dir[] = "/tmp/cloudctl-layer-out.XXXXXX";
	progress_seen = 0;
	if (!mkdtemp(dir) || layer_build(root, &o, LAYER_GZIP_LEVEL, dir, &l, &err)) {
		printf("    layer_build: %s\n", err.buf);
		return xstrdup("");
	}
	CHECK_INT(progress_seen, l.tar_size);
	unsigned char head[10];
	int fd = open(l.path, O_RDONLY);
	CHECK(read(fd, head, 10) == 10);
	close(fd);
	/* gzip, deflate, no flags, mtime 0, OS 255 (unknown) */
	CHECK(memcmp(head, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10) == 0);
	char check[OCI_DIGEST_MAX];
	unsigned long long size;
	CHECK(oci_digest_file(l.path, check, &size) == 0);
	CHECK_STR(check, l.digest);
	CHECK_INT(size, l.size);
	if (diff_id)
		strcpy(diff_id, l.diff_id);
	layer_discard(&l);
	rmdir(dir);
	sb_release(&err);
	return xstrdup(l.digest);
}

static void layer_digests(void)
{
	char d1[OCI_DIGEST_MAX], d2[OCI_DIGEST_MAX];
	char *a = layer_digest(1700000000, d1), *b = layer_digest(1700000000, d2), *c = layer_digest(1700000001, NULL);
	CHECK(oci_digest_valid(a));
	CHECK_STR(a, b);
	CHECK_STR(d1, d2);
	CHECK(strcmp(a, d1) != 0);
	CHECK(strcmp(a, c) != 0);
	free(a), free(b), free(c);
}

static void vanish(void *ctx, const char *rel)
{
	if (strcmp(rel, "b") == 0)
		unlink(ctx);
}

static void vanishing_file(void)
{
	put("b/gone", "x", 0644);
	char *p = xasprintf("%s/b/gone", root);
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT;
	struct tar_opts o = { .listed = vanish, .hook_ctx = p };
	CHECK_INT(tree(&tar, &o, &err), 75);
	char *want = xasprintf("%s/b/gone: vanished during the build", root);
	CHECK_STR(err.buf, want);
	free(want), free(p);
	sb_release(&tar);
	sb_release(&err);
}

static void refused(void)
{
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT;
	struct tar_opts o = { 0 };
	char *fifo = xasprintf("%s/b/pipe", root);
	mkfifo(fifo, 0644);
	CHECK_INT(tree(&tar, &o, &err), 65);
	char *want = xasprintf("%s/b/pipe: FIFO: device files, sockets and FIFOs cannot go into an image layer "
			       "(exclude it in the ignore file)", root);
	CHECK_STR(err.buf, want);
	unlink(fifo);
	free(fifo), free(want);
	char *bad = xasprintf("%s/b/bad\xff", root);
	close(open(bad, O_CREAT | O_WRONLY, 0644));
	CHECK_INT(tree(&tar, &o, &err), 65);
	want = xasprintf("%s/b/bad\\xff: file name is not UTF-8 (tar's pax headers need UTF-8)", root);
	CHECK_STR(err.buf, want);
	unlink(bad);
	free(bad), free(want);
	sb_release(&tar);
	sb_release(&err);
}

int main(void)
{
	umask(022);
	snprintf(root, sizeof root, "/tmp/cloudctl-layer.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	sample_tree();
	RUN(order_modes_links);
	RUN(git_modes);
	RUN(pax_headers);
	RUN(ignore_rules);
	RUN(layer_digests);
	RUN(vanishing_file);
	RUN(refused);
	char *rm = xasprintf("rm -rf '%s'", root);
	if (system(rm) != 0)
		printf("# could not remove %s\n", root);
	free(rm);
	return CHECK_DONE("layer");
}
