/* test_target.c: lib/target.c (which records a command may act on) and
 * lib/interrupt.c (SIGINT/SIGTERM as a flag). */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "interrupt.h"
#include "log.h"
#include "record.h"
#include "target.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Records from kv lines, numbered from 1 as a reader would. */
static void records(struct recset *s, const char *const *lines)
{
	struct strbuf err = STRBUF_INIT;
	for (long i = 0; lines[i]; i++) {
		struct record *r = recset_add(s);
		r->line = i + 1;
		if (rec_parse_line(lines[i], strlen(lines[i]), r, &err) < 0)
			printf("bad test line %s: %s\n", lines[i], err.buf);
	}
	sb_release(&err);
}

static struct strbuf err = STRBUF_INIT;
static struct target_spec libvirt_sys = { "libvirt", NULL, "qemu:///system", NULL };
static struct target_spec os_a = { "openstack", "tenant-a", NULL, "p1" };

/* The answer of target_check_record for one kv line against t: "ok" or the error. */
static const char *check_line(const struct target_spec *t, const char *line)
{
	struct recset s = RECSET_INIT;
	const char *lines[] = { line, NULL };
	records(&s, lines);
	sb_reset(&err);
	int rc = target_check_record(t, &s.r[0], NULL, &err);
	recset_clear(&s);
	if (rc == 0)
		return "ok";
	return rc == EXIT_DATA ? err.buf : "(not 65)";
}

static void test_check_other_driver(void)
{
	CHECK_STR(check_line(&libvirt_sys, "kind=vm id=1 name=web driver=openstack cloud=tenant-a"),
		  "<stdin>:1: record is driver=openstack cloud=tenant-a; this command acts on driver=libvirt "
		  "uri=qemu:///system");
	CHECK_STR(check_line(&os_a, "kind=vm name=web driver=libvirt uri=qemu:///system"),
		  "<stdin>:1: record is driver=libvirt uri=qemu:///system; this command acts on driver=openstack "
		  "cloud=tenant-a project=p1");
}

static void test_check_other_cloud_uri_project(void)
{
	CHECK_STR(check_line(&os_a, "kind=vm name=web driver=openstack cloud=tenant-b project=p1"),
		  "<stdin>:1: record is driver=openstack cloud=tenant-b project=p1; this command acts on "
		  "driver=openstack cloud=tenant-a project=p1");
	CHECK_STR(check_line(&os_a, "kind=vm name=web driver=openstack cloud=tenant-a project=p2"),
		  "<stdin>:1: record is driver=openstack cloud=tenant-a project=p2; this command acts on "
		  "driver=openstack cloud=tenant-a project=p1");
	CHECK_STR(check_line(&libvirt_sys, "kind=vm name=web driver=libvirt uri=test:///default"),
		  "<stdin>:1: record is driver=libvirt uri=test:///default; this command acts on driver=libvirt "
		  "uri=qemu:///system");
}

static void test_check_accepts(void)
{
	/* hand-written or older records: no driver at all */
	CHECK_STR(check_line(&libvirt_sys, "kind=vm name=web"), "ok");
	CHECK_STR(check_line(&os_a, "kind=vm name=web cloud=tenant-b"), "ok");
	/* the same target; a field one side does not know is no difference */
	CHECK_STR(check_line(&os_a, "kind=vm name=web driver=openstack cloud=tenant-a project=p1"), "ok");
	CHECK_STR(check_line(&os_a, "kind=vm name=web driver=openstack"), "ok");
	CHECK_STR(check_line(&os_a, "kind=net name=n driver=openstack cloud=tenant-a"), "ok");
	struct target_spec no_project = { "openstack", "tenant-a", NULL, NULL };
	CHECK_STR(check_line(&no_project, "kind=vm driver=openstack cloud=tenant-a project=p9"), "ok");
	CHECK_STR(check_line(&libvirt_sys, "kind=vm name=web driver=libvirt uri=qemu:///system"), "ok");
	struct target_spec default_uri = { "libvirt", NULL, NULL, NULL };
	CHECK_STR(check_line(&default_uri, "kind=vm name=web driver=libvirt uri=qemu:///system"), "ok");
	/* values with spaces are quoted in the message */
	CHECK_STR(check_line(&os_a, "kind=vm driver=openstack cloud=\"my cloud\""),
		  "<stdin>:1: record is driver=openstack cloud=\"my cloud\"; this command acts on "
		  "driver=openstack cloud=tenant-a project=p1");
}

