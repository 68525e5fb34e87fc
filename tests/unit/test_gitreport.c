/* test_gitreport.c: receive-pack's answer to cloudctl-deploy's one-request
 * push over https (lib/git/remote_http.c): report-status in side-band-64k or
 * plain, a refusal's reason with the hook's last line, malformed answers. */
#include "check.h"
#include "git/remote_private.h"
#include "util.h"

#include <string.h>

/* A side-band packet: band, then the text. */
static void band(struct strbuf *b, char n, const char *s)
{
	struct strbuf t = STRBUF_INIT;
	sb_addc(&t, n);
	sb_adds(&t, s);
	gitr_pkt_line(b, t.buf, t.len);
	sb_release(&t);
}

static void report(struct strbuf *r, const char *const *lines)
{
	for (; *lines; lines++)
		gitr_pkt_line(r, *lines, strlen(*lines));
	sb_adds(r, "0000");
}

static int run(const struct strbuf *b, struct strbuf *why)
{
	return gitr_receive_report(b->buf, b->len, "refs/heads/main", why);
}

/* receive-pack's answer in side-band-64k: msg (band 2, unless NULL), then
 * the report of lines (band 1), then a flush; parsed for refs/heads/main. */
static int answer(const char *msg, const char *const *lines, struct strbuf *why)
{
	struct strbuf r = STRBUF_INIT, b = STRBUF_INIT;
	report(&r, lines);
	if (msg)
		band(&b, 2, msg);
	band(&b, 1, r.buf);
	sb_adds(&b, "0000");
	int rc = run(&b, why);
	sb_release(&r);
	sb_release(&b);
	return rc;
}

static void test_ok(void)
{
	struct strbuf r = STRBUF_INIT, why = STRBUF_INIT;
	CHECK_INT(answer(NULL, (const char *const[]){ "unpack ok\n", "ok refs/heads/main\n", NULL }, &why), 0);
	/* without side-band: the report as is */
	report(&r, (const char *const[]){ "unpack ok\n", "ok refs/heads/main\n", NULL });
	CHECK_INT(run(&r, &why), 0);
	/* another ref's ok is not ours */
	CHECK_INT(answer(NULL, (const char *const[]){ "unpack ok\n", "ok refs/heads/mainline\n", NULL }, &why), -1);
	sb_release(&r);
	sb_release(&why);
}

static void test_refused(void)
{
	struct strbuf why = STRBUF_INIT;
	CHECK_INT(answer("cloudctl test remote: no pushes here\n",
			 (const char *const[]){ "unpack ok\n", "ng refs/heads/main pre-receive hook declined\n", NULL }, &why),
		  GITR_REJECTED);
	CHECK_STR(why.buf, "pre-receive hook declined (remote: cloudctl test remote: no pushes here)");
	/* a moved branch: the last line of the messages is kept */
	CHECK_INT(answer("hint: one\nerror: cannot lock ref 'refs/heads/main': is at 1111 but expected 2222\r\n",
			 (const char *const[]){ "unpack ok\n", "ng refs/heads/main failed to update ref\n", NULL }, &why),
		  GITR_REJECTED);
	CHECK_STR(why.buf, "failed to update ref (remote: error: cannot lock ref 'refs/heads/main': is at 1111 but expected 2222)");
	/* the pack not taken */
	CHECK_INT(answer(NULL,
			 (const char *const[]){ "unpack index-pack abnormal exit\n", "ng refs/heads/main unpacker error\n", NULL },
			 &why),
		  GITR_REJECTED);
	CHECK_STR(why.buf, "unpacker error");
	sb_release(&why);
}

static void test_malformed(void)
{
	struct strbuf b = STRBUF_INIT, why = STRBUF_INIT;
	sb_adds(&b, "00zzunpack ok");
	CHECK_INT(run(&b, &why), -1);
	sb_reset(&b);
	sb_adds(&b, "00ff\001short");
	CHECK_INT(run(&b, &why), -1);
	sb_reset(&b);
	band(&b, 3, "fatal: the server gave up");
	CHECK_INT(run(&b, &why), -1);
	CHECK_STR(why.buf, "fatal: the server gave up");
	sb_reset(&b);
	CHECK_INT(run(&b, &why), -1); /* nothing at all */
	sb_release(&b);
	sb_release(&why);
}

int main(void)
{
	RUN(test_ok);
	RUN(test_refused);
	RUN(test_malformed);
	return CHECK_DONE("gitreport");
}
