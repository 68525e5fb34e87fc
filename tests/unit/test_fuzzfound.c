/* test_fuzzfound.c: the inputs a fuzzing campaign found that broke a parser of
 * outside input (issue 18), kept as regression tests. Each was a crash or a
 * leak under ASan; run under the ASan build it fails again if the bug returns. */
#include "check.h"
#include "git/remote_private.h"
#include "oci/registry_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define OID "1111111111111111111111111111111111111111"

/* An advertisement: service line, flush, the given pkt-lines, flush. */
static void advert(struct strbuf *b, const char *lines)
{
	sb_reset(b);
	gitr_pkt_line(b, "# service=git-upload-pack\n", 26);
	sb_adds(b, "0000");
	sb_adds(b, lines);
	sb_adds(b, "0000");
}

/* symref=HEAD:x names no branch and is shorter than "refs/heads/": the default
 * branch was read 11 bytes into it, past the allocation. */
static void test_symref_not_a_branch(void)
{
	struct strbuf b = STRBUF_INIT, l = STRBUF_INIT;
	sb_adds(&l, OID " x");
	sb_addc(&l, 0);
	sb_adds(&l, "side-band-64k symref=HEAD:x\n");
	sb_reset(&b);
	gitr_pkt_line(&b, "# service=git-upload-pack\n", 26);
	sb_adds(&b, "0000");
	gitr_pkt_line(&b, l.buf, l.len);
	sb_adds(&b, "0000");
	char *branch = NULL;
	git_oid id;
	CHECK_INT(gitr_upload_advert(b.buf, b.len, &branch, &id), -1);
	CHECK(branch == NULL);
	free(branch);
	sb_release(&l);
	sb_release(&b);
}

/* "0004", an empty first ref line: data[n - 1] was data[-1]. */
static void test_empty_first_ref_line(void)
{
	struct strbuf b = STRBUF_INIT;
	advert(&b, "0004");
	char *branch = xstrdup("main");
	git_oid id;
	CHECK_INT(gitr_upload_advert(b.buf, b.len, &branch, &id), -1);
	CHECK_STR(branch, "main");
	free(branch);
	sb_release(&b);
}

/* A parameter repeated in a WWW-Authenticate challenge leaked the first value;
 * the first is kept (LeakSanitizer in the ASan build says if one leaks). */
static void test_challenge_repeated_params(void)
{
	struct challenge c;
	reg_parse_challenge("Bearer realm=\"https://a/token\",realm=\"https://b/token\",service=s1,service=s2,"
			    "error=e1,error=e2",
			    &c);
	CHECK_INT(c.scheme, AUTH_BEARER);
	CHECK_STR(c.realm, "https://a/token");
	CHECK_STR(c.service, "s1");
	CHECK_STR(c.error, "e1");
	reg_challenge_release(&c);
	reg_parse_challenge("Basic service,service", &c);
	CHECK_INT(c.scheme, AUTH_BASIC);
	reg_challenge_release(&c);
}

int main(void)
{
	RUN(test_symref_not_a_branch);
	RUN(test_empty_first_ref_line);
	RUN(test_challenge_repeated_params);
	return CHECK_DONE("fuzzfound");
}
