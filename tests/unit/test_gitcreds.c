/* test_gitcreds.c: https URLs and credentials for git remotes (lib/git/creds.c):
 * URL parts with percent-escapes, git-credential-store lines matched by scheme,
 * host, port, user and path, and the order of the sources. */
#include "capture.h"
#include "check.h"
#include "git/creds.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_gitcreds.XXXXXX";
static char *credfile;

static void test_url_parse(void)
{
	struct git_url u;
	CHECK_INT(git_url_parse("https://us%40er:p%3Ass%25@Git.Example.com:8443/git/repo.git", &u), 0);
	CHECK_STR(u.scheme, "https");
	CHECK_STR(u.user, "us@er");
	CHECK_STR(u.password, "p:ss%");
	CHECK_STR(u.host, "Git.Example.com");
	CHECK_INT(u.port, 8443);
	CHECK_STR(u.path, "/git/repo.git");
	git_url_clear(&u);
	CHECK_INT(git_url_parse("https://host.example", &u), 0);
	CHECK(u.user == NULL && u.password == NULL && u.port == 0);
	CHECK_STR(u.path, "/");
	git_url_clear(&u);
	CHECK_INT(git_url_parse("ssh://git@[::1]:2222/srv/repo.git", &u), 0);
	CHECK_STR(u.user, "git");
	CHECK(u.password == NULL);
	CHECK_STR(u.host, "[::1]");
	CHECK_INT(u.port, 2222);
	git_url_clear(&u);
	/* an '@' in the path is not a user */
	CHECK_INT(git_url_parse("https://host/a@b/repo.git", &u), 0);
	CHECK(u.user == NULL);
	CHECK_STR(u.host, "host");
	CHECK_STR(u.path, "/a@b/repo.git");
	git_url_clear(&u);
	/* the last '@' of the authority ends the user information */
	CHECK_INT(git_url_parse("https://me@corp:pw@host/r", &u), 0);
	CHECK_STR(u.user, "me@corp");
	CHECK_STR(u.password, "pw");
	CHECK_STR(u.host, "host");
	git_url_clear(&u);
	CHECK_INT(git_url_parse("git@host:ops/gitops.git", &u), -1);
	CHECK_INT(git_url_parse("://host", &u), -1);
}

static void write_creds(const char *text, mode_t mode)
{
	FILE *f = fopen(credfile, "w");
	fputs(text, f);
	fclose(f);
	chmod(credfile, mode);
}

static const char store[] =
	"# not a URL\n"
	"garbage line\n"
	"https://nopassword@git.example.com\n"
	"https://alice:pw1@git.example.com\n"
	"https://bob:pw%20two@git.example.com\n"
	"https://carol:pw3@git.example.com:8443\n"
	"http://dave:pw4@git.example.com\n"
	"https://erin:pw5@other.example.com/only/this.git\n"
	"https://frank:pw6@other.example.com\r\n"
	/* as git credential-store writes a port: the ':' percent-encoded */
	"https://gina:pw%407@store.example.com%3a8443\n";

/* The user:password found in the store for url (want_user may be NULL), or "". */
static char *from_store(const char *url, const char *want_user)
{
	struct git_url u;
	struct git_userpass up = { 0 };
	if (git_url_parse(url, &u) < 0)
		return xstrdup("bad url");
	if (want_user) {
		free(u.user);
		u.user = xstrdup(want_user);
	}
	char *out = git_creds_from_file(credfile, &u, &up) ? xasprintf("%s:%s", up.user, up.password) : xstrdup("");
	git_userpass_clear(&up);
	git_url_clear(&u);
	return out;
}

#define CHECK_STORE(url, user, want)                                                 \
	do {                                                                         \
		char *got_ = from_store(url, user);                                  \
		CHECK_STR(got_, want);                                               \
		free(got_);                                                          \
	} while (0)

static void test_store_matching(void)
{
	write_creds(store, 0600);
	CHECK_STORE("https://git.example.com/ops/gitops.git", NULL, "alice:pw1");
	CHECK_STORE("https://GIT.example.COM/ops/gitops.git", NULL, "alice:pw1");
	CHECK_STORE("https://git.example.com:443/ops/gitops.git", NULL, "alice:pw1");
	CHECK_STORE("https://git.example.com/ops/gitops.git", "bob", "bob:pw two");
	CHECK_STORE("https://git.example.com/ops/gitops.git", "nobody", "");
	CHECK_STORE("https://git.example.com:8443/ops/gitops.git", NULL, "carol:pw3");
	CHECK_STORE("http://git.example.com/ops/gitops.git", NULL, "dave:pw4");
	CHECK_STORE("http://git.example.com:8443/ops/gitops.git", NULL, "");
	CHECK_STORE("https://unknown.example.com/ops/gitops.git", NULL, "");
	/* a line with a path is for that repository only */
	CHECK_STORE("https://other.example.com/only/this.git", NULL, "erin:pw5");
	CHECK_STORE("https://other.example.com/another.git", NULL, "frank:pw6");
	CHECK_STORE("https://other.example.com/another.git", "erin", "");
	CHECK_STORE("https://other.example.com/only/this.git", "frank", "frank:pw6");
	CHECK_STORE("https://store.example.com:8443/ops/gitops.git", NULL, "gina:pw@7");
	CHECK_STORE("https://store.example.com/ops/gitops.git", NULL, "");
}

