/* test_registry.c: lib/oci (ref, auth, registry) against the real registries of
 * tests/services/registry-start.sh: Debian's docker-registry with htpasswd
 * (basic), a second one with token auth (token) and our token server. Faults
 * the real registry cannot make (garbage JSON, 500, a blob whose bytes do not
 * match its digest) come from a small HTTP server in this program. skopeo, when
 * installed, reads what we pushed, as an oracle.
 *
 * Skips, saying why, when $CLOUDCTL_SVC_DIR/registry/env is missing or the
 * registries it names are not running. One test kills the basic registry and
 * starts it again with registry-start.sh. */
#include "check.h"
#include "capture.h"
#include "http.h"
#include "log.h"
#include "oci/auth.h"
#include "oci/ref.h"
#include "oci/registry.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static struct strlist env = STRLIST_INIT; /* "KEY=VALUE" from the env file */
static char tmpdir[] = "/tmp/cloudctl-test-registry-XXXXXX";
static char run_id[32];                   /* makes repository names unique per run */
static const char *svc_dir;

/* ---- setup ---- */

static const char *env_get(const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < env.n; i++)
		if (!strncmp(env.v[i], key, n) && env.v[i][n] == '=')
			return env.v[i] + n + 1;
	return "";
}

static int load_env(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	if (sb_read_file(&sb, path) < 0)
		return -1;
	for (char *save = NULL, *line = strtok_r(sb.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strchr(line, '='))
			strlist_add(&env, line);
	sb_release(&sb);
	return 0;
}

/* The daemon of a pid file is alive and not a zombie. */
static int pidfile_alive(const char *pidfile)
{
	struct strbuf sb = STRBUF_INIT, stat = STRBUF_INIT;
	int alive = 0;
	if (sb_read_file(&sb, pidfile) == 0) {
		char *path = xasprintf("/proc/%ld/stat", atol(sb.buf));
		if (sb_read_file(&stat, path) == 0) {
			const char *paren = strrchr(stat.buf, ')');
			alive = paren && paren[1] == ' ' && paren[2] != 'Z';
		}
		free(path);
	}
	sb_release(&sb);
	sb_release(&stat);
	return alive;
}

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static struct http_opts quick_http(void)
{
	struct http_opts h = HTTP_OPTS_INIT;
	h.connect_timeout_ms = 2000;
	h.timeout_ms = 30000;
	h.max_retries = 2;
	h.base_backoff_ms = 20;
	h.max_backoff_ms = 100;
	return h;
}

static const struct http_opts *test_http(void)
{
	static struct http_opts h;
	h = quick_http();
	return &h;
}

/* A handle on "basic" or "token" with the docker config of dir (NULL: anonymous). */
static struct registry *open_reg(const char *which, const char *docker_dir, struct registry_opts *extra)
{
	struct registry_opts o = extra ? *extra : (struct registry_opts)REGISTRY_OPTS_INIT;
	char *auth = docker_dir ? xasprintf("%s/config.json", docker_dir) : NULL;
	o.cacert = env_get("REGISTRY_CA");
	o.auth_file = auth;
	o.anonymous = docker_dir == NULL;
	o.http = test_http();
	struct strbuf err = STRBUF_INIT;
	struct registry *r = registry_open(env_get(!strcmp(which, "token") ? "REGISTRY_TOKEN" : "REGISTRY"), &o, &err);
	if (!r)
		printf("    open: %s\n", err.buf);
	sb_release(&err);
	free(auth);
	return r;
}

static struct registry *basic_reg(void)
{
	return open_reg("basic", env_get("REGISTRY_DOCKER_CONFIG"), NULL);
}

static char *repo_name(const char *prefix, const char *name)
{
	return xasprintf("%s/%s-%s", prefix, name, run_id);
}

/* ---- blobs made here ---- */

struct blob {
	char *path;
	long long size;
	char digest[80];
	struct strbuf data;
};

static void digest_hex(const void *data, size_t n, char out[80])
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_Digest(data, n, raw, &len, EVP_sha256(), NULL);
	strcpy(out, "sha256:");
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 7 + 2 * i, "%02x", raw[i]);
}

/* size random bytes in a file of tmpdir. */
static void blob_make(struct blob *b, const char *name, long long size)
{
	b->data = (struct strbuf)STRBUF_INIT;
	sb_grow(&b->data, (size_t)size);
	while (b->data.len < (size_t)size) {
		ssize_t got = getrandom(b->data.buf + b->data.len, (size_t)size - b->data.len, 0);
		if (got > 0)
			b->data.len += (size_t)got;
	}
	b->data.buf[b->data.len] = '\0';
	b->size = size;
	b->path = tmp_path(name);
	write_file_atomic(b->path, b->data.buf, b->data.len, 0600);
	digest_hex(b->data.buf, b->data.len, b->digest);
}

static void blob_free(struct blob *b)
{
	free(b->path);
	sb_release(&b->data);
}

/* HEAD, then upload only when missing: what cloudctl-build does for each blob. */
static int push_blob(struct registry *r, const char *repo, const struct blob *b, struct strbuf *err)
{
	int exists = 0;
	int rc = registry_blob_exists(r, repo, b->digest, &exists, NULL, err);
	if (!rc && !exists)
		rc = registry_blob_upload_file(r, repo, b->digest, b->path, err);
	return rc;
}

/* An image: a config blob and one layer, and its OCI manifest. */
struct image {
	struct blob layer;
	char *config;
	char config_digest[80];
	char *manifest;
};

static void image_make(struct image *im, const char *name, long long layer_size)
{
	blob_make(&im->layer, name, layer_size);
	im->config = xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
			       "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", im->layer.digest);
	digest_hex(im->config, strlen(im->config), im->config_digest);
	im->manifest = xasprintf(
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%lld}]}",
		im->config_digest, strlen(im->config), im->layer.digest, im->layer.size);
}

static void image_free(struct image *im)
{
	blob_free(&im->layer);
	free(im->config);
	free(im->manifest);
}

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* Blobs first, the manifest last: a tag never points at a missing blob. */
static int push_image(struct registry *r, const char *repo, const char *tag, const struct image *im, char **digest,
		      struct strbuf *err)
{
	int rc = push_blob(r, repo, &im->layer, err);
	int exists = 0;
	if (!rc)
		rc = registry_blob_exists(r, repo, im->config_digest, &exists, NULL, err);
	if (!rc && !exists)
		rc = registry_blob_upload_mem(r, repo, im->config_digest, im->config, strlen(im->config), err);
	if (!rc)
		rc = registry_manifest_put(r, repo, tag, OCI_MANIFEST, im->manifest, strlen(im->manifest), digest, err);
	return rc;
}

/* ---- stderr capture and a shell helper ---- */

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

/* The stdout of a shell command; its exit status in *status. */
static char *shell(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sb_add(&out, buf, n);
	int st = p ? pclose(p) : -1;
	if (status)
		*status = st;
	return sb_detach(&out);
}

static long count_lines(const char *path, const char *needle)
{
	struct strbuf sb = STRBUF_INIT;
	long n = 0;
	if (sb_read_file(&sb, path) == 0)
		for (const char *p = sb.buf; (p = strstr(p, needle)); p++)
			n++;
	sb_release(&sb);
	return n;
}

/* ---- references (no server) ---- */

static void check_ref(const char *in, const char *host, const char *repo, const char *tag, const char *digest)
{
	struct oci_ref r = OCI_REF_INIT;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(oci_ref_parse(in, &r, &err), 0);
	CHECK_STR(r.host, host);
	CHECK_STR(r.repo, repo);
	CHECK(tag ? str_eq(r.tag, tag) : r.tag == NULL);
	CHECK(digest ? str_eq(r.digest, digest) : r.digest == NULL);
	char *back = oci_ref_string(&r);
	CHECK_STR(back, in);
	free(back);
	oci_ref_release(&r);
	sb_release(&err);
}

