/* remote.c: a branch of a git remote through a bare clone cache (libgit2). */
#include "remote.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "creds.h"
#include "knownhosts.h"
#include "log.h"

/* State the libgit2 callbacks share: what to offer, and why the last call failed. */
struct gitr_cb {
	const char *username, *password, *ssh_key;
	char *owned_password;
	char *known_hosts[3];
	char *host;          /* ssh host and port, from the URL */
	int port;
	int userpass_tries, ssh_tries;
	int fail_code;       /* an exit code our callback decided, 0 when none */
	struct strbuf fail;  /* and its reason */
	struct strbuf remote_msg; /* the server's last "remote:" line */
	struct strbuf status;     /* push: the server's status for our ref, when refused */
};

static int fail_git(struct gitr *g, struct strbuf *err, int code, const char *what);

/* --- URLs --- */

static int has_scheme(const char *url) { return strstr(url, "://") != NULL; }

/* user@host:path (scp-like): a ':' before any '/', and not a Windows-ish "C:". */
static int is_scp_like(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');
	return !has_scheme(url) && colon && (!slash || colon < slash) && colon - url > 1;
}

/* The URL without a password, for messages, records and the cache key. */
static char *url_display(const char *url)
{
	const char *sep = strstr(url, "://");
	if (!sep)
		return xstrdup(url);
	const char *auth = sep + 3, *slash = auth + strcspn(auth, "/");
	const char *at = memrchr(auth, '@', (size_t)(slash - auth));
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!colon)
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(colon - url), url, at);
}

char *gitr_cache_path(const char *cache_root, const char *url)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *disp = url_display(url);
	SHA256((const unsigned char *)disp, strlen(disp), md);
	free(disp);
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s/", cache_root);
	for (int i = 0; i < 8; i++)
		sb_addf(&sb, "%02x", md[i]);
	return sb_detach(&sb);
}

static char *default_cache_root(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/cloudctl/git", xdg);
	return xasprintf("%s/.cache/cloudctl/git", home && *home ? home : "/tmp");
}

