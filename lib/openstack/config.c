/* openstack/config.c: clouds.yaml, secure.yaml and OS_* variables, read the way
 * openstacksdk's openstack/config/loader.py (0.101) reads them; see config.h. */
#include "openstack/config.h"
#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "yamlread.h"

extern char **environ;

/* Where a value came from, for error messages: "FILE: clouds.NAME." or "OS_". */
struct origin {
	const char *file;  /* NULL for environment variables */
	const char *cloud;
};

/* ---- the search path ---- */

static void add_dir(struct strlist *dirs, const char *base, const char *sub)
{
	if (!base || !*base)
		return;
	char *d = xasprintf("%s%s", base, sub);
	strlist_add(dirs, d);
	free(d);
}

/* ./, $XDG_CONFIG_HOME/openstack, ~/.config/openstack, the first of
 * $XDG_CONFIG_DIRS (/etc/xdg)/openstack, /etc/openstack: loader.py's
 * CONFIG_SEARCH_PATH on Linux (appdirs user_config_dir and site_config_dir). */
static void search_dirs(struct strlist *dirs)
{
	const char *home = getenv("HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	strlist_add(dirs, ".");
	if (xdg && *xdg)
		add_dir(dirs, xdg, "/openstack");
	else
		add_dir(dirs, home, "/.config/openstack");
	add_dir(dirs, home, "/.config/openstack");
	const char *sys = getenv("XDG_CONFIG_DIRS");
	char *first = xstrdup(sys && *sys ? sys : "/etc/xdg");
	char *colon = strchr(first, ':');
	if (colon)
		*colon = '\0';
	add_dir(dirs, first, "/openstack");
	free(first);
	strlist_add(dirs, "/etc/openstack");
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *os_config_find_file(const char *base)
{
	static const char *const suffixes[] = { ".yaml", ".yml", ".json" };
	struct strlist dirs = STRLIST_INIT;
	char *found = NULL;
	search_dirs(&dirs);
	for (size_t i = 0; i < dirs.n && !found; i++)
		for (size_t j = 0; j < ARRAY_SIZE(suffixes) && !found; j++) {
			char *p = xasprintf("%s/%s%s", dirs.v[i], base, suffixes[j]);
			if (exists(p) && access(p, R_OK) == 0)
				found = p; /* loader.py skips files it cannot read */
			else
				free(p);
		}
	strlist_clear(&dirs);
	return found;
}

/* ---- reading files ---- */

/* Credentials readable by others are worth a warning, as ssh gives one. */
static void warn_if_readable(const char *path, const json_t *doc)
{
	struct stat st;
	if (stat(path, &st) != 0 || !(st.st_mode & (S_IRGRP | S_IROTH)))
		return;
	char *text = json_dumps(doc, JSON_COMPACT);
	int secret = text && (strstr(text, "\"password\"") || strstr(text, "\"application_credential_secret\"") ||
			      strstr(text, "\"application-credential-secret\""));
	free(text);
	if (secret)
		warnx("%s: holds credentials but is readable by others (chmod 600 it)", path);
}

/* Read a YAML (or JSON: a YAML subset) mapping; an empty file is an empty map. */
static int read_mapping(const char *path, json_t **out, struct strbuf *err)
{
	json_t *docs = NULL;
	struct strbuf why = STRBUF_INIT;
	if (access(path, R_OK) != 0) /* not a configuration error: 77 (or 66 when it went away) */
		return sb_fail(err, errno == EACCES || errno == EPERM ? EXIT_PERM : EXIT_NOTFOUND, "%s: %s", path,
			       strerror(errno));
	if (yaml_read_file(path, &docs, &why) < 0) {
		/* a file we may not read is 77, as every tool says of one */
		int code = access(path, R_OK) != 0 && errno == EACCES ? EXIT_PERM : EXIT_CONFIG;
		sb_fail(err, code, "%s", why.buf);
		sb_release(&why);
		return code;
	}
	sb_release(&why);
	json_t *doc = json_array_size(docs) ? json_incref(json_array_get(docs, 0)) : json_object();
	json_decref(docs);
	if (json_is_null(doc)) {
		json_decref(doc);
		doc = json_object();
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		return sb_fail(err, EXIT_CONFIG, "%s: not a mapping of settings", path);
	}
	json_t *clouds = json_object_get(doc, "clouds");
	if (clouds && !json_is_object(clouds) && !json_is_null(clouds)) {
		json_decref(doc);
		return sb_fail(err, EXIT_CONFIG, "%s: clouds: not a mapping of cloud names", path);
	}
	warn_if_readable(path, doc);
	*out = doc;
	return 0;
}

/* secure.yaml over clouds.yaml: maps merged key by key, anything else replaced
 * (openstack/config/_util.py merge_clouds). */
static void merge(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v) {
		json_t *old = json_object_get(dst, k);
		if (json_is_object(v) && json_is_object(old))
			merge(old, v);
		else
			json_object_set_new(dst, k, json_deep_copy(v));
	}
}

/* The file named by an override variable, else the first on the search path. */
static int pick_file(const char *env, const char *base, char **path, struct strbuf *err)
{
	const char *o = getenv(env);
	*path = NULL;
	if (o && *o) {
		struct stat st;
		if (stat(o, &st) != 0)
			return sb_fail(err, EXIT_NOTFOUND, "%s: no such file (from %s)", o, env);
		if (!S_ISREG(st.st_mode))
			return sb_fail(err, EXIT_NOTFOUND, "%s: not a file (from %s)", o, env);
		*path = xstrdup(o);
		return 0;
	}
	*path = os_config_find_file(base);
	return 0;
}

/* ---- the OS_* variables ---- */

static int is_selector(const char *name)
{
	static const char *const sel[] = { "OS_CLOUD", "OS_REGION_NAME", "OS_CLIENT_CONFIG_FILE",
					   "OS_CLIENT_SECURE_FILE", "OS_CLOUD_NAME" };
	for (size_t i = 0; i < ARRAY_SIZE(sel); i++)
		if (!strcmp(name, sel[i]))
			return 1;
	return 0;
}

/* The "envvars" cloud: OS_FOO_BAR=x becomes foo_bar: x (as loader.py's
 * _get_os_environ), or NULL when only selectors are set. */
static json_t *env_cloud(void)
{
	json_t *c = json_object();
	int real = 0;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || !str_starts(*e, "OS_") || str_starts(*e, "OS_TEST") || str_starts(*e, "OS_STD") ||
		    str_starts(*e, "OS_LOG"))
			continue;
		char *name = xstrndup(*e, (size_t)(eq - *e));
		if (!is_selector(name))
			real = 1;
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		json_object_set_new(c, name + 3, json_string(eq + 1));
		free(name);
	}
	if (!real) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* ---- one cloud's settings ---- */

