/* test_utf8.c: lib/utf8.c, the one UTF-8 validator (records, YAML emitter,
 * YAML editor), against a table of well-formed and ill-formed sequences. */
#include "check.h"
#include "utf8.h"

#include <string.h>

struct seq {
	const char *bytes;
	size_t len;          /* utf8_decode's answer for the first sequence */
	unsigned long cp;    /* its code point, when len > 0 */
	const char *what;
};

#define S(b, l, c, w) { b, l, c, w }

static const struct seq table[] = {
	S("A", 1, 0x41, "ASCII"),
	S("\x7f", 1, 0x7f, "DEL is ASCII"),
	S("\xc2\x80", 2, 0x80, "lowest 2-byte"),
	S("\xdf\xbf", 2, 0x7ff, "highest 2-byte"),
	S("\xe0\xa0\x80", 3, 0x800, "lowest 3-byte"),
	S("\xed\x9f\xbf", 3, 0xd7ff, "below the surrogates"),
	S("\xee\x80\x80", 3, 0xe000, "above the surrogates"),
	S("\xef\xbf\xbf", 3, 0xffff, "highest 3-byte"),
	S("\xf0\x90\x80\x80", 4, 0x10000, "lowest 4-byte"),
	S("\xf4\x8f\xbf\xbf", 4, 0x10ffff, "U+10FFFF"),
	S("\xc0\xaf", 0, 0, "overlong '/' in 2 bytes"),
	S("\xc1\xbf", 0, 0, "overlong DEL in 2 bytes"),
	S("\xe0\x80\xaf", 0, 0, "overlong '/' in 3 bytes"),
	S("\xe0\x9f\xbf", 0, 0, "overlong U+07FF in 3 bytes"),
	S("\xf0\x80\x80\xaf", 0, 0, "overlong '/' in 4 bytes"),
	S("\xf0\x8f\xbf\xbf", 0, 0, "overlong U+FFFF in 4 bytes"),
	S("\xed\xa0\x80", 0, 0, "surrogate U+D800"),
	S("\xed\xbf\xbf", 0, 0, "surrogate U+DFFF"),
	S("\xf4\x90\x80\x80", 0, 0, "U+110000"),
	S("\xf5\x80\x80\x80", 0, 0, "lead byte F5"),
	S("\xff", 0, 0, "byte FF"),
	S("\x80", 0, 0, "lone continuation byte"),
	S("\xc3", 0, 0, "truncated 2-byte"),
	S("\xe2\x9c", 0, 0, "truncated 3-byte"),
	S("\xf0\x9f\x98", 0, 0, "truncated 4-byte"),
	S("\xe2\x28\xa1", 0, 0, "bad second byte"),
	S("\xe2\x9c\x28", 0, 0, "bad third byte"),
};

static void test_decode_table(void)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct seq *t = &table[i];
		unsigned long cp = 0xdeadbeef;
		size_t n = strlen(t->bytes);
		size_t got = utf8_decode((const unsigned char *)t->bytes, n, &cp);
		if (got != t->len || (got && cp != t->cp))
			printf("    %s: got %zu U+%04lX\n", t->what, got, cp);
		CHECK_INT(got, t->len);
		if (t->len)
			CHECK_INT(cp, t->cp);
		CHECK_INT(utf8_valid(t->bytes, n), t->len == n);
		CHECK(utf8_decode((const unsigned char *)t->bytes, n, NULL) == t->len);
	}
}

static void test_invalid_at(void)
{
	const char *s = "ab\xc3\xa9" "c\xed\xa0\x80" "d";
	CHECK_INT(utf8_invalid_at(s, strlen(s)), 5);
	CHECK_INT(utf8_invalid_at(s, 5), 5);
	CHECK(utf8_valid(s, 5));
	/* A sequence cut by the length given is truncated, whatever follows. */
	CHECK_INT(utf8_invalid_at("\xc3\xa9", 1), 0);
	CHECK(utf8_valid("", 0));
}

int main(void)
{
	RUN(test_decode_table);
	RUN(test_invalid_at);
	return CHECK_DONE("utf8");
}
