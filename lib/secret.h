/* secret.h: the one way to forget a credential (password, token, application
 * credential secret, private key passphrase, registry token, an Authorization
 * header or any buffer that held one).
 *
 * Rule (tests/cli/secret-wipe.sh enforces it): outside lib/secret.c, no
 * explicit_bzero, no memset(..., 0, strlen(...)) or memset(buf, 0, len) of a
 * string, no volatile wiping loop, no free() of a field named password,
 * passphrase, token, secret or auth_header: call secret_free, secret_wipe or
 * secret_sb_release. memset before free is a dead store the compiler may drop;
 * explicit_bzero is not. A strbuf that holds one starts from STRBUF_SECRET_INIT
 * (util.h), so that growing it wipes the blocks it leaves. */
#ifndef CLOUDCTL_SECRET_H
#define CLOUDCTL_SECRET_H

#include <stddef.h>

struct strbuf;

/* Overwrite n bytes at p with zeros, in a way the compiler keeps. */
void secret_wipe(void *p, size_t n);
/* Wipe the string s up to its NUL, then free it; NULL is fine. */
void secret_free(char *s);
/* Wipe every byte sb has allocated, then release it. */
void secret_sb_release(struct strbuf *sb);
/* From now on every block jansson frees is wiped first: what it parsed (a
 * Keystone or registry token, a docker config auth, a kubeconfig token) and
 * the lexer's buffers that held it. tool_main calls it for every tool. */
void secret_json_wipe_on_free(void);

#endif