static void origin_key(struct strbuf *sb, const struct origin *o, const char *where, const char *key)
{
	if (!o->file) {
		sb_adds(sb, "OS_");
		for (const char *p = key; *p; p++)
			sb_addc(sb, (char)toupper((unsigned char)*p));
		return;
	}
	sb_addf(sb, "%s: clouds.%s.%s%s", o->file, o->cloud, where, key);
}

/* A string setting; YAML numbers and booleans are taken as their text, as
 * loader.py's str() does. Returns 0, or EXIT_CONFIG for a map or list. */
static int get_text(const json_t *v, const struct origin *o, const char *where, const char *key,
		    char **out, struct strbuf *err)
{
	if (!v || json_is_null(v))
		return 0;
	free(*out);
	*out = NULL;
	if (json_is_string(v))
		*out = xstrdup(json_string_value(v));
	else if (json_is_integer(v))
		*out = xasprintf("%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		*out = xasprintf("%g", json_real_value(v));
	else if (json_is_boolean(v))
		*out = xstrdup(json_is_true(v) ? "true" : "false");
	else {
		struct strbuf k = STRBUF_INIT;
		origin_key(&k, o, where, key);
		sb_fail(err, EXIT_CONFIG, "%s: expected a single value, not a %s", k.buf,
			json_is_object(v) ? "mapping" : "list");
		sb_release(&k);
		return EXIT_CONFIG;
	}
	return 0;
}

/* Look key up in the cloud (winning) and in its auth map, under its spellings
 * with '_' or '-' and the old tenant_* names. */
static const json_t *find_setting(const json_t *cloud, const char *key, int in_auth, const char **where)
{
	const char *alias = !strcmp(key, "project_name") ? "tenant_name"
			    : !strcmp(key, "project_id") ? "tenant_id" : NULL;
	const json_t *auth = json_object_get(cloud, "auth");
	const json_t *maps[2] = { cloud, in_auth && json_is_object(auth) ? auth : NULL };
	const char *names[2] = { key, alias };
	for (int m = 0; m < 2; m++) {
		if (!maps[m])
			continue;
		for (int n = 0; n < 2; n++) {
			if (!names[n])
				continue;
			char *dash = xstrdup(names[n]);
			for (char *p = dash; *p; p++)
				if (*p == '_')
					*p = '-';
			const json_t *v = json_object_get(maps[m], names[n]);
			if (!v)
				v = json_object_get(maps[m], dash);
			free(dash);
			if (v && !json_is_null(v)) {
				*where = m ? "auth." : "";
				return v;
			}
		}
	}
	return NULL;
}

static int setting(const json_t *cloud, const struct origin *o, const char *key, int in_auth, char **out,
		   struct strbuf *err)
{
	const char *where = in_auth ? "auth." : "";
	const json_t *v = find_setting(cloud, key, in_auth, &where);
	return get_text(v, o, where, key, out, err);
}

/* loader.py's get_boolean: true is a JSON true or the text "true" in any case. */
static int truthy(const json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		return !strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes");
	}
	return json_is_integer(v) && json_integer_value(v) != 0;
}

