/* test_osconfig.c: clouds.yaml / secure.yaml / OS_* loading as openstacksdk does
 * it (lib/openstack/config.h). No server needed: each test builds files in a
 * private directory, points HOME/XDG_* there and clears every OS_* variable. */
#include "check.h"
#include "log.h"
#include "openstack/config.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static char dir[64];
static char *origdir;

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void put(const char *name, const char *text, unsigned mode)
{
	char *p = path_of(name);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	char *cmd = xasprintf("mkdir -p '%s'", p);
	CHECK(system(cmd) == 0);
	free(cmd);
	*slash = '/';
	CHECK(write_file_atomic(p, text, strlen(text), mode) == 0);
	free(p);
}

static void rm(const char *name)
{
	char *p = path_of(name);
	unlink(p);
	free(p);
}

/* A clean slate: no OS_* variables, HOME and XDG dirs inside dir, cwd = dir/cwd. */
static void reset_env(void)
{
	for (int again = 1; again;) {
		again = 0;
		for (char **e = environ; *e; e++)
			if (str_starts(*e, "OS_")) {
				char *name = xstrndup(*e, strcspn(*e, "="));
				unsetenv(name);
				free(name);
				again = 1;
				break;
			}
	}
	char *clean = xasprintf("rm -rf '%s/home' '%s/xdgdirs' '%s/xdghome' '%s/cwd' '%s/conf'", dir, dir, dir, dir, dir);
	CHECK(system(clean) == 0);
	free(clean);
	char *home = path_of("home"), *xdgdirs = path_of("xdgdirs"), *cwd = path_of("cwd");
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_DIRS", xdgdirs, 1);
	unsetenv("XDG_CONFIG_HOME");
	mkdir(home, 0700);
	mkdir(cwd, 0700);
	CHECK(chdir(cwd) == 0);
	free(home);
	free(xdgdirs);
	free(cwd);
}

static const char clouds[] =
	"clouds:\n"
	"  prod:\n"
	"    auth:\n"
	"      auth_url: https://keystone.example:5000/v3\n"
	"      username: alice\n"
	"      project_name: web\n"
	"      user_domain_name: Users\n"
	"      project_domain_id: projdom\n"
	"    region_name: RegionTwo\n"
	"    interface: internal\n"
	"    cacert: /etc/ssl/prod-ca.pem\n"
	"  lab:\n"
	"    auth:\n"
	"      auth_url: http://10.0.0.1:5000\n"
	"      username: bob\n"
	"      password: in-clouds-yaml\n"
	"      project-id: 0123abcd\n"
	"    verify: false\n"
	"  app:\n"
	"    auth_type: v3applicationcredential\n"
	"    auth:\n"
	"      auth_url: http://10.0.0.1:5000/v3\n"
	"      application_credential_id: ac-id-1\n";

static const char secure[] =
	"clouds:\n"
	"  prod:\n"
	"    auth:\n"
	"      password: s3cr3t-prod\n"
	"  app:\n"
	"    auth:\n"
	"      application_credential_secret: s3cr3t-app\n";

static int load(const char *cloud, struct os_cloud *c, struct strbuf *err)
{
	struct os_config_opts o = { cloud, NULL, NULL };
	sb_reset(err);
	return os_config_load(&o, c, err);
}

static void setup_override_files(void)
{
	reset_env();
	put("conf/clouds.yaml", clouds, 0600);
	put("conf/secure.yaml", secure, 0600);
	char *cf = path_of("conf/clouds.yaml"), *sf = path_of("conf/secure.yaml");
	setenv("OS_CLIENT_CONFIG_FILE", cf, 1);
	setenv("OS_CLIENT_SECURE_FILE", sf, 1);
	free(cf);
	free(sf);
}

static void test_secure_merged_over_clouds(void)
{
	setup_override_files();
	setenv("OS_CLOUD", "prod", 1);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(c.name, "prod");
	CHECK_STR(c.auth_url, "https://keystone.example:5000/v3");
	CHECK_STR(c.username, "alice");
	CHECK_STR(c.password, "s3cr3t-prod"); /* from secure.yaml */
	CHECK_STR(c.project_name, "web");
	CHECK_STR(c.user_domain_name, "Users");
	CHECK(c.user_domain_id == NULL); /* a name was given: no default id */
	CHECK_STR(c.project_domain_id, "projdom");
	CHECK_STR(c.region_name, "RegionTwo");
	CHECK_STR(c.interface, "internal");
	CHECK_STR(c.cacert, "/etc/ssl/prod-ca.pem");
	CHECK_INT(c.insecure, 0);
	CHECK_INT(c.auth_type, OS_AUTH_PASSWORD);
	CHECK(str_ends(c.config_file, "conf/clouds.yaml"));
	CHECK(str_ends(c.secure_file, "conf/secure.yaml"));
	os_cloud_release(&c);
	sb_release(&err);
}

