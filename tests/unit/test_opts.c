/* test_opts.c: option tables drive parsing, errors, --help and completions. */
#include "check.h"
#include "log.h"
#include "opts.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *o_name, *o_global;
static long long o_count;
static int o_flag, o_verbose_seen, ran_argc;
static struct strlist o_tags;
static char ran_args[256];

static int run_go(int argc, char **argv)
{
	ran_argc = argc;
	ran_args[0] = '\0';
	for (int i = 0; i < argc; i++) {
		strcat(ran_args, argv[i]);
		strcat(ran_args, i + 1 < argc ? " " : "");
	}
	o_verbose_seen = log_level;
	return 7;
}

static const struct opt go_opts[] = {
	OPT_STRING("name", 'n', &o_name, "NAME", "the name"),
	OPT_INT("count", 0, &o_count, "N", "how many"),
	OPT_BOOL("flag", 'f', &o_flag, "a flag"),
	OPT_LIST("tag", 't', &o_tags, "K=V", "a tag; repeatable", .complete = "words:a=1 b=2"),
	OPT_END
};
static const struct opt globals[] = {
	OPT_STRING("connect", 'C', &o_global, "URI", "where to"),
	OPT_END
};
static const struct verb verbs[] = {
	{ .name = "go", .run = run_go, .opts = go_opts, .operands = "[ARG...]", .summary = "Go somewhere" },
	{ .name = NULL },
};
static const struct tool tool = { .name = "tt", .summary = "A test tool.", .verbs = verbs, .globals = globals };

/* A tool with drivers, and a verb with actions: the scopes of options. */
static const char *o_driver;
static int o_wide, o_deep;
static const char *o_size;

static int pick_color(const struct verb *v, const char **driver)
{
	if (o_driver && strcmp(o_driver, "red") && strcmp(o_driver, "blue")) {
		fprintf(stderr, "tt: no driver %s\n", o_driver);
		return 64;
	}
	*driver = o_driver ? o_driver : "red";
	return 0;
}

static const struct opt paint_opts[] = {
	OPT_BOOL("wide", 0, &o_wide, "blue: wide strokes", .drivers = "blue", .scope_note = "red is narrow"),
	OPT_STRING("size", 's', &o_size, "N", "create: the size", .actions = "create"),
	OPT_BOOL("deep", 0, &o_deep, "deep", .drivers = "red", .actions = "create list"),
	OPT_END
};
static const struct opt color_globals[] = {
	OPT_STRING("driver", 0, &o_driver, "DRIVER", "red or blue"),
	OPT_END
};
static const struct verb color_verbs[] = {
	{ .name = "paint", .run = run_go, .opts = paint_opts, .operands = "list | create NAME", .summary = "Paint",
	  .actions = "list create delete" },
	{ .name = NULL },
};
static const struct verb acting_verbs[] = {
	{ .name = "make", .run = run_go, .summary = "Make", .columns = "kind name size tag.*" },
	{ .name = NULL },
};
static const struct tool acting_tool = { .name = "tt", .summary = "Acts.", .verbs = acting_verbs };
static const struct tool color_tool = {
	.name = "tt", .summary = "Colors.", .verbs = color_verbs, .globals = color_globals, .drivers = "red blue",
	.pick_driver = pick_color,
};
static const struct tool *cur_tool = &tool;

static void reset(void)
{
	o_driver = o_size = NULL;
	o_wide = o_deep = 0;
	o_name = o_global = NULL;
	o_count = 0;
	o_flag = ran_argc = 0;
	ran_args[0] = '\0';
	strlist_clear(&o_tags);
}

/* Run the tool with a NULL-terminated argv; capture stdout and stderr. */
static int run_tool(char *out, size_t outsz, char *err, size_t errsz, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, errsz);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	fflush(stdout);
	FILE *fo = tmpfile(), *fe = tmpfile();
	int so = dup(1), se = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	int rc = tool_main(cur_tool, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	rewind(fo);
	rewind(fe);
	size_t n = fread(out, 1, outsz - 1, fo);
	out[n] = '\0';
	n = fread(err, 1, errsz - 1, fe);
	err[n] = '\0';
	fclose(fo);
	fclose(fe);
	return rc;
}

static char out[8192], err[8192];

static void test_all_types(void)
{
	reset();
	int rc = run_tool(out, sizeof out, err, sizeof err, "tt", "-C", "uri:x", "go", "a", "--name=web",
			  "--count", "3", "-f", "-t", "a=1", "b", "--tag", "b=2", "-o", "json", NULL);
	CHECK_INT(rc, 7);
	CHECK_STR(o_global, "uri:x");
	CHECK_STR(o_name, "web");
	CHECK_INT(o_count, 3);
	CHECK_INT(o_flag, 1);
	CHECK_INT(o_tags.n, 2);
	CHECK_STR(o_tags.v[1], "b=2");
	CHECK_STR(ran_args, "a b"); /* operands, options permuted out (GNU) */
	CHECK_INT(common.format, FMT_JSON);
	CHECK_STR(err, "");
}

static void test_double_dash(void)
{
	reset();
	int rc = run_tool(out, sizeof out, err, sizeof err, "tt", "go", "--", "--name", "-x", NULL);
	CHECK_INT(rc, 7);
	CHECK_STR(ran_args, "--name -x");
	CHECK(o_name == NULL);
}

