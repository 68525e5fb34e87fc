/* remote_private.h: what the files of lib/git/remote*.c share, and nothing else includes. */
#ifndef CLOUDCTL_GIT_REMOTE_PRIVATE_H
#define CLOUDCTL_GIT_REMOTE_PRIVATE_H

#include <sys/types.h>

#include "remote.h"
#include "git/init.h"

/* State the libgit2 callbacks share: what to offer, and why the last call failed. */
#define GIT_MAX_PACK_DEFAULT (1LL << 30) /* CLOUDCTL_GIT_MAX_PACK */

struct gitr_cb {
	const char *username, *password, *ssh_key;
	char *owned_password, *owned_username, *owned_ssh_key; /* copies of the options' (freed here) */
	char *known_hosts[3];
	char *host;          /* ssh host and port, from the URL */
	int port;
	int userpass_tries, ssh_tries;
	int fail_code;       /* an exit code our callback decided, 0 when none */
	struct strbuf fail;  /* and its reason */
	struct strbuf remote_msg; /* the server's last "remote:" line */
	struct strbuf status;     /* push: the server's status for our ref, when refused */
	long long max_pack;       /* CLOUDCTL_GIT_MAX_PACK: what libgit2 may fetch */
};

/* remote_callbacks.c: the state above made for the options, attached to a
 * libgit2 callbacks struct, cleared before each connection, freed. */
void gitr_cb_new(struct gitr *g, const struct gitr_opts *o);
void gitr_cb_attach(git_remote_callbacks *c, struct gitr_cb *cb);
void gitr_cb_reset(struct gitr_cb *cb);
void gitr_cb_free(struct gitr_cb *cb);
/* An exit code and a one-line reason for a failed libgit2 call: the
 * callback's own reason when it decided, else from libgit2's error. */
int gitr_fail(struct gitr *g, struct strbuf *err, int code, const char *what);

/* remote_http.c: git's smart HTTP, through lib/http. The run's client for the
 * remote (its CA, HTTP/1.1, a git/ user agent; freed by gitr_close); a request to PATH under the remote's
 * URL with the credentials sent up front (no 401 round trip), for SERVICE
 * ("upload-pack", "receive-pack": its request and result types) or none. */
struct http_client;
struct http_response;
struct http_client *gitr_http_client(struct gitr *g);
void gitr_http(struct gitr *g, struct http_client *c, const char *method, const char *path, const char *service,
	       const char *body, size_t len, struct http_response *resp);
/* pkt-lines (gitprotocol-common(5)): append one; read the next of [*p, end):
 * 1 with its payload, 0 for a flush, -1 when malformed. */
void gitr_pkt_line(struct strbuf *sb, const char *data, size_t len);
int gitr_pkt_next(const char **p, const char *end, const char **data, size_t *len);

/* remote_http.c: push commit (one commit on g->tip) over https in one POST
 * to git-receive-pack. Returns what gitr_push does, or GITR_FALLBACK when the
 * server did not take it that way (or the commit is not one on g->tip): then
 * nothing was changed, and libgit2's push is the way. */
#define GITR_FALLBACK (-4)
int gitr_push_http(struct gitr *g, const git_oid *commit, struct strbuf *err);
/* receive-pack's answer to such a push (side-band-64k, or plain): 0 when ref
 * was updated; GITR_REJECTED with the reason in why, and the server's last
 * message line as " (remote: ...)"; -1 when it cannot be read (why: the
 * server's fatal message, if any). */
int gitr_receive_report(const char *body, size_t len, const char *ref, struct strbuf *why);

/* remote_fetch_http.c: fetch the branch over https in at most two requests
 * (the advertisement, then one POST when the branch moved): 0 with g->tip
 * set and its objects in the cache, or GITR_FALLBACK (nothing changed:
 * libgit2's fetch is the way, and says why when it fails too). */
int gitr_fetch_http(struct gitr *g);
/* In upload-pack's advertisement: the commit of *branch, or of the default
 * branch (HEAD's symref capability) when *branch is NULL, which it then
 * becomes (allocated). 1 found, 0 not there, -1 malformed or without
 * side-band-64k (the only way the pack is read here). */
int gitr_upload_advert(const char *body, size_t len, char **branch, git_oid *out);
/* upload-pack's answer to want/have/done: ACK or NAK, then the pack in
 * side-band 1 (2: progress, 3: a fatal message). 0 when the pack was all
 * given to wp (for wp->commit to index), -1 otherwise. */
int gitr_upload_result(const char *body, size_t len, git_odb_writepack *wp, git_indexer_progress *st);

/* remote_push.c: the umask for files written into remote: git's
 * core.sharedRepository makes them group-writable when it is shared. */
mode_t gitr_shared_umask(git_repository *remote);

/* remote.c: user@host:path */
int gitr_url_is_scp_like(const char *url);

#endif
