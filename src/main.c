/* main: the command line.  One table of commands: each row says what the
 * command takes (arguments, a script's own arguments after "--", options
 * of its own) and what runs it: a procedure of (distill script), through
 * glue_call, or a C function (cli.c).  getopt_long parses the options,
 * shared and the command's, anywhere before "--"; what a command does not
 * take is a usage error (exit 2).  The help texts live here too. */
#define _GNU_SOURCE
#include "bootui.h"
#include "cli.h"
#include "err.h"
#include "fsutil.h"
#include "glue.h"
#include "hash.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A command: one row of the table below.  Its arguments are what is left
 * of the command line once the options are taken out (they may stand
 * anywhere before "--"); what follows "--" is a script's own arguments. */
struct command {
	const char *name;
	const char *scheme;	/* its procedure in (distill script), or NULL */
	int (*run)(struct cli *);	/* else its C function */
	const char *word;	/* the word its arguments start with, or NULL */
	int min, max;		/* how many arguments it takes (MANY: no limit) */
	int script_args;	/* takes a script's own arguments after "--" */
	const struct option *opts;	/* its own long options, or NULL */
	int (*check)(const struct cli *);	/* checks them first, or NULL */
	const char *usage;
	const char *help;
};

enum { MANY = -1, OWN = 0x100 /* getopt's value for a command's own option */, PINS };

static const struct option boot_options[] = {
	{"expect", required_argument, NULL, OWN}, {"timeout", required_argument, NULL, OWN},
	{"forward", required_argument, NULL, OWN}, {"accel", required_argument, NULL, OWN},
	{"state", required_argument, NULL, OWN}, {"net", required_argument, NULL, OWN}, {0},
};
static const struct option gc_options[] = {
	{"add-root", required_argument, NULL, OWN}, {"remove-root", required_argument, NULL, OWN},
	{"all", no_argument, NULL, OWN}, {0},
};
static const struct option fsck_options[] = {{"deep", no_argument, NULL, OWN}, {0}};
static const struct option find_options[] = {{"failed", no_argument, NULL, OWN}, {0}};
static const struct option graph_options[] = {{"why", no_argument, NULL, OWN}, {0}};

static const struct option arch_options[] = {{"arch", required_argument, NULL, OWN}, {0}};

