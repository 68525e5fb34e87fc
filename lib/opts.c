/* opts.c: option tables -> getopt_long, --help, verb dispatch. See opts.h.
 * Completion scripts are generated in complete.c from the same tables. */
#include "opts.h"
#include "log.h"
#include "plugin.h"
#include "record.h"
#include "secret.h"
#include "util.h"

#include <ctype.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct common_opts common;

static const char *opt_output;
static struct strlist opt_columns; /* -c, repeatable: the lists are joined */
static char *columns_joined;
static int opt_help, opt_version, opt_self_check;
static const char *opt_completion;

/* Options every verb of every tool takes. */
static const struct opt common_table[] = {
	OPT_STRING("output", 'o', &opt_output, "FORMAT",
	  "kv, table, json, tsv, csv or md (default: table on a terminal, else kv; $CLOUDCTL_OUTPUT)",
	  .complete = "words:kv table json tsv csv md"),
	OPT_LIST("columns", 'c', &opt_columns, "COL,...", "write only these columns, in this order"),
	OPT_COUNT("verbose", 'v', &common.verbose, "say more on stderr; -vv traces requests"),
	OPT_BOOL("quiet", 'q', &common.quiet, "print errors only"),
	OPT_BOOL("help", 'h', &opt_help, "show this help and exit"),
	OPT_BOOL("version", 0, &opt_version, "show the version and exit"),
	OPT_END
};

const struct opt *opts_common(void)
{
	return common_table;
}

/* Hidden: --completion generates completions/; --self-check is run by
 * tests/unit/test_opts_tables.c over every tool. */
static const struct opt hidden_table[] = {
	OPT_STRING("completion", 0, &opt_completion, "SHELL", NULL),
	OPT_BOOL("self-check", 0, &opt_self_check, NULL),
	OPT_END
};

/* The tables in effect for one parse, flattened: as many options as the
 * tables hold, none dropped. */
struct optset {
	const struct opt **o;
	size_t n, alloc;
};

static void optset_add(struct optset *s, const struct opt *table)
{
	for (; table && table->name; table++) {
		if (s->n == s->alloc) {
			s->alloc = s->alloc ? 2 * s->alloc : 64;
			s->o = xrealloc(s->o, s->alloc * sizeof *s->o);
		}
		s->o[s->n++] = table;
	}
}

static void optset_release(struct optset *s)
{
	free(s->o);
	memset(s, 0, sizeof *s);
}

/* The options given on the command line, before and after the verb: what
 * their scopes are checked for. */
static struct {
	const struct opt **o;
	size_t n, alloc;
} given;

static void mark_given(const struct opt *o)
{
	for (size_t i = 0; i < given.n; i++)
		if (given.o[i] == o)
			return;
	if (given.n == given.alloc) {
		given.alloc = given.alloc ? 2 * given.alloc : 16;
		given.o = xrealloc(given.o, given.alloc * sizeof *given.o);
	}
	given.o[given.n++] = o;
}

static int takes_arg(const struct opt *o)
{
	return o->type == OPTION_STRING || o->type == OPTION_INT || o->type == OPTION_LIST;
}

static void build_getopt(const struct optset *s, struct option *lo, struct strbuf *shorts)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct opt *o = s->o[i];
		lo[i] = (struct option){ o->name, takes_arg(o) ? required_argument : no_argument, NULL,
					 256 + (int)i };
		if (o->short_name) {
			sb_addc(shorts, (char)o->short_name);
			if (takes_arg(o))
				sb_addc(shorts, ':');
		}
	}
	lo[s->n] = (struct option){ NULL, 0, NULL, 0 };
}

static const struct opt *find_short(const struct optset *s, int c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->o[i]->short_name == c)
			return s->o[i];
	return NULL;
}