static void test_store_missing_and_readable(void)
{
	struct git_url u;
	struct git_userpass up = { 0 };
	git_url_parse("https://git.example.com/r.git", &u);
	CHECK_INT(git_creds_from_file("/nonexistent/credentials", &u, &up), 0);
	CHECK(up.user == NULL && up.password == NULL);
	/* readable by others: used, with a warning that names the file and not the secret */
	write_creds(store, 0644);
	char *cap = xasprintf("%s/stderr", dir);
	capture_stderr_begin(cap);
	int found = git_creds_from_file(credfile, &u, &up);
	char *err = capture_stderr_end(cap);
	CHECK_INT(found, 1);
	CHECK_STR(up.password, "pw1");
	CHECK(strstr(err, credfile) != NULL && strstr(err, "readable by others") != NULL);
	CHECK(strstr(err, "pw1") == NULL);
	git_userpass_clear(&up);
	CHECK(up.user == NULL && up.password == NULL);
	free(err);
	free(cap);
	git_url_clear(&u);
	write_creds(store, 0600);
}

static char *lookup(const char *url, const char *user, const char *password)
{
	struct git_userpass up = { 0 };
	char *out = git_creds_lookup(url, user, password, &up) ? xasprintf("%s:%s", up.user, up.password) : xstrdup("");
	git_userpass_clear(&up);
	return out;
}

#define CHECK_LOOKUP(url, user, password, want)                                      \
	do {                                                                         \
		char *got_ = lookup(url, user, password);                            \
		CHECK_STR(got_, want);                                               \
		free(got_);                                                          \
	} while (0)

static void test_lookup_order(void)
{
	write_creds(store, 0600);
	setenv("GIT_CREDENTIALS_FILE", credfile, 1);
	unsetenv("CLOUDCTL_GIT_USERNAME");
	unsetenv("CLOUDCTL_GIT_PASSWORD");
	const char *url = "https://git.example.com/ops/gitops.git";
	/* options first: the user from the option, the URL, the environment, or "git" */
	CHECK_LOOKUP(url, "opt", "optpw", "opt:optpw");
	CHECK_LOOKUP("https://urluser@git.example.com/r.git", NULL, "optpw", "urluser:optpw");
	CHECK_LOOKUP(url, NULL, "optpw", "git:optpw");
	/* then the URL's password */
	CHECK_LOOKUP("https://u:url%2Fpw@git.example.com/r.git", NULL, NULL, "u:url/pw");
	CHECK_LOOKUP("https://u:urlpw@git.example.com/r.git", "opt", NULL, "opt:urlpw");
	/* then the environment */
	setenv("CLOUDCTL_GIT_PASSWORD", "envpw", 1);
	CHECK_LOOKUP(url, NULL, NULL, "git:envpw");
	setenv("CLOUDCTL_GIT_USERNAME", "envuser", 1);
	CHECK_LOOKUP(url, NULL, NULL, "envuser:envpw");
	CHECK_LOOKUP(url, "opt", NULL, "opt:envpw");
	unsetenv("CLOUDCTL_GIT_PASSWORD");
	/* then the store, for the user known from the environment or options */
	CHECK_LOOKUP(url, NULL, NULL, "");
	setenv("CLOUDCTL_GIT_USERNAME", "bob", 1);
	CHECK_LOOKUP(url, NULL, NULL, "bob:pw two");
	unsetenv("CLOUDCTL_GIT_USERNAME");
	CHECK_LOOKUP(url, NULL, NULL, "alice:pw1");
	CHECK_LOOKUP(url, "carol", NULL, "");
	CHECK_LOOKUP("https://carol@git.example.com:8443/r.git", NULL, NULL, "carol:pw3");
	CHECK_LOOKUP("not a url", NULL, "pw", "");
	/* without GIT_CREDENTIALS_FILE: ~/.git-credentials, then ~/.config/git/credentials */
	unsetenv("GIT_CREDENTIALS_FILE");
	char *home = xasprintf("%s/home", dir), *cfg = xasprintf("%s/home/.config/git", dir);
	char *xdgfile = xasprintf("%s/credentials", cfg);
	char *cmd = xasprintf("mkdir -p '%s'", cfg);
	CHECK_INT(system(cmd), 0);
	FILE *f = fopen(xdgfile, "w");
	fputs("https://xdg:xdgpw@git.example.com\n", f);
	fclose(f);
	chmod(xdgfile, 0600);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	CHECK_LOOKUP(url, NULL, NULL, "xdg:xdgpw");
	char *dot = xasprintf("%s/.git-credentials", home);
	f = fopen(dot, "w");
	fputs("https://dot:dotpw@git.example.com\n", f);
	fclose(f);
	chmod(dot, 0600);
	CHECK_LOOKUP(url, NULL, NULL, "dot:dotpw");
	CHECK_LOOKUP(url, "xdg", NULL, "xdg:xdgpw");
	free(home), free(cfg), free(xdgfile), free(cmd), free(dot);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	credfile = xasprintf("%s/git-credentials", dir);
	RUN(test_url_parse);
	RUN(test_store_matching);
	RUN(test_store_missing_and_readable);
	RUN(test_lookup_order);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(credfile);
	return CHECK_DONE("gitcreds");
}
