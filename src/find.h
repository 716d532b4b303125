/* find: which stored plan a user means.  distill log, show and why take a
 * plan hash, a unique prefix of one (at least FIND_MIN_PREFIX characters),
 * a plan name (the newest build of that name in the store's index,
 * rec/name/; a package name NAME also finds the plan NAME-VERSION), or
 * --failed (the newest failed build of any name).
 *
 * Reads the store through its typed calls (store.h) only; owns nothing
 * past a call. */
#ifndef DISTILL_FIND_H
#define DISTILL_FIND_H

#include <stdbool.h>
#include "hash.h"
#include "store.h"

#define FIND_MIN_PREFIX 4

enum {
	FIND_FAILED = 1,	/* the newest failed build (arg unused) */
	FIND_EXACT = 2,		/* a name only as it is, not NAME-VERSION */
};
/* The plan arg names into *plan (flags: FIND_*): 0; 1 when nothing
 * matches or a prefix is ambiguous (err says so, naming the candidates:
 * a usage error); -1 for an error of the store. */
int find_plan(struct store *s, const char *arg, int flags, hash_t *plan);
/* The newest build of plan's name before plan itself (another plan of
 * that name whose encoding is still in the store) into *prev: 0, or 1 if
 * there is none, or -1. */
int find_previous(struct store *s, const char *name, const hash_t *plan, hash_t *prev);

#endif
