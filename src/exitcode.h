/* exitcode: distill's exit statuses, one table for every command.
 *
 * Each row: the C name, the status, the name (distill core) exports it
 * by to Scheme (%exit-NAME), and the meaning distill --help prints;
 * docs/cli.md's table says the same at length (t/cli2.t checks that the
 * two list the same statuses, and each status from a real invocation).
 * The C code, the glue and (distill script) all take their statuses
 * from here.  A status of 128+N (EXIT_SIGNAL + N) is a death by signal N:
 * sched.c re-raises SIGINT, SIGTERM and SIGHUP once its builds are dead. */
#ifndef DISTILL_EXITCODE_H
#define DISTILL_EXITCODE_H

#define DISTILL_EXIT_CODES(X)                                                        \
	X(EXIT_OK, 0, "ok", "success")                                               \
	X(EXIT_BUILD, 1, "build",                                                    \
	  "a build failed, a source could not be fetched, or push could not\n"     \
	  "        upload a plan")                                                   \
	X(EXIT_USAGE, 2, "usage",                                                    \
	  "bad usage: unknown command or option, a missing or malformed argument\n" \
	  "        (not a hash), a script that cannot be read, no such package")   \
	X(EXIT_RECIPE, 3, "recipe", "a recipe error (FILE:LINE:COL: error: ...)")    \
	X(EXIT_SYSTEM, 4, "system",                                                  \
	  "distill could not do its job: the store (full, corrupt, another\n"      \
	  "        user's), or a kernel that refuses the sandbox")                  \
	X(BOOT_EXIT_TIMEOUT, 5, "boot-timeout",                                      \
	  "boot: the timeout passed before a console line matched --expect")       \
	X(BOOT_EXIT_QEMU, 6, "boot-qemu",                                            \
	  "boot: QEMU exited before a line matched (without --expect: with an error)")

#define DISTILL_EXIT_ENUM(name, code, scheme, meaning) name = code,
enum { DISTILL_EXIT_CODES(DISTILL_EXIT_ENUM) EXIT_SIGNAL = 128 };
#undef DISTILL_EXIT_ENUM

#endif
