/* secret.c: see secret.h. The only file that calls explicit_bzero. */
#define _DEFAULT_SOURCE
#include "secret.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void secret_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void secret_free(char *s)
{
	if (!s)
		return;
	secret_wipe(s, strlen(s));
	free(s);
}

void secret_sb_release(struct strbuf *sb)
{
	if (sb->cap)
		secret_wipe(sb->buf, sb->cap);
	sb_release(sb);
}
