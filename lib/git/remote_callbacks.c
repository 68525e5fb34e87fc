/* remote_callbacks.c: what libgit2 asks us during a connection: credentials
 * (https user and password, ssh keys and agent), the server's certificate or
 * ssh host key (checked against known_hosts here), the server's messages and
 * push status; and the one-line reason of a failure. */
#include "remote_private.h"
#include "secret.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "knownhosts.h"
#include "log.h"

static int cb_fail(struct gitr_cb *cb, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cb_fail(struct gitr_cb *cb, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_reset(&cb->fail);
	sb_vaddf(&cb->fail, fmt, ap);
	va_end(ap);
	cb->fail_code = code;
	git_error_set_str(GIT_ERROR_CALLBACK, cb->fail.buf);
	return GIT_EUSER;
}

static int ssh_key_cred(git_credential **out, const char *user, const char *key)
{
	char *pub = xasprintf("%s.pub", key);
	int rc = git_credential_ssh_key_new(out, user, access(pub, R_OK) == 0 ? pub : NULL, key, NULL);
	free(pub);
	return rc;
}

/* ssh: ssh-agent, then the key files, each offered once (libgit2 asks again after a refusal). */
static int ssh_cred(git_credential **out, struct gitr_cb *cb, const char *user)
{
	const char *home = getenv("HOME"), *agent = getenv("SSH_AUTH_SOCK");
	int n = cb->ssh_tries++;
	if (cb->ssh_key) {
		if (n == 0)
			return ssh_key_cred(out, user, cb->ssh_key);
		return cb_fail(cb, EXIT_PERM, "ssh: the server refused the key %s for %s", cb->ssh_key, user);
	}
	if (agent && *agent && n == 0)
		return git_credential_ssh_key_from_agent(out, user);
	if (agent && *agent)
		n--;
	static const char *const names[] = { "id_ed25519", "id_rsa" };
	for (; home && n < (int)ARRAY_SIZE(names); n++, cb->ssh_tries++) {
		char *key = xasprintf("%s/.ssh/%s", home, names[n]);
		if (access(key, R_OK) == 0) {
			int rc = ssh_key_cred(out, user, key);
			free(key);
			return rc;
		}
		free(key);
	}
	return cb_fail(cb, EXIT_PERM, "ssh: no key the server accepts for %s (--ssh-identity, ssh-agent, ~/.ssh/id_ed25519, ~/.ssh/id_rsa)", user);
}

static int cb_credentials(git_credential **out, const char *url, const char *user_from_url, unsigned int allowed,
			  void *payload)
{
	struct gitr_cb *cb = payload;
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return ssh_cred(out, cb, user_from_url && *user_from_url ? user_from_url : "git");
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		if (cb->userpass_tries++ > 0)
			return cb_fail(cb, EXIT_PERM, "authentication failed (wrong user name or password?)");
		struct git_userpass up;
		if (!git_creds_lookup(url, cb->username ? cb->username : user_from_url, cb->password, &up))
			return cb_fail(cb, EXIT_PERM, "the server asks for a user name and password: give --username and "
				       "CLOUDCTL_GIT_PASSWORD, or a ~/.git-credentials line");
		int rc = git_credential_userpass_plaintext_new(out, up.user, up.password);
		git_userpass_clear(&up);
		return rc;
	}
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user_from_url ? user_from_url : "git");
	return cb_fail(cb, EXIT_PERM, "the server asks for credentials of a kind not supported");
}

static int check_hostkey(struct gitr_cb *cb, const git_cert_hostkey *hk, const char *host)
{
	if (!(hk->type & GIT_CERT_SSH_RAW))
		return cb_fail(cb, EXIT_SOFTWARE, "ssh: libgit2 gave no raw host key for %s", host);
	const char *h = cb->host ? cb->host : host;
	const char *files[4] = { NULL };
	for (int i = 0; i < 3 && cb->known_hosts[i]; i++)
		files[i] = cb->known_hosts[i];
	struct strbuf where = STRBUF_INIT, err = STRBUF_INIT, type = STRBUF_INIT;
	int r = kh_check(files, h, cb->port, (const unsigned char *)hk->hostkey, hk->hostkey_len, &where, &err);
	kh_key_type((const unsigned char *)hk->hostkey, hk->hostkey_len, &type);
	char *name = cb->port && cb->port != 22 ? xasprintf("[%s]:%d", h, cb->port) : xstrdup(h);
	int rc = 0;
	if (r < 0)
		rc = cb_fail(cb, EXIT_IOERR, "%s", err.buf);
	else if (r == KH_UNKNOWN)
		rc = cb_fail(cb, EXIT_PERM, "ssh: unknown host key %s for %s: not in %s; check it, then add it "
			     "(ssh-keyscan -p %d %s >> %s)", type.buf, name, files[0] ? files[0] : "known_hosts",
			     cb->port ? cb->port : 22, h, files[0] ? files[0] : "~/.ssh/known_hosts");
	else if (r == KH_CHANGED)
		rc = cb_fail(cb, EXIT_PERM, "ssh: the host key %s of %s has CHANGED (known_hosts says otherwise at %s): "
			     "refused", type.buf, name, where.buf);
	else if (r == KH_REVOKED)
		rc = cb_fail(cb, EXIT_PERM, "ssh: the host key of %s is revoked (%s): refused", name, where.buf);
	free(name);
	sb_release(&where);
	sb_release(&err);
	sb_release(&type);
	return rc;
}

