/* test_secret.c: lib/secret.c, the one way to forget a credential. */
#include "check.h"
#include "secret.h"
#include "util.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Freed memory cannot be read, so the wipes are watched as they happen: this
 * test defines explicit_bzero, which secret_wipe calls (the executable's
 * definition is the one lib/secret.c links to), and notes each block it is
 * given while that block still holds what it held. Under ASan a wipe of a
 * block already freed would be reported here, so a wipe seen is a wipe
 * before the free. (With _FORTIFY_SOURCE glibc would call
 * __explicit_bzero_chk instead: this build does not set it.) */
static struct {
	const char *marker; /* note the wipes of blocks that hold it */
	size_t calls, marked;
	const void *last;
	size_t last_n;
} wipes;

void explicit_bzero(void *p, size_t n)
{
	wipes.calls++;
	wipes.last = p;
	wipes.last_n = n;
	if (wipes.marker && memmem(p, n, wipes.marker, strlen(wipes.marker)))
		wipes.marked++;
	memset(p, 0, n);
}

static void watch(const char *marker)
{
	memset(&wipes, 0, sizeof wipes);
	wipes.marker = marker;
}

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

/* A secret strbuf that grows wipes the block it leaves; a plain one does not. */
static void test_sb_secret_growth(void)
{
	struct strbuf sb = STRBUF_SECRET_INIT;
	sb_adds(&sb, "Bearer tok-0042");
	uintptr_t first = (uintptr_t)sb.buf;
	size_t first_cap = sb.cap;
	watch("tok-0042");
	while (sb.cap == first_cap)
		sb_adds(&sb, "-more");
	CHECK_INT(wipes.calls, 1);
	CHECK_INT(wipes.marked, 1);
	CHECK((uintptr_t)wipes.last == first);
	CHECK_INT(wipes.last_n, first_cap);
	CHECK_STR(sb.buf, "Bearer tok-0042-more");
	CHECK_INT(sb.len, strlen(sb.buf));
	watch("tok-0042");
	sb_release(&sb); /* a secret one is wiped by sb_release too */
	CHECK_INT(wipes.marked, 1);
	CHECK_INT(sb.secret, 1); /* and stays secret for its next use */

	struct strbuf plain = STRBUF_INIT;
	sb_adds(&plain, "name=vm-1");
	watch("vm-1");
	for (size_t cap = plain.cap; plain.cap == cap;)
		sb_adds(&plain, " more");
	sb_release(&plain);
	CHECK_INT(wipes.calls, 0);
}

/* The first block of a secret strbuf: there is no old one to wipe. */
static void test_sb_secret_first_growth(void)
{
	struct strbuf sb = STRBUF_SECRET_INIT;
	watch("x");
	sb_addc(&sb, 'x'); /* the first block: nothing to wipe yet */
	CHECK_INT(wipes.calls, 0);
	CHECK_STR(sb.buf, "x");
	secret_sb_release(&sb);
	CHECK_INT(wipes.marked, 1);
}

/* After secret_json_wipe_on_free, what jansson parsed is wiped when freed. */
static void test_json_wipe(void)
{
	secret_json_wipe_on_free();
	json_t *doc = json_loads("{\"token\": \"gAAAAB-keystone-token\"}", 0, NULL);
	CHECK(doc != NULL);
	watch("gAAAAB-keystone-token");
	json_decref(doc);
	CHECK(wipes.marked >= 1);
	json_set_alloc_funcs(malloc, free);
	doc = json_loads("{\"token\": \"gAAAAB-keystone-token\"}", 0, NULL);
	watch("gAAAAB-keystone-token");
	json_decref(doc);
	CHECK_INT(wipes.calls, 0);
}

int main(void)
{
	RUN(test_wipe);
	RUN(test_free);
	RUN(test_sb_release);
	RUN(test_sb_secret_growth);
	RUN(test_sb_secret_first_growth);
	RUN(test_json_wipe);
	return CHECK_DONE("secret");
}