static void check_bad_ref(const char *in, const char *why)
{
	struct oci_ref r = OCI_REF_INIT;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(oci_ref_parse(in, &r, &err), EXIT_USAGE);
	CHECK(r.host == NULL && r.repo == NULL);
	if (!strstr(err.buf, why))
		printf("    %s: %s\n", in, err.buf);
	CHECK(strstr(err.buf, why) != NULL);
	sb_release(&err);
}

static void test_ref_parse(void)
{
	const char *d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *with_digest = xasprintf("registry.local/shop/web@%s", d);
	char *both = xasprintf("127.0.0.1:5443/a/b/c:v1.2-rc_3@%s", d);
	check_ref("127.0.0.1:5443/cloudctl/web:3f2a1bc", "127.0.0.1:5443", "cloudctl/web", "3f2a1bc", NULL);
	check_ref("registry.local/shop/frontend", "registry.local", "shop/frontend", NULL, NULL);
	check_ref("localhost/x", "localhost", "x", NULL, NULL);
	check_ref("localhost:5000/a__b/c-d/e.f---g", "localhost:5000", "a__b/c-d/e.f---g", NULL, NULL);
	check_ref("[::1]:5000/x:latest", "[::1]:5000", "x", "latest", NULL);
	check_ref(with_digest, "registry.local", "shop/web", NULL, d);
	check_ref(both, "127.0.0.1:5443", "a/b/c", "v1.2-rc_3", d);
	check_bad_ref("ubuntu:22.04", "no registry host");
	check_bad_ref("library/ubuntu", "no registry host");
	check_bad_ref("r.local/Shop/web", "must be lower-case");
	check_bad_ref("r.local/shop//web", "bad repository name");
	check_bad_ref("r.local/shop/web-", "bad repository name");
	check_bad_ref("r.local/a___b", "bad repository name");
	check_bad_ref("r.local/web:-tag", "bad tag");
	check_bad_ref("r.local/web:", "bad tag");
	check_bad_ref("r.local/web@sha256:abc", "bad digest");
	check_bad_ref("r.local:99999/web", "bad registry host");
	check_bad_ref("-r.local/web", "bad registry host");
	free(with_digest);
	free(both);
	CHECK(oci_ref_tag_valid("_x") && !oci_ref_tag_valid(".x"));
	struct strbuf long_tag = STRBUF_INIT;
	for (int i = 0; i < 129; i++)
		sb_addc(&long_tag, 'a');
	CHECK(!oci_ref_tag_valid(long_tag.buf));
	long_tag.buf[128] = '\0';
	CHECK(oci_ref_tag_valid(long_tag.buf));
	sb_release(&long_tag);
}

/* ---- docker config (no server) ---- */

static char *write_tmp(const char *name, const char *text, unsigned mode)
{
	char *path = tmp_path(name);
	write_file_atomic(path, text, strlen(text), mode);
	chmod(path, mode);
	return path;
}

static int lookup(const char *path, const char *host, struct registry_cred *c, struct strbuf *err)
{
	return docker_auth_lookup(path, host, c, err);
}

static void test_docker_config_auths(void)
{
	/* "dXNlcjpwYTpzcw==" is "user:pa:ss": the password may hold ':' */
	char *path = write_tmp("auths.json",
			       "{\"auths\": {\"r.local:5443\": {\"auth\": \"dXNlcjpwYTpzcw==\"},"
			       " \"https://other.local/v1/\": {\"username\": \"bob\", \"password\": \"pw\"},"
			       " \"bad.local\": {\"auth\": \"!!!\"}}}", 0600);
	struct registry_cred c = REGISTRY_CRED_INIT;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(lookup(path, "r.local:5443", &c, &err), 0);
	CHECK_STR(c.username, "user");
	CHECK_STR(c.password, "pa:ss");
	CHECK_STR(c.source, path);
	char *basic = registry_cred_basic(&c);
	CHECK_STR(basic, "Basic dXNlcjpwYTpzcw==");
	free(basic);
	CHECK_INT(lookup(path, "other.local", &c, &err), 0);
	CHECK_STR(c.username, "bob");
	CHECK_STR(c.password, "pw");
	CHECK_INT(lookup(path, "r.local", &c, &err), 0); /* another port is another registry */
	CHECK(c.username == NULL);
	CHECK_INT(lookup(path, "bad.local", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "auths.\"bad.local\".auth is not base64 of \"user:password\"") != NULL);
	char *missing = tmp_path("no-such.json");
	CHECK_INT(lookup(missing, "r.local:5443", &c, &err), 0);
	CHECK(c.username == NULL);
	char *bad = write_tmp("bad.json", "{\"auths\": {\n  \"x\": }\n", 0600);
	CHECK_INT(lookup(bad, "x", &c, &err), EXIT_CONFIG);
	char *want = xasprintf("%s:2: not valid JSON", bad);
	CHECK(str_starts(err.buf, want));
	free(want);
	registry_cred_release(&c);
	sb_release(&err);
	free(path);
	free(missing);
	free(bad);
}

