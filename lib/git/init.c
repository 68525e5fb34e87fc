/* init.c: see init.h. */
#include "git/init.h"

#include <git2.h>
#include <stdlib.h>

#include "git/compat_stat.h"

static void shutdown_at_exit(void)
{
	git_libgit2_shutdown(); /* frees libgit2's thread-local error state too */
}

void gitr_init(void)
{
	static int inited;
	if (inited++)
		return;
	/* libgit2 would parse the system CA bundle here for nothing (compat_stat.c) */
	gitr_hide_system_ca(1);
	git_libgit2_init();
	gitr_hide_system_ca(0);
	atexit(shutdown_at_exit);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0); /* remotes owned by another user are fine */
	gitr_stream_register();
}
