/* test_http.c: lib/http.c against tests/services/http-test-server.py, a real
 * HTTP/1.1 server started here twice: plain, and TLS with a certificate from a
 * throwaway CA made with the openssl tool. Both are stopped at the end, also
 * when tests fail; if this program dies, they notice and exit by themselves. */
#include "check.h"
#include "capture.h"
#include "http.h"
#include "redact.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct server {
	pid_t pid;
	int port;
};

static struct server plain = { -1, 0 }, tls = { -1, 0 };
static char tmpdir[] = "/tmp/cloudctl-test-http-XXXXXX";
static int have_tmpdir;

/* ---- the servers ---- */

/* The script, from $CLOUDCTL_SRC, the current directory (the top of the
 * tree), or next to this program in build/tests/. */
static char *find_server_script(const char *argv0)
{
	static const char rel[] = "tests/services/http-test-server.py";
	const char *src = getenv("CLOUDCTL_SRC");
	char *path = src ? xasprintf("%s/%s", src, rel) : xstrdup(rel);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	const char *slash = strrchr(argv0, '/');
	if (!slash)
		return NULL;
	path = xasprintf("%.*s/../../%s", (int)(slash - argv0), argv0, rel);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

static int start_server(struct server *s, const char *script, const char *cert, const char *key)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		if (cert)
			execlp("python3", "python3", script, "--cert", cert, "--key", key, (char *)NULL);
		else
			execlp("python3", "python3", script, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	s->pid = pid;
	FILE *f = fdopen(fds[0], "r");
	char line[64];
	int ok = f && fgets(line, sizeof line, f) && sscanf(line, "PORT %d", &s->port) == 1;
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

static void stop_server(struct server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
	s->pid = -1;
}

/* Also registered with atexit: die() anywhere must not leave servers behind. */
static void cleanup(void)
{
	stop_server(&plain);
	stop_server(&tls);
	if (have_tmpdir) {
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "test_http: cannot remove %s\n", tmpdir);
		free(cmd);
		have_tmpdir = 0;
	}
}

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* A CA and a server certificate for 127.0.0.1 and localhost signed by it. */
static int make_certs(void)
{
	static const char newkey[] = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
	char *cmd = xasprintf(
		"(cd '%s' && "
		"%s -x509 -days 2 -subj '/CN=cloudctl test CA' -keyout ca.key -out ca.pem && "
		"%s -subj /CN=localhost -keyout server.key -out server.csr && "
		"printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
		"openssl x509 -req -days 2 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		"-extfile ext.cnf -out server.pem) >/dev/null 2>&1",
		tmpdir, newkey, newkey);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* ---- helpers ---- */

static struct http_opts quick_opts(void)
{
	struct http_opts o = HTTP_OPTS_INIT;
	o.connect_timeout_ms = 2000;
	o.timeout_ms = 5000;
	o.base_backoff_ms = 10;
	o.max_backoff_ms = 100;
	return o;
}

static struct http_client *quick_client(void)
{
	struct http_opts o = quick_opts();
	return http_client_new(&o);
}

static int request_on(struct http_client *c, int port, const char *scheme, struct http_request *req,
		      const char *path, struct http_response *resp)
{
	char *url = xasprintf("%s://127.0.0.1:%d%s", scheme, port, path);
	req->url = url;
	int rc = http_do(c, req, resp);
	req->url = NULL;
	free(url);
	return rc;
}

static int send_req(struct http_client *c, struct http_request *req, const char *path, struct http_response *resp)
{
	return request_on(c, plain.port, "http", req, path, resp);
}

static int fetch(struct http_client *c, const char *method, const char *path, struct http_response *resp)
{
	struct http_request req = { method, NULL, NULL, NULL, 0, 0 };
	return send_req(c, &req, path, resp);
}

/* How many requests the server saw for key. */
static long server_count(const char *key)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	char *path = xasprintf("/count/%s", key);
	long n = fetch(c, "GET", path, &resp) == 0 && resp.status == 200 ? atol(resp.body.buf) : -1;
	free(path);
	http_response_release(&resp);
	http_client_free(c);
	return n;
}

static long echo_peer_port(const struct http_response *resp)
{
	const char *p = strstr(resp->body.buf, "\"peer_port\":");
	return p ? atol(p + strlen("\"peer_port\":")) : -1;
}

/* A port where nothing listens: bound by the kernel's choice, then closed. */
static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* A listener whose accept queue is full: Linux drops further SYNs, so a
 * connection to it neither succeeds nor is refused, it times out. */
struct blackhole {
	int listener, fillers[2], port;
};