static void test_docker_config_path_order(void)
{
	char *saved[3];
	static const char *const vars[] = { "REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "HOME" };
	for (int i = 0; i < 3; i++)
		saved[i] = getenv(vars[i]) ? xstrdup(getenv(vars[i])) : NULL;
	setenv("HOME", "/home/u", 1);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("DOCKER_CONFIG");
	char *p = docker_config_path();
	CHECK_STR(p, "/home/u/.docker/config.json");
	free(p);
	setenv("DOCKER_CONFIG", "/etc/dc", 1);
	p = docker_config_path();
	CHECK_STR(p, "/etc/dc/config.json");
	free(p);
	setenv("REGISTRY_AUTH_FILE", "/run/auth.json", 1);
	p = docker_config_path();
	CHECK_STR(p, "/run/auth.json");
	free(p);
	for (int i = 0; i < 3; i++) {
		if (saved[i])
			setenv(vars[i], saved[i], 1);
		else
			unsetenv(vars[i]);
		free(saved[i]);
	}
}

/* A credential helper on $PATH: answers for r.local, "not found" for the rest. */
static void install_helper(void)
{
	char *bin = tmp_path("bin");
	mkdir(bin, 0700);
	char *helper = xasprintf("%s/docker-credential-fake", bin);
	const char *script =
		"#!/bin/sh\n"
		"[ \"$1\" = get ] || exit 2\n"
		"read -r host\n"
		"case $host in\n"
		"r.local) printf '{\"ServerURL\":\"r.local\",\"Username\":\"helperuser\",\"Secret\":\"helpersecret\"}\\n' ;;\n"
		"tok.local) printf '{\"ServerURL\":\"tok.local\",\"Username\":\"<token>\",\"Secret\":\"refresh-me\"}\\n' ;;\n"
		"broken.local) echo 'keychain is locked'; exit 1 ;;\n"
		"*) echo 'credentials not found in native keychain'; exit 1 ;;\n"
		"esac\n";
	write_file_atomic(helper, script, strlen(script), 0700);
	chmod(helper, 0700);
	char *path = xasprintf("%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	free(path);
	free(helper);
	free(bin);
}

static void test_docker_config_helpers(void)
{
	install_helper();
	char *path = write_tmp("helpers.json",
			       "{\"credHelpers\": {\"r.local\": \"fake\", \"tok.local\": \"fake\", \"broken.local\": \"fake\","
			       " \"gone.local\": \"nosuch\"},"
			       " \"credsStore\": \"fake\", \"auths\": {\"other.local\": {\"auth\": \"YTpi\"}}}", 0600);
	struct registry_cred c = REGISTRY_CRED_INIT;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(lookup(path, "r.local", &c, &err), 0);
	CHECK_STR(c.username, "helperuser");
	CHECK_STR(c.password, "helpersecret");
	CHECK_STR(c.source, "docker-credential-fake");
	CHECK_INT(lookup(path, "tok.local", &c, &err), 0);
	CHECK(c.username == NULL);
	CHECK_STR(c.identity_token, "refresh-me");
	/* the store has nothing for other.local: auths still count */
	CHECK_INT(lookup(path, "other.local", &c, &err), 0);
	CHECK_STR(c.username, "a");
	CHECK_STR(c.password, "b");
	CHECK_INT(lookup(path, "broken.local", &c, &err), EXIT_CONFIG);
	CHECK_STR(err.buf, "docker-credential-fake get broken.local: exit 1: keychain is locked");
	capture_begin();
	int rc1 = lookup(path, "gone.local", &c, &err), rc2 = lookup(path, "gone.local", &c, &err);
	char *said = capture_end();
	CHECK_INT(rc1, 0);
	CHECK_INT(rc2, 0);
	CHECK(c.username == NULL);
	CHECK(strstr(said, "warning: credential helper docker-credential-nosuch is not installed: going on without "
			   "credentials\n") != NULL);
	char *captured = tmp_path("stderr.txt");
	CHECK_INT(count_lines(captured, "not installed"), 1); /* once */
	free(captured);
	free(said);
	registry_cred_release(&c);
	sb_release(&err);
	free(path);
}

static void test_docker_config_mode_warning(void)
{
	char *path = write_tmp("open.json", "{\"auths\": {\"r.local\": {\"auth\": \"YTpi\"}}}", 0644);
	struct registry_cred c = REGISTRY_CRED_INIT;
	struct strbuf err = STRBUF_INIT;
	capture_begin();
	CHECK_INT(lookup(path, "r.local", &c, &err), 0);
	char *said = capture_end();
	char *want = xasprintf("warning: %s: holds registry credentials but is readable by others (chmod 600 it)", path);
	CHECK(strstr(said, want) != NULL);
	CHECK(strstr(said, "YTpi") == NULL);
	free(want);
	free(said);
	registry_cred_release(&c);
	sb_release(&err);
	free(path);
}

/* ---- the basic registry ---- */

static void test_push_monolithic(void)
{
	struct registry *r = basic_reg();
	char *repo = repo_name("cloudctl", "mono");
	struct blob b;
	blob_make(&b, "mono.bin", 1 << 20);
	struct strbuf err = STRBUF_INIT;
	int exists = 1;
	long long size = -1;
	CHECK_INT(registry_blob_exists(r, repo, b.digest, &exists, &size, &err), 0);
	CHECK_INT(exists, 0);
	long before = registry_stats(r)->requests;
	CHECK_INT(registry_blob_upload_file(r, repo, b.digest, b.path, &err), 0);
	CHECK_INT(registry_stats(r)->requests - before, 2); /* POST, PUT */
	CHECK_INT(registry_stats(r)->blob_bytes_sent, b.size);
	CHECK_INT(registry_blob_exists(r, repo, b.digest, &exists, &size, &err), 0);
	CHECK_INT(exists, 1);
	CHECK_INT(size, b.size);
	if (err.len)
		printf("    %s\n", err.buf);
	blob_free(&b);
	sb_release(&err);
	free(repo);
	registry_close(r);
}

static long long progress_max;
static int progress_calls;

static void note_progress(void *arg, const char *digest, long long done, long long total)
{
	(void)arg;
	(void)digest;
	(void)total;
	progress_calls++;
	if (done > progress_max)
		progress_max = done;
}

static void test_push_chunked(void)
{
	struct registry_opts o = REGISTRY_OPTS_INIT;
	o.chunk_threshold = 256 << 10;
	o.chunk_size = 100 << 10;
	o.progress = note_progress;
	struct registry *r = open_reg("basic", env_get("REGISTRY_DOCKER_CONFIG"), &o);
	char *repo = repo_name("cloudctl", "chunked");
	struct blob b;
	long long size = (1 << 20) + 123; /* 11 chunks, the last one short */
	blob_make(&b, "chunked.bin", size);
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(registry_ping(r, &err), 0);
	long before = registry_stats(r)->requests;
	progress_max = 0;
	CHECK_INT(registry_blob_upload_file(r, repo, b.digest, b.path, &err), 0);
	CHECK_INT(registry_stats(r)->requests - before, 1 + 11 + 1); /* POST, 11 PATCH, PUT */
	CHECK_INT(registry_stats(r)->blob_bytes_sent, size);
	CHECK_INT(progress_max, size);
	int exists = 0;
	long long got = -1;
	CHECK_INT(registry_blob_exists(r, repo, b.digest, &exists, &got, &err), 0);
	CHECK_INT(exists, 1);
	CHECK_INT(got, size);
	/* and the bytes are those: download them back */
	char *out = tmp_path("chunked.out");
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	long long n = 0;
	CHECK_INT(registry_blob_get(r, repo, b.digest, 0, fd, &n, &err), 0);
	CHECK_INT(n, size);
	struct strbuf back = STRBUF_INIT;
	CHECK_INT(sb_read_file(&back, out), 0);
	CHECK(back.len == b.data.len && memcmp(back.buf, b.data.buf, back.len) == 0);
	if (err.len)
		printf("    %s\n", err.buf);
	sb_release(&back);
	close(fd);
	free(out);
	blob_free(&b);
	sb_release(&err);
	free(repo);
	registry_close(r);
}

/* A small blob (the config) from memory, and an empty one. */
static void test_push_from_memory(void)
{
	struct registry *r = basic_reg();
	char *repo = repo_name("cloudctl", "mem");
	struct strbuf err = STRBUF_INIT;
	static const char text[] = "{\"hello\":\"registry\"}";
	char d[80], empty[80];
	digest_hex(text, strlen(text), d);
	digest_hex("", 0, empty);
	CHECK_INT(registry_blob_upload_mem(r, repo, d, text, strlen(text), &err), 0);
	CHECK_INT(registry_blob_upload_mem(r, repo, empty, "", 0, &err), 0);
	int exists = 0;
	long long size = -1;
	CHECK_INT(registry_blob_exists(r, repo, empty, &exists, &size, &err), 0);
	CHECK(exists && size == 0);
	/* a digest that does not match the bytes: the registry refuses it */
	CHECK_INT(registry_blob_upload_mem(r, repo, empty, text, strlen(text), &err), EXIT_DATA);
	CHECK(strstr(err.buf, "DIGEST_INVALID") != NULL);
	sb_release(&err);
	free(repo);
	registry_close(r);
}

static void test_second_push_sends_nothing(void)
{
	struct registry *r = basic_reg();
	char *repo = repo_name("cloudctl", "again");
	struct image im;
	image_make(&im, "again.bin", 300000);
	struct strbuf err = STRBUF_INIT;
	char *d1 = NULL, *d2 = NULL;
	CHECK_INT(push_image(r, repo, "v1", &im, &d1, &err), 0);
	long long first = registry_stats(r)->blob_bytes_sent;
	CHECK_INT(first, im.layer.size + (long long)strlen(im.config));
	long before = registry_stats(r)->requests;
	CHECK_INT(push_image(r, repo, "v1", &im, &d2, &err), 0);
	CHECK_INT(registry_stats(r)->blob_bytes_sent, first); /* zero blob bytes the second time */
	CHECK_INT(registry_stats(r)->requests - before, 3);  /* HEAD, HEAD, PUT manifest */
	CHECK_STR(d1, d2);
	if (err.len)
		printf("    %s\n", err.buf);
	free(d1);
	free(d2);
	image_free(&im);
	sb_release(&err);
	free(repo);
	registry_close(r);
}

static void test_cross_repo_mount(void)
{
	struct registry *r = basic_reg();
	char *a = repo_name("cloudctl", "mount-src"), *b = repo_name("cloudctl", "mount-dst");
	struct blob blob, other;
	blob_make(&blob, "mount.bin", 50000);
	blob_make(&other, "nomount.bin", 40000);
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(registry_blob_upload_file(r, a, blob.digest, blob.path, &err), 0);
	int mounted = 0, exists = 0;
	long long size = 0;
	CHECK_INT(registry_blob_mount(r, b, blob.digest, a, &mounted, &err), 0);
	CHECK_INT(mounted, 1);
	CHECK_INT(registry_blob_exists(r, b, blob.digest, &exists, &size, &err), 0);
	CHECK(exists && size == blob.size);
	/* not in the source repository: not mounted, the caller uploads */
	mounted = 1;
	CHECK_INT(registry_blob_mount(r, b, other.digest, a, &mounted, &err), 0);
	CHECK_INT(mounted, 0);
	CHECK_INT(registry_blob_exists(r, b, other.digest, &exists, NULL, &err), 0);
	CHECK_INT(exists, 0);
	CHECK_INT(registry_blob_upload_file(r, b, other.digest, other.path, &err), 0);
	CHECK_INT(registry_blob_exists(r, b, other.digest, &exists, NULL, &err), 0);
	CHECK_INT(exists, 1);
	if (err.len)
		printf("    %s\n", err.buf);
	blob_free(&blob);
	blob_free(&other);
	sb_release(&err);
	free(a);
	free(b);
	registry_close(r);
}

/* What skopeo sees of repo:tag: its raw manifest and digest. */
static void skopeo_oracle(const char *repo, const char *tag, const char *manifest, const char *digest)
{
	if (system("command -v skopeo >/dev/null 2>&1") != 0) {
		printf("    (skopeo not installed: oracle skipped)\n");
		return;
	}
	char *base = xasprintf("skopeo inspect --creds '%s:%s' --cert-dir '%s' docker://%s/%s:%s", env_get("REGISTRY_USER"),
			       env_get("REGISTRY_PASS"), env_get("REGISTRY_CERT_DIR"), env_get("REGISTRY"), repo, tag);
	char *raw_cmd = xasprintf("%s --raw 2>&1", base), *cmd = xasprintf("%s 2>&1", base);
	int st1, st2;
	char *raw = shell(raw_cmd, &st1), *doc = shell(cmd, &st2);
	CHECK_INT(st1, 0);
	CHECK_INT(st2, 0);
	CHECK_STR(raw, manifest);
	char *want = xasprintf("\"Digest\": \"%s\"", digest);
	CHECK(strstr(doc, want) != NULL);
	if (check_cur_failed)
		printf("    skopeo said: %s\n", doc);
	free(want);
	free(raw);
	free(doc);
	free(raw_cmd);
	free(cmd);
	free(base);
}

static void test_manifest_put_get(void)
{
	struct registry *r = basic_reg();
	char *repo = repo_name("cloudctl", "manifest");
	struct image im;
	image_make(&im, "manifest.bin", 20000);
	struct strbuf err = STRBUF_INIT, body = STRBUF_INIT;
	char *digest = NULL, *got_digest = NULL, *type = NULL, *mine = NULL;
	CHECK_INT(push_image(r, repo, "v1", &im, &digest, &err), 0);
	char want[80];
	digest_hex(im.manifest, strlen(im.manifest), want);
	CHECK_STR(digest, want);
	CHECK_INT(registry_manifest_get(r, repo, "v1", NULL, &body, &type, &got_digest, &err), 0);
	CHECK_STR(body.buf, im.manifest);
	CHECK_STR(type, OCI_MANIFEST);
	CHECK_STR(got_digest, want);
	free(type);
	free(got_digest);
	type = got_digest = NULL;
	/* by digest */
	CHECK_INT(registry_manifest_get(r, repo, want, NULL, &body, &type, &got_digest, &err), 0);
	CHECK_STR(body.buf, im.manifest);
	CHECK_STR(got_digest, want);
	/* HEAD: the registry's Docker-Content-Digest */
	int exists = 0;
	long long size = 0;
	CHECK_INT(registry_manifest_head(r, repo, "v1", NULL, &exists, NULL, &mine, &size, &err), 0);
	CHECK(exists == 1 && size == (long long)strlen(im.manifest));
	CHECK_STR(mine, want);
	/* pushing by digest works too */
	free(digest);
	digest = NULL;
	CHECK_INT(registry_manifest_put(r, repo, want, OCI_MANIFEST, im.manifest, strlen(im.manifest), &digest, &err), 0);
	CHECK_STR(digest, want);
	if (err.len)
		printf("    %s\n", err.buf);
	skopeo_oracle(repo, "v1", im.manifest, want);
	free(digest);
	free(got_digest);
	free(type);
	free(mine);
	image_free(&im);
	sb_release(&err);
	sb_release(&body);
	free(repo);
	registry_close(r);
}

/* A manifest that names a blob the registry lacks is refused: 65, and no tag. */
static void test_manifest_missing_blob(void)
{
	struct registry *r = basic_reg();
	char *repo = repo_name("cloudctl", "noblob");
	struct image im;
	image_make(&im, "noblob.bin", 1000);
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(registry_blob_upload_mem(r, repo, im.config_digest, im.config, strlen(im.config), &err), 0);
	CHECK_INT(registry_manifest_put(r, repo, "v1", OCI_MANIFEST, im.manifest, strlen(im.manifest), NULL, &err),
		  EXIT_DATA);
	CHECK(strstr(err.buf, "MANIFEST_BLOB_UNKNOWN") != NULL);
	int exists = 1;
	CHECK_INT(registry_manifest_head(r, repo, "v1", NULL, &exists, NULL, NULL, NULL, &err), 0);
	CHECK_INT(exists, 0);
	image_free(&im);
	sb_release(&err);
	free(repo);
	registry_close(r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* distribution 2.8 ignores n= on tags/list (only _catalog pages): every tag
 * comes in one answer, in no particular order. Link pages: test_tags_link_pages. */
static void test_tags_all(void)
{
	struct registry *r = basic_reg();
	char *repo = repo_name("cloudctl", "tags");
	struct image im;
	image_make(&im, "tags.bin", 1000);
	struct strbuf err = STRBUF_INIT;
	static const char *const tags[] = { "t1", "t2", "t3", "t4", "t5" };
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++)
		CHECK_INT(push_image(r, repo, tags[i], &im, NULL, &err), 0);
	struct strlist got = STRLIST_INIT;
	CHECK_INT(registry_tags(r, repo, 2, &got, &err), 0);
	CHECK_INT(got.n, 5);
	qsort(got.v, got.n, sizeof *got.v, cmp_str);
	for (size_t i = 0; i < got.n && i < 5; i++)
		CHECK_STR(got.v[i], tags[i]);
	strlist_clear(&got);
	CHECK_INT(registry_tags(r, repo, 0, &got, &err), 0);
	CHECK_INT(got.n, 5);
	strlist_clear(&got);
	if (err.len)
		printf("    %s\n", err.buf);
	image_free(&im);
	sb_release(&err);
	free(repo);
	registry_close(r);
}

static void test_not_found(void)
{
	struct registry *r = basic_reg();
	char *repo = repo_name("cloudctl", "missing");
	struct strbuf err = STRBUF_INIT, body = STRBUF_INIT;
	CHECK_INT(registry_manifest_get(r, repo, "nope", NULL, &body, NULL, NULL, &err), EXIT_NOTFOUND);
	char *want = xasprintf("registry %s: manifest %s:nope: ", env_get("REGISTRY"), repo);
	CHECK(str_starts(err.buf, want));
	CHECK(strstr(err.buf, "UNKNOWN: ") != NULL && str_ends(err.buf, "(HTTP 404)"));
	struct strlist tags = STRLIST_INIT;
	CHECK_INT(registry_tags(r, repo, 0, &tags, &err), EXIT_NOTFOUND);
	CHECK(strstr(err.buf, "NAME_UNKNOWN: repository name not known to registry (HTTP 404)") != NULL);
	int exists = 1;
	CHECK_INT(registry_manifest_head(r, repo, "nope", NULL, &exists, NULL, NULL, NULL, &err), 0);
	CHECK_INT(exists, 0);
	char *out = tmp_path("missing.out");
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char d[80];
	digest_hex("missing", 7, d);
	CHECK_INT(registry_blob_get(r, repo, d, 0, fd, NULL, &err), EXIT_NOTFOUND);
	CHECK(strstr(err.buf, "BLOB_UNKNOWN") != NULL);
	close(fd);
	free(out);
	free(want);
	sb_release(&err);
	sb_release(&body);
	free(repo);
	registry_close(r);
}

static void test_basic_auth_refused(void)
{
	char *dir = tmp_path("badpass");
	mkdir(dir, 0700);
	char *cfg = xasprintf("{\"auths\": {\"%s\": {\"username\": \"%s\", \"password\": \"wrong\"}}}", env_get("REGISTRY"),
			      env_get("REGISTRY_USER"));
	char *path = xasprintf("%s/config.json", dir);
	write_file_atomic(path, cfg, strlen(cfg), 0600);
	struct registry *r = open_reg("basic", dir, NULL);
	char *repo = repo_name("cloudctl", "auth");
	struct strbuf err = STRBUF_INIT;
	struct strlist tags = STRLIST_INIT;
	CHECK_INT(registry_tags(r, repo, 0, &tags, &err), EXIT_PERM);
	char *want = xasprintf("registry %s: tags of %s: UNAUTHORIZED: authentication required (HTTP 401; the credentials "
			       "of %s from %s were refused)", env_get("REGISTRY"), repo, env_get("REGISTRY_USER"), path);
	CHECK_STR(err.buf, want);
	CHECK(strstr(err.buf, "wrong") == NULL);
	registry_close(r);
	/* anonymous: 77 too, saying there were no credentials */
	struct registry *anon = open_reg("basic", NULL, NULL);
	int exists = 0;
	char d[80];
	digest_hex("x", 1, d);
	CHECK_INT(registry_blob_exists(anon, repo, d, &exists, NULL, &err), EXIT_PERM);
	CHECK(strstr(err.buf, "(HTTP 401") != NULL);
	registry_close(anon);
	free(want);
	sb_release(&err);
	strlist_clear(&tags);
	free(repo);
	free(path);
	free(cfg);
	free(dir);
}

/* ---- the token registry ---- */

static struct registry *token_reg(const char *docker_dir_key)
{
	return open_reg("token", docker_dir_key ? env_get(docker_dir_key) : NULL, NULL);
}

static void test_bearer_push_pull(void)
{
	const char *log_path = env_get("REGISTRY_AUTH_LOG");
	struct registry *r = token_reg("REGISTRY_DOCKER_CONFIG");
	char *repo = repo_name("cloudctl", "bearer");
	struct image im;
	image_make(&im, "bearer.bin", 70000);
	struct strbuf err = STRBUF_INIT, body = STRBUF_INIT;
	char *want = xasprintf("token user=%s service=%s requested=repository:%s:pull,push granted=repository:%s:pull,push",
			       env_get("REGISTRY_USER"), env_get("REGISTRY_TOKEN_SERVICE"), repo, repo);
	long before = count_lines(log_path, want);
	char *digest = NULL;
	CHECK_INT(push_image(r, repo, "v1", &im, &digest, &err), 0);
	/* one token for every push request: it is cached per scope */
	CHECK_INT(count_lines(log_path, want) - before, 1);
	CHECK_INT(registry_manifest_get(r, repo, "v1", NULL, &body, NULL, NULL, &err), 0);
	CHECK_STR(body.buf, im.manifest);
	if (err.len)
		printf("    %s\n", err.buf);
	/* the reader pulls it, and may not push */
	struct registry *reader = token_reg("REGISTRY_READER_DOCKER_CONFIG");
	CHECK_INT(registry_manifest_get(reader, repo, "v1", NULL, &body, NULL, NULL, &err), 0);
	CHECK_STR(body.buf, im.manifest);
	struct blob b;
	blob_make(&b, "reader.bin", 1000);
	CHECK_INT(registry_blob_upload_file(reader, repo, b.digest, b.path, &err), EXIT_PERM);
	char *denied = xasprintf("registry %s: upload of %s to %s: UNAUTHORIZED: authentication required (HTTP 401; "
				 "insufficient_scope: the credentials of %s from %s/config.json do not allow "
				 "repository:%s:pull,push)",
				 env_get("REGISTRY_TOKEN"), b.digest, repo, env_get("REGISTRY_READER"),
				 env_get("REGISTRY_READER_DOCKER_CONFIG"), repo);
	CHECK_STR(err.buf, denied);
	CHECK_INT(registry_manifest_put(reader, repo, "v2", OCI_MANIFEST, im.manifest, strlen(im.manifest), NULL, &err),
		  EXIT_PERM);
	CHECK(strstr(err.buf, "insufficient_scope") != NULL);
	registry_close(reader);
	blob_free(&b);
	free(denied);
	free(digest);
	free(want);
	image_free(&im);
	sb_release(&err);
	sb_release(&body);
	free(repo);
	registry_close(r);
}

static void test_bearer_anonymous_and_wrong_password(void)
{
	struct registry *anon = token_reg(NULL);
	struct strbuf err = STRBUF_INIT, body = STRBUF_INIT;
	char *pub = repo_name("public", "nothing");
	/* anonymous may pull public/...: the token is granted, the repository is empty */
	CHECK_INT(registry_manifest_get(anon, pub, "latest", NULL, &body, NULL, NULL, &err), EXIT_NOTFOUND);
	CHECK(strstr(err.buf, "(HTTP 404)") != NULL);
	char *priv = repo_name("cloudctl", "private");
	CHECK_INT(registry_manifest_get(anon, priv, "latest", NULL, &body, NULL, NULL, &err), EXIT_PERM);
	CHECK(strstr(err.buf, "insufficient_scope: anonymous access does not allow repository:") != NULL);
	registry_close(anon);

	char *dir = tmp_path("tokbad");
	mkdir(dir, 0700);
	char *cfg = xasprintf("{\"auths\": {\"%s\": {\"auth\": \"cmVhZGVyOm5vcGU=\"}}}", env_get("REGISTRY_TOKEN"));
	char *path = xasprintf("%s/config.json", dir);
	write_file_atomic(path, cfg, strlen(cfg), 0600);
	struct registry *bad = open_reg("token", dir, NULL);
	CHECK_INT(registry_manifest_get(bad, priv, "latest", NULL, &body, NULL, NULL, &err), EXIT_PERM);
	char *want = xasprintf("registry %s: the token server %s refused the credentials of reader from %s: UNAUTHORIZED: "
			       "invalid username or password (HTTP 401)", env_get("REGISTRY_TOKEN"),
			       env_get("REGISTRY_TOKEN_REALM"), path);
	CHECK_STR(err.buf, want);
	registry_close(bad);
	free(want);
	free(path);
	free(cfg);
	free(dir);
	free(pub);
	free(priv);
	sb_release(&err);
	sb_release(&body);
}

static void test_bearer_mount(void)
{
	struct registry *r = token_reg("REGISTRY_DOCKER_CONFIG");
	char *a = repo_name("cloudctl", "tmount-src"), *b = repo_name("cloudctl", "tmount-dst");
	struct blob blob;
	blob_make(&blob, "tmount.bin", 30000);
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(registry_blob_upload_file(r, a, blob.digest, blob.path, &err), 0);
	int mounted = 0;
	CHECK_INT(registry_blob_mount(r, b, blob.digest, a, &mounted, &err), 0);
	CHECK_INT(mounted, 1);
	char *want = xasprintf("requested=repository:%s:pull,push repository:%s:pull granted=repository:%s:pull,push "
			       "repository:%s:pull", b, a, b, a);
	CHECK_INT(count_lines(env_get("REGISTRY_AUTH_LOG"), want), 1);
	if (err.len)
		printf("    %s\n", err.buf);
	free(want);
	blob_free(&blob);
	sb_release(&err);
	free(a);
	free(b);
	registry_close(r);
}

/* A push token serves the reads of the same repository: no second token. */
static void test_bearer_token_covers_reads(void)
{
	const char *log_path = env_get("REGISTRY_AUTH_LOG");
	struct registry *r = token_reg("REGISTRY_DOCKER_CONFIG");
	char *repo = repo_name("cloudctl", "covers");
	struct blob b;
	blob_make(&b, "covers.bin", 5000);
	struct strbuf err = STRBUF_INIT;
	char *push = xasprintf("requested=repository:%s:pull,push ", repo), *pull = xasprintf("requested=repository:%s:pull ", repo);
	CHECK_INT(registry_blob_upload_file(r, repo, b.digest, b.path, &err), 0);
	int exists = 0;
	CHECK_INT(registry_blob_exists(r, repo, b.digest, &exists, NULL, &err), 0);
	CHECK_INT(exists, 1);
	CHECK_INT(count_lines(log_path, push), 1);
	CHECK_INT(count_lines(log_path, pull), 0);
	/* another repository's read is not covered */
	char *other = repo_name("cloudctl", "covers-other");
	CHECK_INT(registry_blob_exists(r, other, b.digest, &exists, NULL, &err), 0);
	char *pull_other = xasprintf("requested=repository:%s:pull ", other);
	CHECK_INT(count_lines(log_path, pull_other), 1);
	free(pull_other);
	free(other);
	free(push);
	free(pull);
	blob_free(&b);
	sb_release(&err);
	free(repo);
	registry_close(r);
}

/* Parallel uploads: one clone per thread, one token cache. */
struct worker {
	struct registry *r;
	const char *repo;
	struct blob blobs[2];
	int rc;
	char err[512];
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct strbuf err = STRBUF_INIT;
	for (int i = 0; i < 2 && !w->rc; i++)
		w->rc = push_blob(w->r, w->repo, &w->blobs[i], &err);
	snprintf(w->err, sizeof w->err, "%s", err.buf);
	sb_release(&err);
	return NULL;
}

static void test_parallel_clones(void)
{
	struct registry *r = token_reg("REGISTRY_DOCKER_CONFIG");
	char *repo = repo_name("cloudctl", "parallel");
	struct worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ registry_clone(r), repo, { { 0 }, { 0 } }, 0, "" };
		for (int j = 0; j < 2; j++) {
			char name[32];
			snprintf(name, sizeof name, "par-%d-%d.bin", i, j);
			blob_make(&w[i].blobs[j], name, 200000 + 1000 * i + j);
		}
		CHECK_INT(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	long long sent = 0, want = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(w[i].rc, 0);
		if (w[i].rc)
			printf("    worker %d: %s\n", i, w[i].err);
		sent += registry_stats(w[i].r)->blob_bytes_sent;
		for (int j = 0; j < 2; j++)
			want += w[i].blobs[j].size;
	}
	CHECK_INT(sent, want);
	struct strbuf err = STRBUF_INIT;
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < 2; j++) {
			int exists = 0;
			CHECK_INT(registry_blob_exists(r, repo, w[i].blobs[j].digest, &exists, NULL, &err), 0);
			CHECK_INT(exists, 1);
			blob_free(&w[i].blobs[j]);
		}
		registry_close(w[i].r);
	}
	sb_release(&err);
	free(repo);
	registry_close(r); /* the last handle: frees the shared part */
}