static void test_check_records_first_wins(void)
{
	struct recset s = RECSET_INIT;
	const char *lines[] = { "kind=vm name=a driver=openstack cloud=tenant-a", "kind=vm name=b",
				"kind=vm name=c driver=libvirt", "kind=vm name=d driver=openstack cloud=x", NULL };
	records(&s, lines);
	sb_reset(&err);
	CHECK_INT(target_check_records(&os_a, &s, "in.txt", &err), EXIT_DATA);
	CHECK_STR(err.buf, "in.txt:3: record is driver=libvirt; this command acts on driver=openstack "
			   "cloud=tenant-a project=p1");
	recset_clear(&s);
}

static void test_from_records_agree(void)
{
	struct recset s = RECSET_INIT;
	const char *lines[] = { "kind=net name=n1", "kind=net name=n1 driver=openstack cloud=tenant-a",
				"kind=subnet driver=openstack cloud=tenant-a project=p1", NULL };
	records(&s, lines);
	struct target_spec t;
	CHECK_INT(target_from_records(&s, NULL, &t, &err), 0);
	CHECK_STR(t.driver, "openstack");
	CHECK_STR(t.cloud, "tenant-a");
	CHECK(t.uri == NULL);
	CHECK_STR(t.project, "p1");
	struct record out = RECORD_INIT;
	rec_set(&out, "kind", "vm");
	target_set_fields(&out, &t);
	CHECK_INT(out.n, 4);
	CHECK_STR(out.f[1].key, "driver");
	CHECK_STR(out.f[2].key, "cloud");
	CHECK_STR(out.f[3].key, "project");
	rec_clear(&out);
	target_spec_clear(&t);
	recset_clear(&s);
}

static void test_from_records_none(void)
{
	struct recset s = RECSET_INIT;
	const char *lines[] = { "kind=vm name=a", "kind=vm name=b driver=", NULL };
	records(&s, lines);
	struct target_spec t;
	CHECK_INT(target_from_records(&s, NULL, &t, &err), 0);
	CHECK(t.driver == NULL && t.cloud == NULL && t.uri == NULL && t.project == NULL);
	recset_clear(&s);
	struct recset empty = RECSET_INIT;
	CHECK_INT(target_from_records(&empty, NULL, &t, &err), 0);
	CHECK(t.driver == NULL);
}

static void test_from_records_disagree(void)
{
	struct recset s = RECSET_INIT;
	const char *lines[] = { "kind=vm name=a driver=libvirt uri=qemu:///system", "kind=vm name=b",
				"kind=vm name=c driver=libvirt uri=test:///default", NULL };
	records(&s, lines);
	struct target_spec t;
	CHECK_INT(target_from_records(&s, NULL, &t, &err), EXIT_DATA);
	CHECK_STR(err.buf, "<stdin>:3: record is driver=libvirt uri=test:///default; earlier records are "
			   "driver=libvirt uri=qemu:///system");
	CHECK(t.driver == NULL);
	recset_clear(&s);

	const char *mixed[] = { "kind=vm name=a driver=openstack cloud=env project=p1",
				"kind=vm name=a driver=openstack cloud=env project=p2", NULL };
	records(&s, mixed);
	CHECK_INT(target_from_records(&s, NULL, &t, &err), EXIT_DATA);
	CHECK_STR(err.buf, "<stdin>:2: record is driver=openstack cloud=env project=p2; earlier records are "
			   "driver=openstack cloud=env project=p1");
	recset_clear(&s);
}

