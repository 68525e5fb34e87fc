/* test_base64.c: lib/util.c's base64, the one encoder (Basic auth, Nova's
 * user_data, docker config) and decoder: RFC 4648's test vectors both ways. */
#include "check.h"
#include "util.h"

#include <string.h>

static const char *const vectors[][2] = {
	{ "", "" },          { "f", "Zg==" },         { "fo", "Zm8=" },
	{ "foo", "Zm9v" },   { "foob", "Zm9vYg==" },  { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void test_rfc4648(void)
{
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		struct strbuf enc = STRBUF_INIT, dec = STRBUF_INIT;
		base64_encode(&enc, (const unsigned char *)vectors[i][0], strlen(vectors[i][0]));
		CHECK_STR(enc.buf, vectors[i][1]);
		CHECK_INT(base64_decode(vectors[i][1], &dec), 0);
		CHECK_STR(dec.buf, vectors[i][0]);
		sb_release(&enc);
		sb_release(&dec);
	}
}

static void test_every_byte(void)
{
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	struct strbuf enc = STRBUF_INIT, dec = STRBUF_INIT;
	base64_encode(&enc, all, sizeof all);
	CHECK_INT(enc.len, 344);
	CHECK_INT(base64_decode(enc.buf, &dec), 0);
	CHECK_INT(dec.len, sizeof all);
	CHECK(dec.len == sizeof all && memcmp(dec.buf, all, sizeof all) == 0);
	sb_release(&enc);
	sb_release(&dec);
}

int main(void)
{
	RUN(test_rfc4648);
	RUN(test_every_byte);
	return CHECK_DONE("base64");
}
