/* test_osauth.c: Keystone v3 login, token cache, 401 handling, catalog and API
 * errors (lib/openstack/auth.h). The first tests need no server; the rest run
 * against the real Keystone/Nova/Neutron/Glance that
 * tests/services/openstack-start.sh starts, and are skipped (with the reason)
 * when its env file ($CLOUDCTL_SVC_DIR/openstack/env) is missing. */
#include "check.h"
#include "osenv.h"
#include "log.h"
#include "openstack/auth.h"
#include "openstack/config.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- no server needed ---- */

static void test_exit_codes(void)
{
	CHECK_INT(os_status_exit_code(200), 0);
	CHECK_INT(os_status_exit_code(204), 0);
	CHECK_INT(os_status_exit_code(404), 66);
	CHECK_INT(os_status_exit_code(409), 73);
	CHECK_INT(os_status_exit_code(403), 77);
	CHECK_INT(os_status_exit_code(401), 77);
	CHECK_INT(os_status_exit_code(413), 75);
	CHECK_INT(os_status_exit_code(429), 75);
	CHECK_INT(os_status_exit_code(503), 75);
	CHECK_INT(os_status_exit_code(400), 65);
	CHECK_INT(os_status_exit_code(500), 69);
}

static void message_of(const char *body, const char *want)
{
	struct http_response r = HTTP_RESPONSE_INIT;
	sb_adds(&r.body, body);
	struct strbuf m = STRBUF_INIT;
	os_error_message(&r, &m);
	CHECK_STR(m.buf, want);
	sb_release(&m);
	http_response_release(&r);
}

static void test_error_messages(void)
{
	message_of("{\"error\": {\"code\": 401, \"message\": \"The request you have made requires authentication.\", "
		   "\"title\": \"Unauthorized\"}}",
		   "The request you have made requires authentication.");
	message_of("{\"itemNotFound\": {\"code\": 404, \"message\": \"Instance abc could not be found.\"}}",
		   "Instance abc could not be found.");
	message_of("{\"NeutronError\": {\"type\": \"NetworkNotFound\", \"message\": \"Network x could not be found.\", "
		   "\"detail\": \"\"}}",
		   "Network x could not be found.");
	message_of("{\"errors\": [{\"status\": 409, \"title\": \"Conflict\", \"detail\": \"There was a conflict.\\n\\n "
		   " Resource provider generation mismatch.  \"}]}",
		   "There was a conflict. Resource provider generation mismatch.");
	message_of("404 Not Found\n\nThe resource could not be found.\n\n   ", "404 Not Found The resource could not be found.");
	message_of("<html><body><h1>503 Service Unavailable</h1>\nNo server is available.</body></html>",
		   "503 Service Unavailable No server is available.");
	message_of("", "no message");
	/* Neutron names every port in use: its message is kept whole, past 300 characters */
	struct strbuf body = STRBUF_INIT, want = STRBUF_INIT;
	sb_adds(&want, "Unable to complete operation on network n. There are one or more ports still in use on the "
		       "network, id for these ports is: ");
	for (int i = 0; i < 8; i++)
		sb_addf(&want, "%s%08x-9585-42f5-b58d-5cf0d8e6c29e", i ? ", " : "", i);
	sb_addf(&body, "{\"NeutronError\": {\"type\": \"NetworkInUse\", \"message\": \"%s.\"}}", want.buf);
	sb_adds(&want, ".");
	message_of(body.buf, want.buf);
	sb_release(&body);
	sb_release(&want);
}

/* ---- a Keystone that is not there, or answers wrong (no cloud needed) ---- */

/* Read one request (headers, then Content-Length bytes of body) so that closing
 * the connection does not reset it under the client's feet. */