/* One line: "cloudctl-vm: list: unknown option '--foo' (see 'cloudctl-vm list --help')". */
static int usage_error(const char *verb, const char *fmt, const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, fmt, what);
	errorx("%s%s%s (see '%s%s%s --help')", verb ? verb : "", verb ? ": " : "", sb.buf, progname,
	       verb ? " " : "", verb ? verb : "");
	sb_release(&sb);
	return EXIT_USAGE;
}

static int store(const struct opt *o, const char *arg, const char *verb)
{
	long long v;
	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = 1;
		break;
	case OPTION_COUNT:
		(*(int *)o->value)++;
		break;
	case OPTION_STRING:
		*(const char **)o->value = arg;
		break;
	case OPTION_LIST:
		strlist_add(o->value, arg);
		break;
	case OPTION_INT:
		if (parse_ll(arg, -9000000000000000000LL, 9000000000000000000LL, &v) < 0) {
			struct strbuf m = STRBUF_INIT;
			sb_addf(&m, "option '--%s': '%s' is not a whole number", o->name, arg);
			usage_error(verb, "%s", m.buf);
			sb_release(&m);
			return EXIT_USAGE;
		}
		*(long long *)o->value = v;
		break;
	}
	return 0;
}

/* Parse argv with the options of s. stop_at_operand: stop at the first operand
 * (for the options before the verb). Returns 0 or an exit code. */
/* quiet: a failure is not reported (a first, tentative parse). */
static int parse(const struct optset *s, int argc, char **argv, int stop_at_operand, const char *verb, int quiet)
{
	struct option *lo = xcalloc(s->n + 1, sizeof *lo);
	struct strbuf shorts = STRBUF_INIT;
	sb_adds(&shorts, stop_at_operand ? "+:" : ":");
	build_getopt(s, lo, &shorts);
	optind = 0; /* GNU: full reinitialisation */
	opterr = 0;
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, shorts.buf, lo, NULL)) != -1) {
		const struct opt *o = NULL;
		if (c >= 256)
			o = s->o[c - 256];
		else if (c != '?' && c != ':')
			o = find_short(s, c);
		if (o) {
			mark_given(o);
			rc = store(o, optarg, verb);
			continue;
		}
		const char *bad = argv[optind - 1];
		if (quiet)
			rc = EXIT_USAGE;
		else if (c == ':')
			rc = usage_error(verb, "option '%s' needs an argument", bad);
		else if (optopt && !str_starts(bad, "--"))
			rc = usage_error(verb, "unknown option '-%s'", (const char[]){ (char)optopt, 0 });
		else
			rc = usage_error(verb, "unknown option '%s'", bad);
	}
	sb_release(&shorts);
	free(lo);
	return rc;
}

static void print_opt(FILE *out, const struct opt *o, const char *help)
{
	struct strbuf left = STRBUF_INIT;
	if (o->short_name)
		sb_addf(&left, "  -%c, --%s", o->short_name, o->name);
	else
		sb_addf(&left, "      --%s", o->name);
	if (o->argname)
		sb_addf(&left, " %s", o->argname);
	if (left.len < 28)
		fprintf(out, "%-28s%s\n", left.buf, help);
	else
		fprintf(out, "%s\n%-28s%s\n", left.buf, "", help);
	sb_release(&left);
}

static void print_opts(FILE *out, const struct opt *table)
{
	for (; table && table->name; table++)
		if (table->help)
			print_opt(out, table, table->help);
}

/* "table (the default), md, csv, json, html or prom": a verb's own formats. */
static void own_formats(struct strbuf *sb, const char *formats)
{
	size_t n = strcspn(formats, " ");
	sb_addf(sb, "%.*s (the default)", (int)n, formats);
	for (const char *p = formats + n; *p; p += n) {
		p++;
		n = strcspn(p, " ");
		sb_addf(sb, "%s%.*s", p[n] ? ", " : " or ", (int)n, p);
	}
}

/* The common options; -o as the verb v takes it (NULL: the tool's help, where
 * the default verb's own formats are named beside the record formats). */
