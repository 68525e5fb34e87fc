/* remote.h: one branch of a git remote, for tools that change a few files in it
 * and push (cloudctl-deploy), through libgit2.
 *
 * The remote is a local path, file://, http(s):// or ssh:// (or scp-like
 * user@host:path). Its objects are kept in a bare clone cache, by default
 * $XDG_CACHE_HOME/cloudctl/git/<sha256 of the URL, 16 hex> (over https and
 * ssh), reused by every
 * later run: a run fetches only the branch's new commits. A cache that cannot
 * be read is removed and cloned again. Nothing is ever checked out: files are
 * read from and committed into trees directly, so concurrent runs share one
 * cache safely (objects are immutable; the only shared refs are hints).
 *
 * Transports: https with user and password or token (git_creds_lookup), a CA
 * file (--cacert: mbedTLS, under Debian's libgit2, ignores SSL_CERT_FILE);
 * ssh with a key file (ed25519, RSA) or ssh-agent, the host key checked
 * against known_hosts by us (unknown or changed: refused). Pushes to a local
 * repository compare-and-swap the branch under git's own ref lock (libgit2's
 * local transport would overwrite it) and run no hooks; pushes over the
 * network rely on the server's receive-pack, which does the same. A local
 * remote has no cache: g->repo is the remote itself, read and written in
 * place; a push over https is one POST of the command and the pack
 * (remote_http.c), a fetch into a cache two requests at most
 * (remote_fetch_http.c), libgit2's being the fallback for both. */
#ifndef CLOUDCTL_GIT_REMOTE_H
#define CLOUDCTL_GIT_REMOTE_H

#include <git2.h>

#include "util.h"

struct gitr_opts {
	const char *url;         /* URL, user@host:path, or a local path */
	const char *branch;      /* NULL: the remote's default branch (its HEAD) */
	const char *cacert;      /* https: PEM CA bundle; NULL: $GIT_SSL_CAINFO, $SSL_CERT_FILE, the system's */
	const char *username;    /* https: NULL: from the URL, environment, credential files */
	const char *password;    /* https: password or token; never printed; gitr_open copies
				  * it (and the other strings the callbacks need) */
	const char *ssh_key;     /* ssh: private key (KEY.pub beside it is used when present);
				  * NULL: ssh-agent ($SSH_AUTH_SOCK), then ~/.ssh/id_ed25519, ~/.ssh/id_rsa */
	const char *known_hosts; /* ssh: NULL: ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts */
	const char *cache_dir;   /* NULL: $XDG_CACHE_HOME/cloudctl/git (~/.cache/cloudctl/git) */
	int no_cache;            /* a temporary cache, removed by gitr_close */
	int trust_cache;         /* https, ssh: when the cache has the branch, take its tip from there
				  * without fetching (g->unverified set); gitr_push then says
				  * GITR_MOVED unless the remote's branch is exactly there */
};

struct gitr_cb; /* private: credential and host-key state */

struct gitr {
	git_repository *repo;  /* the bare cache */
	char *url;             /* as libgit2 takes it (a local path made absolute) */
	char *display_url;     /* without user or password: for messages and records */
	char *branch;          /* the branch, once resolved */
	char *cache_path;      /* a local remote's: only its turn lock is there */
	char *cacert;          /* https: the CA bundle in use, NULL for the system's */
	git_oid tip;           /* the remote branch's commit at the last fetch */
	int local;             /* the remote is a repository on this machine */
	int write_umask;       /* local: the umask new objects are written under; -1 otherwise */
	int no_cache;
	int trust_cache;       /* gitr_opts.trust_cache, for a network remote */
	int unverified;        /* tip is the cache's, not fetched in this run */
	unsigned push_seq;
	int lock_fd;           /* gitr_lock's, -1 when not held */
	struct gitr_cb *cb;
	struct http_client *http; /* https: the run's client for our own requests (remote_http.c) */
};

/* Results of gitr_push besides 0 and exit codes (all exit codes are > 0). */
enum { GITR_MOVED = -2, GITR_REJECTED = -3 };

/* Open (or make) the cache for o->url and fetch o->branch. Returns 0 with g->tip
 * set, or an exit code with a one-line reason in err: 66 (no such repository or
 * branch), 69 (cannot connect), 77 (authentication failed, unknown or changed
 * host key, untrusted certificate), 78 (bad options), 74, 70. */
int gitr_open(struct gitr *g, const struct gitr_opts *o, struct strbuf *err);
/* Fetch the branch again (after a push was refused). Same results. */
int gitr_fetch(struct gitr *g, struct strbuf *err);
/* A local non-bare remote whose checked-out branch is g->branch is not pushed
 * to, as git's receive.denyCurrentBranch (default refuse) says: EXIT_PERM with
 * why in err; 0 when it may be (bare, another branch checked out, or the
 * repository's config says ignore or warn: then a warning). */
int gitr_branch_writable(struct gitr *g, struct strbuf *err);
/* The tip again after waiting for a turn (gitr_lock): the cache's when it is
 * trusted (another run on this machine may have pushed), else fetched. */
int gitr_refresh(struct gitr *g, struct strbuf *err);
/* Record commit as the remote branch's tip in the cache (after a push). */
void gitr_set_hint(struct gitr *g, const git_oid *commit);
void gitr_close(struct gitr *g);

/* The blob at path in commit into out. Returns 0, EXIT_NOTFOUND (path is not a
 * file there), or another code with err. */
int gitr_read(struct gitr *g, const git_oid *commit, const char *path, struct strbuf *out, struct strbuf *err);
/* Whether path is a directory in commit. */
int gitr_is_dir(struct gitr *g, const git_oid *commit, const char *path);

struct gitr_change {
	const char *path; /* in the repository, '/'-separated */
	const char *data;
	size_t len;
};
/* A new commit with parent's tree and these files replaced (modes kept),
 * author and committer sig, message msg; no ref moves. Returns 0 or a code. */
int gitr_commit(struct gitr *g, const git_oid *parent, const struct gitr_change *ch, size_t n,
		const git_signature *sig, const char *msg, git_oid *out, struct strbuf *err);

/* Make commit (a descendant of g->tip) the remote branch, only if the branch
 * is still at g->tip. Returns 0; GITR_MOVED (the branch moved: fetch and try
 * again); GITR_REJECTED (the server refused the update, its reason in err: it
 * may have moved, or a hook said no: fetch to tell); or an exit code. */
int gitr_push(struct gitr *g, const git_oid *commit, struct strbuf *err);

/* Runs on one machine that share a cache take turns from fetch to push (held
 * for milliseconds; without it they would mostly push over each other and
 * retry). Runs elsewhere still meet at the remote's compare-and-swap.
 * gitr_lock returns the milliseconds it waited. */
long long gitr_lock(struct gitr *g);
void gitr_unlock(struct gitr *g);

/* The author for new commits: spec ("Name <email>") when given, else
 * $CLOUDCTL_GIT_AUTHOR, else git's user.name and user.email (global and
 * system configuration, $GIT_AUTHOR_NAME/$GIT_AUTHOR_EMAIL over them), else
 * "cloudctl <cloudctl@localhost>". Returns 0 or EXIT_USAGE (a malformed spec). */
int gitr_author(const char *spec, git_signature **out, struct strbuf *err);

/* The cache directory gitr_open would use for url (for tests and --verbose). */
char *gitr_cache_path(const char *cache_root, const char *url);

#endif
