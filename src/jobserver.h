/* jobserver: the build slots of one scheduler run, and a GNU make
 * jobserver of its own for each build.
 *
 * The scheduler's count of slots (struct jobserver) is the only thing that
 * decides how many builds run: jobs slots, one held by each running build
 * (make's implicit token), the rest lent out as tokens.  Nothing a build
 * writes or reads changes that count.
 *
 * Each build gets a pipe of its own (struct js_build), passed in as
 * MAKEFLAGS=" -jN --jobserver-auth=R,W", so make inside it works as usual.
 * Free slots are lent to running builds as tokens written into their
 * pipes (js_lend); when a ready build waits for a slot, tokens still in
 * the pipes are taken back (js_reclaim), at most as many as were lent.
 * A build that writes extra tokens only inflates its own pipe (and could
 * as well run as many processes as it likes without one); one that eats
 * tokens keeps only those lent to it.  When a build ends its pipe is
 * closed, and its slot and everything lent to it return to the count,
 * whatever the pipe held.  The scheduler uses its own non-blocking open
 * file descriptions of each pipe (via /proc/self/fd), so a build that
 * fills or drains its pipe never blocks it, while make's reads stay
 * blocking.  Both structs are owned by the caller. */
#ifndef DISTILL_JOBSERVER_H
#define DISTILL_JOBSERVER_H

struct jobserver {
	int jobs;	/* -j N */
	int busy;	/* slots held: one per running build, plus tokens lent */
};

struct js_build {
	int rfd, wfd;	/* the pipe as the build gets it, or -1 */
	int nbr, nbw;	/* the scheduler's non-blocking ends, or -1 */
	int lent;	/* tokens put in and not taken back */
	char makeflags[64];
};

void js_init(struct jobserver *js, int jobs);
/* Slots neither running a build nor lent out. */
int js_free(const struct jobserver *js);
/* Take a slot for a new build and make its pipe, with no token in it:
 * 1 done, 0 no slot free, -1 error (err() set, no slot taken). */
int js_build_open(struct jobserver *js, struct js_build *b);
/* The build's worker has its copy of the pipe: close the scheduler's. */
void js_build_handed(struct js_build *b);
/* The build ended (or never started): its slot and its loans come back. */
void js_build_close(struct jobserver *js, struct js_build *b);
/* Lend a free slot to the build: 1 lent, 0 not (no slot free, or its pipe
 * cannot take more). */
int js_lend(struct jobserver *js, struct js_build *b);
/* Take back the tokens lent to the build that are still in its pipe. */
void js_reclaim(struct jobserver *js, struct js_build *b);

#endif
