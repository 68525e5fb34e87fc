/* test_gitadvert.c: upload-pack's answers as cloudctl-deploy's fetch over https
 * reads them (lib/git/remote_fetch_http.c): the ref advertisement (the branch's
 * commit, the default branch from HEAD's symref capability, what sends the
 * fetch to libgit2), and the pack in side-band 1 written into a repository. */
#include "check.h"
#include "git/remote_private.h"
#include "util.h"

#include <git2/sys/odb_backend.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAIN "1111111111111111111111111111111111111111"
#define DEV "2222222222222222222222222222222222222222"
#define CAPS "multi_ack side-band-64k ofs-delta no-progress symref=HEAD:refs/heads/main agent=git/2.39.5"

/* An advertisement: the service line, a flush, the ref lines (the first with
 * caps after a NUL), a flush. */
static void advert(struct strbuf *b, const char *caps, const char *const *refs)
{
	struct strbuf l = STRBUF_INIT;
	sb_reset(b);
	gitr_pkt_line(b, "# service=git-upload-pack\n", 26);
	sb_adds(b, "0000");
	for (int first = 1; *refs; refs++, first = 0) {
		sb_reset(&l);
		sb_adds(&l, *refs);
		if (first) {
			sb_addc(&l, 0);
			sb_adds(&l, caps);
		}
		sb_addc(&l, '\n');
		gitr_pkt_line(b, l.buf, l.len);
	}
	sb_adds(b, "0000");
	sb_release(&l);
}

/* gitr_upload_advert for branch (NULL: the default); *got the branch after. */
static int find(const struct strbuf *b, const char *branch, char **got, char *hex)
{
	git_oid id;
	*got = branch ? xstrdup(branch) : NULL;
	int rc = gitr_upload_advert(b->buf, b->len, got, &id);
	if (rc == 1)
		git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &id);
	return rc;
}

static void test_branch(void)
{
	struct strbuf b = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1] = "", *br = NULL;
	advert(&b, CAPS, (const char *const[]){ MAIN " HEAD", DEV " refs/heads/dev", MAIN " refs/heads/main", NULL });
	CHECK_INT(find(&b, "dev", &br, hex), 1);
	CHECK_STR(hex, DEV);
	free(br);
	CHECK_INT(find(&b, NULL, &br, hex), 1); /* the default: HEAD's symref */
	CHECK_STR(br, "main");
	CHECK_STR(hex, MAIN);
	free(br);
	CHECK_INT(find(&b, "nope", &br, hex), 0);
	free(br);
	CHECK_INT(find(&b, "mai", &br, hex), 0); /* a prefix of a name is not it */
	free(br);
	sb_release(&b);
}

static void test_fallback(void)
{
	struct strbuf b = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1] = "", *br = NULL;
	/* side-band but no side-band-64k: the pack could not be read here */
	advert(&b, "multi_ack side-band ofs-delta symref=HEAD:refs/heads/main", (const char *const[]){ MAIN " refs/heads/main", NULL });
	CHECK_INT(find(&b, "main", &br, hex), -1);
	free(br);
	/* no symref: the default branch unknown */
	advert(&b, "side-band-64k ofs-delta", (const char *const[]){ MAIN " refs/heads/main", NULL });
	CHECK_INT(find(&b, NULL, &br, hex), -1);
	CHECK(br == NULL);
	/* an empty repository */
	advert(&b, "side-band-64k", (const char *const[]){ "0000000000000000000000000000000000000000 capabilities^{}", NULL });
	CHECK_INT(find(&b, "main", &br, hex), 0);
	free(br);
	/* not an advertisement of git-upload-pack: a dumb server's info/refs */
	sb_reset(&b);
	sb_adds(&b, MAIN "\trefs/heads/main\n");
	CHECK_INT(find(&b, "main", &br, hex), -1);
	free(br);
	/* cut short before its flush */
	advert(&b, CAPS, (const char *const[]){ MAIN " refs/heads/main", NULL });
	b.len -= 4;
	CHECK_INT(find(&b, "main", &br, hex), -1);
	free(br);
	sb_release(&b);
}

