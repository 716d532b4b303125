/* main: the command line.  Parses the shared options, then hands over to
 * one command (cli.c for the plain ones, glue.c for those that evaluate
 * Scheme).  The help texts live here, next to the table of commands. */
#define _GNU_SOURCE
#include "cli.h"
#include "err.h"
#include "glue.h"
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct command {
	const char *name;
	int (*run)(struct cli *);
	const char *usage;
	const char *help;
};

static const struct command commands[] = {
	{"build", glue_build, "build TARGET",
	 "Build TARGET with everything it needs: a script file (the plan or list\n"
	 "of plans its last expression returns), or the name of a package, whose\n"
	 "(pkg NAME) is expanded for x86_64.  Prints, for each plan, the output\n"
	 "hash and its path in the store."},
	{"run", glue_run, "run [SCRIPT [ARGS...]]",
	 "Evaluate a Scheme script (postfix keywords on, distill's modules on\n"
	 "the load path); with no script, start a REPL."},
	{"fetch", glue_fetch, "fetch TARGET",
	 "Fetch every source the plans of TARGET need into the store (mirrors\n"
	 "in $DISTILL_MIRRORS first), so that building can then run offline."},
	{"list", glue_list, "list sources TARGET",
	 "Print the pin and URL of every source the plans of TARGET need."},
	{"verify", glue_verify, "verify TARGET",
	 "Build the plans of TARGET, then build every plan they need again in a\n"
	 "fresh temporary store, and report plan by plan whether the outputs\n"
	 "are bit-identical (exit 1, keeping that store, when one is not)."},
	{"boot", glue_boot,
	 "boot TARGET|PLATFORM [SYSTEM] [--expect REGEX] [--timeout S] [--forward HOSTPORT:GUESTPORT]...\n"
	 "               [--accel kvm|tcg] [--state FILE]",
	 "Build TARGET, a script ending with a boot spec ((distill boot): kernel,\n"
	 "initrd, disk image) or a disk image plan, or the system SYSTEM (a\n"
	 "script ending with a make-system; default: a minimal one) laid out\n"
	 "for PLATFORM (plat/PLATFORM.scm), and run it in QEMU on its\n"
	 "serial console, with user-mode networking (--forward: a TCP port of\n"
	 "127.0.0.1 to the guest's) and a disk used through a copy-on-write\n"
	 "snapshot, never changed.  KVM when it really works, else TCG (--accel\n"
	 "forces one).  --expect: exit 0 as soon as a console line matches the\n"
	 "POSIX extended regex; --timeout: give up after S seconds.  QEMU is\n"
	 "killed either way.  Exit 5: the timeout passed first; 6: QEMU exited\n"
	 "before a match (or, without --expect, with an error).  --state FILE:\n"
	 "keep the disk's writes in FILE (qcow2) for the next boot."},
	{"init", glue_init, "init [FILE]",
	 "Write a starter system, FILE (default system.scm; never over an\n"
	 "existing file): DHCP, chrony, and SSH logins for holders of\n"
	 "certificates signed by the CA key ca.pub beside it.  Boot it with\n"
	 "distill boot qemu-x86_64 FILE --forward 2222:22."},
	{"sum", cli_sum, "sum [FILE...]",
	 "Print the BLAKE2b-256 (base64url, the form distill pins with) and the\n"
	 "SHA-256 of each FILE, or of standard input when there is none."},
	{"intern", cli_intern, "intern FILE...",
	 "Copy each FILE into the store as a blob and print its hash."},
	{"again", cli_again, "again PLANHASH...",
	 "Build a plan again from its stored encoding alone and check that it\n"
	 "yields the same output as recorded (exit 1 and both paths if not)."},
	{"log", cli_log, "log PLANHASH",
	 "Print the build log of a plan."},
	{"show", cli_show, "show PLANHASH",
	 "Print a plan's inputs, its output, its log's size and its build time."},
	{"gc", cli_gc, "gc [--dry-run] [--add-root NAME PLANHASH] [--remove-root NAME]",
	 "Remove from the store everything that the roots (plans named under\n"
	 "STORE/roots) do not reach; or add or remove a root."},
	{"fsck", cli_fsck, "fsck [--deep]",
	 "Check the store: every blob and tree hashes to its name, trees and\n"
	 "layers are read-only, each layer is what its key describes, every\n"
	 "record decodes and names what exists, no stray files.  --deep also\n"
	 "unpacks each archive again and checks the tree it is recorded to give.\n"
	 "Prints one line per problem and exits 4 if there is any; temp files\n"
	 "left by interrupted processes are counted, not problems (gc removes\n"
	 "them)."},
};