static void test_env_named(void)
{
	unsetenv("OS_CLOUD");
	unsetenv("OS_AUTH_URL");
	unsetenv("LIBVIRT_DEFAULT_URI");
	CHECK_INT(target_env_named(), 0);
	setenv("OS_CLOUD", "", 1);
	CHECK_INT(target_env_named(), 0);
	setenv("OS_CLOUD", "tenant-a", 1);
	CHECK_INT(target_env_named(), 1);
	unsetenv("OS_CLOUD");
	setenv("LIBVIRT_DEFAULT_URI", "test:///default", 1);
	CHECK_INT(target_env_named(), 1);
	unsetenv("LIBVIRT_DEFAULT_URI");
	setenv("OS_AUTH_URL", "http://127.0.0.1:5000/v3", 1);
	CHECK_INT(target_env_named(), 1);
	unsetenv("OS_AUTH_URL");
}

/* The driver cloudctl-vm and cloudctl-net run: option, the tool's variable,
 * --os-cloud or --connect, then OS_CLOUD/OS_AUTH_URL, else libvirt. */
static void test_driver_choice(void)
{
	unsetenv("OS_CLOUD");
	unsetenv("OS_AUTH_URL");
	unsetenv("LIBVIRT_DEFAULT_URI");
	unsetenv("CLOUDCTL_TEST_DRIVER");
	struct target_opts o = { NULL, "CLOUDCTL_TEST_DRIVER", NULL, 0 };
	CHECK_STR(target_driver(&o), "libvirt");
	CHECK_INT(target_is_named(&o), 0);
	setenv("OS_AUTH_URL", "http://127.0.0.1:5000/v3", 1);
	CHECK_STR(target_driver(&o), "openstack");
	CHECK_INT(target_is_named(&o), 1);
	o.connect = 1; /* --connect beats the OpenStack user's shell */
	CHECK_STR(target_driver(&o), "libvirt");
	o.os_cloud = "tenant-a"; /* and --os-cloud beats --connect */
	CHECK_STR(target_driver(&o), "openstack");
	setenv("CLOUDCTL_TEST_DRIVER", "libvirt", 1);
	CHECK_STR(target_driver(&o), "libvirt");
	o.driver = "openstack";
	CHECK_STR(target_driver(&o), "openstack");
	unsetenv("OS_AUTH_URL");
	struct target_opts env_only = { NULL, "CLOUDCTL_TEST_DRIVER", NULL, 0 };
	CHECK_STR(target_driver(&env_only), "libvirt");
	CHECK_INT(target_is_named(&env_only), 1);
	setenv("CLOUDCTL_TEST_DRIVER", "", 1); /* empty is unset */
	CHECK_INT(target_is_named(&env_only), 0);
	unsetenv("CLOUDCTL_TEST_DRIVER");
}

static void test_interrupt_flag(void)
{
	interrupt_install();
	interrupt_install();
	CHECK_INT(interrupted(), 0);
	CHECK_INT(interrupt_sleep_ms(1), 0);
	raise(SIGINT); /* the process lives on */
	CHECK_INT(interrupted(), SIGINT);
	CHECK_INT(interrupt_exit_code(), 130);
	CHECK_INT(interrupt_sleep_ms(10000), 1); /* returns at once */
	interrupt_reset();
	raise(SIGTERM);
	CHECK_INT(interrupted(), SIGTERM);
	CHECK_INT(interrupt_exit_code(), 130);
	interrupt_reset();
}

/* A signal from another process cuts a long sleep short. */
static void test_interrupt_cuts_sleep(void)
{
	interrupt_install();
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
		kill(parent, SIGTERM);
		_exit(0);
	}
	long long t0 = now_ms();
	CHECK_INT(interrupt_sleep_ms(20000), 1);
	CHECK(now_ms() - t0 < 5000);
	CHECK_INT(interrupted(), SIGTERM);
	waitpid(pid, NULL, 0);
	interrupt_reset();
}

int main(void)
{
	RUN(test_check_other_driver);
	RUN(test_check_other_cloud_uri_project);
	RUN(test_check_accepts);
	RUN(test_check_records_first_wins);
	RUN(test_from_records_agree);
	RUN(test_from_records_none);
	RUN(test_from_records_disagree);
	RUN(test_env_named);
	RUN(test_driver_choice);
	RUN(test_interrupt_flag);
	RUN(test_interrupt_cuts_sleep);
	sb_release(&err);
	return CHECK_DONE("target");
}