static const struct command commands[] = {
	{"build", "build-script", NULL, NULL, 1, MANY, 1, arch_options, NULL,
	 "build [--arch ARCH] TARGET...|PLATFORM [SYSTEM] [-o NAME | --no-link] [-- ARGS...]",
	 "Build each TARGET with everything it needs: a script file (the plan or\n"
	 "list of plans its last expression returns, or the image of the system it\n"
	 "defines on the platform it defines; ARGS are its arguments), or the name\n"
	 "of a package, whose (pkg NAME) is expanded for ARCH (x86_64, aarch64,\n"
	 "ppc64le; default x86_64); or the image of the system SYSTEM (a script\n"
	 "defining or ending with a system; default: a minimal one) on PLATFORM\n"
	 "(plat/PLATFORM.scm).  Prints, for each plan, the output hash and its\n"
	 "path in the store, and for an image its size; and leaves a symlink to\n"
	 "each output, result (-o NAME: NAME; then NAME-2, NAME-3... for the next\n"
	 "plans), that keeps it from gc while it points there; --no-link: none.\n"
	 "Each link is said on stderr, a file's with its size."},
	{"push", "build-script", NULL, NULL, 1, MANY, 1, arch_options, NULL,
	 "push [--arch ARCH] TARGET...|PLATFORM [SYSTEM] --cache URL [-- ARGS...]",
	 "Build each TARGET as build does (what the store holds is not built\n"
	 "again), then upload every plan they need, built here or found in the\n"
	 "store, to the caches (--cache URL or DISTILL_CACHE), signed with your\n"
	 "key, so that another store builds them with none of its own builds.\n"
	 "Says each plan it pushed."},
	{"pin", "pin-script", NULL, NULL, 1, MANY, 1, arch_options, NULL,
	 "pin [--arch ARCH] TARGET... [--pins FILE] [-- ARGS...]",
	 "Build each TARGET as build does, then write the output hash of every\n"
	 "plan they need, by plan name, to the pins file FILE (default\n"
	 "distill.pins), a lock file to commit beside the recipes.  Builds run\n"
	 "with --pins FILE then fail on any output that differs from its pin,\n"
	 "cached or not, and on any plan the file does not name."},
	{"sbom", "sbom-script", NULL, NULL, 1, MANY, 1, arch_options, NULL,
	 "sbom [--arch ARCH] TARGET... [-- ARGS...]",
	 "Build each TARGET as build does, then print an SPDX 2.3 document\n"
	 "(JSON) of every plan they need: name, version, licence, plan and\n"
	 "output hashes; every source with its URL and pin; what depends on\n"
	 "what.  The same plans give the same bytes (no time in it but\n"
	 "$SOURCE_DATE_EPOCH's)."},
	{"run", "run-script", NULL, NULL, 0, MANY, 1, NULL, NULL,
	 "run [SCRIPT [ARGS...] [-- ARGS...]]",
	 "Evaluate a Scheme script (postfix keywords on, distill's modules on\n"
	 "the load path); with no script, start a REPL."},
	{"fetch", "fetch-script", NULL, NULL, 1, MANY, 1, arch_options, NULL,
	 "fetch [--arch ARCH] TARGET...|PLATFORM [SYSTEM] [-- ARGS...]",
	 "Fetch every source the plans of TARGET need into the store (mirrors\n"
	 "in $DISTILL_MIRRORS first), so that building can then run offline."},
	{"list", "list-sources-script", NULL, "sources", 1, MANY, 1, NULL, NULL,
	 "list sources TARGET...|PLATFORM [SYSTEM] [-- ARGS...]",
	 "Print the pin and URL of every source the plans of TARGET need."},
	{"list", "list-packages-script", NULL, "packages", 0, 0, 0, NULL, NULL,
	 "list packages",
	 "Print the name of each package module (pkg/NAME.scm on the load path),\n"
	 "sorted, and the version of the package NAME it exports, if it does."},
	{"verify", "verify-script", NULL, NULL, 1, MANY, 1, arch_options, NULL,
	 "verify [--arch ARCH] TARGET...|PLATFORM [SYSTEM] [-- ARGS...]",
	 "Build the plans of TARGET, then build every plan they need again in a\n"
	 "fresh temporary store, and report plan by plan whether the outputs\n"
	 "are bit-identical (exit 1, keeping that store, when one is not)."},
	{"boot", "boot-script", NULL, NULL, 1, 2, 1, boot_options, bootui_check,
	 "boot TARGET|PLATFORM [SYSTEM] [--expect REGEX] [--timeout S] [--forward HOSTPORT:GUESTPORT]...\n"
	 "               [--net OPTS]... [--accel kvm|tcg] [--state FILE] [-- ARGS...]",
	 "Build TARGET, a script ending with a boot spec ((distill boot): kernel,\n"
	 "initrd, disk image) or a disk image plan, or defining a system and its\n"
	 "platform, or the system SYSTEM (a script defining or ending with a\n"
	 "make-system; default: a minimal one) laid out\n"
	 "for PLATFORM (plat/PLATFORM.scm), and run it in QEMU on its\n"
	 "serial console, with user-mode networking (--forward: a TCP port of\n"
	 "127.0.0.1 to the guest's) and a disk used through a copy-on-write\n"
	 "snapshot, never changed.  KVM when it really works, else TCG (--accel\n"
	 "forces one).  --expect: exit 0 as soon as a console line matches the\n"
	 "POSIX extended regex; --timeout: give up after S seconds.  QEMU is\n"
	 "killed either way.  Exit 5: the timeout passed first; 6: QEMU exited\n"
	 "before a match (or, without --expect, with an error).  --state FILE:\n"
	 "keep the disk's writes in FILE (qcow2) for the next boot.  --net OPTS:\n"
	 "another NIC (eth1, eth2...) on its own user network, OPTS QEMU's\n"
	 "-netdev user options (net=169.254.0.0/16,guestfwd=...)."},
	{"init", "init-script", NULL, NULL, 0, 1, 0, NULL, NULL, "init [FILE]",
	 "Write a starter system, FILE (default system.scm; never over an\n"
	 "existing file): DHCP, chrony, and SSH logins for holders of\n"
	 "certificates signed by the CA key ca.pub beside it.  Boot it with\n"
	 "distill boot qemu-system-x86_64 FILE --forward 2222:22."},
	{"sum", NULL, cli_sum, NULL, 0, MANY, 0, NULL, NULL, "sum [FILE...]",
	 "Print the BLAKE2b-256 (base64url, the form distill pins with) and the\n"
	 "SHA-256 of each FILE, or of standard input when there is none."},
	{"intern", NULL, cli_intern, NULL, 1, MANY, 0, NULL, NULL, "intern FILE...",
	 "Copy each FILE into the store as a blob and print its hash."},
	{"again", NULL, cli_again, NULL, 1, MANY, 0, NULL, NULL, "again PLANHASH...",
	 "Build a plan again from its stored encoding alone and check that it\n"
	 "yields the same output as recorded (exit 1 and both paths if not)."},
	{"log", NULL, cli_log, NULL, 0, 1, 0, find_options, cli_find_check, "log PLAN|--failed",
	 "Print the build log of a plan.  PLAN is its hash, a unique prefix of it\n"
	 "(4 characters or more), or a plan name: the last build of that name (a\n"
	 "package name NAME also finds the plan NAME-VERSION); --failed: the\n"
	 "last failed build."},
	{"show", NULL, cli_show, NULL, 0, 1, 0, find_options, cli_find_check, "show PLAN|--failed",
	 "Print a plan's inputs, its output, its log's size and its build time.\n"
	 "PLAN as for distill log."},
	{"why", NULL, cli_why, NULL, 0, MANY, 1, find_options, cli_find_check,
	 "why TARGET...|PLAN|--failed [-- ARGS...]",
	 "Say, for each plan of TARGET that would be built, what changed since\n"
	 "the last build of its name: each input added, removed or changed, with\n"
	 "the old and new hash, and a unified diff for small text files.  Given\n"
	 "a stored PLAN (its hash, a unique prefix of it, or its exact plan name)\n"
	 "or --failed, what changed at that build since the one before it."},
	{"graph", NULL, cli_graph, NULL, 1, MANY, 1, graph_options, NULL,
	 "graph TARGET... [--why] [-- ARGS...]",
	 "Print the plan graph of TARGET in Graphviz's dot language (distill graph\n"
	 "x.scm | dot -Tsvg > x.svg): a node per plan, named by plan name and the\n"
	 "first characters of its hash, those that would be built in bold red, an\n"
	 "edge from each input plan to the plan using it.  --why: only the plans\n"
	 "that would be built."},
	{"gc", NULL, cli_gc, NULL, 0, 1, 0, gc_options, cli_gc_check,
	 "gc [--dry-run] [--all] [--add-root NAME PLANHASH] [--remove-root NAME]",
	 "Remove from the store everything that the roots do not reach: plans\n"
	 "named under STORE/roots, the outputs that result links of distill build\n"
	 "point to, and the last build (and last successful build) of each plan\n"
	 "name, unless --all.  --dry-run, -n: list what would be removed, remove\n"
	 "nothing.  Or add or remove a root."},
	{"cache", NULL, cli_cache_remove, "remove", 1, MANY, 0, NULL, NULL,
	 "cache remove COMPONENT...",
	 "Drop what a TOML description's caching = \"aggressive\" COMPONENT\n"
	 "keeps (its gc root toml-COMPONENT): the output may then be collected\n"
	 "by gc, and the next build of it runs it again (docs/toml.md)."},
	{"key", NULL, cli_key, "generate", 0, 0, 0, NULL, NULL, "key generate",
	 "Make a signing key pair for what --cache-push uploads:\n"
	 "$XDG_CONFIG_HOME/distill/signing-key (mode 0600) and signing-key.pub,\n"
	 "whose line (printed) is added to trusted-keys there.  Others trust\n"
	 "your pushes by adding that line to their trusted-keys."},
	{"fsck", NULL, cli_fsck, NULL, 0, 0, 0, fsck_options, NULL, "fsck [--deep]",
	 "Check the store: every blob and tree hashes to its name, trees and\n"
	 "layers are read-only, each layer is what its key describes, every\n"
	 "record decodes and names what exists, no stray files.  --deep also\n"
	 "unpacks each archive again and checks the tree it is recorded to give.\n"
	 "Prints one line per problem and exits 4 if there is any; temp files\n"
	 "left by interrupted processes are counted, not problems (gc removes\n"
	 "them)."},
};

