/* test_secret.c: lib/secret.c, the one way to forget a credential. */
#include "check.h"
#include "secret.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_wipe(void)
{
	char buf[] = "hunter2-password";
	secret_wipe(buf, sizeof buf);
	CHECK(all_zero(buf, sizeof buf));
	char part[] = "abcdef";
	secret_wipe(part, 3);
	CHECK(all_zero(part, 3));
	CHECK_STR(part + 3, "def");
	secret_wipe(NULL, 0);
}

static void test_free(void)
{
	secret_free(NULL);
	secret_free(xstrdup(""));
	secret_free(xstrdup("a token")); /* ASan and valgrind see it freed */
	CHECK(1);
}

static void test_sb_release(void)
{
	struct strbuf sb = STRBUF_INIT;
	secret_sb_release(&sb); /* never allocated: sb_empty is not written */
	CHECK_INT(sb.len, 0);
	CHECK_STR(sb.buf, "");
	sb_adds(&sb, "Basic dXNlcjpwYXNz");
	secret_sb_release(&sb);
	CHECK_INT(sb.len, 0);
	CHECK_INT(sb.cap, 0);
	CHECK_STR(sb.buf, "");
}

int main(void)
{
	RUN(test_wipe);
	RUN(test_free);
	RUN(test_sb_release);
	return CHECK_DONE("secret");
}