static void usage_all(FILE *f)
{
	fputs("usage: distill [OPTIONS] COMMAND [ARGS...]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  distill %s\n", commands[i].usage);
	fputs("\noptions (before or after the command):\n"
	      "  --store DIR   the store (default $XDG_CACHE_HOME/distill)\n"
	      "  -j N          run N builds and make jobs at once (default: cores)\n"
	      "  -k            keep going past failed builds\n"
	      "  -n            list the plans that would be built, build nothing\n"
	      "  --backtrace   show Guile's backtrace on recipe errors\n"
	      "  --offline     never open a network connection (mirror\n"
	      "                directories in $DISTILL_MIRRORS still serve)\n"
	      "  --help        this text, or a command's (distill COMMAND --help)\n"
	      "\nexit status: 0 ok, 1 a build failed, 2 bad usage, 3 a recipe\n"
	      "error, 4 distill could not do its job (store, sandbox, disk).\n", f);
}

static int need_value(int argc, char **argv, int i)
{
	if (i + 1 >= argc) {
		fprintf(stderr, "distill: %s needs a value (see distill --help)\n", argv[i]);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	const struct command *cmd = NULL;
	int help = 0, i;

	if (hash_lib_init() < 0)
		return cli_fail(EXIT_SYSTEM);
	/* What distill itself creates (store entries, layers) does not depend
	 * on the caller's umask. */
	umask(022);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--store")) {
			if (!need_value(argc, argv, i))
				return EXIT_USAGE;
			c.store_dir = argv[++i];
		} else if (!strncmp(a, "--store=", 8)) {
			c.store_dir = a + 8;
		} else if (!strncmp(a, "-j", 2)) {
			const char *v = a[2] ? a + 2 : NULL;
			if (!v) {
				if (!need_value(argc, argv, i))
					return EXIT_USAGE;
				v = argv[++i];
			}
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 1 || n > 1024) {
				fprintf(stderr, "distill: -j needs a number from 1 to 1024, not '%s'\n", v);
				return EXIT_USAGE;
			}
			c.sched.jobs = n;
		} else if (!strcmp(a, "-k")) {
			c.sched.keep_going = 1;
		} else if (!strcmp(a, "-n")) {
			c.sched.dry_run = 1;
		} else if (!strcmp(a, "--backtrace")) {
			c.backtrace = 1;
		} else if (!strcmp(a, "--offline")) {
			c.offline = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help = 1;
		} else if (a[0] == '-' && a[1] &&
			   !(cmd && (!strcmp(cmd->name, "gc") || !strcmp(cmd->name, "fsck") ||
				      !strcmp(cmd->name, "boot")))) {
			fprintf(stderr, "distill: unknown option '%s' (see distill --help)\n", a);
			return EXIT_USAGE;
		} else if (!cmd) {
			for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
				if (!strcmp(a, commands[k].name))
					cmd = &commands[k];
			if (!strcmp(a, "help")) {
				help = 1;
				continue;
			}
			if (!cmd) {
				fprintf(stderr, "distill: unknown command '%s' (see distill --help)\n", a);
				return EXIT_USAGE;
			}
		} else {
			break;
		}
	}
	if (help && !cmd && i < argc) {
		for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
			if (!strcmp(argv[i], commands[k].name))
				cmd = &commands[k];
	}
	if (help || !cmd) {
		if (cmd) {
			printf("usage: distill %s\n\n%s\n", cmd->usage, cmd->help);
		} else {
			usage_all(help ? stdout : stderr);
		}
		return help ? EXIT_OK : EXIT_USAGE;
	}
	c.argc = argc - i;
	c.argv = argv + i;
	return cmd->run(&c);
}
