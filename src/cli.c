#define _GNU_SOURCE
#include "cli.h"
#include "build.h"
#include "err.h"
#include "fsck.h"
#include "find.h"
#include "fsutil.h"
#include "gc.h"
#include "pins.h"
#include "glue.h"
#include "graph.h"
#include "plan.h"
#include "status.h"
#include "why.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_fail(int code)
{
	fprintf(stderr, "distill: error: %s\n", err_msg());
	return code;
}

static struct store *open_with(const struct cli *c, struct store *(*open)(const char *))
{
	char *dir = c->store_dir ? xstrdup(c->store_dir) : store_default_dir();
	struct store *s = dir ? open(dir) : NULL;
	free(dir);
	if (!s)
		cli_fail(EXIT_SYSTEM);
	return s;
}

struct store *cli_store(const struct cli *c)
{
	return open_with(c, store_open);
}

/* For commands that only read (show, log): any user who can read it. */
static struct store *cli_store_read(const struct cli *c)
{
	return open_with(c, store_open_read);
}

int cli_hash_arg(const char *arg, hash_t *h)
{
	if (hash_parse(arg, h) < 0) {
		fprintf(stderr, "distill: error: %s\n", err_msg());
		return -1;
	}
	return 0;
}

const char *cli_opt(const struct cli *c, const char *name)
{
	const char *v = NULL;
	for (int i = 0; i < c->nopts; i++)
		if (!strcmp(c->opts[i].name, name))
			v = c->opts[i].value;
	return v;
}

int cli_pins(struct cli *c)
{
	static struct pins loaded;
	if (!strcmp(c->command, "pin")) {
		if (!c->pins)
			c->pins = "distill.pins";
		return EXIT_OK;
	}
	if (!c->pins)
		return EXIT_OK;
	if (pins_load(c->pins, &loaded) < 0)
		return cli_fail(EXIT_USAGE);
	c->sched.pins = &loaded;
	return EXIT_OK;
}

static void print_sums(const hash_t *b2, const hash_t *sha, const char *name)
{
	char b[HASH_B64 + 1], x[80];
	hash_b64(b2, b);
	pin_format(&(pin_t){.kind = PIN_SHA256, .h = *sha}, x);
	if (name)
		printf("%s %s %s\n", b, x, name);
	else
		printf("%s %s\n", b, x);
}

int cli_sum(struct cli *c)
{
	hash_t b2, sha;
	if (c->argc == 0) {
		if (hash_fd(0, &b2, &sha) < 0)
			return cli_fail(EXIT_SYSTEM);
		print_sums(&b2, &sha, NULL);
		return EXIT_OK;
	}
	int rc = EXIT_OK;
	for (int i = 0; i < c->argc; i++) {
		if (hash_file(c->argv[i], &b2, &sha) < 0) {
			rc = cli_fail(EXIT_SYSTEM);
			continue;
		}
		print_sums(&b2, &sha, c->argv[i]);
	}
	return rc;
}

int cli_intern(struct cli *c)
{
	struct store *s = cli_store(c);
	if (!s)
		return EXIT_SYSTEM;
	int rc = EXIT_OK;
	for (int i = 0; i < c->argc; i++) {
		hash_t h;
		if (store_put_blob_file(s, c->argv[i], &h) < 0) {
			err_disk_full(store_dir(s));
			rc = cli_fail(EXIT_SYSTEM);
			continue;
		}
		char b[HASH_B64 + 1];
		hash_b64(&h, b);
		printf("%s %s\n", b, c->argv[i]);
	}
	store_close(s);
	return rc;
}

/* The error for a plan hash arg that s has no record of. */
static void no_plan(struct store *s, const char *arg)
{
	err("no plan %s in the store %s: no run here built, fetched or listed it "
	    "(distill -n build TARGET records the plans it lists), or gc removed it",
	    arg, store_dir(s));
}

/* Load the stored encoding of plan h (the argument arg); prints errors
 * itself. */
static int load_plan(struct store *s, const char *arg, const hash_t *h, struct plan *p)
{
	int g = store_get_plan(s, h, p);
	if (g == 1)
		no_plan(s, arg);
	if (g < 0)
		err_prefix("plan %s", arg);
	return g ? (cli_fail(EXIT_SYSTEM), -1) : 0;
}