static int mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_rf(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* --- callbacks --- */

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
	return cb_fail(cb, EXIT_PERM, "ssh: no key the server accepts for %s (--ssh-key, ssh-agent, ~/.ssh/id_ed25519, ~/.ssh/id_rsa)", user);
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

static void set_callbacks(git_remote_callbacks *c, struct gitr_cb *cb)
{
	c->credentials = cb_credentials;
	c->certificate_check = cb_certificate;
	c->sideband_progress = cb_sideband;
	c->push_update_reference = cb_push_status;
	c->payload = cb;
}

static void reset_cb(struct gitr_cb *cb)
{
	cb->userpass_tries = cb->ssh_tries = 0;
	cb->fail_code = 0;
	sb_reset(&cb->fail);
	sb_reset(&cb->remote_msg);
	sb_reset(&cb->status);
}

/* --- errors --- */

/* An exit code and a one-line reason for a failed libgit2 call. */
static int fail_git(struct gitr *g, struct strbuf *err, int code, const char *what)
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

/* --- the cache --- */

static int lock_file(const char *path)
{
	char *lk = xasprintf("%s.lock", path);
	int fd = open(lk, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lk);
	if (fd >= 0)
		flock(fd, LOCK_EX);
	return fd;
}

static void unlock_file(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

/* Open the cache, or make it: a bare repository that names its URL in its
 * config (cloudctl.url), so that a stale or foreign directory is noticed. */
static int cache_open(struct gitr *g, int rebuild, struct strbuf *err)
{
	if (g->repo) {
		git_repository_free(g->repo);
		g->repo = NULL;
	}
	char *parent = xstrdup(g->cache_path);
	*strrchr(parent, '/') = 0;
	if (mkdirs(parent) < 0) {
		int e = errno;
		free(parent);
		return sb_fail(err, EXIT_IOERR, "%s: %s", g->cache_path, strerror(e));
	}
	free(parent);
	int fd = lock_file(g->cache_path), rc = 0;
	if (rebuild) {
		warnx("%s: the clone cache cannot be read: cloning again", g->cache_path);
		char *old = xasprintf("%s.broken.%ld", g->cache_path, (long)getpid());
		if (rename(g->cache_path, old) == 0)
			rm_rf(old);
		free(old);
	}
	git_config *cfg = NULL;
	const char *url = NULL;
	git_buf b = { 0 };
	if (git_repository_open_bare(&g->repo, g->cache_path) == 0 && git_repository_config_snapshot(&cfg, g->repo) == 0 &&
	    git_config_get_string(&url, cfg, "cloudctl.url") == 0 && strcmp(url, g->display_url) == 0)
		goto done;
	if (g->repo) { /* something else: start again */
		git_repository_free(g->repo);
		g->repo = NULL;
		char *old = xasprintf("%s.stale.%ld", g->cache_path, (long)getpid());
		if (rename(g->cache_path, old) == 0)
			rm_rf(old);
		free(old);
	}
	git_config *wcfg = NULL;
	if (git_repository_init(&g->repo, g->cache_path, 1) < 0 || git_repository_config(&wcfg, g->repo) < 0 ||
	    git_config_set_string(wcfg, "cloudctl.url", g->display_url) < 0)
		rc = fail_git(g, err, EXIT_IOERR, g->cache_path);
	git_config_free(wcfg);
done:
	git_buf_dispose(&b);
	git_config_free(cfg);
	unlock_file(fd);
	return rc;
}

/* --- fetch --- */

static int find_branch(struct gitr *g, git_remote *r, struct strbuf *err)
{
	if (!g->branch) {
		git_buf b = { 0 };
		if (git_remote_default_branch(&b, r) < 0) {
			git_buf_dispose(&b);
			return sb_fail(err, EXIT_NOTFOUND, "%s: the remote has no default branch: give --branch",
				       g->display_url);
		}
		g->branch = xstrdup(str_starts(b.ptr, "refs/heads/") ? b.ptr + 11 : b.ptr);
		git_buf_dispose(&b);
	}
	const git_remote_head **heads;
	size_t n;
	if (git_remote_ls(&heads, &n, r) < 0)
		return fail_git(g, err, EXIT_UNAVAIL, "list refs");
	char *want = xasprintf("refs/heads/%s", g->branch);
	int found = 0;
	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(heads[i]->name, want) == 0) {
			g->tip = heads[i]->oid;
			found = 1;
		}
	free(want);
	if (!found)
		return sb_fail(err, EXIT_NOTFOUND, "%s: no branch '%s' on the remote", g->display_url, g->branch);
	return 0;
}

/* Whether the tip commit and its tree read back: a cache with a broken pack fails here. */
static int tip_readable(struct gitr *g)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	int ok = git_commit_lookup(&c, g->repo, &g->tip) == 0 && git_commit_tree(&t, c) == 0;
	git_tree_free(t);
	git_commit_free(c);
	return ok;
}

static int fetch_once(struct gitr *g, struct strbuf *err)
{
	git_remote *r = NULL;
	git_remote_callbacks cbs;
	git_remote_init_callbacks(&cbs, GIT_REMOTE_CALLBACKS_VERSION);
	set_callbacks(&cbs, g->cb);
	reset_cb(g->cb);
	int rc = 0;
	if (git_remote_create_anonymous(&r, g->repo, g->url) < 0)
		return fail_git(g, err, EXIT_USAGE, "remote");
	if (git_remote_connect(r, GIT_DIRECTION_FETCH, &cbs, NULL, NULL) < 0) {
		rc = fail_git(g, err, EXIT_UNAVAIL, "connect");
		goto out;
	}
	if ((rc = find_branch(g, r, err)) != 0)
		goto out;
	git_odb *odb = NULL;
	int have = git_repository_odb(&odb, g->repo) == 0 && git_odb_exists(odb, &g->tip);
	git_odb_free(odb);
	if (!have) {
		char *spec = xasprintf("+refs/heads/%s:refs/remotes/origin/%s", g->branch, g->branch);
		git_strarray specs = { &spec, 1 };
		git_fetch_options fo;
		git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
		fo.callbacks = cbs;
		fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
		if (git_remote_download(r, &specs, &fo) < 0)
			rc = fail_git(g, err, EXIT_UNAVAIL, "fetch");
		free(spec);
	}
	if (rc == 0) {
		/* A hint for the next fetch's negotiation; another run may hold its
		 * lock at this moment, and then its value serves as well. */
		char *ref = xasprintf("refs/remotes/origin/%s", g->branch);
		git_reference *out = NULL;
		if (git_reference_create(&out, g->repo, ref, &g->tip, 1, NULL) == 0)
			git_reference_free(out);
		free(ref);
	}
out:
	git_remote_disconnect(r);
	git_remote_free(r);
	return rc;
}

