/* opts.h: one declarative option table per verb drives parsing (GNU long
 * options through getopt_long), --help, and the generated shell completions.
 *
 *	static const char *state;
 *	static const struct opt list_opts[] = {
 *		OPT_STRING("state", 's', &state, "STATE", "only VMs in STATE",
 *			   .complete = "words:running paused shutoff"),
 *		OPT_END
 *	};
 *
 * A tool is a table of verbs; tool_main() picks the verb, parses the shared
 * options (output, columns, verbosity, and the tool's own globals such as
 * --connect) and the verb's options in any order, and runs the verb. */
#ifndef CLOUDCTL_OPTS_H
#define CLOUDCTL_OPTS_H

#include <stddef.h>
#include "util.h"

enum opt_type {
	OPTION_BOOL,   /* int *: set to 1 */
	OPTION_STRING, /* const char **: the argument */
	OPTION_INT,    /* long long *: a decimal integer */
	OPTION_LIST,   /* struct strlist *: repeatable, each argument appended */
	OPTION_COUNT,  /* int *: incremented each time (-v -v) */
};

struct opt {
	const char *name;      /* long name, without "--" */
	int short_name;        /* 0 when none */
	enum opt_type type;
	void *value;
	const char *argname;   /* shown in help: "SIZE" */
	const char *help;
	/* Completion of the argument: NULL (none), "file", "dir",
	 * "words:a b c", or "cmd:VERB ARGS" (the tool's own output, one word a line). */
	const char *complete;
	/* The scope, words separated by spaces; NULL: everywhere. drivers: the
	 * tool's drivers (struct tool) the option has a use for; actions: the
	 * actions of the verb (struct verb) it goes with. tool_main refuses it
	 * elsewhere (exit 64), before the verb runs: help text is never read. */
	const char *drivers;
	const char *actions;
	const char *scope_note; /* said after a refusal by driver: why the others have no use for it */
};

/* Table entries: OPT_STRING(LONG, SHORT, &var, ARGNAME, HELP, .complete = ..., .drivers = ...);
 * SHORT 0: none; HELP NULL: hidden. The optional designated fields follow. */
#define OPT_STRING(l, s, v, arg, h, ...) \
	{ .name = (l), .short_name = (s), .type = OPTION_STRING, .value = (v), .argname = (arg), .help = (h), __VA_ARGS__ }
#define OPT_INT(l, s, v, arg, h, ...) \
	{ .name = (l), .short_name = (s), .type = OPTION_INT, .value = (v), .argname = (arg), .help = (h), __VA_ARGS__ }
#define OPT_LIST(l, s, v, arg, h, ...) \
	{ .name = (l), .short_name = (s), .type = OPTION_LIST, .value = (v), .argname = (arg), .help = (h), __VA_ARGS__ }
#define OPT_BOOL(l, s, v, h, ...) \
	{ .name = (l), .short_name = (s), .type = OPTION_BOOL, .value = (v), .help = (h), __VA_ARGS__ }
#define OPT_COUNT(l, s, v, h, ...) \
	{ .name = (l), .short_name = (s), .type = OPTION_COUNT, .value = (v), .help = (h), __VA_ARGS__ }
#define OPT_END { .name = NULL }


struct verb {
	const char *name;
	/* Operands only; returns the exit code. NULL: the function cmd_<name> of the
	 * tool's plugin (see plugin.h), loaded when the verb runs. */
	int (*run)(int argc, char **argv);
	const struct opt *opts;
	const char *operands;  /* usage text for operands, e.g. "[NAME...|-]" */
	const char *summary;   /* one line */
	const char *operand_complete; /* completion hint for operands, as opt.complete */
	/* The verb's actions, its first operand (e.g. "list show create"), the
	 * words of option scopes; completed as the first operand when
	 * operand_complete is NULL. NULL: a verb without actions. */
	const char *actions;
	/* NULL: -o takes the record formats. Else the verb's own formats, space
	 * separated, the first the default (e.g. "table md csv json html prom"). */
	const char *formats;
	/* Those of formats that write a document (a report, manifests, a diff),
	 * not records: -c with one of them is refused (exit 64), never ignored. */
	const char *document_formats;
	/* The columns the verb's records can have, space separated, fnmatch
	 * patterns allowed ("quota.*"): a -c column of none of them, and of no
	 * record pick_driver read (tool_input), is refused before the verb acts
	 * (exit 64). NULL: -c is checked only by the writer, after the records. */
	const char *columns;
};

struct tool {
	const char *name;
	const char *summary;
	const struct verb *verbs; /* ends with { NULL } */
	const struct opt *globals; /* the tool's own global options (e.g. --connect); may be NULL */
	const char *default_verb;  /* run when no verb is given, or NULL */
	const char *plugin;        /* the shared object with the verbs whose run is NULL */
	/* A tool with drivers: their names ("libvirt openstack"), the words of
	 * option scopes. pick_driver, after the options are parsed, sets *driver
	 * (from --driver, the environment, records) or returns the exit code of
	 * an error it has reported; the verbs whose run is NULL are then in the
	 * plugin "TOOL-DRIVER". */
	const char *drivers;
	int (*pick_driver)(const struct verb *v, const char **driver);
};
/* The records pick_driver read from stdin before the verb runs, or NULL: a -c
 * column one of them has is accepted, since input fields pass through. */
struct recset;
extern const struct recset *tool_input;
/* The verb's operands (after its options), for pick_driver: set before it is called. */
extern int tool_operand_count;
extern char **tool_operands;

/* Shared options, set by tool_main before the verb runs. */
struct common_opts {
	int format;          /* enum rec_format chosen by -o/CLOUDCTL_OUTPUT/tty */
	char output[16];     /* for verbs with formats of their own: the one chosen */
	int output_set;      /* -o was given */
	const char *columns; /* -c */
	int verbose, quiet;
};
extern struct common_opts common;

/* Run the tool. Handles --help, --version, --completion SHELL, usage errors
 * (exit 64 with a one-line message and a hint to --help), and the checked
 * flush of stdout. Returns the process exit code. */
int tool_main(const struct tool *t, int argc, char **argv);

/* The options every verb takes (-o, -c, -v, -q, -h, --version). */
const struct opt *opts_common(void);

/* The self-check of a tool's tables: options of one parse sharing a name or
 * a letter, an option without help or with a scope naming an unknown driver
 * or action, a verb without a summary. Appends one line per problem to out;
 * returns whether there was any. `TOOL --self-check` prints them (exit 70). */
int opts_self_check(const struct tool *t, struct strbuf *out);

/* Print the completion script for shell ("bash", "zsh", "fish") to stdout. */
int opts_print_completion(const struct tool *t, const char *shell);

#endif