int cli_again(struct cli *c)
{
	hash_t h[c->argc];
	for (int i = 0; i < c->argc; i++)
		if (cli_hash_arg(c->argv[i], &h[i]) < 0)
			return EXIT_USAGE;
	struct store *s = cli_store(c);
	if (!s)
		return EXIT_SYSTEM;
	struct sched_node *nodes = calloc(c->argc, sizeof *nodes);
	struct sched_node **targets = calloc(c->argc, sizeof *targets);
	int rc = EXIT_OK;
	for (int i = 0; i < c->argc; i++) {
		if (load_plan(s, c->argv[i], &h[i], &nodes[i].plan) < 0) {
			rc = EXIT_SYSTEM;
			goto out;
		}
		targets[i] = &nodes[i];
	}
	struct sched_opts o = c->sched;
	o.rebuild = 1;
	struct sched_stats st;
	int r = sched_run(s, targets, c->argc, &o, &st);
	if (r < 0)
		rc = cli_fail(EXIT_SYSTEM);
	else if (r > 0)
		rc = EXIT_BUILD;
	for (int i = 0; rc == EXIT_OK && i < c->argc; i++) {
		char hb[HASH_B64 + 1];
		hash_b64(&nodes[i].out.hash, hb);
		printf("%s %s: same output as recorded\n", hb, nodes[i].plan.name);
	}
out:
	for (int i = 0; i < c->argc; i++) {
		sched_node_clear(&nodes[i]);
		plan_free(&nodes[i].plan);
	}
	free(nodes);
	free(targets);
	store_close(s);
	return rc;
}

/* The log of plan h to stdout with what a terminal would obey escaped
 * (status_escape): it is a build's output, and distill suggests this
 * command after a failure.  0, 1 if there is no log, or -1. */
static int cat_log_escaped(struct store *s, const hash_t *h)
{
	int fd = memfd_create("log", MFD_CLOEXEC);
	if (fd < 0)
		return err_sys("distill log: memfd_create");
	char path[64], *buf;
	size_t len;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int r = store_cat_log(s, h, fd);
	if (r == 0 && (r = fs_read_file(path, &buf, &len)) == 0) {
		status_escape(stdout, buf, len);
		free(buf);
	}
	close(fd);
	return r;
}

/* log, show and why take a plan hash, a prefix of one, a plan name, or
 * --failed, and only one of them. */
int cli_find_check(const struct cli *c)
{
	bool failed = cli_opt(c, "failed") != NULL;
	if (failed && c->argc)
		return err("--failed names the plan: %s takes no '%s' with it", c->command,
			   c->argv[0]);
	if (!failed && !c->argc)
		return err("%s needs %sa plan: its hash, a prefix of it, its name, or --failed",
			   c->command, strcmp(c->command, "why") ? "" : "a TARGET or ");
	return 0;
}

/* The plan the command's argument, or --failed, names (find_plan), into
 * *h: EXIT_OK; else the error is printed and its exit status returned
 * (EXIT_USAGE: nothing matches, or more than one plan does). */
static int plan_arg(struct store *s, const struct cli *c, int flags, hash_t *h)
{
	if (cli_opt(c, "failed"))
		flags |= FIND_FAILED;
	int r = find_plan(s, c->argc ? c->argv[0] : "", flags, h);
	return r == 0 ? EXIT_OK : cli_fail(r > 0 ? EXIT_USAGE : EXIT_SYSTEM);
}

int cli_log(struct cli *c)
{
	hash_t h;
	struct store *s = cli_store_read(c);
	if (!s)
		return EXIT_SYSTEM;
	int rc = plan_arg(s, c, 0, &h);
	if (rc != EXIT_OK) {
		store_close(s);
		return rc;
	}
	fflush(stdout);
	/* Elsewhere than on a terminal, byte for byte, like cat. */
	int r = isatty(1) ? cat_log_escaped(s, &h) : store_cat_log(s, &h, 1);
	char hb[HASH_B64 + 1];
	hash_b64(&h, hb);
	if (r == 1)
		err("no log for plan %s in %s", hb, store_dir(s));
	store_close(s);
	return r ? cli_fail(EXIT_SYSTEM) : EXIT_OK;
}

