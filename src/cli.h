/* cli: the commands that need no Scheme, and the options all commands share.
 *
 * main.c parses the command line into a struct cli (its strings are
 * argv's; the arrays are main's) and calls the command's C function, or
 * the Guile glue with the command's procedure in (distill script).  Each
 * returns the process exit status, one of exitcode.h's table (docs/cli.md). */
#ifndef DISTILL_CLI_H
#define DISTILL_CLI_H

#include "exitcode.h"
#include "sched.h"
#include "store.h"

/* One of a command's own options: --NAME, with its value ("" for one
 * that takes none). */
struct cli_opt {
	const char *name, *value;
};

struct cli {
	const char *command;	/* the command's name */
	const char *store_dir;	/* --store, or NULL for the default */
	struct sched_opts sched;	/* -j, -k, -n */
	int backtrace;		/* --backtrace: Guile's backtrace on errors */
	int offline;		/* --offline: never open a connection */
	const char *pins;	/* --pins FILE: checked (sched.pins), or written by pin */
	int verbose;		/* -v: notes too (records a cache offers and we ignore) */
	char **cache_urls;	/* --cache URL..., main's array */
	size_t ncache_urls;
	int cache_push;		/* --cache-push */
	struct cache_set caches;	/* opened by cli_open_caches */
	int json;		/* --json: results as one JSON document */
	int argc;		/* the command's arguments, options taken out */
	char **argv;
	int script_argc;	/* after "--": a script's own arguments */
	char **script_argv;
	int nopts;		/* the command's own options, in their order */
	const struct cli_opt *opts;
	/* why, graph: what is printed from the nodes of the run's dry run
	 * (sched.dry_silent), by the glue once it is over; 0 or -1, err set. */
	int (*report)(struct store *s, struct sched_node *nodes, size_t n);
	const char *out_link;	/* build -o NAME: the result links' name */
	int no_link;		/* build --no-link */
	int dry_run_interns;	/* why: the dry run interns the recipes' texts */
};

/* Open the store named by the options (the caller closes it); NULL with
 * the error already printed. */
struct store *cli_store(const struct cli *c);
/* The remote caches: --cache's URLs, else $DISTILL_CACHE's (none with
 * --offline), into c->caches, which c->sched points to.  EXIT_OK, or the
 * exit status of an error (printed). */
int cli_open_caches(struct cli *c);
/* distill push: EXIT_OK when every plan it queued was uploaded, else
 * EXIT_BUILD, said. */
int cli_pushed(struct cli *c);
void cli_close_caches(struct cli *c);
/* Print "distill: error: <err_msg()>" and return code. */
int cli_fail(int code);
/* Parse a plan hash argument; prints the error itself. */
int cli_hash_arg(const char *arg, hash_t *h);
/* The value of the command's last --NAME ("" for a flag), or NULL. */
const char *cli_opt(const struct cli *c, const char *name);

/* --pins: the pins file that `pin` writes (default distill.pins), or,
 * for the other commands, loaded into c->sched.pins to check builds
 * against.  EXIT_OK, or EXIT_USAGE with the error printed (a file that is
 * missing or malformed). */
int cli_pins(struct cli *c);

/* The commands' checks of their own options, before they run: 0, or -1
 * with err() saying what is wrong (a usage error). */
int cli_gc_check(const struct cli *c);
int cli_find_check(const struct cli *c);

int cli_sum(struct cli *c);
int cli_intern(struct cli *c);
int cli_again(struct cli *c);
int cli_log(struct cli *c);
int cli_show(struct cli *c);
int cli_gc(struct cli *c);
int cli_cache_remove(struct cli *c);
int cli_fsck(struct cli *c);
int cli_why(struct cli *c);
int cli_graph(struct cli *c);
int cli_key(struct cli *c);

#endif
