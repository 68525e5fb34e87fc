/* stream.c: the TCP connection under libgit2's https, http and ssh, with
 * Nagle's algorithm off.
 *
 * libgit2's own socket leaves it on. Its TLS layer writes the end of the
 * handshake, and its push the pack's pkt-lines, as several small writes: with
 * Nagle each one after the first waits for the ACK of the one before, which
 * the server delays (it is waiting for the rest). git's own client (through
 * curl) sets TCP_NODELAY too. What those waits cost a bump is in README.md's
 * measured table.
 *
 * The stream copies a private struct of libgit2 (below), so it is registered
 * only with a libgit2 whose layout is known to match; any other keeps
 * libgit2's own socket: correct, only with Nagle's delays. */
#include "remote_private.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <git2/sys/stream.h>

/* The layout of libgit2's own git_socket_stream, on purpose: its ssh
 * transport casts the stream to that and hands the `fd` to libssh2
 * (GIT_CONTAINER_OF(io, git_socket_stream, parent) in transports/ssh.c, later
 * ssh_libssh2.c). A libgit2 with another layout would hand libssh2 whatever
 * sits there, so gitr_socket_layout_known() gates the registration. */
struct tcp_stream {
	git_stream parent;
	char *host;
	char *port;
	int fd; /* GIT_SOCKET: an int on every system but Windows */
};

int gitr_socket_layout_known(int major, int minor)
{
	/* git_socket_stream is { git_stream parent; char *host; char *port;
	 * GIT_SOCKET s; } in streams/socket.h of every release from 1.1.0 (the
	 * oldest configure accepts) to 1.9, read in libgit2's own tags; a new
	 * minor release is added here once its socket.h has been read. */
	return major == 1 && minor >= 1 && minor <= 9;
}

/* "HOST:PORT: why", or "HOST:PORT: read: why" */
static int net_error(const struct tcp_stream *s, const char *what, const char *why)
{
	char *msg = xasprintf("%s:%s: %s%s%s", s->host, s->port, what ? what : "", what ? ": " : "", why);
	git_error_set_str(GIT_ERROR_NET, msg);
	free(msg);
	return -1;
}

static int tcp_connect(git_stream *st)
{
	struct tcp_stream *s = (struct tcp_stream *)st;
	struct addrinfo hints = { 0 }, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int grc = getaddrinfo(s->host, s->port, &hints, &res);
	if (grc)
		return net_error(s, NULL, gai_strerror(grc));
	int saved = 0;
	for (struct addrinfo *a = res; a && s->fd < 0; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			saved = errno;
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		s->fd = fd;
	}
	freeaddrinfo(res);
	return s->fd < 0 ? net_error(s, NULL, strerror(saved ? saved : ECONNREFUSED)) : 0;
}

static ssize_t tcp_read(git_stream *st, void *buf, size_t len)
{
	struct tcp_stream *s = (struct tcp_stream *)st;
	ssize_t n;
	while ((n = recv(s->fd, buf, len, 0)) < 0 && errno == EINTR)
		;
	return n < 0 ? net_error(s, "read", strerror(errno)) : n;
}

/* MSG_NOSIGNAL: a server that hangs up is an error, not a SIGPIPE. */
static ssize_t tcp_write(git_stream *st, const char *buf, size_t len, int flags)
{
	struct tcp_stream *s = (struct tcp_stream *)st;
	ssize_t n;
	while ((n = send(s->fd, buf, len, flags | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n < 0 ? net_error(s, "write", strerror(errno)) : n;
}

static int tcp_close(git_stream *st)
{
	struct tcp_stream *s = (struct tcp_stream *)st;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return 0;
}

static void tcp_free(git_stream *st)
{
	struct tcp_stream *s = (struct tcp_stream *)st;
	tcp_close(st);
	free(s->host);
	free(s->port);
	free(s);
}

static int tcp_new(git_stream **out, const char *host, const char *port)
{
	struct tcp_stream *s = xcalloc(1, sizeof *s);
	s->parent.version = GIT_STREAM_VERSION;
	s->parent.connect = tcp_connect;
	s->parent.read = tcp_read;
	s->parent.write = tcp_write;
	s->parent.close = tcp_close;
	s->parent.free = tcp_free;
	s->host = xstrdup(host);
	s->port = xstrdup(port);
	s->fd = -1;
	*out = &s->parent;
	return 0;
}

/* The libgit2 that runs, not the one compiled against: its soname changes with
 * each minor release, but asking costs nothing and holds for any packaging. */
int gitr_stream_register(void)
{
	int major = 0, minor = 0, rev = 0;
	git_libgit2_version(&major, &minor, &rev);
	if (!gitr_socket_layout_known(major, minor))
		return 0;
	git_stream_registration r = { GIT_STREAM_VERSION, tcp_new, NULL };
	return git_stream_register(GIT_STREAM_STANDARD, &r) == 0;
}