enum { NCOMMANDS = sizeof commands / sizeof *commands };

static void usage_all(FILE *f)
{
	fputs("usage: distill [OPTIONS] COMMAND [ARGS...] [-- SCRIPT-ARGS...]\n\ncommands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  distill %s\n", commands[i].usage);
	fputs("\noptions (anywhere before --, which starts a script's own arguments):\n"
	      "  --store DIR     the store (default $XDG_CACHE_HOME/distill)\n"
	      "  -j, --jobs N    run N builds and make jobs at once (default: cores)\n"
	      "  -k, --keep-going  keep going past failed builds\n"
	      "  -n, --dry-run   list the plans that would be built, build nothing\n"
	      "  -o, --out-link NAME  build: the result links' name (default result)\n"
	      "  --no-link       build: no result links\n"
	      "  --backtrace     show Guile's backtrace on recipe errors\n"
	      "  --offline       never open a network connection (mirror\n"
	      "                  directories in $DISTILL_MIRRORS still serve)\n"
	      "  --pins FILE     check every output against its pin in FILE\n"
	      "                  (distill pin writes it)\n"
	      "  --cache URL     ask this build cache for outputs first (again for\n"
	      "                  more; default: $DISTILL_CACHE's URLs)\n"
	      "  --cache-push    upload what is built here to the caches, signed\n"
	      "  -q, --quiet     print the results only: no building/built lines, no\n"
	      "                  live status line (errors and the summary still)\n"
	      "  -v, -L, --verbose, --print-build-logs\n"
	      "                  stream the build logs to stderr, each line after NAME|,\n"
	      "                  and say which records a cache has are ignored\n"
	      "  --json          build: print the results as one JSON document\n"
	      "  --version       distill's version and Guile's\n"
	      "  -h, --help      this text, or a command's (distill COMMAND --help)\n"
	      "\nexit status, of every command:\n", f);
#define EXIT_ROW(name, code, scheme, meaning) fprintf(f, "  %-5d %s\n", code, meaning);
	DISTILL_EXIT_CODES(EXIT_ROW)
#undef EXIT_ROW
	fprintf(f, "  %-5s killed by signal N (%d: Ctrl-C, %d: SIGTERM); its builds die first\n",
		"128+N", EXIT_SIGNAL + SIGINT, EXIT_SIGNAL + SIGTERM);
}

