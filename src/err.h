/* err: the one error message of the current thread.
 *
 * Core functions report failure by returning -1 (or NULL) after calling
 * err() or err_sys(), which format a message into a thread-local buffer.
 * The caller that finally reports the failure prints err_msg().  Messages
 * name the file or object concerned and, where there is one, what to do.
 * A full disk is told apart (err_disk_full) so that it ends with exit 4
 * whichever module met it.
 * Nothing here allocates; the buffer is owned by this module. */
#ifndef DISTILL_ERR_H
#define DISTILL_ERR_H

#include <stdarg.h>

/* Set the message; always returns -1. */
int err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with ": strerror(errno)" appended (errno is read on entry). */
int err_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Put "prefix: " in front of the current message; returns -1. */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_msg(void);
/* Was the current message set by err_sys() with ENOSPC or EDQUOT (a full
 * disk or quota)?  err_prefix() keeps this, err() clears it. */
int err_no_space(void);
/* If so, make the message the one docs/cli.md documents for a full disk,
 * naming dir (the store) and keeping the cause (once, however often it is
 * called), and return 1; else change nothing and return 0. */
int err_disk_full(const char *dir);

#endif
