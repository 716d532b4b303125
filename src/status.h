/* status: what the scheduler tells the person watching.
 *
 * On a terminal, one live line at the bottom (done/total, what is building,
 * elapsed time, the time left when earlier builds tell it), redrawn in
 * place, with ordinary messages printed above it.
 * Otherwise plain lines only, one per event.  Everything goes to stderr.
 * What is printed may carry a build's output or a server's words, so
 * every byte a terminal could take for a command is written as \xHH (two
 * lowercase hex digits): control characters but newline and tab, DEL,
 * the C1 controls U+0080..U+009F and bytes that are not valid UTF-8.
 * A backslash stays as it is.  State is this module's own (one status per
 * process). */
#ifndef DISTILL_STATUS_H
#define DISTILL_STATUS_H

#include <stddef.h>
#include <stdio.h>

void status_begin(int total, int quiet);
/* The live line: building names (comma-separated, may be truncated),
 * and eta, the estimate of the time left (eta.h) or "". */
void status_update(int done, const char *building, const char *eta);
/* A message above the live line (or a plain line), printf-style. */
void status_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write n bytes of p to f, escaped as above. */
void status_escape(FILE *f, const char *p, size_t n);
void status_end(void);
double status_elapsed(void);

#endif
