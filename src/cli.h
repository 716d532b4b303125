/* cli: the commands that need no Scheme, and the options all commands share.
 *
 * main.c parses the command line into a struct cli and calls one cli_*
 * function (or, for run and build, the Guile glue).  Each returns the
 * process exit status, documented in docs/cli.md:
 *   0 success, 1 a build failed, 2 bad usage, 3 a recipe error,
 *   4 distill could not do its job (store, sandbox, disk). */
#ifndef DISTILL_CLI_H
#define DISTILL_CLI_H

#include "sched.h"
#include "store.h"

enum { EXIT_OK = 0, EXIT_BUILD = 1, EXIT_USAGE = 2, EXIT_RECIPE = 3, EXIT_SYSTEM = 4 };

struct cli {
	const char *store_dir;	/* --store, or NULL for the default */
	struct sched_opts sched;
	int backtrace;		/* --backtrace: Guile's backtrace on errors */
	int offline;		/* --offline: never open a connection */
	int argc;		/* the command's own arguments */
	char **argv;
};

/* Open the store named by the options (the caller closes it); NULL with
 * the error already printed. */
struct store *cli_store(const struct cli *c);
/* Print "distill: error: <err_msg()>" and return code. */
int cli_fail(int code);
/* Parse a plan hash argument; prints the error itself. */
int cli_hash_arg(const char *arg, hash_t *h);

int cli_sum(struct cli *c);
int cli_intern(struct cli *c);
int cli_again(struct cli *c);
int cli_log(struct cli *c);
int cli_show(struct cli *c);
int cli_gc(struct cli *c);
int cli_fsck(struct cli *c);

#endif