static void test_verbosity(void)
{
	reset();
	run_tool(out, sizeof out, err, sizeof err, "tt", "-v", "go", "-v", NULL);
	CHECK_INT(o_verbose_seen, LOG_DEBUG);
	run_tool(out, sizeof out, err, sizeof err, "tt", "go", "-q", NULL);
	CHECK_INT(o_verbose_seen, LOG_QUIET);
}

static void test_errors(void)
{
	reset();
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "go", "--nope", NULL), 64);
	CHECK_STR(err, "tt: go: unknown option '--nope' (see 'tt go --help')\n");
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "go", "-z", NULL), 64);
	CHECK_STR(err, "tt: go: unknown option '-z' (see 'tt go --help')\n");
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "go", "--name", NULL), 64);
	CHECK_STR(err, "tt: go: option '--name' needs an argument (see 'tt go --help')\n");
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "go", "--count", "3x", NULL), 64);
	CHECK_STR(err, "tt: go: option '--count': '3x' is not a whole number (see 'tt go --help')\n");
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "fly", NULL), 64);
	CHECK_STR(err, "tt: unknown verb 'fly' (see 'tt --help')\n");
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "go", "-o", "xml", NULL), 64);
	CHECK_STR(err, "tt: unknown output format 'xml' (kv, table, json, tsv, csv, md)\n");
	CHECK_INT(ran_argc, 0); /* the verb never ran */
}

static void test_help(void)
{
	reset();
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "go", "--help", NULL), 0);
	static const char want[] = "Usage: tt go [OPTIONS] [ARG...]\nGo somewhere\n\nOptions:\n"
				   "  -n, --name NAME           the name\n"
				   "      --count N             how many\n"
				   "  -f, --flag                a flag\n"
				   "  -t, --tag K=V             a tag; repeatable\n";
	CHECK(strncmp(out, want, strlen(want)) == 0);
	CHECK(strstr(out, "  -C, --connect URI         where to\n") != NULL);
	CHECK_INT(ran_argc, 0);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--help", NULL), 0);
	CHECK(strstr(out, "Verbs:\n  go          Go somewhere\n") != NULL);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", NULL), 64); /* no verb: help on stdout, usage exit */
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--version", NULL), 0);
	CHECK_STR(out, "tt " CLOUDCTL_VERSION "\n");
}

static void test_completion(void)
{
	reset();
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--completion", "bash", NULL), 0);
	CHECK(strstr(out, "complete -F _tt tt\n") != NULL);
	CHECK(strstr(out, "\tgo:--tag|go:-t) COMPREPLY=($(compgen -W \"a=1 b=2\" -- \"$cur\")); return ;;\n") != NULL);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--completion", "fish", NULL), 0);
	CHECK(strstr(out, "complete -c tt -n '__fish_seen_subcommand_from go' -s t -l tag -r -f -a 'a=1 b=2' -d 'a tag; repeatable'\n") != NULL);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--completion", "zsh", NULL), 0);
	CHECK(strstr(out, "#compdef tt\n") == out);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--completion", "tcsh", NULL), 64);
	CHECK_STR(err, "tt: --completion: unknown shell 'tcsh' (bash, zsh, fish)\n");
}

/* Every option given is checked against the driver picked, then the action
 * named, in one place, before the verb runs; help text is never read. */
static void test_scopes(void)
{
	reset();
	cur_tool = &color_tool;
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "paint", "create", "x", "--wide", NULL), 64);
	CHECK_STR(err, "tt: paint create: --wide is for --driver blue (red is narrow)\n");
	CHECK_INT(ran_argc, 0);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--driver", "blue", "paint", "list", "--wide", NULL), 7);
	CHECK_STR(err, "");
	reset();
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "paint", "list", "-s", "3", NULL), 64);
	CHECK_STR(err, "tt: paint list: --size goes with create\n");
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "paint", "delete", "x", "--deep", NULL), 64);
	CHECK_STR(err, "tt: paint delete: --deep goes with create or list\n");
	/* the driver first, whatever the order on the command line */
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "paint", "list", "-s", "3", "--wide", NULL), 64);
	CHECK_STR(err, "tt: paint list: --wide is for --driver blue (red is narrow)\n");
	reset();
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "paint", "create", "x", "-s", "3", "--deep", NULL), 7);
	CHECK_STR(ran_args, "create x");
	/* no action named: the verb says what is missing */
	reset();
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "paint", "--size", "3", NULL), 7);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "--driver", "green", "paint", "list", NULL), 64);
	CHECK_STR(err, "tt: no driver green\n");
	cur_tool = &tool;
}

/* -c names a column the verb's records cannot have: refused before it acts. */
static void test_columns_before_acting(void)
{
	reset();
	cur_tool = &acting_tool;
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "make", "x", "-c", "name,nosuch", "-c", "siz", NULL), 64);
	CHECK_STR(err, "tt: -c: no record has a column 'nosuch'\ntt: -c: no record has a column 'siz'\n");
	CHECK_INT(ran_argc, 0);
	CHECK_INT(run_tool(out, sizeof out, err, sizeof err, "tt", "make", "x", "-c", "tag.role,kind", NULL), 7);
	CHECK_STR(ran_args, "x");
	cur_tool = &tool;
}

int main(void)
{
	RUN(test_all_types);
	RUN(test_double_dash);
	RUN(test_verbosity);
	RUN(test_errors);
	RUN(test_help);
	RUN(test_completion);
	RUN(test_scopes);
	RUN(test_columns_before_acting);
	reset();
	return CHECK_DONE("opts");
}