static void test_cli_cloud_beats_os_cloud(void)
{
	setup_override_files();
	setenv("OS_CLOUD", "prod", 1);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load("lab", &c, &err), 0);
	CHECK_STR(c.name, "lab");
	CHECK_STR(c.password, "in-clouds-yaml");
	CHECK_STR(c.project_id, "0123abcd"); /* "project-id" spelling */
	CHECK_STR(c.user_domain_id, "default"); /* python-openstackclient's default domain */
	CHECK(c.project_domain_id == NULL);     /* a project id needs no domain */
	CHECK_INT(c.insecure, 1);               /* verify: false */
	CHECK_STR(c.interface, "public");
	CHECK(c.region_name == NULL);
	os_cloud_release(&c);
	sb_release(&err);
}

static void test_application_credential_cloud(void)
{
	setup_override_files();
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load("app", &c, &err), 0);
	CHECK_INT(c.auth_type, OS_AUTH_APPCRED);
	CHECK_STR(c.appcred_id, "ac-id-1");
	CHECK_STR(c.appcred_secret, "s3cr3t-app");
	CHECK(c.user_domain_id == NULL && c.project_domain_id == NULL);
	os_cloud_release(&c);
	/* without auth_type, a secret and no password also mean an application credential */
	put("conf/clouds.yaml",
	    "clouds:\n  x:\n    auth:\n      auth_url: http://h/v3\n      application_credential_name: ci\n"
	    "      username: carol\n      application_credential_secret: z\n",
	    0600);
	CHECK_INT(load("x", &c, &err), 0);
	CHECK_INT(c.auth_type, OS_AUTH_APPCRED);
	CHECK_STR(c.appcred_name, "ci");
	CHECK_STR(c.user_domain_id, "default");
	os_cloud_release(&c);
	sb_release(&err);
}

static void test_named_cloud_ignores_credential_vars(void)
{
	setup_override_files();
	setenv("OS_CLOUD", "prod", 1);
	setenv("OS_USERNAME", "mallory", 1);
	setenv("OS_PASSWORD", "env-password", 1);
	setenv("OS_AUTH_URL", "http://elsewhere:5000/v3", 1);
	setenv("OS_REGION_NAME", "RegionEnv", 1);
	setenv("OS_INTERFACE", "adminURL", 1);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(c.name, "prod");
	CHECK_STR(c.username, "alice");
	CHECK_STR(c.password, "s3cr3t-prod");
	CHECK_STR(c.auth_url, "https://keystone.example:5000/v3");
	CHECK_STR(c.region_name, "RegionEnv"); /* the selectors do apply */
	CHECK_STR(c.interface, "admin");
	os_cloud_release(&c);
	/* and the command line beats them */
	struct os_config_opts o = { NULL, "RegionCli", "public" };
	sb_reset(&err);
	CHECK_INT(os_config_load(&o, &c, &err), 0);
	CHECK_STR(c.region_name, "RegionCli");
	CHECK_STR(c.interface, "public");
	os_cloud_release(&c);
	sb_release(&err);
}

