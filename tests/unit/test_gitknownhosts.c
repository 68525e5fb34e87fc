/* test_gitknownhosts.c: OpenSSH known_hosts as lib/git/knownhosts.c reads it for
 * the ssh remotes of cloudctl-deploy: patterns, negation, [host]:port, hashed
 * names, @revoked, a changed key, several files. */
#include "check.h"
#include "git/knownhosts.h"
#include "util.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_gitknownhosts.XXXXXX";

/* A raw ssh key blob: string type, then 32 bytes of fill (enough for ed25519). */
static size_t make_key(unsigned char *out, const char *type, unsigned char fill)
{
	size_t n = strlen(type);
	out[0] = out[1] = out[2] = 0;
	out[3] = (unsigned char)n;
	memcpy(out + 4, type, n);
	out[4 + n] = out[5 + n] = out[6 + n] = 0;
	out[7 + n] = 32;
	memset(out + 8 + n, fill, 32);
	return 8 + n + 32;
}

static char *b64(const unsigned char *data, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)n);
	return out;
}

/* "TYPE BASE64" of a key made with fill. */
static char *key_text(const char *type, unsigned char fill)
{
	unsigned char k[128];
	char *b = b64(k, make_key(k, type, fill));
	char *s = xasprintf("%s %s", type, b);
	free(b);
	return s;
}

