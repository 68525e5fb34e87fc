/* prom.h: the Prometheus text exposition of vm, host and tenant records,
 * streamed in bounded memory (see prom.c). */
#ifndef CLOUDCTL_PROM_H
#define CLOUDCTL_PROM_H

#include <stdio.h>
#include "report.h"

struct prom;
struct prom *prom_new(const char *group_by);
void prom_add(struct prom *p, const struct record *r);
/* Write the whole exposition. Returns 0, or -1 when a temporary file failed. */
int prom_finish(struct prom *p, FILE *out, long long generated_at);
/* Instances taken so far, and records skipped. */
long prom_instances(const struct prom *p);
long prom_skipped(const struct prom *p);
void prom_free(struct prom *p);

#endif