static void test_envvars_cloud(void)
{
	setup_override_files(); /* clouds.yaml has 3 clouds, but no OS_CLOUD: the OS_* variables win */
	setenv("OS_AUTH_URL", "http://127.0.0.1:5000/v3", 1);
	setenv("OS_USERNAME", "dave", 1);
	setenv("OS_PASSWORD", "env-pw", 1);
	setenv("OS_PROJECT_NAME", "proj", 1);
	setenv("OS_USER_DOMAIN_NAME", "UD", 1);
	setenv("OS_PROJECT_DOMAIN_ID", "pd", 1);
	setenv("OS_REGION_NAME", "R1", 1);
	setenv("OS_INTERFACE", "internal", 1);
	setenv("OS_CACERT", "/tmp/ca.pem", 1);
	setenv("OS_INSECURE", "true", 1);
	setenv("OS_PROJECT_ID", "", 1); /* empty = unset, as shells leave them */
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(c.name, "envvars");
	CHECK(c.config_file != NULL); /* read, but not used for this cloud */
	CHECK_STR(c.auth_url, "http://127.0.0.1:5000/v3");
	CHECK_STR(c.username, "dave");
	CHECK_STR(c.password, "env-pw");
	CHECK_STR(c.project_name, "proj");
	CHECK(c.project_id == NULL);
	CHECK_STR(c.user_domain_name, "UD");
	CHECK_STR(c.project_domain_id, "pd");
	CHECK_STR(c.region_name, "R1");
	CHECK_STR(c.interface, "internal");
	CHECK_STR(c.cacert, "/tmp/ca.pem");
	CHECK_INT(c.insecure, 1);
	os_cloud_release(&c);
	/* OS_CLOUD_NAME renames it, and OS_CLOUD may then name it */
	setenv("OS_CLOUD_NAME", "mine", 1);
	setenv("OS_CLOUD", "mine", 1);
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(c.name, "mine");
	CHECK_STR(c.username, "dave");
	os_cloud_release(&c);
	/* ...but not to a name clouds.yaml already has */
	setenv("OS_CLOUD_NAME", "lab", 1);
	CHECK_INT(load(NULL, &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "OS_CLOUD_NAME") != NULL);
	sb_release(&err);
}

static void test_envvars_application_credential(void)
{
	reset_env();
	setenv("OS_AUTH_URL", "http://127.0.0.1:5000", 1);
	setenv("OS_AUTH_TYPE", "v3applicationcredential", 1);
	setenv("OS_APPLICATION_CREDENTIAL_ID", "acid", 1);
	setenv("OS_APPLICATION_CREDENTIAL_SECRET", "acsecret", 1);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_INT(c.auth_type, OS_AUTH_APPCRED);
	CHECK_STR(c.appcred_id, "acid");
	CHECK_STR(c.appcred_secret, "acsecret");
	CHECK(c.config_file == NULL);
	os_cloud_release(&c);
	unsetenv("OS_APPLICATION_CREDENTIAL_SECRET");
	CHECK_INT(load(NULL, &c, &err), EXIT_CONFIG);
	CHECK_STR(err.buf, "OS_APPLICATION_CREDENTIAL_SECRET: missing");
	sb_release(&err);
}

static void test_only_selectors_are_no_cloud(void)
{
	reset_env();
	setenv("OS_REGION_NAME", "R", 1);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load(NULL, &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "no cloud configured") != NULL);
	sb_release(&err);
}

static void test_search_path(void)
{
	reset_env();
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	/* /etc/xdg (XDG_CONFIG_DIRS) is searched: the only cloud there is chosen */
	put("xdgdirs/openstack/clouds.yaml",
	    "clouds:\n  site:\n    auth: {auth_url: 'http://site/v3', username: u, password: p}\n", 0600);
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(c.name, "site");
	os_cloud_release(&c);
	/* ~/.config/openstack comes before it; .yml is read too */
	put("home/.config/openstack/clouds.yml",
	    "clouds:\n  homecloud:\n    auth: {auth_url: 'http://home/v3', username: u}\n", 0600);
	put("home/.config/openstack/secure.yaml", "clouds: {homecloud: {auth: {password: hp}}}\n", 0600);
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(c.name, "homecloud");
	CHECK_STR(c.password, "hp");
	os_cloud_release(&c);
	/* $XDG_CONFIG_HOME/openstack before ~/.config/openstack */
	put("xdghome/openstack/clouds.yaml",
	    "clouds:\n  xdgcloud:\n    auth: {auth_url: 'http://xdg/v3', username: u, password: p}\n", 0600);
	char *xh = path_of("xdghome");
	setenv("XDG_CONFIG_HOME", xh, 1);
	free(xh);
	/* (secure.yaml's "homecloud" is merged in as a second cloud: one must be named) */
	CHECK_INT(load(NULL, &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "(clouds: xdgcloud, homecloud)") != NULL);
	CHECK_INT(load("xdgcloud", &c, &err), 0);
	CHECK_STR(c.name, "xdgcloud");
	CHECK(c.config_file && strstr(c.config_file, "xdghome/openstack/clouds.yaml") != NULL);
	CHECK(c.secure_file && strstr(c.secure_file, "home/.config/openstack/secure.yaml") != NULL); /* searched on its own */
	os_cloud_release(&c);
	/* ./clouds.yaml first of all */
	put("cwd/clouds.yaml", "clouds:\n  here:\n    auth: {auth_url: 'http://here', username: u, password: p}\n",
	    0600);
	CHECK_INT(load("here", &c, &err), 0);
	CHECK_STR(c.name, "here");
	CHECK_STR(c.config_file, "./clouds.yaml");
	os_cloud_release(&c);
	/* OS_CLIENT_CONFIG_FILE before them all */
	put("other.yaml", "clouds:\n  over:\n    auth: {auth_url: 'http://o', username: u, password: p}\n", 0600);
	char *of = path_of("other.yaml");
	setenv("OS_CLIENT_CONFIG_FILE", of, 1);
	free(of);
	CHECK_INT(load("over", &c, &err), 0);
	CHECK_STR(c.name, "over");
	os_cloud_release(&c);
	rm("cwd/clouds.yaml");
	unsetenv("XDG_CONFIG_HOME");
	sb_release(&err);
}

