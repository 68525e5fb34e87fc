/* input.c: opening the files of records that report and diff read, with the
 * exit codes of cloudctl(7) for what can go wrong, and the checks both verbs
 * share (standard input named twice, standard input a terminal). */
#include "report.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_error_code(int err)
{
	return exit_for_errno(err); /* the same in every tool */
}

int input_open(const char *path, struct input *in)
{
	in->is_stdin = strcmp(path, "-") == 0;
	in->name = in->is_stdin ? "<stdin>" : path;
	if (in->is_stdin) {
		in->f = stdin;
		if (isatty(STDIN_FILENO)) {
			/* Waiting for records typed by hand helps nobody. */
			errorx("standard input is a terminal: pipe records in (cloudctl-vm list | %s) or name a file",
			       progname);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!(in->f = fopen(path, "r"))) {
		int err = errno;
		errorx("cannot open '%s': %s", path, strerror(err));
		return open_error_code(err);
	}
	struct stat st;
	if (fstat(fileno(in->f), &st) == 0 && S_ISDIR(st.st_mode)) {
		errorx("'%s' is a directory, not a file of records", path);
		input_close(in);
		return EXIT_NOTFOUND;
	}
	return 0;
}

void input_close(struct input *in)
{
	if (in->f && !in->is_stdin)
		fclose(in->f);
	in->f = NULL;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* --write naming one of the inputs would replace the records being read with
 * the report on them. */
static int written_is_read(int argc, char **argv, const char *write_path)
{
	struct stat w, in;
	if (!write_path || stat(write_path, &w) != 0)
		return 0;
	int uses_stdin = argc == 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			uses_stdin = 1;
		else if (stat(argv[i], &in) == 0 && same_file(&w, &in))
			goto same;
	}
	if (uses_stdin && fstat(STDIN_FILENO, &in) == 0 && S_ISREG(in.st_mode) && same_file(&w, &in))
		goto same;
	return 0;
same:
	errorx("--write '%s' is also an input: the report would replace the records it reads", write_path);
	return 1;
}

int inputs_check(int argc, char **argv, const char *write_path)
{
	int seen = 0;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && seen++) {
			errorx("'-' is given twice: standard input can be read only once");
			return EXIT_USAGE;
		}
	return written_is_read(argc, argv, write_path) ? EXIT_USAGE : 0;
}

void inputs_name(struct strbuf *sb, int argc, char **argv)
{
	if (argc == 0)
		sb_adds(sb, "<stdin>");
	for (int i = 0; i < argc; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", strcmp(argv[i], "-") ? argv[i] : "<stdin>");
}

int inputs_empty(int argc, char **argv, long others)
{
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT;
	inputs_name(&names, argc, argv);
	if (others > 0)
		sb_addf(&why, "only %ld record%s of other kinds or without an id; ", others, others == 1 ? "" : "s");
	/* An upstream command that failed writes nothing; an empty report (or a
	 * fresh, empty .prom file) would hide that behind a success. */
	errorx("no vm records in %s (%sdid the command that wrote them fail?); --allow-empty if none is right",
	       names.buf, why.buf);
	sb_release(&names);
	sb_release(&why);
	return EXIT_DATA;
}