/* -vv traces: no password, no Basic credentials, no token. */
static void test_trace_has_no_secrets(void)
{
	int saved = log_level;
	log_level = LOG_DEBUG;
	capture_begin();
	struct registry *r = token_reg("REGISTRY_DOCKER_CONFIG");
	struct registry *b = basic_reg();
	char *repo = repo_name("cloudctl", "trace");
	struct strbuf err = STRBUF_INIT;
	struct strlist tags = STRLIST_INIT;
	int rc1 = registry_tags(r, repo, 0, &tags, &err);
	int rc2 = registry_tags(b, repo, 0, &tags, &err);
	registry_close(r);
	registry_close(b);
	char *said = capture_end();
	log_level = saved;
	CHECK_INT(rc1, EXIT_NOTFOUND);
	CHECK_INT(rc2, EXIT_NOTFOUND);
	char *basic = xasprintf("%s:%s", env_get("REGISTRY_USER"), env_get("REGISTRY_PASS"));
	struct registry_cred c = { (char *)env_get("REGISTRY_USER"), (char *)env_get("REGISTRY_PASS"), NULL, NULL };
	char *b64 = registry_cred_basic(&c);
	CHECK(strstr(said, "GET /token?service=") != NULL); /* the token exchange was traced */
	CHECK(strstr(said, "\"token\":\"<redacted>\"") != NULL);
	CHECK(strstr(said, "Authorization: <redacted>") != NULL);
	CHECK(strstr(said, env_get("REGISTRY_PASS")) == NULL);
	CHECK(strstr(said, b64 + 6) == NULL);
	CHECK(strstr(said, "eyJ") == NULL); /* a JWT's base64url of '{"' */
	if (check_cur_failed)
		printf("    stderr was:\n%s\n", said);
	free(b64);
	free(basic);
	free(said);
	strlist_clear(&tags);
	sb_release(&err);
	free(repo);
}