static int blackhole_open(struct blackhole *b)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	b->listener = socket(AF_INET, SOCK_STREAM, 0);
	if (b->listener < 0 || bind(b->listener, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(b->listener, 0) < 0 || getsockname(b->listener, (struct sockaddr *)&a, &len) < 0)
		return -1;
	b->port = ntohs(a.sin_port);
	for (int i = 0; i < 2; i++) {
		b->fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (b->fillers[i] < 0)
			return -1;
		if (connect(b->fillers[i], (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
			return -1;
	}
	sleep_ms(50); /* let the handshakes fill the queue */
	return 0;
}

static void blackhole_close(struct blackhole *b)
{
	for (int i = 0; i < 2; i++)
		if (b->fillers[i] >= 0)
			close(b->fillers[i]);
	if (b->listener >= 0)
		close(b->listener);
}

static void capture_begin(void)
{
	char *path = tmp_path("stderr.txt");
	capture_stderr_begin(path);
	free(path);
}

static char *capture_end(void)
{
	char *path = tmp_path("stderr.txt");
	char *said = capture_stderr_end(path);
	free(path);
	return said;
}

/* ---- pure functions ---- */

static void test_exit_codes(void)
{
	static const struct {
		long status;
		int code;
	} table[] = {
		{ 0, 69 },   { 200, 0 },  { 204, 0 },  { 401, 77 }, { 403, 77 }, { 404, 66 },
		{ 409, 73 }, { 408, 75 }, { 429, 75 }, { 503, 75 }, { 504, 75 }, { 400, 65 },
		{ 422, 65 }, { 410, 65 }, { 500, 69 }, { 502, 69 }, { 501, 69 }, { 302, 69 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		struct http_response resp = HTTP_RESPONSE_INIT;
		resp.status = table[i].status;
		if (http_exit_code(&resp) != table[i].code)
			printf("    status %ld -> %d, want %d\n", table[i].status, http_exit_code(&resp),
			       table[i].code);
		CHECK_INT(http_exit_code(&resp), table[i].code);
	}
}

static void test_retry_after_parse(void)
{
	const long date = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */
	CHECK_INT(http_parse_retry_after("120", date), 120);
	CHECK_INT(http_parse_retry_after(" 7 ", date), 7);
	CHECK_INT(http_parse_retry_after("0", date), 0);
	CHECK_INT(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date - 30), 30);
	CHECK_INT(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date + 30), 0);
	CHECK_INT(http_parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", date - 5), 5);
	CHECK_INT(http_parse_retry_after("Wed Oct 21 07:28:00 2015", date - 5), 5);
	CHECK_INT(http_parse_retry_after("garbage", date), -1);
	CHECK_INT(http_parse_retry_after("", date), -1);
	CHECK_INT(http_parse_retry_after("  ", date), -1);
	CHECK_INT(http_parse_retry_after("-5", date), -1);
	CHECK_INT(http_parse_retry_after("1.5", date), -1);
	CHECK_INT(http_parse_retry_after("12abc", date), -1);
	CHECK_INT(http_parse_retry_after(NULL, date), -1);
}

static void check_header_redaction(const char *in, const char *want)
{
	char *got = redact_header(in);
	CHECK_STR(got, want);
	free(got);
}

static void test_redact_header(void)
{
	check_header_redaction("Authorization: Bearer SECRET123", "Authorization: <redacted>");
	check_header_redaction("authorization:Basic dXNlcjpwYXNz", "authorization: <redacted>");
	check_header_redaction("PROXY-AUTHORIZATION: Basic eDp5", "PROXY-AUTHORIZATION: <redacted>");
	check_header_redaction("X-Auth-Token: gAAAAABk", "X-Auth-Token: <redacted>");
	check_header_redaction("x-subject-token: abc", "x-subject-token: <redacted>");
	check_header_redaction("Cookie: a=b; c=d", "Cookie: <redacted>");
	check_header_redaction("Set-Cookie: session=X; Path=/\r\n", "Set-Cookie: <redacted>\r\n");
	check_header_redaction("Content-Type: application/json", "Content-Type: application/json");
	check_header_redaction("X-Tokenizer: on", "X-Tokenizer: on");
	check_header_redaction("HTTP/1.1 200 OK", "HTTP/1.1 200 OK");
	check_header_redaction("GET /v3/auth?token=abc&limit=5 HTTP/1.1",
			       "GET /v3/auth?token=<redacted>&limit=5 HTTP/1.1");
	check_header_redaction("Location: https://user:pw@example.com/x?client_secret=s",
			       "Location: https://example.com/x?client_secret=<redacted>");
	check_header_redaction("Link: <https://x/v2?page_token=abc>; rel=\"next\"",
			       "Link: <https://x/v2?page_token=<redacted>>; rel=\"next\"");
}

static void check_body_redaction(const char *in, const char *want)
{
	char *got = redact_body(in, strlen(in));
	CHECK_STR(got, want);
	free(got);
}

static void test_redact_body(void)
{
	check_body_redaction("{\"password\":\"hunter2\"}", "{\"password\":\"<redacted>\"}");
	/* the value holds an escaped quote and ends with an escaped backslash */
	check_body_redaction("{\"user\": \"bob\", \"PassWord\" : \"a\\\"b\\\\\", \"x\": 1}",
			     "{\"user\": \"bob\", \"PassWord\" : \"<redacted>\", \"x\": 1}");
	check_body_redaction("{\"client_secret\":\"s1\",\"access_token\":\"t1\",\"ID_TOKEN\":\"t2\","
			     "\"token_type\":\"Bearer\",\"SECRET\":\"s2\"}",
			     "{\"client_secret\":\"<redacted>\",\"access_token\":\"<redacted>\","
			     "\"ID_TOKEN\":\"<redacted>\",\"token_type\":\"Bearer\",\"SECRET\":\"<redacted>\"}");
	/* a Keystone password authentication: "password" is also a method and an object */
	check_body_redaction("{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":"
			     "{\"user\":{\"name\":\"admin\",\"password\":\"devstacker\"}}}}}",
			     "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":"
			     "{\"user\":{\"name\":\"admin\",\"password\":\"<redacted>\"}}}}}");
	/* JSON inside a JSON string, as an echo of a request body */
	check_body_redaction("{\"body\":\"{\\\"password\\\":\\\"hunter2\\\"}\",\"method\":\"POST\"}",
			     "{\"body\":\"{\\\"password\\\":\\\"<redacted>\\\"}\",\"method\":\"POST\"}");
	/* cut short at the trace limit */
	check_body_redaction("{\"token\": \"abcdef", "{\"token\": \"<redacted>");
	check_body_redaction("{\"name\":\"vm1\",\"token\":{\"expires_at\":\"2030\"}}",
			     "{\"name\":\"vm1\",\"token\":{\"expires_at\":\"2030\"}}");
	check_body_redaction("grant_type=password&username=bob&password=hunter2&Client_Secret=abc&scope=all",
			     "grant_type=password&username=bob&password=<redacted>&Client_Secret=<redacted>&scope=all");
	check_body_redaction("name=vm1&flavor=m1.small", "name=vm1&flavor=m1.small");
	check_body_redaction("", "");
}

/* ---- exchanges ---- */

static void test_get_ok(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, NULL, "/ok", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body.buf, "hello");
	CHECK_INT(resp.body.len, 5);
	CHECK_INT(resp.attempts, 1);
	CHECK_STR(resp.errbuf, "");
	CHECK_STR(http_header_get(&resp, "content-length"), "5");
	CHECK(http_header_get(&resp, "X-Missing") == NULL);
	/* the same response again: reset, not appended to */
	CHECK_INT(fetch(c, "GET", "/status/404", &resp), 0);
	CHECK_INT(resp.status, 404);
	CHECK_STR(resp.body.buf, "status 404");
	CHECK_INT(http_exit_code(&resp), 66);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_headers_captured(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/headers", &resp), 0);
	CHECK_INT(resp.status, 200);
	/* Server, Date, X-Padded, X-Twice twice, x-lower-case, Content-Length */
	CHECK_INT(resp.nheaders, 7);
	CHECK_STR(http_header_get(&resp, "X-Padded"), "spaced value");
	CHECK_STR(http_header_get(&resp, "x-twice"), "first");
	CHECK_STR(http_header_get(&resp, "X-LOWER-CASE"), "yes");
	int found = 0;
	for (size_t i = 0; i < resp.nheaders; i++)
		found += strcmp(resp.headers[i].name, "x-lower-case") == 0;
	CHECK_INT(found, 1);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_head(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "HEAD", "/ok", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.body.len, 0);
	CHECK_STR(http_header_get(&resp, "Content-Length"), "5");
	http_response_release(&resp);
	http_client_free(c);
}

static void test_methods_and_bodies(void)
{
	static const char *const json[] = { "Content-Type: application/json", NULL };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request put = { "PUT", NULL, json, "{\"a\":1}", 7, 0 };
	CHECK_INT(send_req(c, &put, "/echo", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK(strstr(resp.body.buf, "\"method\":\"PUT\"") != NULL);
	CHECK(strstr(resp.body.buf, "\"body\":\"{\\\"a\\\":1}\"") != NULL);
	CHECK(strstr(resp.body.buf, "\"Content-Type\":\"application/json\"") != NULL);

	/* a body with a NUL in it goes whole: its length is body_len */
	struct http_request patch = { "PATCH", NULL, NULL, "a\0b", 3, 0 };
	CHECK_INT(send_req(c, &patch, "/echo", &resp), 0);
	CHECK(strstr(resp.body.buf, "\"method\":\"PATCH\"") != NULL);
	CHECK(strstr(resp.body.buf, "\"body\":\"a\\u0000b\"") != NULL);

	/* POST with no body still says so */
	CHECK_INT(fetch(c, "POST", "/echo", &resp), 0);
	CHECK(strstr(resp.body.buf, "\"method\":\"POST\"") != NULL);
	CHECK(strstr(resp.body.buf, "\"Content-Length\":\"0\"") != NULL);

	CHECK_INT(fetch(c, "DELETE", "/echo", &resp), 0);
	CHECK(strstr(resp.body.buf, "\"method\":\"DELETE\"") != NULL);
	CHECK(strstr(resp.body.buf, "\"body\":\"\"") != NULL);

	CHECK_INT(fetch(c, "OPTIONS", "/echo", &resp), 0);
	CHECK(strstr(resp.body.buf, "\"method\":\"OPTIONS\"") != NULL);

	/* and a GET after all that is a plain GET again */
	CHECK_INT(fetch(c, "GET", "/echo", &resp), 0);
	CHECK(strstr(resp.body.buf, "\"method\":\"GET\"") != NULL);
	CHECK(strstr(resp.body.buf, "Content-Length") == NULL);
	CHECK(strstr(resp.body.buf, "\"User-Agent\":\"cloudctl/" CLOUDCTL_VERSION "\"") != NULL);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_user_agent_option(void)
{
	struct http_opts o = quick_opts();
	char ua[] = "probe/1";
	o.user_agent = ua;
	struct http_client *c = http_client_new(&o);
	ua[0] = 'X'; /* the client keeps its own copy */
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/echo", &resp), 0);
	CHECK(strstr(resp.body.buf, "\"User-Agent\":\"probe/1\"") != NULL);
	http_response_release(&resp);
	http_client_free(c);
}

/* Idempotent requests share a connection; one that is not gets a fresh one,
 * so that libcurl cannot resend it by itself on a connection that died. */
static void test_connection_reused(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/echo", &resp), 0);
	long first = echo_peer_port(&resp);
	CHECK(first > 0);
	CHECK_INT(fetch(c, "PUT", "/echo", &resp), 0);
	CHECK_INT(echo_peer_port(&resp), first);
	struct http_request safe = { "POST", NULL, NULL, "{}", 2, 1 };
	CHECK_INT(send_req(c, &safe, "/echo", &resp), 0);
	CHECK_INT(echo_peer_port(&resp), first);
	CHECK_INT(fetch(c, "POST", "/echo", &resp), 0);
	long fresh = echo_peer_port(&resp);
	CHECK(fresh > 0 && fresh != first);
	CHECK_INT(fetch(c, "PATCH", "/echo", &resp), 0);
	CHECK(echo_peer_port(&resp) != fresh && echo_peer_port(&resp) != first);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_interim_headers_dropped(void)
{
	static const char *const expect[] = { "Expect: 100-continue", "Content-Type: text/plain", NULL };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request req = { "POST", NULL, expect, "data", 4, 0 };
	CHECK_INT(send_req(c, &req, "/echo", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK(http_header_get(&resp, "X-Interim") == NULL);
	CHECK_STR(http_header_get(&resp, "Content-Type"), "application/json");
	CHECK(strstr(resp.body.buf, "\"body\":\"data\"") != NULL);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_redirect_not_followed(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/redirect", &resp), 0);
	CHECK_INT(resp.status, 302);
	CHECK_STR(resp.body.buf, "moved");
	CHECK_STR(http_header_get(&resp, "Location"), "/ok");
	CHECK_INT(resp.attempts, 1);
	http_response_release(&resp);
	http_client_free(c);
}

/* ---- retries ---- */

static void test_flaky_get_retried(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/flaky/get1/2/503", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body.buf, "ok after 2");
	CHECK_INT(resp.attempts, 3);
	CHECK_INT(server_count("get1"), 3);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_retryable_statuses(void)
{
	static const int codes[] = { 408, 429, 502, 503, 504 };
	static const char *const methods[] = { "GET", "HEAD", "PUT", "DELETE", "OPTIONS" };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		char *path = xasprintf("/flaky/codes%d/1/%d", codes[i], codes[i]);
		CHECK_INT(fetch(c, methods[i], path, &resp), 0);
		CHECK_INT(resp.status, 200);
		CHECK_INT(resp.attempts, 2);
		free(path);
	}
	http_response_release(&resp);
	http_client_free(c);
}

static void test_other_statuses_not_retried(void)
{
	static const int codes[] = { 500, 501, 404, 400, 401 };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		char *path = xasprintf("/flaky/final%d/1/%d", codes[i], codes[i]);
		CHECK_INT(fetch(c, "GET", path, &resp), 0);
		CHECK_INT(resp.status, codes[i]);
		CHECK_INT(resp.attempts, 1);
		free(path);
	}
	http_response_release(&resp);
	http_client_free(c);
}

static void test_post_not_retried(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "POST", "/flaky/post1/1/503", &resp), 0);
	CHECK_INT(resp.status, 503);
	CHECK_STR(resp.body.buf, "failing 503");
	CHECK_INT(resp.attempts, 1);
	CHECK_INT(server_count("post1"), 1);
	CHECK_INT(fetch(c, "PATCH", "/flaky/patch1/1/503", &resp), 0);
	CHECK_INT(resp.status, 503);
	CHECK_INT(resp.attempts, 1);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_post_marked_idempotent(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request req = { "POST", NULL, NULL, "x", 1, 1 };
	CHECK_INT(send_req(c, &req, "/flaky/post2/1/503", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.attempts, 2);
	CHECK_INT(server_count("post2"), 2);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_retries_exhausted(void)
{
	struct http_opts o = quick_opts();
	o.max_retries = 2;
	struct http_client *c = http_client_new(&o);
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/flaky/ex1/100/503", &resp), 0);
	CHECK_INT(resp.status, 503);
	CHECK_INT(resp.attempts, 3);
	CHECK_INT(server_count("ex1"), 3);
	CHECK_INT(http_exit_code(&resp), 75);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_retry_after_seconds(void)
{
	struct http_client *c = quick_client(); /* its max_backoff_ms is 100 */
	struct http_opts o = quick_opts();
	o.max_backoff_ms = 10000;
	struct http_client *patient = http_client_new(&o);
	struct http_response resp = HTTP_RESPONSE_INIT;

	long long t0 = now_ms();
	CHECK_INT(fetch(patient, "GET", "/retry-after/ra1/1/429", &resp), 0);
	long long waited = now_ms() - t0;
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body.buf, "ok");
	CHECK_INT(resp.attempts, 2);
	CHECK(waited >= 990);

	/* 30 s asked, capped at max_backoff_ms */
	t0 = now_ms();
	CHECK_INT(fetch(c, "GET", "/retry-after/ra2/30", &resp), 0);
	waited = now_ms() - t0;
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.attempts, 2);
	CHECK(waited >= 95 && waited < 2000);
	http_response_release(&resp);
	http_client_free(c);
	http_client_free(patient);
}

static void test_retry_after_date(void)
{
	struct http_opts o = quick_opts();
	o.max_backoff_ms = 10000;
	struct http_client *c = http_client_new(&o);
	struct http_response resp = HTTP_RESPONSE_INIT;
	long long t0 = now_ms();
	CHECK_INT(fetch(c, "GET", "/retry-after-date/rd1", &resp), 0);
	long long waited = now_ms() - t0;
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.attempts, 2);
	CHECK(waited >= 990);
	CHECK(waited < 4000);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_retry_logged_without_secrets(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request req = { "GET", NULL, NULL, NULL, 0, 0 };
	char *url = xasprintf("http://bob:URLSECRET@127.0.0.1:%d/flaky/log1/1/503?token=QSECRET&x=1", plain.port);
	char *want = xasprintf("retrying GET http://127.0.0.1:%d/flaky/log1/1/503?token=<redacted>&x=1 "
			       "after 503 (attempt 2 of 5, waiting 0.",
			       plain.port);
	int saved_level = log_level;
	log_level = LOG_INFO;
	req.url = url;
	capture_begin();
	int rc = http_do(c, &req, &resp);
	char *err = capture_end();
	log_level = saved_level;
	CHECK_INT(rc, 0);
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.attempts, 2);
	CHECK(strstr(err, want) != NULL);
	CHECK(strstr(err, "URLSECRET") == NULL);
	CHECK(strstr(err, "QSECRET") == NULL);
	if (check_cur_failed)
		printf("    stderr was: %s\n", err);
	free(err);
	free(want);
	free(url);
	http_response_release(&resp);
	http_client_free(c);
}

/* ---- failures without a response ---- */

static void test_connect_refused(void)
{
	struct http_opts o = quick_opts();
	o.max_retries = 2;
	o.base_backoff_ms = 5;
	struct http_client *c = http_client_new(&o);
	struct http_response resp = HTTP_RESPONSE_INIT;
	int port = closed_port();
	CHECK(port > 0);
	struct http_request req = { "GET", NULL, NULL, NULL, 0, 0 };
	CHECK_INT(request_on(c, port, "http", &req, "/ok", &resp), -1);
	CHECK_INT(resp.status, 0);
	CHECK_INT(resp.attempts, 3);
	CHECK(resp.errbuf[0] != '\0');
	CHECK_INT(http_exit_code(&resp), 69);
	/* nothing was sent, so even a POST is tried again */
	req.method = "POST";
	CHECK_INT(request_on(c, port, "http", &req, "/ok", &resp), -1);
	CHECK_INT(resp.attempts, 3);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_connect_timeout_retried(void)
{
	struct blackhole b = { -1, { -1, -1 }, 0 };
	CHECK_INT(blackhole_open(&b), 0);
	struct http_opts o = quick_opts();
	o.connect_timeout_ms = 200;
	o.max_retries = 1;
	struct http_client *c = http_client_new(&o);
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request req = { "POST", NULL, NULL, "x", 1, 0 };
	/* a request that was sent first must not make the next look sent */
	CHECK_INT(send_req(c, &req, "/echo", &resp), 0);
	long long t0 = now_ms();
	CHECK_INT(request_on(c, b.port, "http", &req, "/ok", &resp), -1);
	long long took = now_ms() - t0;
	CHECK_INT(resp.status, 0);
	CHECK_INT(resp.attempts, 2);
	/* libcurl says "Connection timed out after N ms" or "Connection timeout after N ms" */
	CHECK(strcasestr(resp.errbuf, "timeout") != NULL || strstr(resp.errbuf, "timed out") != NULL);
	CHECK(took >= 390 && took < 3000);
	if (check_cur_failed)
		printf("    errbuf: %s; took %lld ms\n", resp.errbuf, took);
	http_response_release(&resp);
	http_client_free(c);
	blackhole_close(&b);
}

static void test_timeout_not_retried(void)
{
	struct http_opts o = quick_opts();
	o.timeout_ms = 300;
	o.max_retries = 2;
	struct http_client *c = http_client_new(&o);
	struct http_response resp = HTTP_RESPONSE_INIT;
	long long t0 = now_ms();
	CHECK_INT(fetch(c, "GET", "/slow/2", &resp), -1);
	long long took = now_ms() - t0;
	CHECK_INT(resp.status, 0);
	CHECK_INT(resp.attempts, 1);
	CHECK(strstr(resp.errbuf, "imed out") != NULL);
	CHECK(took >= 290 && took < 1500);
	CHECK_INT(resp.body.len, 0);
	CHECK_INT(resp.nheaders, 0);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_bad_url(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request req = { "GET", "file:///etc/passwd", NULL, NULL, 0, 0 };
	CHECK_INT(http_do(c, &req, &resp), -1);
	CHECK_INT(resp.attempts, 1);
	CHECK(resp.errbuf[0] != '\0');
	CHECK_INT(resp.body.len, 0);
	http_response_release(&resp);
	http_client_free(c);
}

/* ---- TLS ---- */

static int tls_get(const char *cacert, int insecure, struct http_response *resp)
{
	struct http_opts o = quick_opts();
	o.cacert = cacert;
	o.insecure = insecure;
	struct http_client *c = http_client_new(&o);
	struct http_request req = { "GET", NULL, NULL, NULL, 0, 0 };
	int rc = request_on(c, tls.port, "https", &req, "/ok", resp);
	http_client_free(c);
	return rc;
}

static void test_tls_with_cacert(void)
{
	char *ca = tmp_path("ca.pem");
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(tls_get(ca, 0, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body.buf, "hello");
	if (check_cur_failed)
		printf("    errbuf: %s\n", resp.errbuf);
	http_response_release(&resp);
	free(ca);
}

static void test_tls_unknown_ca_rejected(void)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(tls_get(NULL, 0, &resp), -1);
	CHECK_INT(resp.status, 0);
	CHECK_INT(resp.attempts, 1);
	CHECK(strstr(resp.errbuf, "certificate") != NULL);
	if (check_cur_failed)
		printf("    errbuf: %s\n", resp.errbuf);
	http_response_release(&resp);
}

static void test_tls_insecure(void)
{
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(tls_get(NULL, 1, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body.buf, "hello");
	http_response_release(&resp);
}

/* ---- traces ---- */

/* ---- streaming transfers ---- */

/* A file holding "0123456789abcdefghij", its position moved to 7. */
static int source_file(void)
{
	char *path = tmp_path("source.txt");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	free(path);
	if (fd < 0 || write(fd, "0123456789abcdefghij", 20) != 20 || lseek(fd, 7, SEEK_SET) != 7)
		return -1;
	return fd;
}

struct progress_log {
	long long last;
	int completed; /* how many attempts sent the whole body */
	long long length;
};

static void note_progress(void *arg, long long sent)
{
	struct progress_log *p = arg;
	p->last = sent;
	if (sent == p->length)
		p->completed++;
}

static int send_transfer(struct http_client *c, const char *method, const char *path, const struct http_transfer *x,
			 struct http_response *resp)
{
	char *url = xasprintf("http://127.0.0.1:%d%s", plain.port, path);
	struct http_request req = { method, url, NULL, NULL, 0, 0 };
	int rc = http_do_transfer(c, &req, x, resp);
	free(url);
	return rc;
}

static void test_source_body(void)
{
	int fd = source_file();
	CHECK(fd >= 0);
	struct progress_log log = { 0, 0, 10 };
	struct http_source src = { fd, 3, 10, note_progress, &log };
	struct http_transfer x = { &src, NULL, 0, 0, 0 };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	static const char *const methods[] = { "POST", "PUT", "PATCH" };
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		CHECK_INT(send_transfer(c, methods[i], "/echo", &x, &resp), 0);
		CHECK_INT(resp.status, 200);
		char *want = xasprintf("\"method\":\"%s\"", methods[i]);
		CHECK(strstr(resp.body.buf, want) != NULL);
		CHECK(strstr(resp.body.buf, "\"body\":\"3456789abc\"") != NULL);
		CHECK(strstr(resp.body.buf, "\"Content-Length\":\"10\"") != NULL);
		free(want);
	}
	CHECK_INT(log.last, 10);
	CHECK_INT(log.completed, 3);
	CHECK_INT(lseek(fd, 0, SEEK_CUR), 7); /* pread: the position is the caller's */
	http_response_release(&resp);
	http_client_free(c);
	close(fd);
}

/* Each retry sends the whole body again, from offset. */
static void test_source_resent_on_retry(void)
{
	int fd = source_file();
	struct progress_log log = { 0, 0, 20 };
	struct http_source src = { fd, 0, 20, note_progress, &log };
	struct http_transfer x = { &src, NULL, 0, 0, 0 };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(send_transfer(c, "PUT", "/flaky/src-retry/2/503", &x, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.attempts, 3);
	CHECK_INT(log.completed, 3);
	CHECK_INT(server_count("src-retry"), 3);
	http_response_release(&resp);
	http_client_free(c);
	close(fd);
}

/* A file shorter than the length promised: an error of ours, not retried. */
static void test_source_short_file(void)
{
	int fd = source_file();
	struct http_source src = { fd, 15, 10, NULL, NULL };
	struct http_transfer x = { &src, NULL, 0, 0, 0 };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(send_transfer(c, "PUT", "/echo", &x, &resp), -1);
	CHECK_INT(resp.status, 0);
	CHECK_INT(resp.attempts, 1);
	CHECK_STR(resp.errbuf, "reading the request body: the file is shorter than its length");
	http_response_release(&resp);
	http_client_free(c);
	close(fd);
}

struct collector {
	struct strbuf got;
	int fail, rewinds;
};

static int collect(void *arg, const void *data, size_t len)
{
	struct collector *k = arg;
	if (k->fail)
		return -1;
	sb_add(&k->got, data, len);
	return 0;
}

static int collect_rewind(void *arg)
{
	struct collector *k = arg;
	k->rewinds++;
	sb_reset(&k->got);
	return 0;
}

static void test_sink_success_body(void)
{
	struct collector k = { STRBUF_INIT, 0, 0 };
	struct http_sink sink = { collect, collect_rewind, &k };
	struct http_transfer x = { NULL, &sink, 0, 0, 0 };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(send_transfer(c, "GET", "/big/100000", &x, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_INT(resp.body.len, 0);
	CHECK_INT(k.got.len, 100000);
	CHECK(k.got.len == 100000 && k.got.buf[0] == 'x' && k.got.buf[99999] == 'x');
	/* error bodies stay in resp->body, for the caller to read */
	sb_reset(&k.got);
	CHECK_INT(send_transfer(c, "GET", "/status/404", &x, &resp), 0);
	CHECK_INT(resp.status, 404);
	CHECK_STR(resp.body.buf, "status 404");
	CHECK_INT(k.got.len, 0);
	/* a failing status retried: the sink saw none of it, nothing to undo */
	CHECK_INT(send_transfer(c, "GET", "/flaky/sink-retry/1/503", &x, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(k.got.buf, "ok after 1");
	CHECK_INT(k.rewinds, 0);
	sb_release(&k.got);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_sink_failure_final(void)
{
	struct collector k = { STRBUF_INIT, 1, 0 };
	struct http_sink sink = { collect, collect_rewind, &k };
	struct http_transfer x = { NULL, &sink, 0, 0, 0 };
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(send_transfer(c, "GET", "/big/1000", &x, &resp), -1);
	CHECK_INT(resp.attempts, 1);
	CHECK_STR(resp.errbuf, "writing the response body failed");
	sb_release(&k.got);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_transfer_timeouts(void)
{
	struct http_client *c = quick_client(); /* timeout_ms 5000 */
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_transfer x = { NULL, NULL, 300, 0, 0 };
	long long t0 = now_ms();
	CHECK_INT(send_transfer(c, "GET", "/slow/2", &x, &resp), -1);
	CHECK(now_ms() - t0 < 1500);
	/* no whole-request limit, but a stall limit of 1 s */
	struct http_transfer stall = { NULL, NULL, -1, 1000, 0 };
	t0 = now_ms();
	CHECK_INT(send_transfer(c, "GET", "/slow/4", &stall, &resp), -1);
	long long took = now_ms() - t0;
	CHECK(took >= 900 && took < 3500);
	/* no limit at all: a slow answer arrives */
	struct http_transfer none = { NULL, NULL, -1, 0, 0 };
	CHECK_INT(send_transfer(c, "GET", "/slow/1", &none, &resp), 0);
	CHECK_INT(resp.status, 200);
	http_response_release(&resp);
	http_client_free(c);
}

/* A body kept in memory past CLOUDCTL_HTTP_MAX_BODY, and one to a sink past
 * max_bytes: cut, not retried, errbuf naming the limit. */
static void test_body_limits(void)
{
	setenv("CLOUDCTL_HTTP_MAX_BODY", "1000", 1);
	struct http_client *c = quick_client();
	unsetenv("CLOUDCTL_HTTP_MAX_BODY");
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/big/1000", &resp), 0);
	CHECK_INT(resp.body.len, 1000);
	CHECK_INT(fetch(c, "GET", "/big/1001", &resp), -1);
	CHECK_INT(resp.attempts, 1);
	CHECK_INT(resp.over_limit, 1);
	CHECK_INT(http_exit_code(&resp), 69);
	CHECK_STR(resp.errbuf, "the answer's declared length is larger than 1000 bytes (CLOUDCTL_HTTP_MAX_BODY)");
	/* HEAD reads no body, whatever length it declares */
	CHECK_INT(fetch(c, "HEAD", "/big/100000", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(http_header_get(&resp, "Content-Length"), "100000");
	struct collector k = { STRBUF_INIT, 0, 0 };
	struct http_sink sink = { collect, collect_rewind, &k };
	struct http_transfer x = { NULL, &sink, 0, 0, 5000 }; /* a sink may take more than the memory limit */
	CHECK_INT(send_transfer(c, "GET", "/big/5000", &x, &resp), 0);
	CHECK_INT(k.got.len, 5000);
	CHECK_INT(send_transfer(c, "GET", "/big/5001", &x, &resp), -1);
	CHECK_STR(resp.errbuf, "the answer's declared length is past the 5000 bytes expected");
	sb_release(&k.got);
	http_response_release(&resp);
	http_client_free(c);
}

/* http_client_stop_when: a request under way ends soon after the hook says so
 * (not when the answer comes), at once and not retried; unset, it runs to its end. */
static long long stop_after;
static int past_stop_time(void)
{
	return now_ms() >= stop_after;
}

static void test_stop_when(void)
{
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	http_client_stop_when(c, past_stop_time);
	long long t0 = now_ms();
	stop_after = t0 + 300;
	CHECK_INT(fetch(c, "GET", "/slow/3", &resp), -1);
	long long took = now_ms() - t0;
	CHECK(took >= 250 && took < 1800);
	CHECK_STR(resp.errbuf, "stopped before the answer (interrupted)");
	CHECK_INT(resp.attempts, 1);
	http_client_stop_when(c, NULL);
	CHECK_INT(fetch(c, "GET", "/slow/1", &resp), 0);
	CHECK_INT(resp.status, 200);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_same_origin(void)
{
	CHECK_INT(http_same_origin("https://r.example/v2/a", "https://R.example:443"), 1);
	CHECK_INT(http_same_origin("http://r.example/v2/a", "http://r.example:80/x"), 1);
	CHECK_INT(http_same_origin("https://r.example/v2/a", "http://r.example"), 0);
	CHECK_INT(http_same_origin("https://r.example:5000/v2/", "https://r.example:50001/v2/"), 0);
	CHECK_INT(http_same_origin("https://r.example@evil.example/v2/", "https://r.example"), 0);
	CHECK_INT(http_same_origin("https://r.example.evil.example/", "https://r.example"), 0);
	CHECK_INT(http_same_origin("not a url", "https://r.example"), 0);
}

static void test_pages(void)
{
	struct http_pages p = HTTP_PAGES_INIT;
	struct strbuf why = STRBUF_INIT;
	CHECK_INT(http_pages_next(&p, "/a", &why), 0);
	CHECK_INT(http_pages_next(&p, "/b", &why), 0);
	CHECK_INT(http_pages_next(&p, "/c", &why), 0);
	CHECK_INT(http_pages_next(&p, "/b", &why), -1);
	CHECK_STR(why.buf, "page 3 links back to page 2: the list would never end");
	http_pages_release(&p);
	setenv("CLOUDCTL_HTTP_MAX_PAGES", "2", 1);
	struct http_pages two = HTTP_PAGES_INIT;
	sb_reset(&why);
	CHECK_INT(http_pages_next(&two, "/1", &why), 0);
	CHECK_INT(http_pages_next(&two, "/2", &why), 0);
	CHECK_INT(http_pages_next(&two, "/3", &why), -1);
	CHECK_STR(why.buf, "more than 2 pages (CLOUDCTL_HTTP_MAX_PAGES)");
	unsetenv("CLOUDCTL_HTTP_MAX_PAGES");
	http_pages_release(&two);
	sb_release(&why);
}

static void check_resolve(const char *base, const char *ref, const char *want)
{
	char *got = http_url_resolve(base, ref);
	CHECK_STR(got, want);
	free(got);
}

static void test_url_resolve(void)
{
	const char *base = "https://r.example:5443/v2/a/b/blobs/uploads/";
	check_resolve(base, "/v2/a/b/blobs/uploads/u1?_state=x%3D", "https://r.example:5443/v2/a/b/blobs/uploads/u1?_state=x%3D");
	check_resolve(base, "u2", "https://r.example:5443/v2/a/b/blobs/uploads/u2");
	check_resolve(base, "https://store.example/blob?sig=1", "https://store.example/blob?sig=1");
	check_resolve(base, "//other:8080/x", "https://other:8080/x");
	char *bad = http_url_resolve("not a url", "/x");
	CHECK(bad == NULL);
	free(bad);
}

static void test_escape(void)
{
	char *e = http_escape("repository:a/b:pull,push ~x_y.z-");
	CHECK_STR(e, "repository%3Aa%2Fb%3Apull%2Cpush%20~x_y.z-");
	free(e);
	e = http_escape("\xc3\xa9");
	CHECK_STR(e, "%C3%A9");
	free(e);
}

static void traced_requests(void)
{
	static const char *const secret_headers[] = {
		"Authorization: Bearer SECRET123", "X-Auth-Token: TOKSECRET",
		"Cookie: session=COOKIESECRET", "Content-Type: application/json", NULL,
	};
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct http_request post = { "POST", NULL, secret_headers, "{\"password\":\"hunter2\"}", 22, 0 };
	CHECK_INT(send_req(c, &post, "/echo?token=QSECRET", &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK(strstr(resp.body.buf, "hunter2") != NULL); /* the data itself is untouched */
	/* a registry token endpoint's answer, sent and echoed back inside a string */
	static const char token_json[] = "{\"token\":\"JWTSECRET\",\"access_token\":\"ATSECRET\",\"expires_in\":300}";
	struct http_request tok = { "POST", NULL, NULL, token_json, sizeof token_json - 1, 0 };
	CHECK_INT(send_req(c, &tok, "/echo", &resp), 0);
	CHECK(strstr(resp.body.buf, "JWTSECRET") != NULL);
	CHECK_INT(fetch(c, "GET", "/set-cookie", &resp), 0);
	CHECK_STR(http_header_get(&resp, "Set-Cookie"), "session=COOKIESECRET; Path=/");
	CHECK_INT(fetch(c, "GET", "/big/10000", &resp), 0);
	CHECK_INT(resp.body.len, 10000);
	struct http_request basic = { "GET", NULL, NULL, NULL, 0, 0 };
	char *url = xasprintf("http://bob:URLSECRET@127.0.0.1:%d/echo", plain.port);
	basic.url = url;
	CHECK_INT(http_do(c, &basic, &resp), 0);
	CHECK(strstr(resp.body.buf, "\"Authorization\":\"Basic Ym9iOlVSTFNFQ1JFVA==\"") != NULL);
	free(url);
	http_response_release(&resp);
	http_client_free(c);
}

static void test_trace_redacted(void)
{
	int saved_level = log_level;
	log_level = LOG_DEBUG;
	capture_begin();
	traced_requests();
	char *err = capture_end();
	log_level = saved_level;

	static const char *const secrets[] = {
		"SECRET123", "TOKSECRET", "COOKIESECRET", "hunter2", "QSECRET", "URLSECRET", "Ym9iOlVSTFNFQ1JFVA",
		"JWTSECRET", "ATSECRET",
	};
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++) {
		if (strstr(err, secrets[i]))
			printf("    leaked: %s\n", secrets[i]);
		CHECK(strstr(err, secrets[i]) == NULL);
	}
	CHECK(strstr(err, ": > POST /echo?token=<redacted> HTTP/1.1\n") != NULL);
	CHECK(strstr(err, ": > Authorization: <redacted>\n") != NULL);
	CHECK(strstr(err, ": > X-Auth-Token: <redacted>\n") != NULL);
	CHECK(strstr(err, ": > Cookie: <redacted>\n") != NULL);
	CHECK(strstr(err, ": > {\"password\":\"<redacted>\"}\n") != NULL);
	CHECK(strstr(err, ": > {\"token\":\"<redacted>\",\"access_token\":\"<redacted>\",\"expires_in\":300}\n") != NULL);
	CHECK(strstr(err, ": < HTTP/1.1 200 OK\n") != NULL);
	CHECK(strstr(err, ": < Set-Cookie: <redacted>\n") != NULL);
	CHECK(strstr(err, ": < [10000 bytes in all, the first 4096 shown]\n") != NULL);
	CHECK(strstr(err, ": * ") != NULL); /* libcurl's own messages come through us */
	if (check_cur_failed)
		printf("    stderr was:\n%s\n", err);
	free(err);
}

static void test_no_trace_by_default(void)
{
	capture_begin();
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	CHECK_INT(fetch(c, "GET", "/ok", &resp), 0);
	http_response_release(&resp);
	http_client_free(c);
	char *err = capture_end();
	CHECK_STR(err, "");
	free(err);
}

/* Requests from several threads at once, one client each. */
static void *thread_requests(void *arg)
{
	long *ok = arg;
	struct http_client *c = quick_client();
	struct http_response resp = HTTP_RESPONSE_INIT;
	for (int i = 0; i < 5; i++)
		*ok += fetch(c, "GET", "/ok", &resp) == 0 && resp.status == 200 && str_eq(resp.body.buf, "hello");
	http_response_release(&resp);
	http_client_free(c);
	return NULL;
}

static void test_one_client_per_thread(void)
{
	pthread_t threads[4];
	long ok[4] = { 0 };
	for (int i = 0; i < 4; i++)
		CHECK_INT(pthread_create(&threads[i], NULL, thread_requests, &ok[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		CHECK_INT(ok[i], 5);
	}
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	/* the servers are local: a proxy from the environment must not get in between */
	static const char *const proxies[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
	for (size_t i = 0; i < ARRAY_SIZE(proxies); i++)
		unsetenv(proxies[i]);

	RUN(test_exit_codes);
	RUN(test_retry_after_parse);
	RUN(test_redact_header);
	RUN(test_redact_body);
	RUN(test_url_resolve);
	RUN(test_escape);
	RUN(test_same_origin);
	RUN(test_pages);

	atexit(cleanup);
	char *script = find_server_script(argc > 0 ? argv[0] : "");
	have_tmpdir = mkdtemp(tmpdir) != NULL;
	char *cert = tmp_path("server.pem"), *key = tmp_path("server.key");
	if (!script || !have_tmpdir || start_server(&plain, script, NULL, NULL) < 0) {
		printf("FAIL - setup: cannot start %s (run from the top of the tree or set CLOUDCTL_SRC)\n",
		       script ? script : "tests/services/http-test-server.py");
		check_failed++;
	} else {
		RUN(test_get_ok);
		RUN(test_headers_captured);
		RUN(test_head);
		RUN(test_methods_and_bodies);
		RUN(test_user_agent_option);
		RUN(test_connection_reused);
		RUN(test_interim_headers_dropped);
		RUN(test_redirect_not_followed);
		RUN(test_flaky_get_retried);
		RUN(test_retryable_statuses);
		RUN(test_other_statuses_not_retried);
		RUN(test_post_not_retried);
		RUN(test_post_marked_idempotent);
		RUN(test_retries_exhausted);
		RUN(test_retry_after_seconds);
		RUN(test_retry_after_date);
		RUN(test_retry_logged_without_secrets);
		RUN(test_connect_refused);
		RUN(test_connect_timeout_retried);
		RUN(test_timeout_not_retried);
		RUN(test_bad_url);
		RUN(test_trace_redacted);
		RUN(test_no_trace_by_default);
		RUN(test_one_client_per_thread);
		RUN(test_source_body);
		RUN(test_source_resent_on_retry);
		RUN(test_source_short_file);
		RUN(test_sink_success_body);
		RUN(test_sink_failure_final);
		RUN(test_transfer_timeouts);
		RUN(test_body_limits);
		RUN(test_stop_when);
		if (make_certs() < 0 || start_server(&tls, script, cert, key) < 0) {
			printf("FAIL - setup: cannot make certificates or start the TLS server\n");
			check_failed++;
		} else {
			RUN(test_tls_with_cacert);
			RUN(test_tls_unknown_ca_rejected);
			RUN(test_tls_insecure);
		}
	}
	cleanup();
	free(cert);
	free(key);
	free(script);
	return CHECK_DONE("http");
}