static void test_missing_cloud_names_file(void)
{
	setup_override_files();
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load("nope", &c, &err), EXIT_CONFIG);
	char *want = xasprintf("%s/conf/clouds.yaml: cloud \"nope\" not found (clouds: prod, lab, app)", dir);
	CHECK_STR(err.buf, want);
	CHECK(strchr(err.buf, '\n') == NULL);
	free(want);
	/* several clouds and none chosen */
	CHECK_INT(load(NULL, &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "no cloud selected: use --os-cloud or OS_CLOUD (clouds: prod, lab, app)") != NULL);
	/* no clouds.yaml anywhere */
	reset_env();
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "cloud \"prod\" not found: no clouds.yaml") != NULL);
	/* OS_CLIENT_CONFIG_FILE naming nothing: loader.py skips it silently; we say so */
	setenv("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml", 1);
	CHECK_INT(load("prod", &c, &err), EXIT_NOTFOUND);
	CHECK_STR(err.buf, "/nonexistent/clouds.yaml: no such file (from OS_CLIENT_CONFIG_FILE)");
	sb_release(&err);
}

static void test_errors_name_file_and_key(void)
{
	setup_override_files();
	unsetenv("OS_CLIENT_SECURE_FILE");
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	/* the password lives only in the (now missing) secure.yaml */
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	char *want = xasprintf("%s/conf/clouds.yaml: clouds.prod.auth.password: missing", dir);
	CHECK_STR(err.buf, want);
	free(want);
	char *sf = path_of("conf/secure.yaml");
	setenv("OS_CLIENT_SECURE_FILE", sf, 1);
	free(sf);
	put("conf/secure.yaml", "clouds: {prod: {auth: {auth_url: [a, b]}}}\n", 0600);
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	want = xasprintf("%s/conf/clouds.yaml: clouds.prod.auth.auth_url: expected a single value, not a list", dir);
	CHECK_STR(err.buf, want);
	free(want);
	put("conf/secure.yaml", "clouds:\n  prod:\n    auth: {password: pw}\n    interface: sideways\n", 0600);
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "clouds.prod.interface: \"sideways\" is not public, internal or admin") != NULL);
	put("conf/secure.yaml", "clouds:\n  prod:\n    auth_type: token\n    auth: {password: pw}\n", 0600);
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "clouds.prod.auth_type: \"token\" is not supported") != NULL);
	put("conf/secure.yaml", "clouds:\n  prod: [1]\n", 0600);
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "clouds.prod: not a mapping") != NULL);
	/* a YAML syntax error: file, line and column */
	put("conf/secure.yaml", "clouds:\n  prod: {auth: [\n", 0600);
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	want = xasprintf("%s/conf/secure.yaml:", dir);
	CHECK(str_starts(err.buf, want));
	free(want);
	CHECK(strchr(err.buf, '\n') == NULL);
	sb_release(&err);
}

