/* eta: the live line's estimate of the time a run has left, from the
 * recorded durations of earlier builds (rec/meta's seconds of the last
 * successful build of each plan's name; sched.c looks them up).  Pure:
 * the caller gives the numbers, this module only sums and words them.
 * Owns nothing. */
#ifndef DISTILL_ETA_H
#define DISTILL_ETA_H

#include <stddef.h>

/* A plan still to build. */
struct eta_plan {
	double known;	/* seconds of the last build of its name, or < 0: none */
	double elapsed;	/* seconds it has been building, or < 0: not started */
};

/* Into buf: "~3m10s left", the known seconds left (a running plan's known
 * duration less its elapsed time, at least 0) summed over the n plans and
 * divided by jobs; "~3m10s+ left" when some plan has no known duration;
 * "" when none has, or n is 0. */
void eta_text(const struct eta_plan *v, size_t n, int jobs, char *buf, size_t size);

#endif
