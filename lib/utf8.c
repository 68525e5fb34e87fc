/* utf8.c: see utf8.h. */
#include "utf8.h"

static int in_range(unsigned char c, unsigned char lo, unsigned char hi)
{
	return c >= lo && c <= hi;
}

/* The length a sequence led by c has and the range its second byte must fall
 * in; the narrowed ranges after E0, ED, F0 and F4 are what exclude overlong
 * forms, surrogates and code points above U+10FFFF. 0 when c leads nothing. */
static size_t lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (in_range(c, 0xc2, 0xdf))
		return 2;
	if (in_range(c, 0xe0, 0xef)) {
		*lo = c == 0xe0 ? 0xa0 : 0x80;
		*hi = c == 0xed ? 0x9f : 0xbf;
		return 3;
	}
	if (in_range(c, 0xf0, 0xf4)) {
		*lo = c == 0xf0 ? 0x90 : 0x80;
		*hi = c == 0xf4 ? 0x8f : 0xbf;
		return 4;
	}
	return 0;
}

size_t utf8_decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	unsigned char lo, hi;
	size_t len = lead(p[0], &lo, &hi);
	if (!len || len > n)
		return 0;
	unsigned long c = len == 1 ? p[0] : p[0] & (0x7fu >> len);
	for (size_t i = 1; i < len; i++) {
		if (!in_range(p[i], i == 1 ? lo : 0x80, i == 1 ? hi : 0xbf))
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (cp)
		*cp = c;
	return len;
}

size_t utf8_invalid_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = utf8_decode(p + i, n - i, NULL);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

int utf8_valid(const char *s, size_t n)
{
	return utf8_invalid_at(s, n) == n;
}