/* ---- faults from a server of ours ---- */

struct fake {
	int fd, port;
	pthread_t thread;
	char bad_digest[80]; /* of "the real bytes", which /v2/garbage/ does not serve */
	int auth_at_registry, auth_at_storage; /* Authorization seen on the blob GET, at storage */
};

/* tags/list pages as the spec has them: n= per page, last= where the page
 * starts after, Link: <...>; rel="next" while more remain. */
static char *fake_tags_page(const char *path, char **link)
{
	static const char *const all[] = { "t1", "t2", "t3", "t4", "t5" };
	const char *q = strchr(path, '?'), *lp = q ? strstr(q, "last=") : NULL, *np = q ? strstr(q, "n=") : NULL;
	int n = np ? atoi(np + 2) : 5;
	size_t start = 0;
	while (lp && start < ARRAY_SIZE(all) && strncmp(all[start], lp + 5, 2) != 0)
		start++;
	start += lp ? 1 : 0;
	struct strbuf body = STRBUF_INIT;
	sb_adds(&body, "{\"name\":\"paged\",\"tags\":[");
	size_t i = start;
	for (; i < ARRAY_SIZE(all) && (int)(i - start) < n; i++)
		sb_addf(&body, "%s\"%s\"", i > start ? "," : "", all[i]);
	sb_adds(&body, "]}");
	*link = i < ARRAY_SIZE(all) ? xasprintf("Link: </v2/paged/tags/list?last=%s&n=%d>; rel=\"next\"\r\n", all[i - 1], n)
				    : xstrdup("");
	return sb_detach(&body);
}