static void read_request(int fd)
{
	char buf[16384];
	size_t have = 0;
	char *end = NULL;
	ssize_t n;
	while (!end && have < sizeof buf - 1 && (n = read(fd, buf + have, sizeof buf - 1 - have)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	const char *cl = end ? strcasestr(buf, "Content-Length:") : NULL;
	size_t want = end ? (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0) : 0;
	while (have < want && have < sizeof buf - 1 && (n = read(fd, buf + have, sizeof buf - 1 - have)) > 0)
		have += (size_t)n;
}

/* A child process on 127.0.0.1 that answers every connection with `answer`
 * ("" closes it unanswered). Its port; *pid to kill. */
static int canned_keystone(const char *answer, pid_t *pid)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		/* gone with the test, however it ends; not holding its stdout open */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		close(devnull);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c < 0)
				continue;
			read_request(c);
			if (*answer && write(c, answer, strlen(answer)) < 0)
				_exit(1);
			close(c);
		}
	}
	close(fd);
	return *pid < 0 ? -1 : ntohs(a.sin_port);
}

/* Log in to a Keystone at port (1: nothing listens) that answers `answer`, then
 * ask for a Nova URL: the exit codes, and a one-line error each time. */
static void keystone_case(const char *name, const char *answer, int want_login, int want_request)
{
	pid_t pid = 0;
	int port = answer ? canned_keystone(answer, &pid) : 1;
	CHECK(port > 0);
	struct os_cloud c;
	memset(&c, 0, sizeof c);
	c.name = xstrdup("broken");
	c.auth_url = xasprintf("http://127.0.0.1:%d/v3", port);
	c.username = xstrdup("u");
	c.password = xstrdup("p");
	c.user_domain_name = xstrdup("Default");
	c.project_name = xstrdup("p");
	c.project_domain_name = xstrdup("Default");
	c.interface = xstrdup("public");
	struct http_opts ho = HTTP_OPTS_INIT;
	ho.max_retries = 0;
	struct os_session s;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(os_session_open(&s, &c, &ho, &err), 0);
	CHECK_INT(os_authenticate(&s, 0, &err), want_login);
	CHECK(want_login ? s.token == NULL : s.token != NULL);
	CHECK(strchr(err.buf, '\n') == NULL);
	printf("# %s: login: %s\n", name, want_login ? err.buf : "ok");
	sb_reset(&err);
	struct http_response r = HTTP_RESPONSE_INIT;
	struct os_req q = { NULL, "compute", "/servers", NULL, NULL, 0, 0 };
	CHECK_INT(os_request(&s, &q, &r, &err), want_request);
	CHECK(err.len > 0 && strchr(err.buf, '\n') == NULL);
	printf("# %s: GET /servers: %s\n", name, err.buf);
	http_response_release(&r);
	sb_release(&err);
	os_session_close(&s);
	os_cloud_release(&c);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void test_keystone_broken(void)
{
	setenv("CLOUDCTL_OS_NO_TOKEN_CACHE", "1", 1); /* nothing of these logins is kept */
	keystone_case("nothing listens", NULL, 69, 69);
	keystone_case("closed unanswered", "", 69, 69);
	keystone_case("500", "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 15\r\n"
			     "Connection: close\r\n\r\n<h1>broken</h1>", 69, 69);
	keystone_case("201, not JSON", "HTTP/1.1 201 Created\r\nX-Subject-Token: tok\r\nContent-Length: 9\r\n"
				       "Connection: close\r\n\r\nnot json!", 69, 69);
	keystone_case("201, no X-Subject-Token", "HTTP/1.1 201 Created\r\nContent-Length: 12\r\n"
						 "Connection: close\r\n\r\n{\"token\":{}}", 69, 69);
	/* a token, with a body of the wrong types: no expiry, no catalog, so no Nova */
	keystone_case("201, odd token body",
		      "HTTP/1.1 201 Created\r\nX-Subject-Token: tok\r\nContent-Length: 66\r\nConnection: close\r\n\r\n"
		      "{\"token\":{\"expires_at\":5,\"catalog\":\"x\",\"project\":[1],\"user\":null}}", 0, 66);
	unsetenv("CLOUDCTL_OS_NO_TOKEN_CACHE");
}

/* ---- against the real cloud ---- */

/* session_open_in(base): open and close a session on a cloud that is never
 * contacted, with XDG_CACHE_HOME=base; its exit code, the reason in err. */
static int session_open_in(const char *base, struct strbuf *err)
{
	struct os_cloud c = { .name = (char *)"dirtest", .auth_url = (char *)"http://127.0.0.1:9/v3" };
	struct os_session s;
	setenv("XDG_CACHE_HOME", base, 1);
	sb_reset(err);
	int rc = os_session_open(&s, &c, NULL, err);
	if (!rc)
		os_session_close(&s);
	unsetenv("XDG_CACHE_HOME");
	return rc;
}

/* The token cache's directory must be the user's and writable by nobody else. */
static void test_cache_dir_refused(void)
{
	char base[] = "/tmp/cc-osdir.XXXXXX";
	CHECK(mkdtemp(base) != NULL);
	char *dir = xasprintf("%s/cloudctl", base);
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT;
	CHECK_INT(session_open_in(base, &err), 0); /* not there yet: made 0700 on first save */
	CHECK(mkdir(dir, 0700) == 0);
	CHECK_INT(session_open_in(base, &err), 0);
	CHECK(chmod(dir, 0770) == 0);
	CHECK_INT(session_open_in(base, &err), 77);
	sb_addf(&want, "%s: token cache directory writable by group or others (mode 0770): refused", dir);
	CHECK_STR(err.buf, want.buf);
	CHECK(chmod(dir, 0702) == 0);
	CHECK_INT(session_open_in(base, &err), 77);
	CHECK(chmod(dir, 0755) == 0); /* readable is not writable: its files are 0600 */
	CHECK_INT(session_open_in(base, &err), 0);
	CHECK(chmod(dir, 0700) == 0);
	if (geteuid() == 0) {
		CHECK(chown(dir, 65534, 65534) == 0);
		CHECK_INT(session_open_in(base, &err), 77);
		sb_reset(&want);
		sb_addf(&want, "%s: token cache directory owned by uid 65534, not by you (uid 0): refused", dir);
		CHECK_STR(err.buf, want.buf);
	} else {
		printf("# not root: the directory of another user is not tried\n");
	}
	char *cmd = xasprintf("rm -rf '%s'", base);
	CHECK(system(cmd) == 0);
	free(cmd);
	free(dir);
	sb_release(&err);
	sb_release(&want);
}

static char cachedir[64];
static const char *svcdir;

static int cloud_load(const char *name, struct os_cloud *c)
{
	struct os_config_opts o = { name, NULL, NULL };
	struct strbuf err = STRBUF_INIT;
	int rc = os_config_load(&o, c, &err);
	if (rc)
		printf("# %s\n", err.buf);
	sb_release(&err);
	return rc;
}

/* A logged-in session; on failure (said on a "#" line) nothing is left open. */
static int authed_session(const char *cloud, struct os_cloud *c, struct os_session *s)
{
	struct strbuf err = STRBUF_INIT;
	/* a failure before os_session_open must not leave the caller's checks and
	 * os_session_close reading the stack of an earlier test */
	memset(s, 0, sizeof *s);
	int rc = cloud_load(cloud, c);
	if (!rc && (rc = os_session_open(s, c, NULL, &err)) == 0)
		rc = os_authenticate(s, 0, &err);
	if (rc) {
		printf("# %s: %s\n", cloud, err.buf);
		os_session_close(s);
		os_cloud_release(c);
	}
	sb_release(&err);
	return rc;
}

/* What follows a login uses its token: after a failed one (a failure of the
 * test, said) there is none, and the test ends there instead of reading it.
 * With Keystone down (its services failing to start) the test went on and
 * crashed on the NULL token (exit 139). */
#define LOGIN_OR_RETURN(cloud, c, s)                                                   \
	do {                                                                         \
		int login_rc_ = authed_session(cloud, c, s);                         \
		CHECK_INT(login_rc_, 0);                                             \
		if (login_rc_)                                                       \
			return;                                                      \
	} while (0)

static void clear_cache(void)
{
	char *cmd = xasprintf("rm -f %s/cloudctl/*", cachedir);
	CHECK(system(cmd) == 0);
	free(cmd);
}

static void test_password_login_admin(void)
{
	clear_cache();
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("admin", &c, &s);
	CHECK_INT(s.logins, 1);
	CHECK_INT(s.from_cache, 0);
	CHECK(s.token && strlen(s.token) > 100); /* a fernet token */
	CHECK_STR(s.project_name, "admin");
	CHECK(s.expires_at > (long long)time(NULL) + 3600);
	/* the cache: 0600 in a 0700 directory */
	struct stat st;
	CHECK(stat(os_token_cache_path(&s), &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	char *dir = xasprintf("%s/cloudctl", cachedir);
	CHECK(stat(dir, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0700);
	free(dir);
	os_session_close(&s);
	os_cloud_release(&c);
}

static void test_password_login_tenant_a(void)
{
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-a", &c, &s);
	CHECK_INT(s.logins, 1);
	CHECK_STR(s.project_name, "tenant-a");
	os_session_close(&s);
	os_cloud_release(&c);
}

static void test_application_credential_login(void)
{
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-a-appcred", &c, &s);
	CHECK_INT(c.auth_type, OS_AUTH_APPCRED);
	CHECK_INT(s.logins, 1);
	CHECK_STR(s.project_name, "tenant-a"); /* the credential's own scope */
	/* and it works against Nova */
	struct http_response r = HTTP_RESPONSE_INIT;
	struct strbuf err = STRBUF_INIT;
	struct os_req q = { NULL, "compute", "/servers", NULL, NULL, 0, 0 };
	CHECK_INT(os_request(&s, &q, &r, &err), 0);
	CHECK_INT(r.status, 200);
	http_response_release(&r);
	sb_release(&err);
	os_session_close(&s);
	os_cloud_release(&c);
}

static struct timespec mtime_of(const char *path)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	stat(path, &st);
	return st.st_mtim;
}

/* A second process (a new session) reuses the cached token: no POST /v3/auth/tokens. */
static void test_cached_token_reused(void)
{
	clear_cache();
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-a", &c, &s);
	CHECK_INT(s.logins, 1);
	char *first = xstrdup(s.token);
	char *path = xstrdup(os_token_cache_path(&s));
	os_session_close(&s);
	struct timespec m1 = mtime_of(path);

	struct strbuf err = STRBUF_INIT;
	CHECK_INT(os_session_open(&s, &c, NULL, &err), 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	struct os_req q = { NULL, "compute", "/servers/detail", NULL, NULL, 0, 0 };
	CHECK_INT(os_request(&s, &q, &r, &err), 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(s.logins, 0);
	CHECK_INT(s.requests, 1);
	CHECK_INT(s.from_cache, 1);
	CHECK_STR(s.token, first);
	struct timespec m2 = mtime_of(path);
	CHECK(m1.tv_sec == m2.tv_sec && m1.tv_nsec == m2.tv_nsec);
	http_response_release(&r);
	sb_release(&err);
	os_session_close(&s);
	os_cloud_release(&c);
	free(first);
	free(path);
}

/* Rewrite the cached token and/or its expiry, keeping the file's mode. */
static void edit_cache(const char *path, const char *token, long long expires_in)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	CHECK(doc != NULL);
	if (!doc)
		return;
	if (token)
		json_object_set_new(doc, "token", json_string(token));
	if (expires_in) {
		time_t t = time(NULL) + (time_t)expires_in;
		char buf[64];
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000Z", gmtime(&t));
		json_object_set_new(json_object_get(doc, "body"), "expires_at", json_string(buf));
	}
	char *text = json_dumps(doc, 0);
	CHECK(write_file_atomic(path, text, strlen(text), 0600) == 0);
	free(text);
	json_decref(doc);
}

static void test_garbage_cached_token_relogin(void)
{
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-a", &c, &s);
	char *path = xstrdup(os_token_cache_path(&s));
	os_session_close(&s);
	edit_cache(path, "gAAAAABgarbagegarbagegarbage", 0);

	struct strbuf err = STRBUF_INIT;
	CHECK_INT(os_session_open(&s, &c, NULL, &err), 0);
	struct http_response r = HTTP_RESPONSE_INIT;
	struct os_req q = { NULL, "compute", "/servers/detail", NULL, NULL, 0, 0 };
	CHECK_INT(os_request(&s, &q, &r, &err), 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(s.logins, 1);   /* exactly one new login */
	CHECK_INT(s.requests, 3); /* 401, login, the retry */
	CHECK(!str_eq(s.token, "gAAAAABgarbagegarbagegarbage"));
	/* the cache now holds the new token */
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	CHECK_STR(json_string_value(json_object_get(doc, "token")), s.token);
	json_decref(doc);
	http_response_release(&r);
	sb_release(&err);
	os_session_close(&s);
	os_cloud_release(&c);
	free(path);
}

/* Reused 10 minutes before expiry; within the 5-minute margin it is not. */
static void test_expiry_margin(void)
{
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-b", &c, &s);
	char *path = xstrdup(os_token_cache_path(&s));
	os_session_close(&s);
	struct strbuf err = STRBUF_INIT;

	edit_cache(path, NULL, 600);
	CHECK_INT(os_session_open(&s, &c, NULL, &err), 0);
	CHECK_INT(os_authenticate(&s, 0, &err), 0);
	CHECK_INT(s.logins, 0);
	os_session_close(&s);

	edit_cache(path, NULL, 200);
	CHECK_INT(os_session_open(&s, &c, NULL, &err), 0);
	CHECK_INT(os_authenticate(&s, 0, &err), 0);
	CHECK_INT(s.logins, 1);
	CHECK(s.expires_at > (long long)time(NULL) + 3600);
	os_session_close(&s);
	sb_release(&err);
	os_cloud_release(&c);
	free(path);
}

/* A cache file others can read is not trusted: a fresh login replaces it, 0600. */
static void test_loose_cache_file_ignored(void)
{
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-b", &c, &s);
	char *path = xstrdup(os_token_cache_path(&s));
	os_session_close(&s);
	CHECK(chmod(path, 0644) == 0);
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(os_session_open(&s, &c, NULL, &err), 0);
	CHECK_INT(os_authenticate(&s, 0, &err), 0);
	CHECK_INT(s.logins, 1);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	os_session_close(&s);
	sb_release(&err);
	os_cloud_release(&c);
	free(path);
}

static void test_revoked_token_relogin(void)
{
	clear_cache();
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-b", &c, &s);
	/* revoked with the reference client, before Nova has seen (and cached) it */
	char *tokfile = xasprintf("%s/revoke.tok", cachedir);
	CHECK(write_file_atomic(tokfile, s.token, strlen(s.token), 0600) == 0);
	char *cmd = xasprintf("OS_CLOUD=admin openstack token revoke \"$(cat %s)\"", tokfile);
	CHECK_INT(system(cmd), 0);
	free(cmd);
	unlink(tokfile);
	free(tokfile);
	char *revoked = xstrdup(s.token);
	struct http_response r = HTTP_RESPONSE_INIT;
	struct strbuf err = STRBUF_INIT;
	struct os_req q = { NULL, "compute", "/servers/detail", NULL, NULL, 0, 0 };
	CHECK_INT(os_request(&s, &q, &r, &err), 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(s.logins, 2);
	CHECK(!str_eq(s.token, revoked));
	free(revoked);
	http_response_release(&r);
	sb_release(&err);
	os_session_close(&s);
	os_cloud_release(&c);
}

static void test_wrong_password(void)
{
	struct os_cloud c;
	CHECK_INT(cloud_load("tenant-a", &c), 0);
	free(c.password);
	c.password = xstrdup("wrong-pass-XYZZY");
	struct os_session s;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(os_session_open(&s, &c, NULL, &err), 0);
	unlink(os_token_cache_path(&s));
	CHECK_INT(os_authenticate(&s, 0, &err), 77);
	CHECK_STR(err.buf, "POST http://127.0.0.1:5000/v3/auth/tokens: The request you have made requires "
			   "authentication. (HTTP 401)");
	CHECK(access(os_token_cache_path(&s), F_OK) != 0); /* nothing cached */
	os_session_close(&s);
	os_cloud_release(&c);
	sb_release(&err);
}

static void endpoint_is(struct os_session *s, const char *type, const char *want, int code)
{
	char *url = NULL;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(os_endpoint(s, type, &url, &err), code);
	if (!code)
		CHECK_STR(url, want);
	else
		CHECK_STR(err.buf, want);
	free(url);
	sb_release(&err);
}

static void test_catalog(void)
{
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-a", &c, &s);
	endpoint_is(&s, "compute", "http://127.0.0.1:8774/v2.1", 0);
	endpoint_is(&s, "network", "http://127.0.0.1:9696", 0);
	endpoint_is(&s, "image", "http://127.0.0.1:9292", 0);
	endpoint_is(&s, "identity", "http://127.0.0.1:5000/v3", 0);
	const char *cinder = getenv("CLOUDCTL_OS_CINDER");
	if (str_eq(cinder, "1")) {
		char *want = xasprintf("http://127.0.0.1:8776/v3/%s", s.project_id);
		endpoint_is(&s, "block-storage", want, 0);
		free(want);
	} else
		endpoint_is(&s, "block-storage",
			    "cloud \"tenant-a\": no block-storage endpoint (interface public, region RegionOne) in the "
			    "service catalog",
			    66);
	/* region and interface select */
	free(c.region_name);
	c.region_name = xstrdup("Atlantis");
	endpoint_is(&s, "compute",
		    "cloud \"tenant-a\": no compute endpoint (interface public, region Atlantis) in the service catalog", 66);
	free(c.region_name);
	c.region_name = NULL;
	free(c.interface);
	c.interface = xstrdup("internal");
	endpoint_is(&s, "compute", "http://127.0.0.1:8774/v2.1", 0);
	os_session_close(&s);
	os_cloud_release(&c);
}

static void api_error(struct os_session *s, const char *service, const char *path, int code, const char *want)
{
	struct http_response r = HTTP_RESPONSE_INIT;
	struct strbuf err = STRBUF_INIT;
	struct os_req q = { NULL, service, path, NULL, NULL, 0, 0 };
	CHECK_INT(os_request(s, &q, &r, &err), code);
	CHECK_STR(err.buf, want);
	http_response_release(&r);
	sb_release(&err);
}

static void test_api_errors_one_line(void)
{
	struct os_cloud c;
	struct os_session s;
	LOGIN_OR_RETURN("tenant-a", &c, &s);
	const char *id = "00000000-0000-0000-0000-000000000000";
	char *p = xasprintf("/servers/%s", id);
	char *want = xasprintf("GET http://127.0.0.1:8774/v2.1/servers/%s: Instance %s could not be found. (HTTP 404)",
			       id, id);
	api_error(&s, "compute", p, 66, want);
	free(p);
	free(want);
	p = xasprintf("/v2.0/networks/%s", id);
	want = xasprintf("GET http://127.0.0.1:9696/v2.0/networks/%s: Network %s could not be found. (HTTP 404)", id,
			 id);
	api_error(&s, "network", p, 66, want);
	free(p);
	free(want);
	api_error(&s, "identity", "/users",
		  77, "GET http://127.0.0.1:5000/v3/users: You are not authorized to perform the requested action: "
		      "identity:list_users. (HTTP 403)");
	p = xasprintf("/v2/images/%s", id);
	struct http_response r = HTTP_RESPONSE_INIT;
	struct strbuf err = STRBUF_INIT;
	struct os_req q = { NULL, "image", p, NULL, NULL, 0, 0 };
	CHECK_INT(os_request(&s, &q, &r, &err), 66);
	CHECK(str_ends(err.buf, "(HTTP 404)") && strchr(err.buf, '\n') == NULL);
	printf("# glance 404: %s\n", err.buf);
	http_response_release(&r);
	sb_release(&err);
	free(p);
	os_session_close(&s);
	os_cloud_release(&c);
}

/* -vv traces (stderr) of a password login, an application-credential login
 * and an API call never show the password, the secret or the token. */
static void test_no_secrets_in_traces(void)
{
	clear_cache();
	char *trace = xasprintf("%s/trace.txt", cachedir);
	fflush(stderr);
	int saved = dup(2);
	int fd = open(trace, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	int level = log_level;
	log_level = LOG_DEBUG;
	struct os_cloud a, b;
	struct os_session sa, sb;
	int ra = authed_session("tenant-a", &a, &sa);
	int rb = authed_session("tenant-a-appcred", &b, &sb);
	struct http_response r = HTTP_RESPONSE_INIT;
	struct strbuf err = STRBUF_INIT;
	struct os_req q = { NULL, "compute", "/servers", NULL, NULL, 0, 0 };
	int rq = ra ? -1 : os_request(&sa, &q, &r, &err);
	log_level = level;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK_INT(ra, 0);
	CHECK_INT(rb, 0);
	CHECK_INT(rq, 0);
	struct strbuf t = STRBUF_INIT;
	CHECK(sb_read_file(&t, trace) == 0);
	CHECK(strstr(t.buf, "/v3/auth/tokens") != NULL); /* the trace is really there */
	CHECK(strstr(t.buf, "X-Auth-Token") != NULL || strstr(t.buf, "x-auth-token") != NULL);
	CHECK(!ra && strstr(t.buf, a.password) == NULL);
	CHECK(!rb && strstr(t.buf, b.appcred_secret) == NULL);
	CHECK(!ra && strstr(t.buf, sa.token) == NULL);
	CHECK(!rb && strstr(t.buf, sb.token) == NULL);
	if (!ra && !rb && (strstr(t.buf, a.password) || strstr(t.buf, b.appcred_secret)))
		printf("# a secret leaked into the -vv trace\n");
	sb_release(&t);
	unlink(trace);
	free(trace);
	http_response_release(&r);
	sb_release(&err);
	if (!ra)
		os_session_close(&sa);
	if (!rb)
		os_session_close(&sb);
	os_cloud_release(&a);
	os_cloud_release(&b);
}

/* How long one login + GET /servers/detail takes, and the same with a cached token. */
static void test_timing(void)
{
	clear_cache();
	struct os_cloud c;
	CHECK_INT(cloud_load("tenant-a", &c), 0);
	long long best_cold = -1, best_warm = -1;
	for (int i = 0; i < 10; i++) {
		if (i < 5)
			clear_cache();
		long long t0 = now_ms();
		struct os_session s;
		struct strbuf err = STRBUF_INIT;
		struct http_response r = HTTP_RESPONSE_INIT;
		struct os_req q = { NULL, "compute", "/servers/detail", NULL, NULL, 0, 0 };
		CHECK_INT(os_session_open(&s, &c, NULL, &err), 0);
		CHECK_INT(os_request(&s, &q, &r, &err), 0);
		long long ms = now_ms() - t0;
		long long *best = i < 5 ? &best_cold : &best_warm;
		if (*best < 0 || ms < *best)
			*best = ms;
		http_response_release(&r);
		sb_release(&err);
		os_session_close(&s);
	}
	printf("# timing (best of 5): login + GET /servers/detail %lld ms; cached token + GET %lld ms\n", best_cold,
	       best_warm);
	os_cloud_release(&c);
}

static int remove_cachedir(void)
{
	char *cmd = xasprintf("rm -rf '%s'", cachedir);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

/* A clouds.yaml whose clouds (those the tests above use) all log in at port. */
static char *broken_clouds(int port)
{
	static const char *const users[] = { "admin", "tenant-a", "tenant-b" };
	struct strbuf y = STRBUF_INIT;
	sb_adds(&y, "clouds:\n");
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		sb_addf(&y, "  %s:\n    auth:\n      auth_url: http://127.0.0.1:%d/v3\n      username: %s\n"
			"      password: p\n      project_name: %s\n      user_domain_name: Default\n"
			"      project_domain_name: Default\n    region_name: RegionOne\n", users[i], port, users[i], users[i]);
	sb_addf(&y, "  tenant-a-appcred:\n    auth_type: v3applicationcredential\n    auth:\n"
		"      auth_url: http://127.0.0.1:%d/v3\n      application_credential_id: x\n"
		"      application_credential_secret: s\n    region_name: RegionOne\n", port);
	char *path = xasprintf("%s/clouds.yaml", cachedir);
	CHECK(write_file_atomic(path, y.buf, y.len, 0600) == 0);
	sb_release(&y);
	return path;
}

static void (*const server_tests[])(void) = {
	test_password_login_admin, test_password_login_tenant_a, test_application_credential_login,
	test_cached_token_reused, test_garbage_cached_token_relogin, test_expiry_margin, test_loose_cache_file_ignored,
	test_revoked_token_relogin, test_wrong_password, test_catalog, test_api_errors_one_line,
	test_no_secrets_in_traces, test_timing,
};

/* The tests against the cloud with a Keystone that answers every login with a
 * 500, as when the cloud's services fail to start: each must fail (its lines are
 * not shown), and none may crash (they did, on the NULL token of a failed
 * login: exit 139). Needs no cloud. */
static void test_server_tests_keystone_down(void)
{
	pid_t pid = 0;
	int port = canned_keystone("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 6\r\nConnection: close\r\n\r\n"
				   "broken", &pid);
	CHECK(port > 0);
	char *clouds = broken_clouds(port);
	setenv("OS_CLIENT_CONFIG_FILE", clouds, 1);
	unsetenv("OS_CLIENT_SECURE_FILE");
	fflush(stdout);
	int saved = dup(1), devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	close(devnull);
	const char *cur = check_cur;
	size_t failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(server_tests); i++) {
		check_cur_failed = 0;
		server_tests[i]();
		failed += check_cur_failed != 0;
	}
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	check_cur = cur;
	check_cur_failed = 0;
	CHECK_INT(failed, ARRAY_SIZE(server_tests));
	unsetenv("OS_CLIENT_CONFIG_FILE");
	unlink(clouds);
	free(clouds);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	log_init("test_osauth");
	log_level = LOG_QUIET;
	RUN(test_exit_codes);
	RUN(test_error_messages);
	RUN(test_cache_dir_refused);
	RUN(test_keystone_broken);
	snprintf(cachedir, sizeof cachedir, "/tmp/cc-osauth.XXXXXX");
	if (!mkdtemp(cachedir))
		return 1;
	setenv("XDG_CACHE_HOME", cachedir, 1);
	RUN(test_server_tests_keystone_down);

	const char *base = getenv("CLOUDCTL_SVC_DIR");
	svcdir = base && *base ? base : "/var/tmp/cloudctl-svc";
	char *envfile = xasprintf("%s/openstack/env", svcdir);
	if (load_env_file(envfile) < 0) {
		printf("skip - osauth (server): no %s: run tests/services/openstack-start.sh\n", envfile);
		free(envfile);
		remove_cachedir();
		return CHECK_DONE("osauth");
	}
	free(envfile);
	unsetenv("OS_CLOUD");
	RUN(test_password_login_admin);
	RUN(test_password_login_tenant_a);
	RUN(test_application_credential_login);
	RUN(test_cached_token_reused);
	RUN(test_garbage_cached_token_relogin);
	RUN(test_expiry_margin);
	RUN(test_loose_cache_file_ignored);
	RUN(test_revoked_token_relogin);
	RUN(test_wrong_password);
	RUN(test_catalog);
	RUN(test_api_errors_one_line);
	RUN(test_no_secrets_in_traces);
	RUN(test_timing);
	if (remove_cachedir() != 0)
		return 1;
	return CHECK_DONE("osauth");
}
