/* jobserver: one GNU make jobserver shared by the scheduler and every make
 * inside builds.
 *
 * A pipe holds jobs-1 tokens; the scheduler's first running build uses the
 * implicit token, every further concurrent build takes one, and the make
 * processes inside builds take theirs from the same pipe (MAKEFLAGS carries
 * "--jobserver-auth=R,W" and the pipe's fds stay open into the sandbox),
 * so the whole tree of work never runs more than jobs things at once.
 * The scheduler reads through a separate non-blocking open file
 * description of the pipe (via /proc/self/fd) so it never blocks while
 * make's reads stay blocking.  A struct jobserver is owned by its caller. */
#ifndef DISTILL_JOBSERVER_H
#define DISTILL_JOBSERVER_H

struct jobserver {
	int rfd, wfd;	/* the pipe, inherited by builds */
	int nbfd;	/* non-blocking read side for the scheduler */
	int jobs;
	char makeflags[64];
};

int js_init(struct jobserver *js, int jobs);
/* Take a token without blocking: 1 taken, 0 none free. */
int js_take(struct jobserver *js);
void js_give(struct jobserver *js);
/* When nothing runs: put back tokens that killed builds took with them. */
void js_reset(struct jobserver *js);
void js_close(struct jobserver *js);

#endif