struct field {
	const char *key;
	size_t off;
	int in_auth;
};
#define F(k, member, a) { k, offsetof(struct os_cloud, member), a }
static const struct field fields[] = {
	F("auth_url", auth_url, 1),
	F("username", username, 1),
	F("user_id", user_id, 1),
	F("password", password, 1),
	F("user_domain_name", user_domain_name, 1),
	F("user_domain_id", user_domain_id, 1),
	F("project_name", project_name, 1),
	F("project_id", project_id, 1),
	F("project_domain_name", project_domain_name, 1),
	F("project_domain_id", project_domain_id, 1),
	F("domain_name", domain_name, 1),
	F("domain_id", domain_id, 1),
	F("application_credential_id", appcred_id, 1),
	F("application_credential_name", appcred_name, 1),
	F("application_credential_secret", appcred_secret, 1),
	F("region_name", region_name, 0),
	F("interface", interface, 0),
	F("cacert", cacert, 0),
	F("cert", cert, 0),
	F("key", key, 0),
};
#undef F

static int missing(struct strbuf *err, const struct origin *o, const struct os_cloud *c, const char *key,
		   const char *hint)
{
	struct strbuf k = STRBUF_INIT;
	origin_key(&k, o, o->file ? "auth." : "", key);
	sb_fail(err, EXIT_CONFIG, "%s: missing%s%s%s", k.buf, hint ? " (" : "", hint ? hint : "",
		hint ? ")" : "");
	if (o->file && c->secure_file && !hint)
		sb_addf(err, " (nor in %s)", c->secure_file);
	sb_release(&k);
	return EXIT_CONFIG;
}

static int read_auth_type(const json_t *cloud, const struct origin *o, struct os_cloud *c, struct strbuf *err)
{
	char *t = NULL;
	int rc = setting(cloud, o, "auth_type", 0, &t, err);
	if (rc)
		return rc;
	if (!t) /* openstacksdk's default is password; a lone secret means an application credential */
		c->auth_type = c->appcred_secret && !c->password ? OS_AUTH_APPCRED : OS_AUTH_PASSWORD;
	else if (!strcmp(t, "password") || !strcmp(t, "v3password"))
		c->auth_type = OS_AUTH_PASSWORD;
	else if (!strcmp(t, "v3applicationcredential") || !strcmp(t, "applicationcredential") ||
		 !strcmp(t, "application_credential"))
		c->auth_type = OS_AUTH_APPCRED;
	else {
		struct strbuf k = STRBUF_INIT;
		origin_key(&k, o, "", "auth_type");
		rc = sb_fail(err, EXIT_CONFIG, "%s: \"%s\" is not supported (password or v3applicationcredential)",
			     k.buf, t);
		sb_release(&k);
	}
	free(t);
	return rc;
}

