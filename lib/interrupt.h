/* interrupt.h: Ctrl-C (SIGINT) and SIGTERM as a request to stop, not a kill.
 *
 * A tool that makes several objects (servers, networks, a domain and its disk)
 * must not die between two steps and leave objects nobody has a record of.
 * After interrupt_install(), a signal only sets a flag: the tool finishes or
 * undoes the step in flight, writes a record for everything that exists, and
 * exits interrupt_exit_code() (130, for SIGTERM too). The handler is installed
 * without SA_RESTART, so a blocking sleep, poll or read returns EINTR and a long
 * wait notices the flag at once; loops that wait poll interrupted(). */
#ifndef CLOUDCTL_INTERRUPT_H
#define CLOUDCTL_INTERRUPT_H

/* Catch SIGINT and SIGTERM (idempotent). */
void interrupt_install(void);

/* The signal that arrived (SIGINT or SIGTERM), 0 when none did. */
int interrupted(void);

/* The exit code of an interrupted run: 130 (128 + SIGINT), for both signals. */
int interrupt_exit_code(void);

/* Sleep ms milliseconds, or less when a signal arrives. Returns 1 when
 * interrupted (before or during the sleep), 0 otherwise. */
int interrupt_sleep_ms(long ms);

/* For tests: forget a signal that arrived. */
void interrupt_reset(void);

#endif
