/* compat_stat.h: the stat() that hides the system CA bundle while libgit2
 * starts (compat_stat.c says why, and what it changes for every other stat). */
#ifndef CLOUDCTL_GIT_COMPAT_STAT_H
#define CLOUDCTL_GIT_COMPAT_STAT_H

/* hide != 0: stat(GITR_SYSTEM_CA), that exact string, fails with ENOENT until
 * called again with 0. Every other stat() answers as libc's would. */
void gitr_hide_system_ca(int hide);

#endif
