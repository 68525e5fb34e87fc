/* opts.c: option tables -> getopt_long, --help, verb dispatch. See opts.h.
 * Completion scripts are generated in complete.c from the same tables. */
#include "opts.h"
#include "log.h"
#include "plugin.h"
#include "record.h"
#include "util.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct common_opts common;

static const char *opt_output;
static struct strlist opt_columns; /* -c, repeatable: the lists are joined */
static char *columns_joined;
static int opt_help, opt_version;
static const char *opt_completion;

/* Options every verb of every tool takes. */
static const struct opt common_table[] = {
	{ "output", 'o', OPT_STRING, &opt_output, "FORMAT",
	  "kv, table, json, tsv, csv or md (default: table on a terminal, else kv; $CLOUDCTL_OUTPUT)",
	  "words:kv table json tsv csv md" },
	{ "columns", 'c', OPT_LIST, &opt_columns, "COL,...", "write only these columns, in this order", NULL },
	{ "verbose", 'v', OPT_COUNT, &common.verbose, NULL, "say more on stderr; -vv traces requests", NULL },
	{ "quiet", 'q', OPT_BOOL, &common.quiet, NULL, "print errors only", NULL },
	{ "help", 'h', OPT_BOOL, &opt_help, NULL, "show this help and exit", NULL },
	{ "version", 0, OPT_BOOL, &opt_version, NULL, "show the version and exit", NULL },
	OPT_END
};

const struct opt *opts_common(void)
{
	return common_table;
}

/* Hidden: used to generate completions/. */
static const struct opt hidden_table[] = {
	{ "completion", 0, OPT_STRING, &opt_completion, "SHELL", NULL, NULL },
	OPT_END
};

/* The tables in effect for one parse, flattened. */
struct optset {
	const struct opt *o[128];
	size_t n;
};

static void optset_add(struct optset *s, const struct opt *table)
{
	for (; table && table->name; table++)
		if (s->n < ARRAY_SIZE(s->o))
			s->o[s->n++] = table;
}

static int takes_arg(const struct opt *o)
{
	return o->type == OPT_STRING || o->type == OPT_INT || o->type == OPT_LIST;
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
	case OPT_BOOL:
		*(int *)o->value = 1;
		break;
	case OPT_COUNT:
		(*(int *)o->value)++;
		break;
	case OPT_STRING:
		*(const char **)o->value = arg;
		break;
	case OPT_LIST:
		strlist_add(o->value, arg);
		break;
	case OPT_INT:
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
	struct option lo[ARRAY_SIZE(s->o) + 1];
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
	if (v->formats)
		return pick_own_format(v);
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
	return rc;
}

int tool_operand_count;
char **tool_operands;

static int run_verb(const struct tool *t, const struct verb *v, int argc, char **argv)
{
	struct optset s = { .n = 0 };
	optset_add(&s, v->opts);
	optset_add(&s, t->globals);
	optset_add(&s, common_table);
	int rc = parse(&s, argc, argv, 0, v->name, 0);
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
	if (v->run)
		return v->run(argc - optind, argv + optind);
	tool_operand_count = argc - optind;
	tool_operands = argv + optind;
	const char *plugin = t->plugin_for ? t->plugin_for(v) : t->plugin;
	if (!plugin)
		return EXIT_USAGE;
	return plugin_run(plugin, v->name, argc - optind, argv + optind);
}

static void reset_options(void)
{
	strlist_clear(&opt_columns);
	opt_output = opt_completion = NULL;
	opt_help = opt_version = 0;
	memset(&common, 0, sizeof common);
}

/* cloudctl-report --group-by tenant FILE: no verb named, so all of argv is the
 * default verb's, options and operands alike. What the first, tentative parse
 * stored is forgotten first. */
static int run_default(const struct tool *t, int argc, char **argv)
{
	reset_options();
	return run_verb(t, find_verb(t, t->default_verb), argc, argv);
}

static int dispatch(const struct tool *t, int argc, char **argv)
{
	int vi;
	int rc = parse_leading(t, argc, argv, &vi, t->default_verb != NULL);
	if (rc)
		return t->default_verb ? run_default(t, argc, argv) : rc;
	if (opt_completion)
		return opts_print_completion(t, opt_completion);
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
	rec_columns_strict = 1;
	progname = t->name;
	return finish_stdout(dispatch(t, argc, argv));
}