/* Fill what the rules of python-openstackclient fill: domain "default". */
static void default_domains(const json_t *cloud, const struct origin *o, struct os_cloud *c)
{
	char *dd = NULL;
	struct strbuf ignore = STRBUF_INIT;
	setting(cloud, o, "default_domain", 1, &dd, &ignore);
	sb_release(&ignore);
	const char *d = dd ? dd : "default";
	if (c->auth_type == OS_AUTH_PASSWORD && !c->user_id && !c->user_domain_name && !c->user_domain_id)
		c->user_domain_id = xstrdup(d);
	if (c->auth_type == OS_AUTH_APPCRED && !c->appcred_id && !c->user_id && !c->user_domain_name &&
	    !c->user_domain_id)
		c->user_domain_id = xstrdup(d);
	if (!c->project_id && c->project_name && !c->project_domain_name && !c->project_domain_id)
		c->project_domain_id = xstrdup(d);
	free(dd);
}

static int check_complete(const struct origin *o, struct os_cloud *c, struct strbuf *err)
{
	if (!c->auth_url)
		return missing(err, o, c, "auth_url", NULL);
	if (c->auth_type == OS_AUTH_PASSWORD) {
		if (!c->username && !c->user_id)
			return missing(err, o, c, "username", NULL);
		if (!c->password)
			return missing(err, o, c, "password", NULL);
	} else {
		if (!c->appcred_secret)
			return missing(err, o, c, "application_credential_secret", NULL);
		if (!c->appcred_id && !c->appcred_name)
			return missing(err, o, c, "application_credential_id", NULL);
		if (!c->appcred_id && !c->username && !c->user_id)
			return missing(err, o, c, "username",
				       "an application credential given by name needs its user");
	}
	return 0;
}

static int normalize_interface(const struct origin *o, struct os_cloud *c, struct strbuf *err)
{
	if (!c->interface) {
		c->interface = xstrdup("public");
		return 0;
	}
	if (str_ends(c->interface, "URL")) /* publicURL, the v2 catalog spelling */
		c->interface[strlen(c->interface) - 3] = '\0';
	if (!strcmp(c->interface, "public") || !strcmp(c->interface, "internal") || !strcmp(c->interface, "admin"))
		return 0;
	struct strbuf k = STRBUF_INIT;
	origin_key(&k, o, "", "interface");
	sb_fail(err, EXIT_CONFIG, "%s: \"%s\" is not public, internal or admin", k.buf, c->interface);
	sb_release(&k);
	return EXIT_CONFIG;
}

/* The first entry of a "regions" list (a name or a map with "name"), used
 * when no region_name is given, as loader.py's _get_region does. */
static void first_region(const json_t *cloud, struct os_cloud *c)
{
	const json_t *r = json_object_get(cloud, "regions");
	if (c->region_name || !json_is_array(r) || !json_array_size(r))
		return;
	const json_t *e = json_array_get(r, 0);
	if (json_is_object(e))
		e = json_object_get(e, "name");
	if (json_is_string(e))
		c->region_name = xstrdup(json_string_value(e));
}

/* Keys ending in _endpoint_override win over those ending in _endpoint
 * (loader.py normalizes '-' to '_' in keys, so both spellings count). */
