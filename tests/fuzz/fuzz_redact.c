/* fuzz_redact.c: the redaction of -vv traces. Property: a secret given to the
 * client (a password in a JSON body, a form, a URL's userinfo, an
 * Authorization header) never appears in what is printed. The input is split
 * at the first NUL: the secret, then the text around it. */
#include "fuzz.h"
#include "http.h"
#include "redact.h"

#include <string.h>

static int plain_secret(const char *s)
{
	if (strlen(s) < 6)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

static void check(char *out, const char *secret)
{
	FUZZ_ASSERT(!strstr(out, secret));
	free(out);
}

/* The text the secret is put in, and what redaction writes instead, must not
 * hold it already ("password" as a secret is in {"password":...}). */
static int in_template(const char *secret)
{
	static const char *const words[] = { "{\"auth\":{\"password\":\"\"},\"x\":\"\"}",
					     "grant_type=password&password=&", "https://user:@host/",
					     "Authorization: Bearer ", "<redacted>" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strstr(words[i], secret))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	if (!nul)
		return 0;
	char *secret = fuzz_str(data, (size_t)(nul - data));
	char *around = fuzz_str(nul + 1, size - (size_t)(nul - data) - 1);
	if (plain_secret(secret) && !in_template(secret) && !strstr(around, secret)) {
		struct strbuf b = STRBUF_INIT;
		sb_addf(&b, "{\"auth\":{\"password\":\"%s\"},\"x\":\"%s\"}", secret, around);
		check(redact_body(b.buf, b.len), secret);
		sb_reset(&b);
		sb_addf(&b, "grant_type=password&password=%s&%s", secret, around);
		check(redact_body(b.buf, b.len), secret);
		sb_reset(&b);
		sb_addf(&b, "https://user:%s@host/%s", secret, around);
		check(redact_url(b.buf), secret);
		sb_reset(&b);
		sb_addf(&b, "Authorization: Bearer %s", secret);
		check(redact_header(b.buf), secret);
		sb_release(&b);
	}
	char *h = redact_header(around);
	free(h);
	free(secret);
	free(around);
	return 0;
}
