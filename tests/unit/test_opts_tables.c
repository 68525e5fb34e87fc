/* test_opts_tables.c: the self-check of option tables (opts_self_check) finds
 * each kind of mistake, every tool's own tables pass it (TOOL --self-check),
 * and a parse takes as many options as its tables hold. No root, no server. */
#include "check.h"
#include "log.h"
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *s1, *s2;
static int b1, b2;

static int run_nothing(int argc, char **argv)
{
	return 0;
}

static int pick_none(const struct verb *v, const char **driver)
{
	return 0;
}

static const char *check_of(const struct tool *t)
{
	static struct strbuf out = STRBUF_INIT;
	sb_reset(&out);
	opts_self_check(t, &out);
	return out.buf;
}

static void test_clean_table(void)
{
	static const struct opt go_opts[] = {
		OPT_STRING("state", 's', &s1, "S", "the state", .drivers = "red", .actions = "create"),
		OPT_BOOL("wide", 0, &b1, "wide", .drivers = "blue", .scope_note = "red is narrow"),
		OPT_END
	};
	static const struct verb verbs[] = {
		{ .name = "go", .run = run_nothing, .opts = go_opts, .summary = "Go", .actions = "list create" },
		{ .name = NULL },
	};
	static const struct tool t = {
		.name = "tt", .summary = "T.", .verbs = verbs, .drivers = "red blue",
		.pick_driver = pick_none,
	};
	CHECK_STR(check_of(&t), "");
}

static void test_duplicates(void)
{
	static const struct opt go_opts[] = {
		OPT_STRING("size", 's', &s1, "N", "the size"),
		OPT_STRING("size", 0, &s2, "N", "the size again"),
		OPT_BOOL("verbose-ish", 'v', &b1, "clashes with -v of the common options"),
		OPT_END
	};
	static const struct opt globals[] = {
		OPT_BOOL("slow", 's', &b2, "clashes with go's -s only where go is parsed"),
		OPT_END
	};
	static const struct verb verbs[] = {
		{ .name = "go", .run = run_nothing, .opts = go_opts, .summary = "Go" },
		{ .name = NULL },
	};
	static const struct tool t = { .name = "tt", .summary = "T.", .verbs = verbs, .globals = globals };
	CHECK_STR(check_of(&t), "globals: --slow: -s is --state in every tool (cloudctl(7))\n"
				"go: --size: -s is --state in every tool (cloudctl(7))\n"
				"go: --verbose-ish: -v is --verbose in every tool (cloudctl(7))\n"
				"go: --size: given twice\n"
				"go: --size: shares its letter with --slow\n"
				"go: --verbose-ish: shares its letter with --verbose\n");
}

static void test_scopes_and_help(void)
{
	static const struct opt go_opts[] = {
		OPT_STRING("size", 0, &s1, "N", "the size", .drivers = "green"),
		OPT_BOOL("wide", 0, &b1, "wide", .actions = "create delete"),
		OPT_BOOL("deep", 0, &b2, NULL, .scope_note = "why"),
		OPT_STRING("name", 0, &s2, NULL, "no argument name"),
		OPT_END
	};
	static const struct verb verbs[] = {
		{ .name = "go", .run = run_nothing, .opts = go_opts, .summary = "Go", .actions = "list create" },
		{ .name = "stay", .run = run_nothing },
		{ .name = NULL },
	};
	static const struct tool t = {
		.name = "tt", .summary = "T.", .verbs = verbs, .drivers = "red blue",
		.pick_driver = pick_none, .default_verb = "walk",
	};
	CHECK_STR(check_of(&t), "go: --size: a scope naming the unknown driver 'green'\n"
				"go: --wide: a scope naming the unknown action 'delete'\n"
				"go: --deep: no help (only the hidden options of opts.c have none)\n"
				"go: --deep: a scope note without a driver scope\n"
				"go: --name: takes an argument without a name for it\n"
				"stay: a verb without a summary\n"
				"tt: the default verb 'walk' is not in the table\n");
}

