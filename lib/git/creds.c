/* creds.c: https credentials for git remotes (git-credential-store(1) format). */
#include "creds.h"
#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"

static char *pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = 0;
	return out;
}

int git_url_parse(const char *url, struct git_url *u)
{
	memset(u, 0, sizeof *u);
	const char *sep = strstr(url, "://");
	if (!sep || sep == url)
		return -1;
	u->scheme = xstrndup(url, (size_t)(sep - url));
	const char *auth = sep + 3, *slash = auth + strcspn(auth, "/");
	const char *at = memrchr(auth, '@', (size_t)(slash - auth));
	const char *host = auth;
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		u->user = pct_decode(auth, (size_t)((colon ? colon : at) - auth));
		if (colon)
			u->password = pct_decode(colon + 1, (size_t)(at - colon - 1));
		host = at + 1;
	}
	/* git credential-store writes host:port as "host%3aport": decoded first. */
	char *hp = pct_decode(host, (size_t)(slash - host));
	char *hend = hp + strlen(hp), *port = NULL;
	if (*hp == '[') { /* [::1]:port */
		char *rb = strchr(hp, ']');
		if (rb && rb[1] == ':')
			port = rb + 2, hend = rb + 1;
	} else {
		char *colon = strchr(hp, ':');
		if (colon)
			port = colon + 1, hend = colon;
	}
	u->host = xstrndup(hp, (size_t)(hend - hp));
	if (port)
		u->port = atoi(port);
	free(hp);
	u->path = xstrdup(*slash ? slash : "/");
	return 0;
}

void git_url_clear(struct git_url *u)
{
	free(u->scheme);
	free(u->user);
	secret_free(u->password);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof *u);
}

void git_userpass_clear(struct git_userpass *up)
{
	secret_free(up->password);
	free(up->user);
	up->user = up->password = NULL;
}

static int default_port(const char *scheme)
{
	return !strcasecmp(scheme, "https") ? 443 : !strcasecmp(scheme, "http") ? 80 : 0;
}

static int same_place(const struct git_url *a, const struct git_url *b)
{
	int pa = a->port ? a->port : default_port(a->scheme), pb = b->port ? b->port : default_port(b->scheme);
	return !strcasecmp(a->scheme, b->scheme) && !strcasecmp(a->host, b->host) && pa == pb;
}

/* A stored line with a path is for that repository only (git's
 * credential.useHttpPath); one without is for the whole host. */
static int path_matches(const struct git_url *want, const struct git_url *have)
{
	return !strcmp(have->path, "/") || !strcmp(have->path, want->path);
}

static void warn_if_readable(const char *file, FILE *f)
{
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
		warnx("%s: readable by others (mode %03o): chmod 600 it", file, (unsigned)(st.st_mode & 0777));
}

int git_creds_from_file(const char *file, const struct git_url *want, struct git_userpass *out)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	warn_if_readable(file, f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int found = 0;
	while (!found && (n = getline(&line, &cap, f)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		struct git_url have;
		if (git_url_parse(line, &have) < 0)
			continue;
		if (have.user && have.password && same_place(want, &have) && path_matches(want, &have) &&
		    (!want->user || !strcmp(want->user, have.user))) {
			out->user = xstrdup(have.user);
			out->password = xstrdup(have.password);
			found = 1;
		}
		git_url_clear(&have);
	}
	secret_wipe(line, cap);
	free(line);
	fclose(f);
	return found;
}

static int from_files(const struct git_url *want, struct git_userpass *out)
{
	const char *only = getenv("GIT_CREDENTIALS_FILE");
	if (only && *only)
		return git_creds_from_file(only, want, out);
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char *files[2] = { NULL, NULL };
	if (home && *home)
		files[0] = xasprintf("%s/.git-credentials", home);
	if (xdg && *xdg)
		files[1] = xasprintf("%s/git/credentials", xdg);
	else if (home && *home)
		files[1] = xasprintf("%s/.config/git/credentials", home);
	int found = 0;
	for (int i = 0; i < 2 && !found; i++)
		if (files[i])
			found = git_creds_from_file(files[i], want, out);
	free(files[0]);
	free(files[1]);
	return found;
}

int git_creds_lookup(const char *url, const char *user, const char *password, struct git_userpass *out)
{
	out->user = out->password = NULL;
	struct git_url u;
	if (git_url_parse(url, &u) < 0)
		return 0;
	const char *euser = getenv("CLOUDCTL_GIT_USERNAME"), *epass = getenv("CLOUDCTL_GIT_PASSWORD");
	int found = 1;
	if (password) {
		out->user = xstrdup(user ? user : u.user ? u.user : euser ? euser : "git");
		out->password = xstrdup(password);
	} else if (u.password) {
		out->user = xstrdup(user ? user : u.user);
		out->password = xstrdup(u.password);
	} else if (epass && *epass) {
		out->user = xstrdup(user ? user : u.user ? u.user : euser && *euser ? euser : "git");
		out->password = xstrdup(epass);
	} else {
		if (user && !u.user)
			u.user = xstrdup(user);
		else if (!u.user && euser && *euser)
			u.user = xstrdup(euser);
		found = from_files(&u, out);
	}
	git_url_clear(&u);
	return found;
}