/* The help of the command name: of each row of that name. */
static void help_of(const char *name)
{
	const char *sep = "";
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (!strcmp(name, commands[k].name)) {
			printf("%susage: distill %s\n\n%s\n", sep, commands[k].usage, commands[k].help);
			sep = "\n";
		}
}

/* The options every command takes; a command's own come after them. */
static const struct option shared_opts[] = {
	{"store", required_argument, NULL, 'S'}, {"jobs", required_argument, NULL, 'j'},
	{"keep-going", no_argument, NULL, 'k'}, {"dry-run", no_argument, NULL, 'n'},
	{"backtrace", no_argument, NULL, 'B'}, {"offline", no_argument, NULL, 'O'},
	{"pins", required_argument, NULL, PINS}, {"help", no_argument, NULL, 'h'},
	{"out-link", required_argument, NULL, 'o'}, {"no-link", no_argument, NULL, 'N'},
	{"cache", required_argument, NULL, 'C'}, {"cache-push", no_argument, NULL, 'P'},
	{"quiet", no_argument, NULL, 'q'},
	{"version", no_argument, NULL, 'V'}, {"json", no_argument, NULL, 'J'},
	{"verbose", no_argument, NULL, 'v'}, {"print-build-logs", no_argument, NULL, 'L'},
};
enum { NSHARED = sizeof shared_opts / sizeof *shared_opts };

/* The first row of the command name (of those that share a name and differ
 * by their first word, the row of word, if any); NULL if there is none. */
static const struct command *command_named(const char *name, const char *word)
{
	const struct command *first = NULL;
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (!strcmp(name, commands[k].name)) {
			if (word && commands[k].word && !strcmp(word, commands[k].word))
				return &commands[k];
			if (!first)
				first = &commands[k];
		}
	return first;
}

/* The Levenshtein distance between a and b (command names: short). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t nb = strlen(b), row[nb + 1];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 0; a[i]; i++) {
		size_t diag = row[0];
		row[0] = i + 1;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j], sub = diag + (a[i] != b[j - 1]);
			row[j] = sub < up + 1 ? sub : up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[nb];
}

/* An unknown command, and the closest known one when it is a few edits away
 * (as (distill script) suggests package names). */
