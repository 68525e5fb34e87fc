/* test_gitstream.c: lib/git/stream.c copies the layout of libgit2's private
 * git_socket_stream; it is registered only with the libgit2 releases whose
 * streams/socket.h has that layout (1.1 to 1.9), and any other keeps libgit2's
 * own socket rather than hand libssh2 a wrong file descriptor. */
#include "check.h"
#include "git/init.h"

#include <git2.h>

static void test_known_range(void)
{
	CHECK_INT(gitr_socket_layout_known(0, 28), 0);
	CHECK_INT(gitr_socket_layout_known(1, 0), 0);
	CHECK_INT(gitr_socket_layout_known(1, 1), 1);
	CHECK_INT(gitr_socket_layout_known(1, 5), 1); /* Debian 12 */
	CHECK_INT(gitr_socket_layout_known(1, 9), 1);
	CHECK_INT(gitr_socket_layout_known(1, 10), 0);
	CHECK_INT(gitr_socket_layout_known(2, 0), 0);
	CHECK_INT(gitr_socket_layout_known(2, 5), 0);
}

/* registered exactly when the libgit2 that runs is in the range */
static void test_registered_with_this_libgit2(void)
{
	int major, minor, rev;
	gitr_init();
	git_libgit2_version(&major, &minor, &rev);
	CHECK_INT(gitr_stream_register(), gitr_socket_layout_known(major, minor));
}

int main(void)
{
	RUN(test_known_range);
	RUN(test_registered_with_this_libgit2);
	return CHECK_DONE("gitstream");
}
