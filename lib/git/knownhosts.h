/* knownhosts.h: check an ssh server's host key against OpenSSH known_hosts files.
 *
 * libgit2 1.5 does not read known_hosts: its certificate_check callback hands
 * us the raw host key, and this decides, as `ssh -o StrictHostKeyChecking=yes`
 * does. Understood: comma-separated host patterns with * and ? wildcards and
 * ! negation, "[host]:port" for ports other than 22, hashed names
 * (|1|salt|hmac-sha1), @revoked. @cert-authority lines are skipped (libssh2
 * gives no certificates). */
#ifndef CLOUDCTL_GIT_KNOWNHOSTS_H
#define CLOUDCTL_GIT_KNOWNHOSTS_H

#include <stddef.h>

#include "util.h"

enum kh_result {
	KH_MATCH = 0,    /* a line lists this host with exactly this key */
	KH_UNKNOWN = 1,  /* no line for this host with a key of this type */
	KH_CHANGED = 2,  /* the host is listed with another key of this type */
	KH_REVOKED = 3,  /* an @revoked line names this key */
};

/* host: the name as written in the URL; port: 22 or another. key: the raw key
 * blob as the server sent it (its first field names its type). files: a
 * NULL-terminated list of known_hosts paths; missing files count as empty.
 * where (may be NULL) gets "FILE:LINE" of the line that decided CHANGED or
 * REVOKED. Returns a kh_result, or -1 with err when a file cannot be read. */
int kh_check(const char *const *files, const char *host, int port, const unsigned char *key,
	     size_t keylen, struct strbuf *where, struct strbuf *err);

/* The key type named inside a raw key blob ("ssh-ed25519"), into out. */
void kh_key_type(const unsigned char *key, size_t keylen, struct strbuf *out);

/* Whether name matches one OpenSSH pattern (* and ?), case-insensitively. */
int kh_pattern_match(const char *pattern, const char *name);

#endif