static int read_endpoint_overrides(const json_t *cloud, const struct origin *o, struct os_cloud *c,
				   struct strbuf *err)
{
	static const char *const ends[] = { "_endpoint_override", "_endpoint" };
	for (size_t e = 0; e < ARRAY_SIZE(ends); e++) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)cloud, k, v) {
			char *key = xstrdup(k);
			for (char *p = key; *p; p++)
				if (*p == '-')
					*p = '_';
			size_t n = strlen(key), m = strlen(ends[e]);
			char *url = NULL;
			int rc = 0;
			if (n > m && !strcmp(key + n - m, ends[e])) {
				key[n - m] = '\0';
				if (!os_endpoint_override(c, key) && !(rc = get_text(v, o, "", k, &url, err)) && url && *url) {
					strlist_add(&c->endpoint_overrides, key);
					strlist_add(&c->endpoint_overrides, url);
				}
			}
			free(url);
			free(key);
			if (rc)
				return rc;
		}
	}
	return 0;
}

const char *os_endpoint_override(const struct os_cloud *c, const char *service_type)
{
	char *key = xstrdup(service_type);
	for (char *p = key; *p; p++)
		if (*p == '-')
			*p = '_';
	const char *url = NULL;
	for (size_t i = 0; i + 1 < c->endpoint_overrides.n && !url; i += 2)
		if (!strcmp(c->endpoint_overrides.v[i], key))
			url = c->endpoint_overrides.v[i + 1];
	free(key);
	return url;
}

static int fill(const json_t *cloud, const struct origin *o, struct os_cloud *c, struct strbuf *err)
{
	int rc;
	const json_t *auth = json_object_get(cloud, "auth");
	if (auth && !json_is_object(auth) && !json_is_null(auth))
		return sb_fail(err, EXIT_CONFIG, "%s: clouds.%s.auth: not a mapping", o->file, o->cloud);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		char **dst = (char **)((char *)c + fields[i].off);
		if ((rc = setting(cloud, o, fields[i].key, fields[i].in_auth, dst, err)))
			return rc;
		if (*dst && !**dst) { /* an empty value is no value (OS_PROJECT_ID= in a shell) */
			free(*dst);
			*dst = NULL;
		}
	}
	const char *where = "";
	const json_t *v = find_setting(cloud, "verify", 0, &where);
	if (v && !truthy(v))
		c->insecure = 1;
	if ((v = find_setting(cloud, "insecure", 0, &where)))
		c->insecure = truthy(v);
	if ((rc = read_auth_type(cloud, o, c, err)))
		return rc;
	if ((rc = read_endpoint_overrides(cloud, o, c, err)))
		return rc;
	first_region(cloud, c);
	default_domains(cloud, o, c);
	return check_complete(o, c, err);
}

/* ---- choosing the cloud ---- */

static void list_names(struct strbuf *sb, const json_t *clouds)
{
	const char *k;
	json_t *v;
	int n = 0;
	json_object_foreach((json_t *)clouds, k, v) {
		(void)v;
		sb_addf(sb, "%s%s", n++ ? ", " : "", k);
	}
	if (!n)
		sb_adds(sb, "none");
}

static int not_found(struct strbuf *err, const char *name, const struct os_cloud *c, const json_t *clouds)
{
	if (!c->config_file)
		return sb_fail(err, EXIT_CONFIG,
			       "cloud \"%s\" not found: no clouds.yaml in ./, ~/.config/openstack or /etc/openstack "
			       "(nor OS_CLIENT_CONFIG_FILE)",
			       name);
	sb_fail(err, EXIT_CONFIG, "%s: cloud \"%s\" not found (clouds: ", c->config_file, name);
	list_names(err, clouds);
	sb_addc(err, ')');
	return EXIT_CONFIG;
}

static int load_files(struct os_cloud *c, json_t **merged, struct strbuf *err)
{
	int rc;
	json_t *conf = NULL, *sec = NULL;
	if ((rc = pick_file("OS_CLIENT_CONFIG_FILE", "clouds", &c->config_file, err)) ||
	    (rc = pick_file("OS_CLIENT_SECURE_FILE", "secure", &c->secure_file, err)))
		return rc;
	if (c->config_file && (rc = read_mapping(c->config_file, &conf, err)))
		return rc;
	if (c->secure_file && (rc = read_mapping(c->secure_file, &sec, err))) {
		json_decref(conf);
		return rc;
	}
	if (!conf)
		conf = json_object();
	if (sec)
		merge(conf, sec);
	json_decref(sec);
	if (!json_is_object(json_object_get(conf, "clouds")))
		json_object_set_new(conf, "clouds", json_object());
	*merged = conf;
	return 0;
}