static void fake_reply(int c, const char *method, const char *path, int authed, const struct fake *f)
{
	const char *status = "200 OK", *body = "{}";
	char *link = xstrdup(""), *page = NULL;
	char *blob_path = xasprintf("/v2/garbage/blobs/%s", f->bad_digest);
	char *redir_path = xasprintf("/v2/redir/blobs/%s", f->bad_digest);
	if (!strcmp(path, redir_path)) {
		status = "307 Temporary Redirect"; /* another origin: localhost, not 127.0.0.1 */
		free(link);
		link = xasprintf("Location: http://localhost:%d/storage/blob?sig=1\r\n", f->port);
	} else if (!strcmp(path, "/storage/blob?sig=1"))
		body = "the real bytes";
	else if (!strcmp(path, "/v2/garbage/tags/list"))
		body = "{not json at all";
	else if (str_starts(path, "/v2/garbage/manifests/"))
		body = "<html>a proxy error page</html>";
	else if (!strcmp(path, blob_path))
		body = "these are not the bytes you are looking for";
	else if (str_starts(path, "/v2/paged/tags/list")) {
		free(link);
		body = page = fake_tags_page(path, &link);
	} else if (str_starts(path, "/v2/broken/"))
		status = "500 Internal Server Error",
		body = "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"storage \\u001b[31mexploded\"}]}";
	else if (!strcmp(path, "/v2/") && !authed) {
		status = "401 Unauthorized";
		free(link);
		link = xstrdup("WWW-Authenticate: Basic realm=\"fake\"\r\n");
	} else if (strcmp(path, "/v2/") != 0)
		status = "404 Not Found", body = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"no\"}]}";
	char *resp = xasprintf("HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s"
			       "Connection: close\r\n\r\n%s", status, strlen(body), link, strcmp(method, "HEAD") ? body : "");
	ssize_t w = write(c, resp, strlen(resp));
	(void)w;
	free(resp);
	free(blob_path);
	free(redir_path);
	free(link);
	free(page);
}

static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	for (;;) {
		int c = accept(f->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char buf[8192], method[16], path[1024];
		ssize_t n = read(c, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = '\0';
		int authed = strcasestr(buf, "\r\nAuthorization:") != NULL;
		if (sscanf(buf, "%15s %1023s", method, path) != 2)
			strcpy(path, "");
		/* noted before the reply: the client may check as soon as it has it */
		if (str_starts(path, "/storage/"))
			f->auth_at_storage |= authed;
		if (str_starts(path, "/v2/redir/"))
			f->auth_at_registry |= authed;
		if (path[0])
			fake_reply(c, method, path, authed, f);
		close(c);
	}
}

static int fake_start(struct fake *f)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(f->fd, 16) < 0 ||
	    getsockname(f->fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	f->port = ntohs(a.sin_port);
	digest_hex("the real bytes", 14, f->bad_digest);
	return pthread_create(&f->thread, NULL, fake_serve, f);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->fd);
}

static struct registry *open_fake(const struct fake *f, int insecure, char **host)
{
	*host = xasprintf("127.0.0.1:%d", f->port);
	struct registry_opts o = REGISTRY_OPTS_INIT;
	o.insecure = insecure; /* no TLS there: plain http, as --insecure allows */
	o.anonymous = 1;
	o.http = test_http();
	struct strbuf err = STRBUF_INIT;
	struct registry *r = registry_open(*host, &o, &err);
	sb_release(&err);
	return r;
}

/* Link pages, against the spec's tags/list as our server plays it. */
static void test_tags_link_pages(void)
{
	struct fake f = { 0 };
	if (fake_start(&f) != 0) {
		CHECK(!"cannot start the fake server");
		return;
	}
	char *host;
	struct registry *r = open_fake(&f, 1, &host);
	struct strbuf err = STRBUF_INIT;
	struct strlist got = STRLIST_INIT;
	CHECK_INT(registry_ping(r, &err), 0);
	long before = registry_stats(r)->requests;
	CHECK_INT(registry_tags(r, "paged", 2, &got, &err), 0);
	CHECK_INT(registry_stats(r)->requests - before, 3); /* 2 + 2 + 1 */
	static const char *const want[] = { "t1", "t2", "t3", "t4", "t5" };
	CHECK_INT(got.n, 5);
	for (size_t i = 0; i < got.n && i < 5; i++)
		CHECK_STR(got.v[i], want[i]);
	strlist_clear(&got);
	before = registry_stats(r)->requests;
	CHECK_INT(registry_tags(r, "paged", 0, &got, &err), 0);
	CHECK_INT(registry_stats(r)->requests - before, 1);
	CHECK_INT(got.n, 5);
	if (err.len)
		printf("    %s\n", err.buf);
	strlist_clear(&got);
	registry_close(r);
	fake_stop(&f);
	free(host);
	sb_release(&err);
}

/* A blob served from storage through a redirect: the credentials go to the
 * registry, not to the storage's other origin. */
static void test_blob_redirect(void)
{
	struct fake f = { 0 };
	if (fake_start(&f) != 0) {
		CHECK(!"cannot start the fake server");
		return;
	}
	char *host = xasprintf("127.0.0.1:%d", f.port);
	char *cfg = xasprintf("{\"auths\": {\"%s\": {\"auth\": \"YTpi\"}}}", host);
	char *auth = write_tmp("fake-auth.json", cfg, 0600);
	struct registry_opts o = REGISTRY_OPTS_INIT;
	o.insecure = 1;
	o.auth_file = auth;
	o.http = test_http();
	struct registry *r = registry_open(host, &o, NULL);
	struct strbuf err = STRBUF_INIT;
	char *out = tmp_path("redirect.out");
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	long long n = 0;
	CHECK_INT(registry_blob_get(r, "redir", f.bad_digest, 14, fd, &n, &err), 0);
	CHECK_INT(n, 14);
	CHECK_INT(registry_stats(r)->blob_bytes_received, 14);
	struct strbuf back = STRBUF_INIT;
	CHECK_INT(sb_read_file(&back, out), 0);
	CHECK_STR(back.buf, "the real bytes");
	CHECK_INT(f.auth_at_registry, 1);
	CHECK_INT(f.auth_at_storage, 0);
	if (err.len)
		printf("    %s\n", err.buf);
	free(cfg);
	free(auth);
	close(fd);
	sb_release(&back);
	registry_close(r);
	fake_stop(&f);
	free(out);
	free(host);
	sb_release(&err);
}

static void test_garbage_and_5xx(void)
{
	struct fake f = { 0 };
	if (fake_start(&f) != 0) {
		CHECK(!"cannot start the fake server");
		return;
	}
	char *host;
	struct registry *r = open_fake(&f, 1, &host);
	struct strbuf err = STRBUF_INIT, body = STRBUF_INIT;
	struct strlist tags = STRLIST_INIT;
	CHECK_INT(registry_tags(r, "garbage", 0, &tags, &err), EXIT_DATA);
	char *want = xasprintf("registry %s: tags of garbage: the answer is not a tag list: not JSON: ", host);
	CHECK(str_starts(err.buf, want));
	CHECK_INT(registry_manifest_get(r, "garbage", "v1", NULL, &body, NULL, NULL, &err), EXIT_DATA);
	CHECK(strstr(err.buf, "manifest garbage:v1: the answer is not a JSON object") != NULL);
	char *out = tmp_path("garbage.out");
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, "kept", 4) == 4);
	CHECK_INT(registry_blob_get(r, "garbage", f.bad_digest, 0, fd, NULL, &err), EXIT_DATA);
	CHECK(strstr(err.buf, "the 43 bytes received have digest sha256:") != NULL);
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == 4); /* truncated back to where it was */
	close(fd);
	CHECK_INT(registry_tags(r, "broken", 0, &tags, &err), EXIT_UNAVAIL);
	free(want);
	want = xasprintf("registry %s: tags of broken: UNKNOWN: storage  [31mexploded (HTTP 500)", host);
	CHECK_STR(err.buf, want);
	registry_close(r);
	/* without --insecure there is no plain http */
	free(host);
	r = open_fake(&f, 0, &host);
	CHECK_INT(registry_tags(r, "garbage", 0, &tags, &err), EXIT_UNAVAIL);
	free(want);
	want = xasprintf("registry %s: cannot connect: ", host);
	CHECK(str_starts(err.buf, want));
	registry_close(r);
	fake_stop(&f);
	free(want);
	free(out);
	free(host);
	strlist_clear(&tags);
	sb_release(&err);
	sb_release(&body);
}

