/* auth.c: see auth.h. */
#include "oci/auth.h"
#include "secret.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HELPER_OUTPUT_MAX 65536

char *docker_config_path(void)
{
	const char *file = getenv("REGISTRY_AUTH_FILE");
	if (file && *file)
		return xstrdup(file);
	const char *dir = getenv("DOCKER_CONFIG");
	if (dir && *dir)
		return xasprintf("%s/config.json", dir);
	const char *home = getenv("HOME");
	return home && *home ? xasprintf("%s/.docker/config.json", home) : NULL;
}

void registry_cred_release(struct registry_cred *c)
{
	free(c->username);
	secret_free(c->password);
	secret_free(c->identity_token);
	free(c->source);
	*c = (struct registry_cred)REGISTRY_CRED_INIT;
}

char *registry_cred_basic(const struct registry_cred *c)
{
	return http_basic_auth(c->username, c->password);
}

/* ---- the file ---- */

/* "https://HOST/v1/" and "HOST" both name HOST; Docker Hub has several names. */
static int key_names_host(const char *key, const char *host)
{
	const char *k = key;
	if (str_starts(k, "https://"))
		k += 8;
	else if (str_starts(k, "http://"))
		k += 7;
	size_t n = strcspn(k, "/");
	if (strlen(host) == n && strncasecmp(k, host, n) == 0)
		return 1;
	static const char *const hub[] = { "docker.io", "index.docker.io", "registry-1.docker.io" };
	int key_hub = 0, host_hub = 0;
	for (size_t i = 0; i < ARRAY_SIZE(hub); i++) {
		key_hub |= strlen(hub[i]) == n && strncmp(k, hub[i], n) == 0;
		host_hub |= strcmp(host, hub[i]) == 0;
	}
	return key_hub && host_hub;
}

/* The member of obj whose key names host: an exact key first, then a URL form. */
static json_t *find_host(json_t *obj, const char *host)
{
	json_t *v = json_object_get(obj, host);
	if (v || !json_is_object(obj))
		return v;
	const char *key;
	json_object_foreach(obj, key, v)
		if (key_names_host(key, host))
			return v;
	return NULL;
}

static int load_config(const char *path, json_t **out, struct strbuf *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return sb_fail(err, EXIT_CONFIG, "cannot read '%s': %s", path, strerror(errno));
	}
	json_error_t je;
	json_t *doc = json_loadfd(fd, 0, &je);
	close(fd);
	if (!doc)
		return sb_fail(err, EXIT_CONFIG, "%s:%d: not valid JSON: %s", path, je.line, je.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return sb_fail(err, EXIT_CONFIG, "%s: not a docker config (a JSON object at the top)", path);
	}
	*out = doc;
	return 0;
}

/* Credentials readable by others deserve a warning, once per file and process. */
static void warn_if_readable(const char *path)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct strlist warned = STRLIST_INIT;
	struct stat st;
	if (stat(path, &st) != 0 || !(st.st_mode & (S_IRGRP | S_IROTH)))
		return;
	pthread_mutex_lock(&lock);
	int seen = 0;
	for (size_t i = 0; i < warned.n; i++)
		seen |= strcmp(warned.v[i], path) == 0;
	if (!seen) {
		strlist_add(&warned, path);
		warnx("%s: holds registry credentials but is readable by others (chmod 600 it)", path);
	}
	pthread_mutex_unlock(&lock);
}

static int string_member(json_t *obj, const char *name, const char *path, const char *host, const char **out,
			 struct strbuf *err)
{
	json_t *v = json_object_get(obj, name);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return sb_fail(err, EXIT_CONFIG, "%s: auths.\"%s\".%s is not a string", path, host, name);
	*out = json_string_value(v);
	return 0;
}

/* {"auth": base64("user:password")} or {"username", "password"}; "identitytoken". */
static int from_auths_entry(json_t *entry, const char *path, const char *host, struct registry_cred *cred,
			    struct strbuf *err)
{
	const char *auth, *user, *pass, *idtoken;
	if (!json_is_object(entry))
		return sb_fail(err, EXIT_CONFIG, "%s: auths.\"%s\" is not an object", path, host);
	int rc = string_member(entry, "auth", path, host, &auth, err);
	rc = rc ? rc : string_member(entry, "username", path, host, &user, err);
	rc = rc ? rc : string_member(entry, "password", path, host, &pass, err);
	rc = rc ? rc : string_member(entry, "identitytoken", path, host, &idtoken, err);
	if (rc)
		return rc;
	if (auth && *auth) {
		struct strbuf plain = STRBUF_SECRET_INIT;
		char *colon = NULL;
		if (base64_decode(auth, &plain) == 0)
			colon = memchr(plain.buf, ':', plain.len);
		if (colon) {
			cred->username = xstrndup(plain.buf, (size_t)(colon - plain.buf));
			cred->password = xstrdup(colon + 1);
		}
		secret_sb_release(&plain);
		if (!colon)
			return sb_fail(err, EXIT_CONFIG, "%s: auths.\"%s\".auth is not base64 of \"user:password\"",
				       path, host);
	} else if (user && *user) {
		cred->username = xstrdup(user);
		cred->password = xstrdup(pass ? pass : "");
	}
	if (idtoken && *idtoken)
		cred->identity_token = xstrdup(idtoken);
	if (cred->username || cred->identity_token)
		cred->source = xstrdup(path);
	return 0;
}

/* ---- credential helpers ---- */

