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
	return err == EACCES || err == EPERM ? EXIT_PERM : err == ENOENT || err == ENOTDIR ? EXIT_NOTFOUND
											   : EXIT_IOERR;
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

int inputs_check(int argc, char **argv)
{
	int seen = 0;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && seen++) {
			errorx("'-' is given twice: standard input can be read only once");
			return EXIT_USAGE;
		}
	return 0;
}

void inputs_name(struct strbuf *sb, int argc, char **argv)
{
	if (argc == 0)
		sb_adds(sb, "<stdin>");
	for (int i = 0; i < argc; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", strcmp(argv[i], "-") ? argv[i] : "<stdin>");
}

int inputs_empty(int argc, char **argv)
{
	struct strbuf names = STRBUF_INIT;
	inputs_name(&names, argc, argv);
	/* An upstream command that failed writes nothing; an empty report (or a
	 * fresh, empty .prom file) would hide that behind a success. */
	errorx("no vm records in %s (did the command that wrote them fail?); --allow-empty if none is right",
	       names.buf);
	sb_release(&names);
	return EXIT_DATA;
}
