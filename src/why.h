/* why: what changed in a plan since the last build of its name (why.c's
 * header comment says how).  Prints to out; 0, or -1 with err() set. */
#ifndef DISTILL_WHY_H
#define DISTILL_WHY_H

#include <stdio.h>
#include "find.h"
#include "sched.h"

/* Plan p (hash h, or NULL while it is not resolved) against the newest
 * other build of its name; from, when not NULL, names for each input of p
 * the plan that rebuilds to give it (or NULL: an input as it is). */
int why_plan(struct store *s, const struct plan *p, const hash_t *h, const char *const *from,
	     FILE *out);
/* Each node of a dry run (nodes, in dependency order) that would be built,
 * each plan once; or a line saying nothing would be. */
int why_nodes(struct store *s, struct sched_node *nodes, size_t n, FILE *out);

#endif