/* The helper's path on $PATH, or NULL when it is not installed. */
static char *find_helper(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		char *file = xasprintf("%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (access(file, X_OK) == 0)
			return file;
		free(file);
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

static void warn_missing_helper(const char *name)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct strlist warned = STRLIST_INIT;
	pthread_mutex_lock(&lock);
	int seen = 0;
	for (size_t i = 0; i < warned.n; i++)
		seen |= strcmp(warned.v[i], name) == 0;
	if (!seen) {
		strlist_add(&warned, name);
		warnx("credential helper %s is not installed: going on without credentials", name);
	}
	pthread_mutex_unlock(&lock);
}

/* Write s to a pipe whose reader may be gone: EPIPE then, not SIGPIPE. The
 * signal is blocked in this thread only and a pending one taken back, so
 * that other threads' handling is untouched. */
static void write_quietly(int fd, const char *s)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	ssize_t w = write(fd, s, strlen(s));
	if (w < 0 && errno == EPIPE) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void read_all(int fd, struct strbuf *out)
{
	char buf[4096];
	for (;;) {
		ssize_t got = read(fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return;
		if (out->len < HELPER_OUTPUT_MAX)
			sb_add(out, buf, (size_t)got);
	}
}

/* Run "HELPER get" with host on stdin; its stdout into out. Returns its exit
 * status, or -1 (errno) when it could not be started. Its stderr is ours. */
static int run_helper(const char *file, const char *host, struct strbuf *out)
{
	int in[2], res[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(res, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(res[1], STDOUT_FILENO);
		execl(file, file, "get", (char *)NULL);
		_exit(127);
	}
	int saved = errno;
	close(in[0]);
	close(res[1]);
	if (pid > 0)
		write_quietly(in[1], host);
	close(in[1]);
	if (pid > 0)
		read_all(res[0], out);
	close(res[0]);
	if (pid < 0) {
		errno = saved;
		return -1;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The helper's first line, for an error: without control characters. */
static void first_line(struct strbuf *dst, const char *s)
{
	for (size_t i = 0; s[i] && s[i] != '\n' && i < 200; i++)
		sb_addc(dst, (unsigned char)s[i] < 0x20 ? '?' : s[i]);
}

static int parse_helper_answer(const char *helper, const struct strbuf *out, struct registry_cred *cred,
			       struct strbuf *err)
{
	json_error_t je;
	json_t *doc = json_loadb(out->buf, out->len, 0, &je);
	const char *user = json_string_value(json_object_get(doc, "Username"));
	const char *secret = json_string_value(json_object_get(doc, "Secret"));
	int rc = 0;
	if (!user || !secret)
		rc = sb_fail(err, EXIT_CONFIG, "%s get: the answer has no Username and Secret strings", helper);
	else if (strcmp(user, "<token>") == 0) /* docker's mark of an identity token */
		cred->identity_token = xstrdup(secret);
	else if (*user) {
		cred->username = xstrdup(user);
		cred->password = xstrdup(secret);
	}
	if (!rc && (cred->username || cred->identity_token))
		cred->source = xstrdup(helper);
	json_decref(doc);
	return rc;
}

/* Run docker-credential-NAME for host. Nothing found is no error. */
static int from_helper(const char *name, const char *host, struct registry_cred *cred, struct strbuf *err)
{
	char *helper = xasprintf("docker-credential-%s", name);
	char *file = find_helper(helper);
	struct strbuf out = STRBUF_SECRET_INIT;
	int rc = 0;
	if (!file) {
		warn_missing_helper(helper);
	} else {
		int status = run_helper(file, host, &out);
		if (status < 0) {
			rc = sb_fail(err, EXIT_CONFIG, "cannot run %s: %s", file, strerror(errno));
		} else if (status != 0) {
			if (!strstr(out.buf, "credentials not found")) {
				struct strbuf why = STRBUF_INIT;
				first_line(&why, out.buf);
				rc = sb_fail(err, EXIT_CONFIG, "%s get %s: exit %d%s%s", helper, host, status,
					     why.len ? ": " : "", why.buf);
				sb_release(&why);
			}
		} else {
			rc = parse_helper_answer(helper, &out, cred, err);
		}
	}
	secret_sb_release(&out);
	free(file);
	free(helper);
	return rc;
}

static const char *helper_for(json_t *doc, const char *host)
{
	json_t *helpers = json_object_get(doc, "credHelpers");
	const char *name = json_string_value(find_host(helpers, host));
	if (name && *name)
		return name;
	name = json_string_value(json_object_get(doc, "credsStore"));
	return name && *name ? name : NULL;
}

static int lookup_in(json_t *doc, const char *path, const char *host, struct registry_cred *cred,
		     struct strbuf *err)
{
	const char *helper = helper_for(doc, host);
	if (helper) {
		int rc = from_helper(helper, host, cred, err);
		if (rc || cred->username || cred->identity_token)
			return rc;
	}
	json_t *auths = json_object_get(doc, "auths");
	if (auths && !json_is_object(auths))
		return sb_fail(err, EXIT_CONFIG, "%s: \"auths\" is not an object", path);
	json_t *entry = find_host(auths, host);
	if (!entry)
		return 0;
	int rc = from_auths_entry(entry, path, host, cred, err);
	if (!rc && cred->source)
		warn_if_readable(path);
	return rc;
}

int docker_auth_lookup(const char *path, const char *host, struct registry_cred *cred, struct strbuf *err)
{
	registry_cred_release(cred);
	char *own = path ? NULL : docker_config_path();
	const char *file = path ? path : own;
	json_t *doc = NULL;
	int rc = file ? load_config(file, &doc, err) : 0;
	if (!rc && doc)
		rc = lookup_in(doc, file, host, cred, err);
	if (rc)
		registry_cred_release(cred);
	json_decref(doc);
	free(own);
	return rc;
}