/* show's lines for the output and build facts records of plan h; a
 * record that cannot be read is said so in its line. */
static void show_records(struct store *s, const hash_t *h)
{
	struct output o;
	int r = store_get_out(s, h, &o);
	if (r == 0) {
		char hb[HASH_B64 + 1];
		hash_b64(&o.hash, hb);
		char *path = o.kind == OUT_TREE ? store_tree_path(s, &o.hash)
						: store_blob_path(s, &o.hash);
		printf("output  %s %s %s\n", output_kind_name(o.kind), hb, path);
		free(path);
	} else {
		printf("output  %s\n", r == 1 ? "(not built)" : err_msg());
	}
	struct rec_meta m;
	r = store_get_meta(s, h, &m);
	if (r == 0) {
		time_t t = m.started;
		char when[64];
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
		printf("built   %s in %.3f s\n", when, m.seconds);
		rec_meta_free(&m);
	} else if (r < 0) {
		printf("built   %s\n", err_msg());
	}
}

int cli_show(struct cli *c)
{
	hash_t h;
	struct store *s = cli_store_read(c);
	if (!s)
		return EXIT_SYSTEM;
	struct plan p;
	char hb[HASH_B64 + 1];
	int rc = plan_arg(s, c, 0, &h);
	int g = rc == EXIT_OK ? (hash_b64(&h, hb), store_get_plan(s, &h, &p)) : 0;
	if (g == 1)
		no_plan(s, hb);
	if (g < 0)
		err_prefix("plan %s", hb);
	if (g)
		rc = cli_fail(g == 1 ? EXIT_USAGE : EXIT_SYSTEM);
	if (rc != EXIT_OK) {
		store_close(s);
		return rc;
	}
	printf("plan    %s\nname    %s\n", hb, p.name);
	if (p.raw)
		printf("raw     %s\n", p.raw);
	for (size_t i = 0; i < p.nin; i++) {
		const struct artifact *a = &p.in[i].art;
		char hb[HASH_B64 + 1] = "";
		if (a->kind == ART_FILE || a->kind == ART_ARCHIVE || a->kind == ART_TREE)
			hash_b64(&a->hash, hb);
		char *at = fs_join(p.in[i].basedir, a->path);
		printf("input   %-7s %s", art_kind_name(a->kind), at);
		if (a->kind == ART_FILE || a->kind == ART_DIR)
			printf(" %04o", (unsigned)a->mode);
		if (a->kind == ART_SYMLINK)
			printf(" -> %s", a->target);
		printf("%s%s\n", *hb ? " " : "", hb);
		free(at);
	}
	show_records(s, &h);
	char *logp = store_log_path(s, &h);
	struct stat st;
	if (stat(logp, &st) == 0)
		printf("log     %s (%lld bytes compressed; distill log %s)\n", logp,
		       (long long)st.st_size, hb);
	free(logp);
	plan_free(&p);
	store_close(s);
	return EXIT_OK;
}

/* Does why's argument name a stored plan by its hash, a prefix of it or
 * its exact plan name (or is it --failed)?  Then *h is it, and *s its
 * store.  Else it is a TARGET, a script or a package, to evaluate. */
static bool why_stored(const struct cli *c, struct store **s, hash_t *h)
{
	*s = NULL;
	bool failed = cli_opt(c, "failed") != NULL;
	if (!failed && (c->argc != 1 || strchr(c->argv[0], '/') ||
			(strlen(c->argv[0]) > 4 && !strcmp(c->argv[0] + strlen(c->argv[0]) - 4, ".scm"))))
		return false;
	if (failed)
		return true;
	char *dir = c->store_dir ? xstrdup(c->store_dir) : store_default_dir();
	*s = dir ? store_open_read(dir) : NULL;
	free(dir);
	if (*s && find_plan(*s, c->argv[0], FIND_EXACT, h) == 0)
		return true;
	if (*s)
		store_close(*s);
	*s = NULL;
	return false;
}

