/* creds.h: https user names and passwords (or tokens) for a git remote, from
 * the places git users keep them. Secrets are never printed. */
#ifndef CLOUDCTL_GIT_CREDS_H
#define CLOUDCTL_GIT_CREDS_H

#include "util.h"

/* A URL's parts: scheme://[user[:password]@]host[:port][/path]. Percent-escapes
 * in user and password are decoded. */
struct git_url {
	char *scheme, *user, *password, *host, *path;
	int port; /* 0 when the URL names none */
};
/* Returns 0, or -1 when url has no "scheme://". */
int git_url_parse(const char *url, struct git_url *u);
void git_url_clear(struct git_url *u);

struct git_userpass {
	char *user, *password;
};

/* Find a user and password for url, first hit wins:
 *   user/password given (options), the URL's own user:password@,
 *   $CLOUDCTL_GIT_USERNAME and $CLOUDCTL_GIT_PASSWORD (a token works as password),
 *   git's credential-store files: $GIT_CREDENTIALS_FILE when set, else
 *   ~/.git-credentials and $XDG_CONFIG_HOME/git/credentials (~/.config/...),
 *   lines "https://user:password@host[:port][/path]" matched by scheme, host and
 *   port (and user, when one is known; and path, when the line has one, as
 *   with git's credential.useHttpPath), as `git credential-store` does.
 * A credentials file others may read is used with a warning, as git does not.
 * Returns 1 with out filled (free with git_userpass_clear), 0 when none. */
int git_creds_lookup(const char *url, const char *user, const char *password, struct git_userpass *out);
void git_userpass_clear(struct git_userpass *up);

/* The lookup in one credential-store file (for tests). Same results. */
int git_creds_from_file(const char *file, const struct git_url *want, struct git_userpass *out);

#endif