static int unknown_command(const char *name)
{
	const char *best = NULL;
	size_t bestd = 0, len = strlen(name), most = len / 3 > 2 ? len / 3 : 2;
	for (size_t k = 0; k < NCOMMANDS && len < 64; k++) {
		size_t d = edit_distance(name, commands[k].name);
		if (d <= most && d < len && (!best || d < bestd)) {
			best = commands[k].name;
			bestd = d;
		}
	}
	fprintf(stderr, "distill: unknown command '%s'%s%s%s (see distill --help)\n", name,
		best ? "; did you mean " : "", best ? best : "", best ? "?" : "");
	return EXIT_USAGE;
}

/* getopt_long's table for cmd (NULL: before the command): the shared
 * options, then the command's own, then the terminating zeros. */
static struct option *options_of(const struct command *cmd, struct option *buf, size_t n)
{
	size_t k = NSHARED;
	memcpy(buf, shared_opts, sizeof shared_opts);
	for (const struct option *o = cmd ? cmd->opts : NULL; o && o->name && k + 1 < n; o++)
		buf[k++] = *o;
	memset(&buf[k], 0, sizeof *buf);
	return buf;
}

/* -j's value; 0 when it is not a number from 1 to 1024. */
static int jobs_value(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 1 || n > 1024) {
		fprintf(stderr, "distill: -j needs a number from 1 to 1024, not '%s'\n", v);
		return 0;
	}
	return n;
}

/* What getopt_long refused: an unknown option, or one without its value. */
static int bad_option(int o, char **argv)
{
	const char *a = argv[optind - 1];
	if (o == ':')
		fprintf(stderr, "distill: option '%s' needs a value (see distill --help)\n", a);
	else if (a[0] == '-' && a[1] != '-' && optopt)
		fprintf(stderr, "distill: unknown option '-%c' (see distill --help)\n", optopt);
	else
		fprintf(stderr, "distill: unknown option '%s' (see distill --help)\n", a);
	return EXIT_USAGE;
}

struct parsed {
	const struct command *cmd;
	int help, version;
	struct cli_opt *opts;	/* room for argc of the command's own options */
	char **args;		/* and of its arguments */
};

/* One option, or argument, from getopt_long into c and p; EXIT_OK, or the
 * exit status of a usage error (printed). */
