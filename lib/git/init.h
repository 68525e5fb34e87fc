/* init.h: libgit2 started once per process (the tools' every use of libgit2
 * goes through gitr_init first), and shut down at exit. */
#ifndef CLOUDCTL_GIT_INIT_H
#define CLOUDCTL_GIT_INIT_H

/* The system's CA bundle on Debian: the one libgit2 1.5 is built to read. */
#define GITR_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"

void gitr_init(void);
/* stream.c: libgit2's TCP connections made with TCP_NODELAY (gitr_init calls it). */
void gitr_stream_register(void);

#endif