/* ---- the registry killed mid-push ---- */

static int registry_pid(void)
{
	struct strbuf sb = STRBUF_INIT;
	int pid = sb_read_file(&sb, env_get("REGISTRY_PIDFILE")) == 0 ? atoi(sb.buf) : -1;
	sb_release(&sb);
	return pid;
}

static int kill_at_half;
static long long killed_at;

static void kill_midway(void *arg, const char *digest, long long done, long long total)
{
	(void)arg;
	(void)digest;
	if (kill_at_half && total > 0 && done * 2 >= total) {
		kill(registry_pid(), SIGKILL);
		kill_at_half = 0;
		killed_at = done;
	}
}

static int restart_registry(void)
{
	const char *src = getenv("CLOUDCTL_SRC");
	char *cmd = xasprintf("CLOUDCTL_SVC_DIR='%s' '%s/tests/services/registry-start.sh' >/dev/null 2>&1", svc_dir,
			      src ? src : ".");
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static void test_killed_mid_push(void)
{
	struct registry_opts o = REGISTRY_OPTS_INIT;
	o.progress = kill_midway;
	struct registry *r = open_reg("basic", env_get("REGISTRY_DOCKER_CONFIG"), &o);
	char *repo = repo_name("cloudctl", "killed");
	struct image im;
	image_make(&im, "killed.bin", 8 << 20);
	struct blob first;
	blob_make(&first, "killed-first.bin", 100000);
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(push_blob(r, repo, &first, &err), 0);
	long long before = registry_stats(r)->blob_bytes_sent;
	kill_at_half = 1;
	int rc = push_image(r, repo, "v1", &im, NULL, &err);
	CHECK_INT(rc, EXIT_UNAVAIL);
	CHECK(killed_at > 0);
	char *want = xasprintf("registry %s: upload of %s to %s: ", env_get("REGISTRY"), im.layer.digest, repo);
	if (!str_starts(err.buf, want))
		printf("    got: %s\n", err.buf);
	CHECK(str_starts(err.buf, want));
	CHECK_INT(registry_stats(r)->blob_bytes_sent, before);
	registry_close(r);
	/* the registry is down: 69, no connection */
	r = basic_reg();
	int exists = 0;
	CHECK_INT(registry_blob_exists(r, repo, first.digest, &exists, NULL, &err), EXIT_UNAVAIL);
	free(want);
	want = xasprintf("registry %s: cannot connect: ", env_get("REGISTRY"));
	CHECK(str_starts(err.buf, want));
	registry_close(r);
	/* back up: no tag was made, and the re-run sends only what is missing */
	CHECK_INT(restart_registry(), 0);
	r = basic_reg();
	struct strbuf body = STRBUF_INIT;
	CHECK_INT(registry_manifest_get(r, repo, "v1", NULL, &body, NULL, NULL, &err), EXIT_NOTFOUND);
	CHECK_INT(push_blob(r, repo, &first, &err), 0);
	CHECK_INT(registry_stats(r)->blob_bytes_sent, 0);
	char *digest = NULL;
	CHECK_INT(push_image(r, repo, "v1", &im, &digest, &err), 0);
	CHECK_INT(registry_stats(r)->blob_bytes_sent, im.layer.size + (long long)strlen(im.config));
	CHECK_INT(registry_manifest_get(r, repo, "v1", NULL, &body, NULL, NULL, &err), 0);
	CHECK_STR(body.buf, im.manifest);
	if (err.len && check_cur_failed)
		printf("    %s\n", err.buf);
	registry_close(r);
	free(digest);
	free(want);
	sb_release(&body);
	blob_free(&first);
	image_free(&im);
	sb_release(&err);
	free(repo);
}

/* ---- main ---- */

static void cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_registry: cannot remove %s\n", tmpdir);
	free(cmd);
}

