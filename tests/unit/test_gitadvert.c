/* test_gitadvert.c: upload-pack's ref advertisement as cloudctl-deploy's fetch
 * over https reads it (lib/git/remote_fetch_http.c): the branch's commit, the
 * default branch from HEAD's symref capability, what sends it to libgit2. */
#include "check.h"
#include "git/remote_private.h"
#include "util.h"

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

int main(void)
{
	RUN(test_branch);
	RUN(test_fallback);
	return CHECK_DONE("gitadvert");
}