static void test_secrets_never_in_errors(void)
{
	setup_override_files();
	/* a complete secure.yaml but a broken cloud: the message must not carry the password */
	put("conf/secure.yaml", "clouds:\n  prod:\n    auth: {password: hunter2-secret}\n    interface: bad\n", 0600);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load("prod", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "hunter2") == NULL);
	put("conf/secure.yaml", "clouds:\n  app:\n    auth: {application_credential_secret: {x: topsecret}}\n",
	    0600);
	CHECK_INT(load("app", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "application_credential_secret: expected a single value, not a mapping") != NULL);
	CHECK(strstr(err.buf, "topsecret") == NULL);
	sb_release(&err);
}

static void test_yaml_scalars_and_aliases(void)
{
	reset_env();
	/* numbers as ids (YAML reads them as integers), tenant_name, top-level auth keys */
	put("n.yaml",
	    "clouds:\n  num:\n    auth_url: http://n/v3\n    username: u\n    password: 12345\n"
	    "    auth:\n      tenant_name: oldstyle\n      project_domain_name: PD\n",
	    0600);
	char *f = path_of("n.yaml");
	setenv("OS_CLIENT_CONFIG_FILE", f, 1);
	free(f);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(c.auth_url, "http://n/v3");
	CHECK_STR(c.password, "12345");
	CHECK_STR(c.project_name, "oldstyle");
	CHECK_STR(c.project_domain_name, "PD");
	os_cloud_release(&c);
	sb_release(&err);
}

/* compute_endpoint_override beats compute_endpoint; '-' and '_' alike; the
 * OS_* form for the envvars cloud; a mapping is an error naming the key. */
static void test_endpoint_overrides(void)
{
	reset_env();
	put("cwd/clouds.yaml",
	    "clouds:\n"
	    "  c:\n"
	    "    auth: {auth_url: http://k/v3, username: u, password: p, project_name: x}\n"
	    "    compute_endpoint: http://legacy:8774/v2.1\n"
	    "    compute_endpoint_override: http://proxy:9999/v2.1\n"
	    "    block-storage-endpoint-override: http://cinder:8776/v3/%(project_id)s\n"
	    "    network_endpoint: http://neutron:9696\n"
	    "  bad:\n"
	    "    auth: {auth_url: http://k/v3, username: u, password: p, project_name: x}\n"
	    "    image_endpoint_override: {url: x}\n",
	    0600);
	struct os_cloud c;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(load("c", &c, &err), 0);
	CHECK_STR(os_endpoint_override(&c, "compute"), "http://proxy:9999/v2.1");
	CHECK_STR(os_endpoint_override(&c, "block-storage"), "http://cinder:8776/v3/%(project_id)s");
	CHECK_STR(os_endpoint_override(&c, "network"), "http://neutron:9696");
	CHECK(os_endpoint_override(&c, "image") == NULL);
	os_cloud_release(&c);
	CHECK_INT(load("bad", &c, &err), EXIT_CONFIG);
	CHECK(strstr(err.buf, "clouds.bad.image_endpoint_override: expected a single value") != NULL);
	reset_env();
	setenv("OS_AUTH_URL", "http://k/v3", 1);
	setenv("OS_USERNAME", "u", 1);
	setenv("OS_PASSWORD", "p", 1);
	setenv("OS_PROJECT_NAME", "x", 1);
	setenv("OS_COMPUTE_ENDPOINT_OVERRIDE", "http://env:1/v2.1", 1);
	CHECK_INT(load(NULL, &c, &err), 0);
	CHECK_STR(os_endpoint_override(&c, "compute"), "http://env:1/v2.1");
	os_cloud_release(&c);
	sb_release(&err);
}

int main(void)
{
	log_init("test_osconfig");
	log_level = LOG_QUIET;
	snprintf(dir, sizeof dir, "/tmp/cc-osconfig.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	origdir = getcwd(NULL, 0);
	RUN(test_secure_merged_over_clouds);
	RUN(test_cli_cloud_beats_os_cloud);
	RUN(test_application_credential_cloud);
	RUN(test_named_cloud_ignores_credential_vars);
	RUN(test_envvars_cloud);
	RUN(test_envvars_application_credential);
	RUN(test_only_selectors_are_no_cloud);
	RUN(test_search_path);
	RUN(test_missing_cloud_names_file);
	RUN(test_errors_name_file_and_key);
	RUN(test_secrets_never_in_errors);
	RUN(test_yaml_scalars_and_aliases);
	RUN(test_endpoint_overrides);
	if (origdir && chdir(origdir) != 0)
		return 1;
	free(origdir);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	return CHECK_DONE("osconfig");
}