static void print_common(FILE *out, const struct tool *t, const struct verb *v)
{
	const struct verb *dflt = NULL;
	for (const struct verb *d = t->verbs; !v && t->default_verb && d->name; d++)
		if (strcmp(d->name, t->default_verb) == 0)
			dflt = d;
	print_opts(out, t->globals);
	for (const struct opt *o = common_table; o->name; o++) {
		struct strbuf help = STRBUF_INIT;
		if (strcmp(o->name, "output") == 0 && v && v->formats) {
			own_formats(&help, v->formats);
		} else if (strcmp(o->name, "output") == 0 && dflt && dflt->formats) {
			sb_addf(&help, "%s; %s: ", o->help, dflt->name);
			own_formats(&help, dflt->formats);
		} else {
			sb_adds(&help, o->help);
		}
		print_opt(out, o, help.buf);
		sb_release(&help);
	}
}

static void verb_help(const struct tool *t, const struct verb *v)
{
	printf("Usage: %s %s [OPTIONS]%s%s\n%s\n", t->name, v->name, v->operands ? " " : "",
	       v->operands ? v->operands : "", v->summary);
	if (v->opts && v->opts->name) {
		printf("\nOptions:\n");
		print_opts(stdout, v->opts);
	}
	printf("\nCommon options:\n");
	print_common(stdout, t, v);
	printf("\nSee %s(1) for details and exit codes.\n", t->name);
}

/* To stdout when asked for (--help), to stderr on a usage error. */
static void tool_help(const struct tool *t, FILE *out)
{
	fprintf(out, "Usage: %s [OPTIONS] %s [ARGS]\n%s\n\nVerbs:\n", t->name, t->default_verb ? "[VERB]" : "VERB", t->summary);
	for (const struct verb *v = t->verbs; v->name; v++)
		fprintf(out, "  %-12s%s\n", v->name, v->summary);
	fprintf(out, "\nCommon options:\n");
	print_common(out, t, NULL);
	fprintf(out, "\nRun '%s VERB --help' for a verb's options; see %s(1).\n", t->name, t->name);
}

