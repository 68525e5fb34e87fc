/* openstack/tokencache.c: the Keystone token cache, one file per cloud + user +
 * scope in $XDG_CACHE_HOME/cloudctl (see auth.h): its key, its path, the
 * directory's and the file's ownership and mode, reading and writing it. */
#include "openstack/api.h"
#include "openstack/session_int.h"
#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "strmap.h"

/* Who logs in where with which scope: the cache file's identity. Holds names
 * and ids, never a secret. */
char *os_cache_key(const struct os_cloud *c, const char *idurl)
{
	struct strbuf k = STRBUF_INIT;
	sb_addf(&k, "%s\n", idurl);
	if (c->auth_type == OS_AUTH_APPCRED) {
		sb_addf(&k, "appcred id=%s name=%s user=%s/%s domain=%s/%s\n", c->appcred_id ? c->appcred_id : "",
			c->appcred_name ? c->appcred_name : "", c->user_id ? c->user_id : "",
			c->username ? c->username : "", c->user_domain_id ? c->user_domain_id : "",
			c->user_domain_name ? c->user_domain_name : "");
		return sb_detach(&k);
	}
	sb_addf(&k, "password user=%s/%s domain=%s/%s\n", c->user_id ? c->user_id : "", c->username ? c->username : "",
		c->user_domain_id ? c->user_domain_id : "", c->user_domain_name ? c->user_domain_name : "");
	sb_addf(&k, "project=%s/%s domain=%s/%s scope-domain=%s/%s", c->project_id ? c->project_id : "",
		c->project_name ? c->project_name : "", c->project_domain_id ? c->project_domain_id : "",
		c->project_domain_name ? c->project_domain_name : "", c->domain_id ? c->domain_id : "",
		c->domain_name ? c->domain_name : "");
	return sb_detach(&k);
}

/* $XDG_CACHE_HOME/cloudctl/os-token-CLOUD-HASH.json, or NULL when there is no home. */
char *os_cache_path(const struct os_cloud *c, const char *key)
{
	const char *off = getenv("CLOUDCTL_OS_NO_TOKEN_CACHE");
	if (off && *off && strcmp(off, "0"))
		return NULL;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = xdg && *xdg ? xasprintf("%s/cloudctl", xdg)
		    : home && *home ? xasprintf("%s/.cache/cloudctl", home) : NULL;
	if (!dir)
		return NULL;
	char *name = xstrdup(c->name ? c->name : "cloud");
	for (char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			*p = '_';
	char *path = xasprintf("%s/os-token-%s-%016llx.json", dir, name, (unsigned long long)strmap_hash(key));
	free(name);
	free(dir);
	return path;
}

/* The cache directory, when it exists, must be ours and writable by nobody else:
 * whoever can write it can plant a token (ours would then act in their project)
 * or swap our file for a link. Missing, it is made 0700 when a token is saved. */
int os_cache_check_dir(const char *cache_file, struct strbuf *err)
{
	char *dir = xstrdup(cache_file);
	*strrchr(dir, '/') = '\0';
	struct stat st;
	int rc = 0;
	int exists = stat(dir, &st) == 0;
	if (exists && st.st_uid != geteuid())
		rc = sb_fail(err, EXIT_PERM, "%s: token cache directory owned by uid %lu, not by you (uid %lu): refused",
			     dir, (unsigned long)st.st_uid, (unsigned long)geteuid());
	else if (exists && (st.st_mode & 022))
		rc = sb_fail(err, EXIT_PERM, "%s: token cache directory writable by group or others (mode %04o): refused",
			     dir, (unsigned)(st.st_mode & 07777));
	free(dir);
	return rc;
}

/* The cache is ours only if we own it and nobody else can read it. */
static json_t *read_cache_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	int fine = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
	if (fine && (st.st_mode & 077)) {
		warnx("%s: ignored: readable by others", path);
		fine = 0;
	}
	if (!fine) {
		close(fd);
		return NULL;
	}
	json_error_t jerr;
	json_t *doc = json_loadfd(fd, 0, &jerr);
	close(fd);
	return doc;
}

int os_cache_load(struct os_session *s, const char *key)
{
	if (!s->cache_path)
		return 0;
	json_t *doc = read_cache_file(s->cache_path);
	const char *tok = os_jstr(doc, "token");
	int ok = doc && tok && str_eq(os_jstr(doc, "key"), key);
	if (ok) {
		os_drop_token(s);
		os_take_token_body(s, json_object_get(doc, "body"));
		ok = s->expires_at > 0 && s->expires_at - OS_TOKEN_MARGIN_S > (long long)time(NULL);
		if (ok) {
			s->token = xstrdup(tok);
			s->from_cache = 1;
			debug("openstack: token from %s, expires in %lld s", s->cache_path,
			      s->expires_at - (long long)time(NULL));
		} else
			os_drop_token(s);
	}
	json_decref(doc);
	return ok;
}

void os_cache_save(struct os_session *s, const char *key, const json_t *tokbody)
{
	if (!s->cache_path)
		return;
	char *dir = xstrdup(s->cache_path);
	*strrchr(dir, '/') = '\0';
	json_t *doc = json_pack("{s:s, s:s, s:O}", "key", key, "token", s->token, "body", tokbody);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	/* write_file_atomic's temporary file is created 0600 (mkstemp) before any byte is written */
	if (!text || mkdir_all(dir, 0700) < 0 || write_file_atomic(s->cache_path, text, strlen(text), 0600) < 0)
		warnx("%s: cannot cache the token: %s", s->cache_path, strerror(errno));
	secret_free(text);
	json_decref(doc);
	free(dir);
}

void os_forget_token(struct os_session *s)
{
	os_drop_token(s);
	if (s->cache_path)
		unlink(s->cache_path);
}

const char *os_token_cache_path(const struct os_session *s)
{
	return s->cache_path;
}
