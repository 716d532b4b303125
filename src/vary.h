/* vary: what distill verify changes for its second build, and the
 * disorderfs view of the fresh store that shuffles the order in which
 * the build reads its input directories.
 *
 * vary_begin() chooses, against the first build's settings: umask 0002
 * (for 022), TZ GMT-14 (for UTC), LC_ALL fr_CH.UTF-8 (for C.UTF-8), the
 * other -j (1, or 2 after -j1), one CPU (nproc 1) when there are more,
 * and as root the next build id up; the store is already another
 * (verify's fresh one).  It then mounts `disorderfs --shuffle-dirents=yes`
 * of the store's directory, read-only, beside it (as root showing every
 * file owned by the shifted build id, so the layers need no idmap); when
 * that cannot be (no disorderfs, no FUSE), the order is not varied and
 * the note says why.  Nothing here fails: what cannot be varied is
 * named.  A process of its own unmounts the view when vary_end() says
 * so, or when distill dies (even killed), and vary_end() frees the rest. */
#ifndef DISTILL_VARY_H
#define DISTILL_VARY_H

#include "sandbox.h"

struct vary {
	struct sandbox_vary sb;
	int jobs;		/* -j of the second build */
	char *view;		/* the disorderfs mount, or NULL */
	pid_t guard;		/* with a view: the process that unmounts it */
	int guard_fd;		/* and the pipe whose end tells it to */
	char *text;		/* "varied: ...; not varied: ..." (one line) */
};

/* For the store at dir, after a first build run with -j first_jobs
 * (0: the number of cores).  Returns a malloc'd vary. */
struct vary *vary_begin(const char *dir, int first_jobs);
/* 0, or -1 with err() set when the view stays mounted. */
int vary_end(struct vary *v);

#endif
