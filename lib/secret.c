/* secret.c: see secret.h. The only file that calls explicit_bzero. */
#define _DEFAULT_SOURCE
#include "secret.h"
#include "util.h"

#include <jansson.h>
#include <malloc.h>
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

/* jansson does not say a block's size when it frees it: the allocator does. */
static void json_free_wiped(void *p)
{
	if (!p)
		return;
	secret_wipe(p, malloc_usable_size(p));
	free(p);
}

void secret_json_wipe_on_free(void)
{
	json_set_alloc_funcs(malloc, json_free_wiped);
}