static const char *services_missing(void)
{
	static char why[512];
	char *path = xasprintf("%s/registry/env", svc_dir);
	int loaded = load_env(path);
	if (loaded < 0)
		snprintf(why, sizeof why, "no %s (start tests/services/registry-start.sh)", path);
	free(path);
	if (loaded < 0)
		return why;
	static const char *const pidfiles[] = { "REGISTRY_PIDFILE", "REGISTRY_TOKEN_PIDFILE", "REGISTRY_AUTH_PIDFILE" };
	for (size_t i = 0; i < ARRAY_SIZE(pidfiles); i++)
		if (!pidfile_alive(env_get(pidfiles[i]))) {
			snprintf(why, sizeof why, "the daemon of %s is not running (start tests/services/registry-start.sh)",
				 env_get(pidfiles[i]));
			return why;
		}
	return NULL;
}

int main(int argc, char **argv)
{
	(void)argc;
	log_init(argv[0]);
	static const char *const proxies[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
	for (size_t i = 0; i < ARRAY_SIZE(proxies); i++)
		unsetenv(proxies[i]);
	if (!mkdtemp(tmpdir)) {
		printf("FAIL - setup: cannot make a temporary directory\n");
		return 1;
	}
	atexit(cleanup);
	snprintf(run_id, sizeof run_id, "%ld-%lld", (long)getpid(), now_ms() % 1000000);

	RUN(test_ref_parse);
	RUN(test_docker_config_auths);
	RUN(test_docker_config_path_order);
	RUN(test_docker_config_helpers);
	RUN(test_docker_config_mode_warning);
	RUN(test_garbage_and_5xx);
	RUN(test_tags_link_pages);
	RUN(test_blob_redirect);

	svc_dir = getenv("CLOUDCTL_SVC_DIR") ? getenv("CLOUDCTL_SVC_DIR") : "/var/tmp/cloudctl-svc";
	const char *why = services_missing();
	if (why) {
		printf("skip - registry: %s\n", why);
		return CHECK_DONE("registry");
	}
	RUN(test_push_monolithic);
	RUN(test_push_chunked);
	RUN(test_push_from_memory);
	RUN(test_second_push_sends_nothing);
	RUN(test_cross_repo_mount);
	RUN(test_manifest_put_get);
	RUN(test_manifest_missing_blob);
	RUN(test_tags_all);
	RUN(test_not_found);
	RUN(test_basic_auth_refused);
	RUN(test_bearer_push_pull);
	RUN(test_bearer_anonymous_and_wrong_password);
	RUN(test_bearer_mount);
	RUN(test_bearer_token_covers_reads);
	RUN(test_parallel_clones);
	RUN(test_trace_has_no_secrets);
	RUN(test_killed_mid_push);
	strlist_clear(&env);
	return CHECK_DONE("registry");
}
