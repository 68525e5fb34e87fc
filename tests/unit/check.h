/* check.h: the unit-test harness. Each tests/unit/test_*.c is one program whose
 * main() calls CHECK* in named test functions via RUN(fn). It prints one line per
 * test ("ok - name" / "FAIL - name: file:line: what") and, last,
 * "unit NAME: N passed, N failed" which tests/run adds up. Exit status 1 on failure. */
#ifndef CLOUDCTL_CHECK_H
#define CLOUDCTL_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_cur_failed;
static const char *check_cur;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			printf("FAIL - %s: %s:%d: %s\n", check_cur, __FILE__, __LINE__, #cond); \
			check_cur_failed = 1;                                        \
		}                                                                    \
	} while (0)

#define CHECK_STR(got, want)                                                         \
	do {                                                                         \
		const char *g_ = (got), *w_ = (want);                                \
		if (!g_ || !w_ || strcmp(g_, w_) != 0) {                             \
			printf("FAIL - %s: %s:%d: %s\n    got:  [%s]\n    want: [%s]\n", \
			       check_cur, __FILE__, __LINE__, #got, g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                                  \
			check_cur_failed = 1;                                        \
		}                                                                    \
	} while (0)

#define CHECK_INT(got, want)                                                         \
	do {                                                                         \
		long long g_ = (long long)(got), w_ = (long long)(want);             \
		if (g_ != w_) {                                                      \
			printf("FAIL - %s: %s:%d: %s = %lld, want %lld\n", check_cur,  \
			       __FILE__, __LINE__, #got, g_, w_);                    \
			check_cur_failed = 1;                                        \
		}                                                                    \
	} while (0)

#define RUN(fn)                                                                      \
	do {                                                                         \
		check_cur = #fn;                                                     \
		check_cur_failed = 0;                                                \
		fn();                                                                \
		if (check_cur_failed)                                                \
			check_failed++;                                              \
		else {                                                               \
			check_passed++;                                              \
			printf("ok - %s\n", #fn);                                    \
		}                                                                    \
		fflush(stdout);                                                      \
	} while (0)

#define CHECK_DONE(name)                                                             \
	(printf("unit %s: %d passed, %d failed\n", name, check_passed, check_failed), \
	 check_failed ? 1 : 0)

#endif