static char dir[] = "/tmp/cloudctl-test-gitadvert.XXXXXX";

/* A pack of one blob (its id in *id), made in a repository of its own. */
static void make_pack(git_buf *pack, git_oid *id)
{
	git_repository *src = NULL;
	git_packbuilder *pb = NULL;
	char *path = xasprintf("%s/src", dir);
	CHECK(git_repository_init(&src, path, 1) == 0);
	CHECK(git_blob_create_from_buffer(id, src, "newTag: v2\n", 11) == 0);
	CHECK(git_packbuilder_new(&pb, src) == 0 && git_packbuilder_insert(pb, id, NULL) == 0);
	CHECK(git_packbuilder_write_buf(pack, pb) == 0);
	git_packbuilder_free(pb);
	git_repository_free(src);
	free(path);
}

/* upload-pack's answer with the pack cut in side-band 1 packets of at most
 * chunk bytes, after NAK; before the flush, extra (a band 2 or 3 packet). */
static void result(struct strbuf *b, const git_buf *pack, size_t chunk, const char *extra)
{
	sb_reset(b);
	gitr_pkt_line(b, "NAK\n", 4);
	for (size_t off = 0; off < pack->size; off += chunk) {
		size_t n = pack->size - off < chunk ? pack->size - off : chunk;
		struct strbuf p = STRBUF_INIT;
		sb_addc(&p, 1);
		sb_add(&p, pack->ptr + off, n);
		gitr_pkt_line(b, p.buf, p.len);
		sb_release(&p);
	}
	if (extra)
		gitr_pkt_line(b, extra, strlen(extra));
	sb_adds(b, "0000");
}

/* gitr_upload_result into repository NAME, committed when it says 0: whether
 * blob id is there afterwards. */
static int read_into(const char *name, const struct strbuf *b, int *rc, const git_oid *id)
{
	git_repository *dst = NULL;
	git_odb *odb = NULL;
	git_odb_writepack *wp = NULL;
	git_indexer_progress st = { 0 };
	char *path = xasprintf("%s/%s", dir, name);
	CHECK(git_repository_init(&dst, path, 1) == 0 && git_repository_odb(&odb, dst) == 0);
	CHECK(git_odb_write_pack(&wp, odb, NULL, NULL) == 0);
	*rc = gitr_upload_result(b->buf, b->len, wp, &st);
	if (*rc == 0)
		CHECK(wp->commit(wp, &st) == 0);
	wp->free(wp);
	int there = git_odb_exists(odb, id);
	git_odb_free(odb);
	git_repository_free(dst);
	free(path);
	return there;
}

static void test_pack(void)
{
	git_buf pack = { 0 };
	git_oid id;
	struct strbuf b = STRBUF_INIT;
	int rc;
	make_pack(&pack, &id);
	result(&b, &pack, 7, "\002counting objects\n"); /* small packets, a progress line */
	CHECK(read_into("ok", &b, &rc, &id) == 1);
	CHECK_INT(rc, 0);
	result(&b, &pack, 65515, "\003fatal: the server gave up"); /* band 3: nothing kept */
	CHECK(read_into("fatal", &b, &rc, &id) == 0);
	CHECK_INT(rc, -1);
	result(&b, &pack, 65515, NULL);
	b.len -= 4; /* cut before the flush */
	CHECK(read_into("cut", &b, &rc, &id) == 0);
	CHECK_INT(rc, -1);
	sb_reset(&b);
	gitr_pkt_line(&b, "ERR upload-pack: not our ref\n", 29);
	CHECK(read_into("err", &b, &rc, &id) == 0);
	CHECK_INT(rc, -1);
	git_buf_dispose(&pack);
	sb_release(&b);
}

int main(void)
{
	gitr_init();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_branch);
	RUN(test_fallback);
	RUN(test_pack);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	return CHECK_DONE("gitadvert");
}