static const struct verb *find_verb(const struct tool *t, const char *name)
{
	for (const struct verb *v = t->verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* A verb whose product is a document (a report, manifests) has formats of its
 * own: -o picks one of them, the first by default, and CLOUDCTL_OUTPUT (which
 * names record formats) does not apply. */
static int pick_own_format(const struct verb *v)
{
	const char *want = opt_output;
	size_t n = strcspn(v->formats, " ");
	common.output_set = want != NULL;
	if (!want) {
		snprintf(common.output, sizeof common.output, "%.*s", (int)n, v->formats);
		return 0;
	}
	for (const char *p = v->formats; *p; p += n + (p[n] == ' '), n = strcspn(p, " ")) {
		if (strlen(want) == n && strncmp(p, want, n) == 0) {
			snprintf(common.output, sizeof common.output, "%s", want);
			return 0;
		}
	}
	errorx("%s: unknown output format '%s' (%s)", v->name, want, v->formats);
	return EXIT_USAGE;
}

static int has_word(const char *words, const char *w);

/* -c a -c b,c is -c a,b,c. */
static void join_columns(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < opt_columns.n; i++) {
		if (i)
			sb_addc(&sb, ',');
		sb_adds(&sb, opt_columns.v[i]);
	}
	free(columns_joined);
	columns_joined = opt_columns.n ? sb_detach(&sb) : NULL;
	sb_release(&sb);
	common.columns = columns_joined;
}

static int apply_common(const struct verb *v)
{
	join_columns();
	if (common.quiet)
		log_level = LOG_QUIET;
	else
		log_level = LOG_WARN + common.verbose;
	if (v->formats) {
		int rc = pick_own_format(v);
		if (!rc && common.columns && v->document_formats && has_word(v->document_formats, common.output)) {
			/* ignoring it would print every column to someone who asked for two */
			errorx("-c: -o %s writes a document, not records: it has no columns", common.output);
			rc = EXIT_USAGE;
		}
		return rc;
	}
	int fmt = FMT_AUTO;
	if (opt_output && (fmt = rec_format_parse(opt_output)) < 0) {
		errorx("unknown output format '%s' (kv, table, json, tsv, csv, md)", opt_output);
		return EXIT_USAGE;
	}
	struct strbuf err = STRBUF_INIT;
	common.format = rec_format_pick(fmt, stdout, &err);
	if (common.format < 0) {
		errorx("%s", err.buf);
		sb_release(&err);
		return EXIT_CONFIG;
	}
	return 0;
}

/* Options before the verb: the common and global ones only. */
static int parse_leading(const struct tool *t, int argc, char **argv, int *verb_index, int quiet)
{
	struct optset s = { .n = 0 };
	optset_add(&s, common_table);
	optset_add(&s, t->globals);
	optset_add(&s, hidden_table);
	int rc = parse(&s, argc, argv, 1, NULL, quiet);
	*verb_index = optind;
	optset_release(&s);
	return rc;
}

int tool_operand_count;
char **tool_operands;

/* "a, b or c" */
static void add_word_list(struct strbuf *sb, const char *words)
{
	size_t n;
	for (const char *p = words; *p; p += n + (p[n] == ' ')) {
		n = strcspn(p, " ");
		sb_addf(sb, "%s%.*s", p == words ? "" : p[n] ? ", " : " or ", (int)n, p);
	}
}

static int has_word(const char *words, const char *w)
{
	size_t len = strlen(w), n;
	for (const char *p = words; p && *p; p += n + (p[n] == ' ')) {
		n = strcspn(p, " ");
		if (n == len && strncmp(p, w, n) == 0)
			return 1;
	}
	return 0;
}

/* The action the command names: the verb's first operand, when it is one of
 * its actions (else NULL, and the verb reports it). */
static const char *named_action(const struct verb *v)
{
	if (!v->actions || tool_operand_count < 1 || !has_word(v->actions, tool_operands[0]))
		return NULL;
	return tool_operands[0];
}

/* The one place option scopes are checked: every option given has a use for
 * the driver picked, then for the action named. "network create: --mode is
 * for --driver libvirt", "router list: --subnet goes with add-interface or
 * remove-interface". */
static int check_scopes(const struct verb *v, const char *driver)
{
	const char *action = named_action(v);
	if (v->actions && !action)
		return 0;
	struct strbuf why = STRBUF_INIT;
	for (size_t i = 0; i < given.n && !why.len; i++) {
		const struct opt *o = given.o[i];
		if (driver && o->drivers && !has_word(o->drivers, driver)) {
			sb_addf(&why, "--%s is for --driver ", o->name);
			add_word_list(&why, o->drivers);
			if (o->scope_note)
				sb_addf(&why, " (%s)", o->scope_note);
		}
	}
	for (size_t i = 0; i < given.n && !why.len; i++) {
		const struct opt *o = given.o[i];
		if (action && o->actions && !has_word(o->actions, action)) {
			sb_addf(&why, "--%s goes with ", o->name);
			add_word_list(&why, o->actions);
		}
	}
	int rc = 0;
	if (why.len) {
		errorx("%s%s%s: %s", v->name, action ? " " : "", action ? action : "", why.buf);
		rc = EXIT_USAGE;
	}
	sb_release(&why);
	return rc;
}

const struct recset *tool_input;

/* A field of some record read on stdin: it passes through to the output. */
static int input_has_key(const char *col)
{
	for (size_t i = 0; tool_input && i < tool_input->n; i++)
		if (rec_get(&tool_input->r[i], col))
			return 1;
	return 0;
}

/* -c names only columns the verb's records can have (its own, and those of
 * the records it read): a typing error is refused before the verb acts, with
 * the words the writer would use after. */
static int check_columns(const struct verb *v)
{
	rec_columns_declared = v->columns;
	if (!v->columns || !common.columns)
		return 0;
	int rc = 0;
	size_t n;
	for (const char *c = common.columns; *c; c += n + (c[n] == ',')) {
		n = strcspn(c, ",");
		char *col = xstrndup(c, n);
		if (!rec_column_matches(v->columns, col) && !input_has_key(col)) {
			errorx("-c: no record has a column '%s'", col);
			rc = EXIT_USAGE;
		}
		free(col);
	}
	return rc;
}

/* After the options: the driver (which may read the records on stdin), the
 * columns, the scopes, then the verb, in the executable or its plugin. */
static int run_parsed(const struct tool *t, const struct verb *v, int argc, char **argv)
{
	const char *driver = NULL;
	tool_operand_count = argc;
	tool_operands = argv;
	int rc = t->pick_driver ? t->pick_driver(v, &driver) : 0;
	if (!rc)
		rc = check_columns(v);
	if (!rc)
		rc = check_scopes(v, driver);
	if (rc)
		return rc;
	if (v->run)
		return v->run(argc, argv);
	if (!driver)
		return plugin_run(t->plugin, v->name, argc, argv);
	char *plugin = xasprintf("%s-%s", t->name, driver);
	rc = plugin_run(plugin, v->name, argc, argv);
	free(plugin);
	return rc;
}

static int run_verb(const struct tool *t, const struct verb *v, int argc, char **argv)
{
	struct optset s = { .n = 0 };
	optset_add(&s, v->opts);
	optset_add(&s, t->globals);
	optset_add(&s, common_table);
	int rc = parse(&s, argc, argv, 0, v->name, 0);
	optset_release(&s);
	if (rc)
		return rc;
	if (opt_help) {
		verb_help(t, v);
		return 0;
	}
	if (opt_version) {
		printf("%s %s\n", t->name, CLOUDCTL_VERSION);
		return 0;
	}
	if ((rc = apply_common(v)))
		return rc;
	return run_parsed(t, v, argc - optind, argv + optind);
}

static void reset_options(void)
{
	strlist_clear(&opt_columns);
	opt_output = opt_completion = NULL;
	opt_help = opt_version = opt_self_check = 0;
	memset(&common, 0, sizeof common);
	given.n = 0;
}

/* cloudctl-report --group-by tenant FILE: no verb named, so all of argv is the
 * default verb's, options and operands alike. What the first, tentative parse
 * stored is forgotten first. */
static int run_default(const struct tool *t, int argc, char **argv)
{
	reset_options();
	return run_verb(t, find_verb(t, t->default_verb), argc, argv);
}

/* ---- the tables' self-check ---- */

/* Every word of words is one of known (both space separated). */
static const char *unknown_word(const char *words, const char *known, struct strbuf *tmp)
{
	size_t n;
	for (const char *p = words; *p; p += n + (p[n] == ' ')) {
		n = strcspn(p, " ");
		sb_reset(tmp);
		sb_add(tmp, p, n);
		if (!n || !has_word(known, tmp->buf))
			return tmp->buf;
	}
	return NULL;
}

static void problem(struct strbuf *out, const char *where, const char *fmt, const char *what)
{
	sb_addf(out, "%s: ", where);
	sb_addf(out, fmt, what);
	sb_addc(out, '\n');
}

/* The suite's option glossary (cloudctl(7), OPTION GLOSSARY): what each
 * short letter stands for in every tool, so a user's hand means one thing
 * whichever tool it types into. A letter not here is given to no option. */
static const struct {
	char letter;
	const char *name;
} glossary[] = {
	{ 'A', "all-namespaces" }, { 'C', "connect" }, { 'D', "driver" }, { 'N', "count" },
	{ 'a', "all-projects" }, { 'b', "branch" }, { 'c', "columns" }, { 'd', "disk" },
	{ 'e', "env" }, { 'f', "filename" }, { 'g', "group-by" }, { 'h', "help" },
	{ 'i', "image" }, { 'j', "jobs" }, { 'k', "key-name" }, { 'l', "selector" },
	{ 'm', "memory" }, { 'n', "namespace" }, { 'o', "output" }, { 'p', "path" },
	{ 'q', "quiet" }, { 'r', "repo" }, { 's', "state" }, { 't', "tag" },
	{ 'u', "user" }, { 'v', "verbose" }, { 'w', "wait" },
};

/* The long name the glossary gives letter, or NULL. */
static const char *glossary_name(int letter)
{
	for (size_t i = 0; i < sizeof glossary / sizeof glossary[0]; i++)
		if (glossary[i].letter == letter)
			return glossary[i].name;
	return NULL;
}

static void check_glossary(const struct opt *o, const char *where, struct strbuf *out)
{
	const char *meant = o->short_name ? glossary_name(o->short_name) : NULL;
	if (!o->short_name || (meant && strcmp(meant, o->name) == 0))
		return;
	if (meant)
		sb_addf(out, "%s: -%c is --%s in every tool (cloudctl(7))\n", where, o->short_name, meant);
	else
		sb_addf(out, "%s: -%c is no option's letter in the glossary (cloudctl(7))\n", where, o->short_name);
}

/* One option on its own: a name, an argument name when it takes one, help,
 * and a scope in words the tool and the verb know. */
static void check_opt(const struct tool *t, const struct opt *o, const char *actions, const char *where,
		      struct strbuf *out)
{
	struct strbuf w = STRBUF_INIT, tmp = STRBUF_INIT;
	const char *bad;
	sb_addf(&w, "%s: --%s", where, o->name);
	if (strspn(o->name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(o->name) || !*o->name)
		problem(out, w.buf, "%s", "a long name of other than a-z, 0-9 and -");
	if (o->short_name && !isalnum(o->short_name))
		problem(out, w.buf, "%s", "a letter that is not a letter or digit");
	check_glossary(o, w.buf, out);
	if (!o->help)
		problem(out, w.buf, "%s", "no help (only the hidden options of opts.c have none)");
	if (takes_arg(o) != (o->argname != NULL))
		problem(out, w.buf, "%s", takes_arg(o) ? "takes an argument without a name for it"
						       : "an argument name on an option without one");
	if (o->drivers && !t->drivers)
		problem(out, w.buf, "%s", "a driver scope in a tool without drivers");
	else if (o->drivers && (bad = unknown_word(o->drivers, t->drivers, &tmp)))
		problem(out, w.buf, "a scope naming the unknown driver '%s'", bad);
	if (o->scope_note && !o->drivers)
		problem(out, w.buf, "%s", "a scope note without a driver scope");
	if (o->actions && !actions)
		problem(out, w.buf, "%s", "an action scope where the verb has no actions");
	else if (o->actions && (bad = unknown_word(o->actions, actions, &tmp)))
		problem(out, w.buf, "a scope naming the unknown action '%s'", bad);
	sb_release(&w);
	sb_release(&tmp);
}

/* No two options of one parse share a long name or a letter. */
static void check_unique(const struct optset *s, const char *where, struct strbuf *out)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = i + 1; j < s->n; j++) {
			struct strbuf w = STRBUF_INIT;
			sb_addf(&w, "%s: --%s", where, s->o[i]->name);
			if (strcmp(s->o[i]->name, s->o[j]->name) == 0)
				problem(out, w.buf, "%s", "given twice");
			else if (s->o[i]->short_name && s->o[i]->short_name == s->o[j]->short_name)
				problem(out, w.buf, "shares its letter with --%s", s->o[j]->name);
			sb_release(&w);
		}
}

