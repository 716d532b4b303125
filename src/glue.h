/* glue: distill's Scheme, GNU Guile 3.0 embedded.
 *
 * The only module that includes libguile.h.  It boots Guile, sets the
 * reader to accept postfix keywords (name: value), puts distill's Scheme
 * library on the load path (the script's directory, $DISTILL_PATH, the
 * lib/ directory beside the binary, the installed one), and defines the
 * primitives of the (distill core) module that the Scheme library builds
 * on: interning content into the store and building plan graphs through
 * the scheduler.  Recipe errors are reported as file:line:col: error: ...
 * (with Guile's backtrace only when asked for). */
#ifndef DISTILL_GLUE_H
#define DISTILL_GLUE_H

#include "cli.h"

/* distill run [SCRIPT [ARGS...]]: a script, or a REPL without one. */
int glue_run(struct cli *c);
/* distill build TARGET: a script or a package name; build its plan(s). */
int glue_build(struct cli *c);

/* distill fetch SCRIPT: fetch every source its plans need. */
int glue_fetch(struct cli *c);
/* distill verify SCRIPT: rebuild everything in a fresh store and compare. */
int glue_verify(struct cli *c);
/* distill list sources SCRIPT: print their pins and URLs. */
int glue_list(struct cli *c);
/* distill boot TARGET [options]: build a boot spec or disk image and run it
 * in QEMU (boot.h). */
int glue_boot(struct cli *c);
int glue_init(struct cli *c);

#endif
