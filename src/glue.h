/* glue: distill's Scheme, GNU Guile 3.0 embedded.
 *
 * The only module that includes libguile.h.  It boots Guile, sets the
 * reader to accept postfix keywords (name: value), puts distill's Scheme
 * library on the load path (where libpath.h finds it), calls one
 * command's procedure of (distill script), and defines the
 * primitives of the (distill core) module that the Scheme library builds
 * on: interning content into the store and building plan graphs through
 * the scheduler.  Recipe errors are reported as file:line:col: error: ...
 * (with Guile's backtrace only when asked for). */
#ifndef DISTILL_GLUE_H
#define DISTILL_GLUE_H

#include "cli.h"

/* Run the command c (main.c's table) as PROC of (distill script), called
 * with its arguments, the script's own arguments (after "--") and whether
 * --backtrace was given; returns the exit status PROC returns. */
int glue_call(struct cli *c, const char *proc);
/* The version of Guile distill is built with, as "3.0.8". */
const char *glue_guile_version(void);

#endif