static int take(int o, int li, const struct option *lo, struct cli *c, struct parsed *p)
{
	switch (o) {
	case 1:
		if (!p->cmd && !p->help && !strcmp(optarg, "help"))
			p->help = 1;
		else if (p->cmd)
			p->args[c->argc++] = optarg;
		else if (!(p->cmd = command_named(optarg, NULL)))
			return unknown_command(optarg);
		return EXIT_OK;
	case 'S': c->store_dir = optarg; return EXIT_OK;
	case 'j': return (c->sched.jobs = jobs_value(optarg)) ? EXIT_OK : EXIT_USAGE;
	case 'k': c->sched.keep_going = 1; return EXIT_OK;
	case 'n': c->sched.dry_run = 1; return EXIT_OK;
	case 'B': c->backtrace = 1; return EXIT_OK;
	case 'O': c->offline = 1; return EXIT_OK;
	case PINS: c->pins = optarg; return EXIT_OK;
	case 'C': c->cache_urls[c->ncache_urls++] = optarg; return EXIT_OK;
	case 'P': c->cache_push = 1; return EXIT_OK;
	case 'h': p->help = 1; return EXIT_OK;
	case 'o': c->out_link = optarg; return EXIT_OK;
	case 'N': c->no_link = 1; return EXIT_OK;
	case 'q': c->sched.quiet = 1; return EXIT_OK;
	case 'V': p->version = 1; return EXIT_OK;
	case 'J': c->json = 1; return EXIT_OK;
	case 'v': case 'L': c->sched.verbose = c->verbose = 1; return EXIT_OK;
	case OWN:
		p->opts[c->nopts].name = lo[li].name;
		p->opts[c->nopts++].value = optarg ? optarg : "";
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

/* The command line into c and p: options anywhere, in any of getopt_long's
 * spellings, until "--"; what follows it is the script's. */
static int parse(int argc, char **argv, struct cli *c, struct parsed *p)
{
	struct option lo[NSHARED + 16];
	options_of(NULL, lo, sizeof lo / sizeof *lo);
	opterr = 0;
	for (;;) {
		int li = -1, before = optind;
		const struct command *had = p->cmd;
		int o = getopt_long(argc, argv, "-:j:knho:qvL", lo, &li);
		if (o == -1) {
			if (optind > before && !strcmp(argv[optind - 1], "--")) {
				c->script_argc = argc - optind;
				c->script_argv = argv + optind;
			}
			return EXIT_OK;
		}
		if (o == '?' || o == ':')
			return bad_option(o, argv);
		int r = take(o, li, lo, c, p);
		if (r != EXIT_OK)
			return r;
		if (p->cmd != had)
			options_of(p->cmd, lo, sizeof lo / sizeof *lo);
	}
}

/* The words the rows named name start with, as "sources or packages". */
static const char *words_of(const char *name)
{
	static char buf[256];
	buf[0] = 0;
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (!strcmp(name, commands[k].name) && commands[k].word)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
				 buf[0] ? " or " : "", commands[k].word);
	return buf;
}

/* Does c give cmd what it takes?  Prints what it does not. */
static int takes(const struct command *cmd, struct cli *c)
{
	char *why = NULL;
	if (cmd->word && (c->argc < 1 || strcmp(c->argv[0], cmd->word)))
		why = fs_fmt("%s needs a word first: %s", cmd->name, words_of(cmd->name));
	int n = c->argc - !!cmd->word;
	if (!why && n < cmd->min)
		why = fs_fmt("%s needs an argument", cmd->name);
	else if (!why && cmd->max != MANY && n > cmd->max)
		why = fs_fmt("%s takes no argument '%s'%s", cmd->name,
			     c->argv[!!cmd->word + cmd->max],
			     cmd->script_args ? " (a script's own arguments come after --)" : "");
	else if (!why && c->script_argc && !cmd->script_args)
		why = fs_fmt("%s takes no script arguments (after --)", cmd->name);
	else if (!why && c->script_argc && n == 0)
		why = fs_fmt("the arguments after -- are a script's, and no script is given");
	else if (!why && (c->out_link || c->no_link) && strcmp(cmd->name, "build"))
		why = fs_fmt("%s makes no result link (-o and --no-link are build's)", cmd->name);
	else if (!why && c->out_link && c->no_link)
		why = fs_fmt("-o NAME makes a result link, --no-link none: one of them");
	else if (!why && c->out_link && (!*c->out_link || !strcmp(c->out_link, "-")))
		why = fs_fmt("-o needs the name of the result link, not '%s'", c->out_link);
	else if (!why && cmd->check && cmd->check(c) < 0)
		why = fs_fmt("%s", err_msg());
	if (why) {
		fprintf(stderr, "distill: %s\nusage: distill %s\n", why, cmd->usage);
		free(why);
		return 0;
	}
	c->argc = n;
	c->argv += !!cmd->word;
	return 1;
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	struct parsed p = {0};

	if (hash_lib_init() < 0)
		return cli_fail(EXIT_SYSTEM);
	/* What distill itself creates (store entries, layers) does not depend
	 * on the caller's umask. */
	umask(022);
	p.opts = xmalloc(argc * sizeof *p.opts);
	p.args = xmalloc(argc * sizeof *p.args);
	c.argv = p.args;
	c.cache_urls = xmalloc(argc * sizeof *c.cache_urls);
	c.opts = p.opts;
	int rc = parse(argc, argv, &c, &p);
	if (rc == EXIT_OK && p.version) {
		printf("distill %s (GNU Guile %s)\n", DISTILL_VERSION, glue_guile_version());
	} else if (rc == EXIT_OK && (p.help || !p.cmd)) {
		if (p.cmd)
			help_of(p.cmd->name);
		else
			usage_all(p.help ? stdout : stderr);
		rc = p.help ? EXIT_OK : EXIT_USAGE;
	} else if (rc == EXIT_OK && (p.cmd = command_named(p.cmd->name, c.argc ? c.argv[0] : NULL)) &&
		   (c.command = p.cmd->name) && !takes(p.cmd, &c)) {
		rc = EXIT_USAGE;
	} else if (rc == EXIT_OK && (rc = cli_pins(&c)) == EXIT_OK &&
		   (rc = cli_open_caches(&c)) == EXIT_OK) {
		rc = p.cmd->scheme ? glue_call(&c, p.cmd->scheme) : p.cmd->run(&c);
		if (rc == EXIT_OK)
			rc = cli_pushed(&c);
		cli_close_caches(&c);
	}
	free(p.opts);
	free(p.args);
	free(c.cache_urls);
	return rc;
}