/* Copy one object from src to dst unless dst has it. Returns 1 when copied,
 * 0 when dst had it, -1 on error. */
static int copy_object(git_odb *src, git_odb *dst, const git_oid *id)
{
	if (git_odb_exists(dst, id))
		return 0;
	git_odb_object *o = NULL;
	git_oid out;
	if (git_odb_read(&o, src, id) < 0)
		return -1;
	int rc = git_odb_write(&out, dst, git_odb_object_data(o), git_odb_object_size(o), git_odb_object_type(o));
	git_odb_object_free(o);
	return rc < 0 ? -1 : 1;
}

/* A tree and what it holds, stopping at subtrees dst already has. Children
 * are written before their tree, so that a tree in dst is always complete,
 * even while another run copies the same objects. */
static int copy_tree(git_repository *from, git_odb *src, git_odb *dst, const git_oid *id)
{
	if (git_odb_exists(dst, id))
		return 0;
	git_tree *t = NULL;
	if (git_tree_lookup(&t, from, id) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0, n = git_tree_entrycount(t); i < n && rc >= 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			rc = copy_tree(from, src, dst, git_tree_entry_id(e));
		else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			rc = copy_object(src, dst, git_tree_entry_id(e));
	}
	git_tree_free(t);
	return rc < 0 ? rc : copy_object(src, dst, id);
}

/* Copy the commits reachable from want and not from have, with their trees,
 * from one repository into another as loose objects (as receive-pack does
 * with small pushes: a pack per push would pile up into thousands). */
static int copy_loose(git_repository *from, git_repository *to, const git_oid *want, const git_oid *have)
{
	git_revwalk *walk = NULL;
	git_odb *src = NULL, *dst = NULL;
	int rc = -1;
	if (git_repository_odb(&src, from) < 0 || git_repository_odb(&dst, to) < 0 || git_revwalk_new(&walk, from) < 0 ||
	    git_revwalk_push(walk, want) < 0 || (have && !git_oid_is_zero(have) && git_revwalk_hide(walk, have) < 0))
		goto out;
	git_oid id;
	rc = 0;
	while (rc >= 0 && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, from, &id) < 0) {
			rc = -1;
			break;
		}
		rc = copy_tree(from, src, dst, git_commit_tree_id(c));
		git_commit_free(c);
		if (rc >= 0)
			rc = copy_object(src, dst, &id);
	}
out:
	git_revwalk_free(walk);
	git_odb_free(src);
	git_odb_free(dst);
	return rc < 0 ? -1 : 0;
}

/* A repository on this machine: read its branch and copy what is new as
 * loose objects (libgit2's local transport would add a pack per fetch). */
