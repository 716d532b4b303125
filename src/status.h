/* status: what the scheduler tells the person watching.
 *
 * On a terminal, one live line at the bottom (done/total, what is building,
 * elapsed time), redrawn in place, with ordinary messages printed above it.
 * Otherwise plain lines only, one per event.  Everything goes to stderr.
 * State is this module's own (one status per process). */
#ifndef DISTILL_STATUS_H
#define DISTILL_STATUS_H

void status_begin(int total, int quiet);
/* The live line: building names (comma-separated, may be truncated). */
void status_update(int done, const char *building);
/* A message above the live line (or a plain line), printf-style. */
void status_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void status_end(void);
double status_elapsed(void);

#endif