static int why_report(struct store *s, struct sched_node *nodes, size_t n)
{
	return why_nodes(s, nodes, n, stdout);
}

int cli_why(struct cli *c)
{
	struct store *s;
	hash_t h;
	if (!why_stored(c, &s, &h)) {
		c->sched.dry_run = c->sched.dry_silent = 1;
		c->report = why_report;
		c->dry_run_interns = 1;
		return glue_call(c, "build-script");
	}
	int rc = s ? EXIT_OK : (s = cli_store_read(c)) ? plan_arg(s, c, 0, &h) : EXIT_SYSTEM;
	struct plan p;
	char hb[HASH_B64 + 1];
	if (rc == EXIT_OK && (hash_b64(&h, hb), load_plan(s, hb, &h, &p) < 0))
		rc = EXIT_SYSTEM;
	if (rc == EXIT_OK) {
		if (why_plan(s, &p, &h, NULL, stdout) < 0)
			rc = cli_fail(EXIT_SYSTEM);
		plan_free(&p);
	}
	if (s)
		store_close(s);
	return rc;
}

/* graph: the dot text goes to the real stdout; what evaluating the
 * targets prints there (a dry run's "would fetch" lines) to stderr. */
static FILE *graph_out;
static bool graph_only_rebuilds;

static int graph_report(struct store *s, struct sched_node *nodes, size_t n)
{
	(void)s;
	graph_nodes(nodes, n, graph_only_rebuilds, graph_out);
	return fflush(graph_out) == 0 ? 0 : err_sys("distill graph: writing the graph");
}

int cli_graph(struct cli *c)
{
	graph_only_rebuilds = cli_opt(c, "why") != NULL;
	int fd = dup(1);
	if (fd < 0 || !(graph_out = fdopen(fd, "w")) || dup2(2, 1) < 0)
		return err_sys("distill graph: standard output"), cli_fail(EXIT_SYSTEM);
	c->sched.dry_run = c->sched.dry_silent = 1;
	c->report = graph_report;
	int rc = glue_call(c, "build-script");
	fclose(graph_out);
	return rc;
}

/* One line of a report (gc --dry-run's paths, fsck's problems). */
static void print_problem(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
}

/* gc with --add-root NAME takes PLANHASH, and nothing else does. */
int cli_gc_check(const struct cli *c)
{
	const char *add = cli_opt(c, "add-root"), *remove = cli_opt(c, "remove-root");
	if (add && remove)
		return err("--add-root and --remove-root are two runs of gc, not one");
	if ((add || remove) && cli_opt(c, "all"))
		return err("--all is for collecting, not with --add-root or --remove-root");
	if (add && c->argc != 1)
		return err("--add-root NAME needs the PLANHASH to root");
	if (!add && c->argc)
		return err("gc takes no argument '%s' (only --add-root NAME PLANHASH does)",
			   c->argv[0]);
	return 0;
}

int cli_gc(struct cli *c)
{
	const char *add = cli_opt(c, "add-root"), *remove = cli_opt(c, "remove-root");
	hash_t h;
	if (add && cli_hash_arg(c->argv[0], &h) < 0)
		return EXIT_USAGE;
	struct store *s = cli_store(c);
	if (!s)
		return EXIT_SYSTEM;
	int rc = EXIT_OK, dry = c->sched.dry_run;
	struct store_gc_opts o = { .dry_run = dry, .all = cli_opt(c, "all") != NULL,
				   .listed = print_problem };
	struct store_gc_stats st;
	if (add) {
		if (store_add_root(s, add, &h) < 0)
			rc = cli_fail(EXIT_SYSTEM);
	} else if (remove) {
		if (store_remove_root(s, remove) < 0)
			rc = cli_fail(EXIT_SYSTEM);
	} else if (store_gc(s, &o, &st) < 0) {
		rc = cli_fail(EXIT_SYSTEM);
	} else {
		printf("%s %ld entries (%.1f MiB), kept %ld\n", dry ? "would remove" : "removed",
		       st.removed, st.bytes_freed / 1048576.0, st.kept);
	}
	store_close(s);
	return rc;
}