static int fetch_local(struct gitr *g, struct strbuf *err)
{
	git_repository *remote = NULL;
	git_reference *head = NULL;
	int rc = 0;
	reset_cb(g->cb);
	if (git_repository_open_ext(&remote, g->url, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return sb_fail(err, EXIT_NOTFOUND, "%s: not a git repository", g->display_url);
	if (!g->branch) {
		if (git_reference_lookup(&head, remote, "HEAD") < 0 || git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
		    !str_starts(git_reference_symbolic_target(head), "refs/heads/"))
			rc = sb_fail(err, EXIT_NOTFOUND, "%s: the remote has no default branch: give --branch", g->display_url);
		else
			g->branch = xstrdup(git_reference_symbolic_target(head) + 11);
		git_reference_free(head);
	}
	char *name = g->branch ? xasprintf("refs/heads/%s", g->branch) : NULL;
	char *hint = g->branch ? xasprintf("refs/remotes/origin/%s", g->branch) : NULL;
	git_oid have;
	if (!rc && git_reference_name_to_id(&g->tip, remote, name) < 0)
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no branch '%s' on the remote", g->display_url, g->branch);
	if (!rc) {
		int known = git_reference_name_to_id(&have, g->repo, hint) == 0;
		git_odb *rodb = NULL;
		/* The hint must be in the remote too (a force-push drops it). */
		if (known && (git_repository_odb(&rodb, remote) < 0 || !git_odb_exists(rodb, &have)))
			known = 0;
		git_odb_free(rodb);
		if (copy_loose(remote, g->repo, &g->tip, known ? &have : NULL) < 0)
			rc = fail_git(g, err, EXIT_DATA, "fetch");
	}
	if (!rc) {
		git_reference *out = NULL;
		if (git_reference_create(&out, g->repo, hint, &g->tip, 1, NULL) == 0)
			git_reference_free(out);
	}
	free(name);
	free(hint);
	git_repository_free(remote);
	return rc;
}

int gitr_fetch(struct gitr *g, struct strbuf *err)
{
	int rc = g->local ? fetch_local(g, err) : fetch_once(g, err);
	if (rc == 0 && tip_readable(g))
		return 0;
	if (rc != 0 && rc != EXIT_DATA) {
		/* Only a failure to read or write the cache's objects means it is broken;
		 * a missing branch, refused credentials or a dead server do not. */
		const git_error *e = git_error_last();
		int odb = e && (e->klass == GIT_ERROR_ODB || e->klass == GIT_ERROR_ZLIB || e->klass == GIT_ERROR_INDEXER ||
				e->klass == GIT_ERROR_OBJECT);
		if (!odb || g->cb->fail_code || rc == EXIT_NOTFOUND || rc == EXIT_PERM || rc == EXIT_UNAVAIL)
			return rc;
	}
	/* The cache is broken (a truncated pack, a bad ref): clone it again. */
	sb_reset(err);
	if ((rc = cache_open(g, 1, err)) != 0)
		return rc;
	if ((rc = g->local ? fetch_local(g, err) : fetch_once(g, err)) != 0)
		return rc;
	return tip_readable(g) ? 0 : sb_fail(err, EXIT_DATA, "%s: commit %s cannot be read", g->display_url,
					     git_oid_tostr_s(&g->tip));
}

/* --- open and close --- */

static void set_ca(const char *cacert)
{
	const char *ca = cacert;
	if (!ca)
		ca = getenv("GIT_SSL_CAINFO");
	if (!ca || !*ca)
		ca = getenv("SSL_CERT_FILE");
	if (!ca || !*ca)
		ca = access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0 ? "/etc/ssl/certs/ca-certificates.crt" : NULL;
	if (ca)
		git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ca, NULL);
}

static int resolve_url(struct gitr *g, const char *url, struct strbuf *err)
{
	char real[PATH_MAX];
	if (str_starts(url, "file://"))
		url += 7;
	else if (has_scheme(url) || is_scp_like(url)) {
		g->url = xstrdup(url);
		return 0;
	}
	if (!realpath(url, real))
		return sb_fail(err, EXIT_NOTFOUND, "%s: %s", url, strerror(errno));
	g->url = xstrdup(real);
	g->local = 1;
	return 0;
}

/* ssh://[user@]host[:port]/path or user@host:path: the host and port to look up. */
static void ssh_host(struct gitr_cb *cb, const char *url)
{
	struct git_url u;
	if (str_starts(url, "ssh://") && git_url_parse(url, &u) == 0) {
		cb->host = xstrdup(u.host);
		cb->port = u.port ? u.port : 22;
		git_url_clear(&u);
	} else if (is_scp_like(url)) {
		const char *at = strchr(url, '@'), *h = at ? at + 1 : url;
		cb->host = xstrndup(h, strcspn(h, ":"));
		cb->port = 22;
	}
}

static void setup_cb(struct gitr *g, const struct gitr_opts *o)
{
	struct gitr_cb *cb = g->cb = xcalloc(1, sizeof *cb);
	cb->fail = cb->remote_msg = cb->status = (struct strbuf)STRBUF_INIT;
	cb->ssh_key = o->ssh_key;
	cb->username = o->username;
	cb->password = o->password;
	const char *home = getenv("HOME");
	if (o->known_hosts)
		cb->known_hosts[0] = xstrdup(o->known_hosts);
	else {
		cb->known_hosts[0] = xasprintf("%s/.ssh/known_hosts", home ? home : "");
		cb->known_hosts[1] = xstrdup("/etc/ssh/ssh_known_hosts");
	}
	ssh_host(cb, g->url);
}

int gitr_open(struct gitr *g, const struct gitr_opts *o, struct strbuf *err)
{
	static int inited;
	memset(g, 0, sizeof *g);
	g->lock_fd = -1;
	if (!inited++) {
		git_libgit2_init();
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0); /* remotes owned by another user are fine */
		set_ca(o->cacert);
	} else if (o->cacert)
		set_ca(o->cacert);
	if (o->cacert && access(o->cacert, R_OK) < 0)
		return sb_fail(err, EXIT_NOTFOUND, "--cacert %s: %s", o->cacert, strerror(errno));
	int rc = resolve_url(g, o->url, err);
	if (rc)
		return rc;
	/* A password in the URL goes to the credential callback, not into libgit2's
	 * URL (nor the cache's config). */
	g->display_url = url_display(g->url);
	char *url_pass = NULL;
	if (strcmp(g->display_url, g->url) != 0) {
		struct git_url u;
		if (git_url_parse(g->url, &u) == 0 && u.password)
			url_pass = xstrdup(u.password);
		git_url_clear(&u);
		free(g->url);
		g->url = xstrdup(g->display_url);
	}
	g->branch = o->branch ? xstrdup(o->branch) : NULL;
	setup_cb(g, o);
	if (url_pass && !o->password)
		g->cb->password = g->cb->owned_password = url_pass;
	else
		free(url_pass);
	g->no_cache = o->no_cache;
	if (o->no_cache) {
		char tmpl[] = "/tmp/cloudctl-git.XXXXXX";
		if (!mkdtemp(tmpl))
			return sb_fail(err, EXIT_IOERR, "mkdtemp: %s", strerror(errno));
		g->cache_path = xasprintf("%s/repo", tmpl);
	} else {
		char *root = o->cache_dir ? xstrdup(o->cache_dir) : default_cache_root();
		g->cache_path = gitr_cache_path(root, g->display_url);
		free(root);
	}
	if ((rc = cache_open(g, 0, err)) != 0)
		return rc;
	return gitr_fetch(g, err);
}