static char *write_kh(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* kh_check of host:port with the key (type, fill) against one file of text;
 * where gets FILE:LINE when asked for. */
static int check1(const char *text, const char *host, int port, const char *type, unsigned char fill, char **where)
{
	char *path = write_kh("known_hosts", text);
	const char *files[] = { path, NULL };
	unsigned char k[128];
	size_t n = make_key(k, type, fill);
	struct strbuf w = STRBUF_INIT, err = STRBUF_INIT;
	int r = kh_check(files, host, port, k, n, &w, &err);
	if (where)
		*where = xstrdup(w.len ? w.buf + strlen(dir) + 1 : "");
	sb_release(&w);
	sb_release(&err);
	free(path);
	return r;
}

static void test_key_type(void)
{
	unsigned char k[128];
	struct strbuf t = STRBUF_INIT;
	kh_key_type(k, make_key(k, "ssh-ed25519", 1), &t);
	CHECK_STR(t.buf, "ssh-ed25519");
	kh_key_type(k, 3, &t);
	CHECK_INT(t.len, 0);
	k[3] = 200; /* a length beyond the blob */
	kh_key_type(k, 20, &t);
	CHECK_INT(t.len, 0);
	sb_release(&t);
}

static void test_pattern_match(void)
{
	CHECK(kh_pattern_match("git.example.com", "git.example.com"));
	CHECK(kh_pattern_match("GIT.example.COM", "git.Example.com"));
	CHECK(kh_pattern_match("*.example.com", "git.example.com"));
	CHECK(kh_pattern_match("*", "anything"));
	CHECK(kh_pattern_match("10.0.0.?", "10.0.0.7"));
	CHECK(!kh_pattern_match("10.0.0.?", "10.0.0.17"));
	CHECK(!kh_pattern_match("*.example.com", "example.com"));
	CHECK(!kh_pattern_match("git.example.com", "git.example.co"));
	CHECK(kh_pattern_match("[127.0.0.1]:*", "[127.0.0.1]:2222"));
}

static void test_plain_and_patterns(void)
{
	char *k = key_text("ssh-ed25519", 1);
	char *text = xasprintf("# a comment\n\nnot a valid line\n"
			       "git.example.com %s\n"
			       "*.internal,10.0.0.? %s comment here\n", k, k);
	CHECK_INT(check1(text, "git.example.com", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "GIT.EXAMPLE.COM", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "build.internal", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "10.0.0.9", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "10.0.0.19", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	CHECK_INT(check1(text, "other.example.com", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	free(text);
	free(k);
}

static void test_negation(void)
{
	char *k = key_text("ssh-ed25519", 1);
	char *text = xasprintf("*.example.com,!bad.example.com %s\n", k);
	CHECK_INT(check1(text, "good.example.com", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "bad.example.com", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	free(text);
	/* a negation alone matches nothing */
	text = xasprintf("!bad.example.com %s\n", k);
	CHECK_INT(check1(text, "good.example.com", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	free(text);
	free(k);
}

static void test_port(void)
{
	char *k = key_text("ssh-ed25519", 1);
	char *text = xasprintf("[git.local]:2222 %s\n", k);
	CHECK_INT(check1(text, "git.local", 2222, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	CHECK_INT(check1(text, "git.local", 2223, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	free(text);
	/* a bare name is port 22 only; [host]:22 is written as the bare name */
	text = xasprintf("git.local %s\n", k);
	CHECK_INT(check1(text, "git.local", 2222, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "git.local", 0, "ssh-ed25519", 1, NULL), KH_MATCH);
	free(text);
	free(k);
}

/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)), as ssh-keygen -H writes it */
static char *hashed(const char *name)
{
	unsigned char salt[20], mac[20];
	unsigned int maclen = 0;
	for (int i = 0; i < 20; i++)
		salt[i] = (unsigned char)(i * 7 + 3);
	HMAC(EVP_sha1(), salt, 20, (const unsigned char *)name, strlen(name), mac, &maclen);
	char *s = b64(salt, 20), *m = b64(mac, 20), *out = xasprintf("|1|%s|%s", s, m);
	free(s);
	free(m);
	return out;
}

static void test_hashed(void)
{
	char *k = key_text("ssh-ed25519", 1), *h1 = hashed("[127.0.0.1]:2222"), *h2 = hashed("git.example.com");
	char *text = xasprintf("%s %s\n%s %s\n", h1, k, h2, k);
	CHECK_INT(check1(text, "127.0.0.1", 2222, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "git.example.com", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	CHECK_INT(check1(text, "127.0.0.1", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	CHECK_INT(check1(text, "git.example.org", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	char *where = NULL;
	CHECK_INT(check1(text, "git.example.com", 22, "ssh-ed25519", 2, &where), KH_CHANGED);
	CHECK_STR(where, "known_hosts:2");
	free(where);
	free(text);
	/* a corrupt hash is no match, not a crash */
	text = xasprintf("|1|!!!|%s %s\n|1|nobar %s\n", h2 + 3, k, k);
	CHECK_INT(check1(text, "git.example.com", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	free(text);
	free(h1);
	free(h2);
	free(k);
}

static void test_changed(void)
{
	char *good = key_text("ssh-ed25519", 1), *other = key_text("ssh-ed25519", 2), *rsa = key_text("ssh-rsa", 3);
	char *where = NULL;
	/* another key of the same type: changed, naming the line */
	char *text = xasprintf("# header\ngit.local %s\n", other);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, &where), KH_CHANGED);
	CHECK_STR(where, "known_hosts:2");
	free(where);
	free(text);
	/* a key of another type only: unknown (ssh would ask), not changed */
	text = xasprintf("git.local %s\n", rsa);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	free(text);
	/* one line with the key is enough, before or after another key */
	text = xasprintf("git.local %s\ngit.local %s\n", other, good);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	free(text);
	text = xasprintf("git.local %s\ngit.local %s\n", good, other);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	free(text);
	free(good);
	free(other);
	free(rsa);
}

static void test_revoked(void)
{
	char *k = key_text("ssh-ed25519", 1), *other = key_text("ssh-ed25519", 2);
	char *where = NULL;
	char *text = xasprintf("git.local %s\n@revoked * %s\n", k, k);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, &where), KH_REVOKED);
	CHECK_STR(where, "known_hosts:2");
	free(where);
	free(text);
	/* revoked before the host's line: still revoked */
	text = xasprintf("@revoked * %s\ngit.local %s\n", k, k);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_REVOKED);
	free(text);
	/* another key revoked: this one still matches */
	text = xasprintf("@revoked * %s\ngit.local %s\n", other, k);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_MATCH);
	free(text);
	/* @cert-authority lines are skipped */
	text = xasprintf("@cert-authority git.local %s\n", k);
	CHECK_INT(check1(text, "git.local", 22, "ssh-ed25519", 1, NULL), KH_UNKNOWN);
	free(text);
	free(k);
	free(other);
}

static void test_files(void)
{
	char *good = key_text("ssh-ed25519", 1), *other = key_text("ssh-ed25519", 2);
	char *t1 = xasprintf("git.local %s\n", other), *t2 = xasprintf("git.local %s\n", good);
	char *f1 = write_kh("user", t1), *f2 = write_kh("global", t2), *missing = xasprintf("%s/none", dir);
	unsigned char k[128];
	size_t n = make_key(k, "ssh-ed25519", 1);
	struct strbuf w = STRBUF_INIT, err = STRBUF_INIT;
	const char *both[] = { missing, f1, f2, NULL }, *none[] = { missing, NULL }, *empty[] = { NULL };
	CHECK_INT(kh_check(both, "git.local", 22, k, n, &w, &err), KH_MATCH);
	CHECK_INT(kh_check(none, "git.local", 22, k, n, &w, &err), KH_UNKNOWN);
	CHECK_INT(kh_check(empty, "git.local", 22, k, n, NULL, &err), KH_UNKNOWN);
	const char *first[] = { f1, NULL };
	sb_reset(&w);
	CHECK_INT(kh_check(first, "git.local", 22, k, n, &w, &err), KH_CHANGED);
	CHECK(strstr(w.buf, "/user:1") != NULL);
	sb_release(&w);
	sb_release(&err);
	free(f1), free(f2), free(missing), free(t1), free(t2), free(good), free(other);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_key_type);
	RUN(test_pattern_match);
	RUN(test_plain_and_patterns);
	RUN(test_negation);
	RUN(test_port);
	RUN(test_hashed);
	RUN(test_changed);
	RUN(test_revoked);
	RUN(test_files);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	return CHECK_DONE("gitknownhosts");
}
