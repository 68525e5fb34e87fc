/* init.h: libgit2 started once per process (the tools' every use of libgit2
 * goes through gitr_init first), and shut down at exit. */
#ifndef CLOUDCTL_GIT_INIT_H
#define CLOUDCTL_GIT_INIT_H

/* The system's CA bundle on Debian: the one libgit2 1.5 is built to read. */
#define GITR_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"

void gitr_init(void);
/* stream.c: libgit2's TCP connections made with TCP_NODELAY (gitr_init calls
 * it). 1 when registered; 0 when the running libgit2 keeps its own socket,
 * because gitr_socket_layout_known(its version) is 0. */
int gitr_stream_register(void);
/* 1 when libgit2 MAJOR.MINOR's private git_socket_stream has the layout
 * stream.c copies. */
int gitr_socket_layout_known(int major, int minor);

#endif