long long gitr_lock(struct gitr *g)
{
	long long t0 = now_ms();
	char *path = xasprintf("%s.turn", g->cache_path);
	if (g->lock_fd < 0)
		g->lock_fd = lock_file(path);
	free(path);
	return now_ms() - t0;
}

void gitr_unlock(struct gitr *g)
{
	unlock_file(g->lock_fd);
	g->lock_fd = -1;
}

void gitr_close(struct gitr *g)
{
	gitr_unlock(g);
	git_repository_free(g->repo);
	if (g->no_cache && g->cache_path) {
		char *dir = xstrdup(g->cache_path);
		*strrchr(dir, '/') = 0;
		rm_rf(dir);
		free(dir);
	}
	if (g->cb) {
		for (int i = 0; i < 3; i++)
			free(g->cb->known_hosts[i]);
		free(g->cb->host);
		free(g->cb->owned_password);
		sb_release(&g->cb->fail);
		sb_release(&g->cb->remote_msg);
		sb_release(&g->cb->status);
		free(g->cb);
	}
	free(g->url);
	free(g->display_url);
	free(g->branch);
	free(g->cache_path);
	memset(g, 0, sizeof *g);
	g->lock_fd = -1;
}

/* --- trees and commits --- */

static int lookup_tree(struct gitr *g, const git_oid *commit, git_tree **tree)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, g->repo, commit) < 0 || git_commit_tree(tree, c) < 0 ? -1 : 0;
	git_commit_free(c);
	return rc;
}

int gitr_read(struct gitr *g, const git_oid *commit, const char *path, struct strbuf *out, struct strbuf *err)
{
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int rc = 0;
	sb_reset(out);
	if (lookup_tree(g, commit, &tree) < 0)
		return fail_git(g, err, EXIT_DATA, git_oid_tostr_s(commit));
	if (git_tree_entry_bypath(&te, tree, path) < 0 || git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		rc = sb_fail(err, EXIT_NOTFOUND, "%s: no file %s on branch %s", g->display_url, path, g->branch);
	else if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(te)) < 0)
		rc = fail_git(g, err, EXIT_DATA, path);
	else
		sb_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	return rc;
}