/* One component's kept cache (docs/toml.md): the root toml-NAME that a
 * build of a caching = "aggressive" component made, and the output record
 * of its plan, so gc may collect the output and the next build runs it
 * again.  1 when NAME keeps none. */
static int cache_remove_one(struct store *s, const char *name)
{
	char *root = fs_fmt("toml-%s", name);
	hash_t h;
	int r = store_get_root(s, root, &h);
	if (r == 1)
		err("component %s keeps no cache in %s (no root %s: only a component "
		    "with caching = \"aggressive\" does, once built)", name, store_dir(s), root);
	if (r == 0) {
		char *out = store_rec_path(s, REC_OUT, &h), b[HASH_B64 + 1];
		r = store_discard(s, out);
		free(out);
		if (r == 0)
			r = store_remove_root(s, root);
		if (r == 0) {
			hash_b64(&h, b);
			printf("removed the cache of %s (plan %s)\n", name, b);
		}
	}
	free(root);
	return r;
}

int cli_cache_remove(struct cli *c)
{
	struct store *s = cli_store(c);
	if (!s)
		return EXIT_SYSTEM;
	int rc = EXIT_OK;
	for (int i = 0; i < c->argc; i++) {
		int r = cache_remove_one(s, c->argv[i]);
		if (r != 0)
			rc = cli_fail(r == 1 ? EXIT_USAGE : EXIT_SYSTEM);
	}
	store_close(s);
	return rc;
}

int cli_fsck(struct cli *c)
{
	bool deep = cli_opt(c, "deep") != NULL;
	struct store *s = cli_store(c);
	if (!s)
		return EXIT_SYSTEM;
	struct fsck_stats st;
	int r = fsck_store(s, deep, print_problem, NULL, &st);
	fflush(stdout);
	fprintf(stderr, "distill fsck: %s: %ld blobs, %ld trees, %ld records, %ld logs, "
		"%ld roots, %ld layers checked; %ld problems; %ld leftovers of interrupted runs%s\n",
		store_dir(s), st.blobs, st.trees, st.records, st.logs, st.roots, st.layers,
		st.problems, st.leftovers, st.leftovers ? " (distill gc removes them)" : "");
	store_close(s);
	return r ? EXIT_SYSTEM : EXIT_OK;
}

int cli_open_caches(struct cli *c)
{
	size_t n = c->ncache_urls;
	char **env = n ? NULL : fs_split_words(getenv("DISTILL_CACHE"), &n);
	int all = !strcmp(c->command, "push");
	int r = all && n == 0 ? err("push uploads to a cache: name one with --cache URL "
				    "or DISTILL_CACHE")
	      : all && c->offline ? err("push uploads to a cache: not with --offline")
	      : cache_set_open(&c->caches, env ? env : c->cache_urls, n,
			       all ? CACHE_PUSH_ALL : c->cache_push ? CACHE_PUSH_BUILT : CACHE_PUSH_NONE,
			       c->offline, c->verbose);
	if (env)
		fs_free_words(env, n);
	if (r < 0)
		return cli_fail(EXIT_USAGE);
	c->sched.caches = &c->caches;
	return EXIT_OK;
}

int cli_pushed(struct cli *c)
{
	const struct cache_set *cs = &c->caches;
	if (cs->push != CACHE_PUSH_ALL || cs->pushed >= cs->queued)
		return EXIT_OK;
	err("pushed %zu of the %zu plans the targets need: the caches took no more (said above)",
	    cs->pushed, cs->queued);
	return cli_fail(EXIT_BUILD);
}

void cli_close_caches(struct cli *c)
{
	cache_set_close(&c->caches);
	c->sched.caches = NULL;
}

/* distill key generate */
int cli_key(struct cli *c)
{
	(void)c;
	char *dir = sign_config_dir(), *pub = NULL;
	if (!dir || sign_generate(dir, &pub) < 0) {
		free(dir);
		return cli_fail(EXIT_SYSTEM);
	}
	printf("%s\n", pub);
	fprintf(stderr, "distill: a signing key is in %s/signing-key; its public key (above, "
		"in signing-key.pub) is trusted here now: give it to those who should trust "
		"what you push, for their trusted-keys\n", dir);
	free(pub);
	free(dir);
	return EXIT_OK;
}