static int cb_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct gitr_cb *cb = payload;
	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2)
		return check_hostkey(cb, (const git_cert_hostkey *)cert, host);
	if (valid)
		return 0;
	return cb_fail(cb, EXIT_PERM, "TLS: the certificate of %s is not trusted or does not name it (--cacert FILE)", host);
}

/* The server's stderr (a hook's message) arrives as "remote:" sideband text. */
static int cb_sideband(const char *str, int len, void *payload)
{
	struct gitr_cb *cb = payload;
	const char *end = str + len;
	while (str < end) {
		const char *nl = str;
		while (nl < end && *nl != '\n' && *nl != '\r')
			nl++;
		if (nl > str) {
			sb_reset(&cb->remote_msg);
			sb_add(&cb->remote_msg, str, (size_t)(nl - str));
		}
		str = nl + 1;
	}
	return 0;
}

static int cb_push_status(const char *refname, const char *status, void *payload)
{
	struct gitr_cb *cb = payload;
	if (status) {
		sb_reset(&cb->status);
		sb_addf(&cb->status, "%s", status);
	}
	return 0;
}

/* libgit2's own fetch (a first clone, ssh) has no limit of its own: a server
 * that sends without end would fill the disk. The pack is cut at the limit. */
static int cb_transfer(const git_indexer_progress *st, void *payload)
{
	struct gitr_cb *cb = payload;
	char limit[32];
	if ((long long)st->received_bytes <= cb->max_pack)
		return 0;
	return cb_fail(cb, EXIT_UNAVAIL, "the pack is larger than %s (CLOUDCTL_GIT_MAX_PACK)",
		       size_text(cb->max_pack, limit, sizeof limit));
}

void gitr_cb_attach(git_remote_callbacks *c, struct gitr_cb *cb)
{
	c->transfer_progress = cb_transfer;
	c->credentials = cb_credentials;
	c->certificate_check = cb_certificate;
	c->sideband_progress = cb_sideband;
	c->push_update_reference = cb_push_status;
	c->payload = cb;
}

void gitr_cb_reset(struct gitr_cb *cb)
{
	cb->userpass_tries = cb->ssh_tries = 0;
	cb->fail_code = 0;
	sb_reset(&cb->fail);
	sb_reset(&cb->remote_msg);
	sb_reset(&cb->status);
}

/* ssh://[user@]host[:port]/path or user@host:path: the host and port to look up. */
static void ssh_host(struct gitr_cb *cb, const char *url)
{
	struct git_url u;
	if (str_starts(url, "ssh://") && git_url_parse(url, &u) == 0) {
		cb->host = xstrdup(u.host);
		cb->port = u.port ? u.port : 22;
		git_url_clear(&u);
	} else if (gitr_url_is_scp_like(url)) {
		const char *at = strchr(url, '@'), *h = at ? at + 1 : url;
		cb->host = xstrndup(h, strcspn(h, ":"));
		cb->port = 22;
	}
}

void gitr_cb_new(struct gitr *g, const struct gitr_opts *o)
{
	struct gitr_cb *cb = g->cb = xcalloc(1, sizeof *cb);
	cb->fail = cb->remote_msg = cb->status = (struct strbuf)STRBUF_INIT;
	cb->max_pack = env_size("CLOUDCTL_GIT_MAX_PACK", GIT_MAX_PACK_DEFAULT);
	/* Copies: the caller may free (and wipe) its strings once gitr_open
	 * returns, and libgit2 asks for credentials at every connection after. */
	cb->ssh_key = cb->owned_ssh_key = o->ssh_key ? xstrdup(o->ssh_key) : NULL;
	cb->username = cb->owned_username = o->username ? xstrdup(o->username) : NULL;
	cb->password = cb->owned_password = o->password ? xstrdup(o->password) : NULL;
	const char *home = getenv("HOME");
	if (o->known_hosts)
		cb->known_hosts[0] = xstrdup(o->known_hosts);
	else {
		cb->known_hosts[0] = xasprintf("%s/.ssh/known_hosts", home ? home : "");
		cb->known_hosts[1] = xstrdup("/etc/ssh/ssh_known_hosts");
	}
	ssh_host(cb, g->url);
}

void gitr_cb_free(struct gitr_cb *cb)
{
	if (!cb)
		return;
	for (int i = 0; i < 3; i++)
		free(cb->known_hosts[i]);
	free(cb->host);
	secret_free(cb->owned_password);
	free(cb->owned_username);
	free(cb->owned_ssh_key);
	sb_release(&cb->fail);
	sb_release(&cb->remote_msg);
	sb_release(&cb->status);
	free(cb);
}

/* --- errors --- */

/* An exit code and a one-line reason for a failed libgit2 call. */
int gitr_fail(struct gitr *g, struct strbuf *err, int code, const char *what)
{
	if (g->cb && g->cb->fail_code)
		return sb_fail(err, g->cb->fail_code, "%s: %s", g->display_url, g->cb->fail.buf);
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown libgit2 error";
	int klass = e ? e->klass : 0;
	int rc = code;
	if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSH || klass == GIT_ERROR_SSL || klass == GIT_ERROR_HTTP)
		rc = EXIT_UNAVAIL;
	if (strstr(msg, "404") || strstr(msg, "not found") || strstr(msg, "does not appear to be a git repository") ||
	    strstr(msg, "failed to resolve path") || strstr(msg, "could not find repository"))
		rc = EXIT_NOTFOUND;
	if (strstr(msg, "401") || strstr(msg, "403") || strstr(msg, "authentication") || strstr(msg, "Permission denied"))
		rc = EXIT_PERM;
	return sb_fail(err, rc, "%s: %s: %s", g->display_url, what, msg);
}