/* Every action of every verb: what a global option's scope may name. */
static void all_actions(const struct tool *t, struct strbuf *sb)
{
	for (const struct verb *v = t->verbs; v->name; v++)
		if (v->actions)
			sb_addf(sb, "%s%s", sb->len ? " " : "", v->actions);
}

/* A document format is one of the verb's formats. */
static void check_document_formats(const struct verb *v, struct strbuf *out)
{
	size_t n;
	for (const char *p = v->document_formats; p && *p; p += n + (p[n] == ' ')) {
		n = strcspn(p, " ");
		char *f = xstrndup(p, n);
		if (!v->formats || !has_word(v->formats, f))
			problem(out, v->name, "the document format '%s' is none of its formats", f);
		free(f);
	}
}

int opts_self_check(const struct tool *t, struct strbuf *out)
{
	size_t before = out->len;
	struct strbuf actions = STRBUF_INIT;
	all_actions(t, &actions);
	for (const struct opt *o = t->globals; o && o->name; o++)
		check_opt(t, o, actions.len ? actions.buf : NULL, "globals", out);
	struct optset lead = { .n = 0 };
	optset_add(&lead, common_table);
	optset_add(&lead, t->globals);
	optset_add(&lead, hidden_table);
	check_unique(&lead, "before the verb", out);
	optset_release(&lead);
	for (const struct verb *v = t->verbs; v->name; v++) {
		if (!v->summary || !*v->summary)
			problem(out, v->name, "%s", "a verb without a summary");
		if (find_verb(t, v->name) != v)
			problem(out, v->name, "%s", "a verb given twice");
		check_document_formats(v, out);
		for (const struct opt *o = v->opts; o && o->name; o++)
			check_opt(t, o, v->actions, v->name, out);
		struct optset s = { .n = 0 };
		optset_add(&s, v->opts);
		optset_add(&s, t->globals);
		optset_add(&s, common_table);
		check_unique(&s, v->name, out);
		optset_release(&s);
	}
	if (t->default_verb && !find_verb(t, t->default_verb))
		problem(out, t->name, "the default verb '%s' is not in the table", t->default_verb);
	if ((t->drivers != NULL) != (t->pick_driver != NULL))
		problem(out, t->name, "%s", "drivers without pick_driver, or the other way round");
	sb_release(&actions);
	return out->len > before;
}