int gitr_is_dir(struct gitr *g, const git_oid *commit, const char *path)
{
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	int dir = lookup_tree(g, commit, &tree) == 0 &&
		  (!*path || strcmp(path, ".") == 0 ||
		   (git_tree_entry_bypath(&te, tree, path) == 0 && git_tree_entry_type(te) == GIT_OBJECT_TREE));
	git_tree_entry_free(te);
	git_tree_free(tree);
	return dir;
}

int gitr_commit(struct gitr *g, const git_oid *parent, const struct gitr_change *ch, size_t n,
		const git_signature *sig, const char *msg, git_oid *out, struct strbuf *err)
{
	git_commit *pc = NULL;
	git_tree *ptree = NULL, *ntree = NULL;
	git_tree_update *up = xcalloc(n ? n : 1, sizeof *up);
	git_oid tree_id;
	int rc = 0;
	if (git_commit_lookup(&pc, g->repo, parent) < 0 || git_commit_tree(&ptree, pc) < 0) {
		rc = fail_git(g, err, EXIT_DATA, "parent commit");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		git_tree_entry *te = NULL;
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].path = ch[i].path;
		up[i].filemode = GIT_FILEMODE_BLOB;
		if (git_tree_entry_bypath(&te, ptree, ch[i].path) == 0) {
			up[i].filemode = git_tree_entry_filemode(te);
			git_tree_entry_free(te);
		}
		if (git_blob_create_from_buffer(&up[i].id, g->repo, ch[i].data, ch[i].len) < 0) {
			rc = fail_git(g, err, EXIT_IOERR, ch[i].path);
			goto out;
		}
	}
	if (git_tree_create_updated(&tree_id, g->repo, ptree, n, up) < 0 || git_tree_lookup(&ntree, g->repo, &tree_id) < 0 ||
	    git_commit_create(out, g->repo, NULL, sig, sig, NULL, msg, ntree, 1, (const git_commit **)&pc) < 0)
		rc = fail_git(g, err, EXIT_IOERR, "commit");
out:
	free(up);
	git_tree_free(ntree);
	git_tree_free(ptree);
	git_commit_free(pc);
	return rc;
}

/* --- push --- */

/* git's core.sharedRepository: group-writable files when the remote is shared. */
static mode_t shared_umask(git_repository *remote)
{
	git_config *cfg = NULL;
	const char *v = NULL;
	mode_t m = umask(0);
	umask(m);
	if (git_repository_config_snapshot(&cfg, remote) == 0 && git_config_get_string(&v, cfg, "core.sharedRepository") == 0 &&
	    (!strcmp(v, "group") || !strcmp(v, "true") || !strcmp(v, "1")))
		m &= (mode_t)~070;
	else if (v && (!strcmp(v, "all") || !strcmp(v, "world") || !strcmp(v, "everybody") || !strcmp(v, "2")))
		m &= (mode_t)~075;
	git_config_free(cfg);
	return m;
}

/* A remote on this machine: objects first, then the branch moved under git's
 * ref lock only if it still points at g->tip. No hooks run (as with libgit2). */
