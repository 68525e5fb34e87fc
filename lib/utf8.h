/* utf8.h: the one UTF-8 validator. Records, the YAML emitter and the YAML
 * editor all decide "is this UTF-8" here, so none is laxer than another. */
#ifndef CLOUDCTL_UTF8_H
#define CLOUDCTL_UTF8_H

#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at p (n bytes available, n >= 1),
 * its code point in *cp when cp is not NULL; or 0. Overlong forms,
 * surrogates, code points above U+10FFFF and truncated sequences are not
 * well-formed (Unicode's table 3-7). */
size_t utf8_decode(const unsigned char *p, size_t n, unsigned long *cp);

/* Offset of the first byte of s that does not start a well-formed sequence, or n. */
size_t utf8_invalid_at(const char *s, size_t n);

/* Whether all n bytes of s are well-formed UTF-8. */
int utf8_valid(const char *s, size_t n);

#endif