/* --self-check: the problems of the tool's tables on stdout, one a line. */
static int self_check(const struct tool *t)
{
	struct strbuf out = STRBUF_INIT;
	int bad = opts_self_check(t, &out);
	fputs(out.buf, stdout);
	sb_release(&out);
	return bad ? EXIT_SOFTWARE : 0;
}

static int dispatch(const struct tool *t, int argc, char **argv)
{
	int vi;
	int rc = parse_leading(t, argc, argv, &vi, t->default_verb != NULL);
	if (rc)
		return t->default_verb ? run_default(t, argc, argv) : rc;
	if (opt_completion)
		return opts_print_completion(t, opt_completion);
	if (opt_self_check)
		return self_check(t);
	if (opt_version) {
		printf("%s %s\n", t->name, CLOUDCTL_VERSION);
		return 0;
	}
	if (vi >= argc && (opt_help || !t->default_verb)) {
		tool_help(t, opt_help ? stdout : stderr);
		return opt_help ? 0 : EXIT_USAGE;
	}
	const struct verb *v = vi < argc ? find_verb(t, argv[vi]) : NULL;
	if (v)
		return run_verb(t, v, argc - vi, argv + vi);
	if (!t->default_verb)
		return usage_error(NULL, "unknown verb '%s'", argv[vi]);
	return run_default(t, argc, argv);
}

int tool_main(const struct tool *t, int argc, char **argv)
{
	reset_options();
	log_init(argv[0]);
	secret_json_wipe_on_free();
	rec_columns_strict = 1;
	progname = t->name;
	return finish_stdout(dispatch(t, argc, argv));
}