static int push_local(struct gitr *g, const git_oid *commit, struct strbuf *err)
{
	git_repository *remote = NULL;
	git_reference *ref = NULL;
	if (git_repository_open_ext(&remote, g->url, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return fail_git(g, err, EXIT_NOTFOUND, "open");
	char *name = xasprintf("refs/heads/%s", g->branch);
	git_oid now;
	int rc = 0;
	mode_t old = umask(shared_umask(remote));
	if (git_reference_name_to_id(&now, remote, name) < 0)
		rc = fail_git(g, err, EXIT_NOTFOUND, name);
	else if (!git_oid_equal(&now, &g->tip))
		rc = GITR_MOVED;
	else if (copy_loose(g->repo, remote, commit, &g->tip) < 0)
		rc = fail_git(g, err, EXIT_IOERR, "write objects into the remote");
	else {
		int grc = git_reference_create_matching(&ref, remote, name, commit, 1, &g->tip, "cloudctl push");
		if (grc == GIT_EMODIFIED || grc == GIT_ELOCKED)
			rc = GITR_MOVED;
		else if (grc < 0)
			rc = fail_git(g, err, EXIT_IOERR, name);
	}
	umask(old);
	git_reference_free(ref);
	free(name);
	git_repository_free(remote);
	return rc;
}

static int push_network(struct gitr *g, const git_oid *commit, struct strbuf *err)
{
	/* libgit2 pushes from a ref: a temporary one of this process. */
	char *tmp = xasprintf("refs/cloudctl/push/%ld-%u", (long)getpid(), g->push_seq++);
	char *spec = xasprintf("%s:refs/heads/%s", tmp, g->branch);
	git_reference *ref = NULL;
	git_remote *r = NULL;
	int rc = 0;
	if (git_reference_create(&ref, g->repo, tmp, commit, 1, NULL) < 0) {
		rc = fail_git(g, err, EXIT_IOERR, tmp);
		goto out;
	}
	git_push_options po;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	set_callbacks(&po.callbacks, g->cb);
	reset_cb(g->cb);
	git_strarray specs = { &spec, 1 };
	if (git_remote_create_anonymous(&r, g->repo, g->url) < 0) {
		rc = fail_git(g, err, EXIT_USAGE, "remote");
		goto out;
	}
	int grc = git_remote_push(r, &specs, &po);
	if (grc == GIT_ENONFASTFORWARD)
		rc = GITR_MOVED;
	else if (grc < 0)
		rc = fail_git(g, err, EXIT_UNAVAIL, "push");
	else if (g->cb->status.len) {
		sb_reset(err);
		sb_addf(err, "%s", g->cb->status.buf);
		if (g->cb->remote_msg.len)
			sb_addf(err, " (remote: %s)", g->cb->remote_msg.buf);
		rc = GITR_REJECTED;
	}
out:
	if (ref) {
		git_reference_delete(ref);
		git_reference_free(ref);
	}
	git_remote_free(r);
	free(spec);
	free(tmp);
	return rc;
}

int gitr_push(struct gitr *g, const git_oid *commit, struct strbuf *err)
{
	return g->local ? push_local(g, commit, err) : push_network(g, commit, err);
}

/* --- author --- */

static int parse_person(const char *spec, char **name, char **email)
{
	const char *lt = strchr(spec, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt || gt[1] != '\0')
		return -1;
	const char *end = lt;
	while (end > spec && end[-1] == ' ')
		end--;
	if (end == spec)
		return -1;
	*name = xstrndup(spec, (size_t)(end - spec));
	*email = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

int gitr_author(const char *spec, git_signature **out, struct strbuf *err)
{
	char *name = NULL, *email = NULL;
	const char *env = getenv("CLOUDCTL_GIT_AUTHOR");
	git_libgit2_init();
	if (spec || (env && *env)) {
		const char *s = spec ? spec : env;
		if (parse_person(s, &name, &email) < 0)
			return sb_fail(err, EXIT_USAGE, "%s '%s': want \"Name <email>\"", spec ? "--author" : "CLOUDCTL_GIT_AUTHOR", s);
	} else {
		git_config *cfg = NULL, *snap = NULL;
		const char *v;
		if (git_config_open_default(&cfg) == 0 && git_config_snapshot(&snap, cfg) == 0) {
			if (git_config_get_string(&v, snap, "user.name") == 0)
				name = xstrdup(v);
			if (git_config_get_string(&v, snap, "user.email") == 0)
				email = xstrdup(v);
		}
		git_config_free(snap);
		git_config_free(cfg);
		const char *en = getenv("GIT_AUTHOR_NAME"), *ee = getenv("GIT_AUTHOR_EMAIL");
		if (en && *en)
			free(name), name = xstrdup(en);
		if (ee && *ee)
			free(email), email = xstrdup(ee);
		if (!name)
			name = xstrdup("cloudctl");
		if (!email)
			email = xstrdup("cloudctl@localhost");
	}
	int rc = git_signature_now(out, name, email) < 0 ? sb_fail(err, EXIT_USAGE, "author '%s <%s>': %s", name, email,
								     git_error_last() ? git_error_last()->message : "invalid")
							  : 0;
	free(name);
	free(email);
	return rc;
}
