/* interrupt.c: SIGINT and SIGTERM set a flag (see interrupt.h). */
#include "interrupt.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t caught;
static int installed;

static void on_signal(int sig)
{
	caught = sig;
}

void interrupt_install(void)
{
	if (installed)
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a wait in a system call must end */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	installed = 1;
}

int interrupted(void)
{
	return caught;
}

int interrupt_exit_code(void)
{
	return 128 + SIGINT;
}

int interrupt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (!caught && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return caught != 0;
}

void interrupt_reset(void)
{
	caught = 0;
}