static void test_scope_without_drivers(void)
{
	static const struct opt go_opts[] = {
		OPT_BOOL("wide", 0, &b1, "wide", .drivers = "red", .actions = "create"),
		OPT_END
	};
	static const struct verb verbs[] = {
		{ .name = "go", .run = run_nothing, .opts = go_opts, .summary = "Go" },
		{ .name = NULL },
	};
	static const struct tool t = { .name = "tt", .summary = "T.", .verbs = verbs };
	CHECK_STR(check_of(&t), "go: --wide: a driver scope in a tool without drivers\n"
				"go: --wide: an action scope where the verb has no actions\n");
}

/* The glossary of cloudctl(7): a letter stands for one long name in every
 * tool; a table giving it to another option, or using a letter the glossary
 * gives to none, fails. */
static void test_glossary(void)
{
	static const struct opt go_opts[] = {
		OPT_BOOL("wait", 'w', &b1, "the glossary's -w"),
		OPT_BOOL("force", 'f', &b2, "-f is --filename"),
		OPT_STRING("top", 'T', &s1, "N", "a letter nobody has"),
		OPT_END
	};
	static const struct opt globals[] = {
		OPT_STRING("name", 'n', &s2, "NAME", "-n is --namespace"),
		OPT_END
	};
	static const struct verb verbs[] = {
		{ .name = "go", .run = run_nothing, .opts = go_opts, .summary = "Go" },
		{ .name = NULL },
	};
	static const struct tool t = { .name = "tt", .summary = "T.", .verbs = verbs, .globals = globals };
	CHECK_STR(check_of(&t), "globals: --name: -n is --namespace in every tool (cloudctl(7))\n"
				"go: --force: -f is --filename in every tool (cloudctl(7))\n"
				"go: --top: -T is no option's letter in the glossary (cloudctl(7))\n");
}

/* More options than the parser once held (128): the last one still works. */
#define MANY 300
static struct opt many[MANY + 1];
static char many_names[MANY][8];
static int many_set[MANY];

static void test_many_options(void)
{
	for (int i = 0; i < MANY; i++) {
		snprintf(many_names[i], sizeof many_names[i], "o%d", i);
		many[i] = (struct opt)OPT_BOOL(many_names[i], 0, &many_set[i], "one of many");
	}
	many[MANY] = (struct opt)OPT_END;
	static const struct verb verbs[] = {
		{ .name = "go", .run = run_nothing, .opts = many, .summary = "Go" },
		{ .name = NULL },
	};
	static const struct tool t = { .name = "tt", .summary = "T.", .verbs = verbs };
	CHECK_STR(check_of(&t), "");
	char *argv[] = { "tt", "go", "--o299", "--o150", NULL };
	CHECK_INT(tool_main(&t, 4, argv), 0);
	CHECK_INT(many_set[299], 1);
	CHECK_INT(many_set[150], 1);
	CHECK_INT(many_set[0], 0);
}

/* Every tool's own tables: `TOOL --self-check` prints nothing and exits 0. */
static void test_every_tool(void)
{
	static const char *const tools[] = { "cloudctl-vm", "cloudctl-net", "cloudctl-k8s", "cloudctl-build",
					     "cloudctl-deploy", "cloudctl-report", NULL };
	const char *bin = getenv("CLOUDCTL_BIN");
	for (const char *const *t = tools; *t; t++) {
		char cmd[4096], out[4096];
		snprintf(cmd, sizeof cmd, "'%s/%s' --self-check 2>&1", bin ? bin : "build/bin", *t);
		FILE *p = popen(cmd, "r");
		CHECK(p != NULL);
		if (!p)
			continue;
		size_t n = fread(out, 1, sizeof out - 1, p);
		out[n] = '\0';
		int status = pclose(p);
		if (n || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			printf("# %s --self-check: status %d\n%s", *t, status, out);
		CHECK_STR(out, "");
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

int main(void)
{
	RUN(test_clean_table);
	RUN(test_duplicates);
	RUN(test_scopes_and_help);
	RUN(test_scope_without_drivers);
	RUN(test_glossary);
	RUN(test_many_options);
	RUN(test_every_tool);
	return CHECK_DONE("opts_tables");
}