/* Pick the cloud's settings: a new reference in *cloud; *from_env says it is
 * the envvars cloud. */
static int choose(const struct os_config_opts *o, struct os_cloud *c, json_t *clouds, json_t **cloud,
		  int *from_env, struct strbuf *err)
{
	const char *name = o && o->cloud && *o->cloud ? o->cloud : env_nonempty("OS_CLOUD");
	const char *env_name = env_nonempty("OS_CLOUD_NAME") ? env_nonempty("OS_CLOUD_NAME") : "envvars";
	json_t *env = env_cloud();
	*from_env = 0;
	if (env && json_object_get(clouds, env_name)) {
		json_decref(env);
		return sb_fail(err, EXIT_CONFIG, "%s: defines a cloud named \"%s\", the name OS_CLOUD_NAME gives the "
				   "OS_* variables: rename one of them", c->config_file, env_name);
	}
	if (name && json_object_get(clouds, name)) {
		*cloud = json_incref(json_object_get(clouds, name));
	} else if (name && env && !strcmp(name, env_name)) {
		*cloud = json_incref(env);
		*from_env = 1;
	} else if (name) {
		json_decref(env);
		return not_found(err, name, c, clouds);
	} else if (env) {
		*cloud = json_incref(env);
		*from_env = 1;
		name = env_name;
	} else if (json_object_size(clouds) == 1) {
		void *it = json_object_iter(clouds);
		name = json_object_iter_key(it);
		*cloud = json_incref(json_object_iter_value(it));
	} else {
		json_decref(env);
		if (!c->config_file)
			return sb_fail(err, EXIT_CONFIG, "no cloud configured: no clouds.yaml found and no OS_AUTH_URL "
						"(set OS_CLOUD with a clouds.yaml, or the OS_* variables)");
		sb_fail(err, EXIT_CONFIG, "%s: no cloud selected: use --os-cloud or OS_CLOUD (clouds: ", c->config_file);
		list_names(err, clouds);
		sb_addc(err, ')');
		return EXIT_CONFIG;
	}
	json_decref(env);
	c->name = xstrdup(name);
	if (!json_is_object(*cloud)) {
		json_decref(*cloud);
		*cloud = NULL;
		return sb_fail(err, EXIT_CONFIG, "%s: clouds.%s: not a mapping", c->config_file, c->name);
	}
	return 0;
}

static void override(char **dst, const char *v)
{
	if (!v || !*v)
		return;
	free(*dst);
	*dst = xstrdup(v);
}

int os_config_load(const struct os_config_opts *o, struct os_cloud *c, struct strbuf *err)
{
	memset(c, 0, sizeof *c);
	json_t *conf = NULL, *cloud = NULL;
	int from_env = 0;
	int rc = load_files(c, &conf, err);
	if (!rc)
		rc = choose(o, c, json_object_get(conf, "clouds"), &cloud, &from_env, err);
	if (!rc) {
		struct origin org = { from_env ? NULL : c->config_file, c->name };
		rc = fill(cloud, &org, c, err);
		if (!rc) {
			/* the selectors apply to a named cloud too; the command line wins */
			override(&c->region_name, getenv("OS_REGION_NAME"));
			override(&c->interface, getenv("OS_INTERFACE"));
			override(&c->region_name, o ? o->region : NULL);
			override(&c->interface, o ? o->interface : NULL);
			rc = normalize_interface(&org, c, err);
		}
	}
	json_decref(cloud);
	json_decref(conf);
	if (rc)
		os_cloud_release(c);
	return rc;
}

void os_cloud_release(struct os_cloud *c)
{
	secret_free(c->password);
	secret_free(c->appcred_secret);
	c->password = c->appcred_secret = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		char **p = (char **)((char *)c + fields[i].off);
		free(*p);
	}
	free(c->name);
	free(c->config_file);
	free(c->secure_file);
	strlist_clear(&c->endpoint_overrides);
	memset(c, 0, sizeof *c);
}
