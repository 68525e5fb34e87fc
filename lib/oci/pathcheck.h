/* pathcheck.h: the files and directories a user names, checked before any
 * work, with one exit code for each way they can be wrong, in every verb:
 * not there (or not the kind asked for: a directory where a file is wanted,
 * a file where a directory is) 66, not allowed 77, anything else 74: the
 * codes of exit_for_errno (log.h), which every tool uses. */
#ifndef CLOUDCTL_OCI_PATHCHECK_H
#define CLOUDCTL_OCI_PATHCHECK_H

#include "util.h"

/* what (an option such as "--cacert", or NULL) names path, a file to read:
 * 0, or an exit code with a line in err naming both. */
int oci_check_file(const char *what, const char *path, struct strbuf *err);
/* The same for a directory to read. */
int oci_check_dir(const char *what, const char *path, struct strbuf *err);

#endif
