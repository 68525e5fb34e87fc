/* remote.c: a branch of a git remote through a bare clone cache (libgit2): the
 * URL, the cache, fetching the branch, opening and closing, runs taking turns. */
#include "remote_private.h"
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "creds.h"
#include "http.h"
#include "log.h"

/* --- URLs --- */

static int has_scheme(const char *url) { return strstr(url, "://") != NULL; }

/* user@host:path (scp-like): a ':' before any '/', and not a Windows-ish "C:". */
int gitr_url_is_scp_like(const char *url)
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

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_rf(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

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

/* The directory the cache (and its lock files) go in. */
static int make_cache_root(struct gitr *g, struct strbuf *err)
{
	char *parent = xstrdup(g->cache_path);
	*strrchr(parent, '/') = 0;
	int rc = mkdir_all(parent, 0700) < 0 ? sb_fail(err, EXIT_IOERR, "%s: %s", g->cache_path, strerror(errno)) : 0;
	free(parent);
	return rc;
}

/* Open the cache, or make it: a bare repository that names its URL in its
 * config (cloudctl.url), so that a stale or foreign directory is noticed. */
static int cache_open(struct gitr *g, int rebuild, struct strbuf *err)
{
	if (g->repo) {
		git_repository_free(g->repo);
		g->repo = NULL;
	}
	int rc = make_cache_root(g, err);
	if (rc)
		return rc;
	int fd = lock_file(g->cache_path);
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
		rc = gitr_fail(g, err, EXIT_IOERR, g->cache_path);
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
		return gitr_fail(g, err, EXIT_UNAVAIL, "list refs");
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

/* refs/remotes/origin/HEAD, as git clone leaves it: the default branch a
 * later run that trusts the cache takes without asking the remote. */
static void remember_default_branch(struct gitr *g)
{
	char *target = xasprintf("refs/remotes/origin/%s", g->branch);
	git_reference *ref = NULL;
	if (git_reference_symbolic_create(&ref, g->repo, "refs/remotes/origin/HEAD", target, 1, NULL) == 0)
		git_reference_free(ref);
	free(target);
}

/* The branch's tip as the cache last saw it (refs/remotes/origin/BRANCH),
 * when it reads back; the default branch too when none was given. */
static int tip_from_cache(struct gitr *g)
{
	if (!g->branch) {
		git_reference *head = NULL;
		if (git_reference_lookup(&head, g->repo, "refs/remotes/origin/HEAD") < 0 ||
		    git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
		    !str_starts(git_reference_symbolic_target(head), "refs/remotes/origin/")) {
			git_reference_free(head);
			return -1;
		}
		g->branch = xstrdup(git_reference_symbolic_target(head) + 20);
		git_reference_free(head);
	}
	char *hint = xasprintf("refs/remotes/origin/%s", g->branch);
	int rc = git_reference_name_to_id(&g->tip, g->repo, hint) == 0 && tip_readable(g) ? 0 : -1;
	free(hint);
	return rc;
}

void gitr_set_hint(struct gitr *g, const git_oid *commit)
{
	char *ref = xasprintf("refs/remotes/origin/%s", g->branch);
	git_reference *out = NULL;
	if (git_reference_create(&out, g->repo, ref, commit, 1, NULL) == 0)
		git_reference_free(out);
	free(ref);
}

static int fetch_once(struct gitr *g, struct strbuf *err)
{
	int resolved = g->branch == NULL;
	/* A cache that has the branch: in two requests at most (remote_fetch_http.c). */
	if (str_starts(g->url, "https://") && gitr_fetch_http(g) == 0) {
		if (resolved)
			remember_default_branch(g);
		return 0;
	}
	git_remote *r = NULL;
	git_remote_callbacks cbs;
	git_remote_init_callbacks(&cbs, GIT_REMOTE_CALLBACKS_VERSION);
	gitr_cb_attach(&cbs, g->cb);
	gitr_cb_reset(g->cb);
	int rc = 0;
	if (git_remote_create_anonymous(&r, g->repo, g->url) < 0)
		return gitr_fail(g, err, EXIT_USAGE, "remote");
	if (git_remote_connect(r, GIT_DIRECTION_FETCH, &cbs, NULL, NULL) < 0) {
		rc = gitr_fail(g, err, EXIT_UNAVAIL, "connect");
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
			rc = gitr_fail(g, err, EXIT_UNAVAIL, "fetch");
		free(spec);
	}
	if (rc == 0) {
		/* A hint for the next fetch's negotiation; another run may hold its
		 * lock at this moment, and then its value serves as well. */
		gitr_set_hint(g, &g->tip);
		if (resolved)
			remember_default_branch(g);
	}
out:
	git_remote_disconnect(r);
	git_remote_free(r);
	return rc;
}

/* A repository on this machine needs no cache: it is opened in place (g->repo
 * is the remote itself), read there, and its new objects are written there,
 * under its core.sharedRepository umask (a cache would mean writing them
 * twice, and reading through alternates). No ref of it is written but the
 * branch, by push_local. */
static int open_local(struct gitr *g, struct strbuf *err)
{
	int rc = make_cache_root(g, err); /* where the turn lock goes */
	if (rc)
		return rc;
	if (git_repository_open_ext(&g->repo, g->url, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return sb_fail(err, EXIT_NOTFOUND, "%s: not a git repository", g->display_url);
	g->write_umask = (int)gitr_shared_umask(g->repo);
	return 0;
}

/* The branch of a repository on this machine, read where it is. */
static int fetch_local(struct gitr *g, struct strbuf *err)
{
	git_reference *head = NULL;
	gitr_cb_reset(g->cb);
	if (!g->branch) {
		int ok = git_reference_lookup(&head, g->repo, "HEAD") == 0 && git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
			 str_starts(git_reference_symbolic_target(head), "refs/heads/");
		if (ok)
			g->branch = xstrdup(git_reference_symbolic_target(head) + 11);
		git_reference_free(head);
		if (!ok)
			return sb_fail(err, EXIT_NOTFOUND, "%s: the remote has no default branch: give --branch", g->display_url);
	}
	char *name = xasprintf("refs/heads/%s", g->branch);
	int rc = git_reference_name_to_id(&g->tip, g->repo, name) < 0
			 ? sb_fail(err, EXIT_NOTFOUND, "%s: no branch '%s' on the remote", g->display_url, g->branch)
			 : 0;
	free(name);
	return rc;
}

int gitr_branch_writable(struct gitr *g, struct strbuf *err)
{
	if (!g->local || git_repository_is_bare(g->repo) || !g->branch)
		return 0;
	git_reference *head = NULL;
	char *name = xasprintf("refs/heads/%s", g->branch);
	int checked_out = git_reference_lookup(&head, g->repo, "HEAD") == 0 &&
			  git_reference_type(head) == GIT_REFERENCE_SYMBOLIC && !strcmp(git_reference_symbolic_target(head), name);
	git_reference_free(head);
	free(name);
	if (!checked_out)
		return 0;
	/* git's receive.denyCurrentBranch: refuse (the default), updateInstead
	 * (a work tree update we do not make), or ignore/warn/false (git pushes) */
	git_config *cfg = NULL;
	const char *v = NULL;
	git_buf b = GIT_BUF_INIT;
	if (git_repository_config_snapshot(&cfg, g->repo) == 0 && git_config_get_string_buf(&b, cfg, "receive.denyCurrentBranch") == 0)
		v = b.ptr;
	int allowed = v && (!strcasecmp(v, "ignore") || !strcasecmp(v, "warn") || !strcasecmp(v, "false") ||
			    !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0"));
	if (allowed && !strcasecmp(v, "warn"))
		warnx("%s: updating the checked-out branch %s: its work tree and index stay as they were "
		      "(receive.denyCurrentBranch=warn)", g->display_url, g->branch);
	int rc = allowed ? 0
			 : sb_fail(err, EXIT_PERM, "%s: refusing to update the checked-out branch %s of a non-bare repository, "
				   "as git does (receive.denyCurrentBranch%s%s): push to a bare repository, or check out "
				   "another branch there", g->display_url, g->branch, v ? "=" : "", v ? v : "");
	git_buf_dispose(&b);
	git_config_free(cfg);
	return rc;
}

/* 0 when the tip fetched reads back, else EXIT_DATA saying so. */
static int tip_check(struct gitr *g, struct strbuf *err)
{
	return tip_readable(g) ? 0 : sb_fail(err, EXIT_DATA, "%s: commit %s cannot be read", g->display_url,
					     git_oid_tostr_s(&g->tip));
}

int gitr_fetch(struct gitr *g, struct strbuf *err)
{
	g->unverified = 0;
	if (g->local) {
		int rc = fetch_local(g, err);
		return rc ? rc : tip_check(g, err);
	}
	int rc = fetch_once(g, err);
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
	if ((rc = fetch_once(g, err)) != 0)
		return rc;
	return tip_check(g, err);
}

/* --- open and close --- */

/* The CA bundle for https, given to libgit2 (and kept for remote_http.c). */
static const char *set_ca(const char *cacert)
{
	const char *ca = cacert;
	if (!ca)
		ca = getenv("GIT_SSL_CAINFO");
	if (!ca || !*ca)
		ca = getenv("SSL_CERT_FILE");
	if (!ca || !*ca)
		ca = access(GITR_SYSTEM_CA, R_OK) == 0 ? GITR_SYSTEM_CA : NULL;
	if (ca)
		git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ca, NULL);
	return ca;
}

static int resolve_url(struct gitr *g, const char *url, struct strbuf *err)
{
	char real[PATH_MAX];
	if (str_starts(url, "file://"))
		url += 7;
	else if (has_scheme(url) || gitr_url_is_scp_like(url)) {
		g->url = xstrdup(url);
		return 0;
	}
	if (!realpath(url, real))
		return sb_fail(err, EXIT_NOTFOUND, "%s: %s", url, strerror(errno));
	g->url = xstrdup(real);
	g->local = 1;
	return 0;
}

int gitr_open(struct gitr *g, const struct gitr_opts *o, struct strbuf *err)
{
	static int ca_set;
	memset(g, 0, sizeof *g);
	g->lock_fd = -1;
	g->write_umask = -1;
	gitr_init();
	if (o->cacert && access(o->cacert, R_OK) < 0)
		return sb_fail(err, EXIT_NOTFOUND, "--cacert %s: %s", o->cacert, strerror(errno));
	int rc = resolve_url(g, o->url, err);
	if (rc)
		return rc;
	/* Only https needs the CAs (parsing the system's bundle costs milliseconds). */
	static const char *ca; /* an option's or the environment's string, or a constant */
	if (str_starts(g->url, "https://") && (!ca_set++ || o->cacert))
		ca = set_ca(o->cacert);
	if (str_starts(g->url, "https://") && ca)
		g->cacert = xstrdup(ca);
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
	gitr_cb_new(g, o);
	if (url_pass && !o->password)
		g->cb->password = g->cb->owned_password = url_pass;
	else
		secret_free(url_pass);
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
	if (g->local)
		return (rc = open_local(g, err)) != 0 ? rc : gitr_fetch(g, err);
	if ((rc = cache_open(g, 0, err)) != 0)
		return rc;
	g->trust_cache = o->trust_cache;
	if (g->trust_cache && tip_from_cache(g) == 0) {
		g->unverified = 1;
		return 0;
	}
	return gitr_fetch(g, err);
}

int gitr_refresh(struct gitr *g, struct strbuf *err)
{
	if (g->trust_cache && tip_from_cache(g) == 0) {
		g->unverified = 1;
		return 0;
	}
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
	gitr_cb_free(g->cb);
	http_client_free(g->http);
	free(g->url);
	free(g->display_url);
	free(g->branch);
	free(g->cache_path);
	free(g->cacert);
	memset(g, 0, sizeof *g);
	g->lock_fd = -1;
}
