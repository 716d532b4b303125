/* why: what changed in a plan since the last build of its name.
 *
 * The old plan is the newest other build of the same name in the store's
 * index (find_previous); the two are compared input by input, by the
 * path each input takes in the build's root: an input added, removed, or
 * changed (kind, mode, content hash, link target), with the diff of the
 * two contents (the host's diff -u on the two blobs of the store) when
 * both are small text files.  A plan not resolved yet (a dry run, with
 * inputs that wait for other plans to rebuild) names those inputs as
 * coming from a plan that rebuilds.  Output goes to a FILE of the
 * caller's; nothing is kept past a call. */
#define _GNU_SOURCE
#include "why.h"
#include "err.h"
#include "fsutil.h"

#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Blobs larger than this, or with a NUL in them, get no diff. */
#define DIFF_MAX (1 << 20)

static char *input_at(const struct input *in)
{
	return fs_join(in->basedir, in->art.path);
}

/* The artifact as show prints it: kind, mode, target or hash (malloc'd). */
static char *describe(const struct artifact *a)
{
	char hb[HASH_B64 + 1] = "";
	if (a->kind == ART_FILE || a->kind == ART_ARCHIVE || a->kind == ART_TREE)
		hash_b64(&a->hash, hb);
	if (a->kind == ART_SYMLINK)
		return fs_fmt("symlink -> %s", a->target);
	if (a->kind == ART_DIR)
		return fs_fmt("dir %04o", (unsigned)a->mode);
	if (a->kind == ART_FILE)
		return fs_fmt("file %04o %s", (unsigned)a->mode, hb);
	return fs_fmt("%s %s", art_kind_name(a->kind), hb);
}

static bool same_artifact(const struct artifact *a, const struct artifact *b)
{
	if (a->kind != b->kind || a->mode != b->mode)
		return false;
	if (a->kind == ART_SYMLINK)
		return !strcmp(a->target, b->target);
	return a->kind == ART_DIR || hash_eq(&a->hash, &b->hash);
}

/* Is the blob h in the store small text (no NUL)? */
static bool text_blob(struct store *s, const hash_t *h)
{
	char *p = store_blob_path(s, h), *buf;
	size_t len;
	struct stat st;
	bool text = stat(p, &st) == 0 && st.st_size <= DIFF_MAX &&
		    fs_read_file(p, &buf, &len) == 0;
	if (text) {
		text = memchr(buf, 0, len) == NULL;
		free(buf);
	}
	free(p);
	return text;
}

/* diff -u of the two blobs into out, labelled by the input's path. */
static void diff_blobs(struct store *s, const hash_t *a, const hash_t *b, const char *at,
		       FILE *out)
{
	char *pa = store_blob_path(s, a), *pb = store_blob_path(s, b);
	char *la = fs_fmt("old%s", at), *lb = fs_fmt("new%s", at);
	char *argv[] = { "diff", "-u", "--label", la, "--label", lb, pa, pb, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	fflush(out);
	posix_spawn_file_actions_adddup2(&fa, fileno(out), 1);
	pid_t pid;
	int st = 0;
	if (posix_spawnp(&pid, "diff", &fa, NULL, argv, environ) != 0)
		fprintf(out, "    (no diff: the host has no diff program)\n");
	else
		while (waitpid(pid, &st, 0) < 0)
			;
	posix_spawn_file_actions_destroy(&fa);
	free(pa);
	free(pb);
	free(la);
	free(lb);
}

/* The input of p at path at, or NULL. */
static const struct input *input_named(const struct plan *p, const char *at)
{
	for (size_t i = 0; i < p->nin; i++) {
		char *x = input_at(&p->in[i]);
		int same = !strcmp(x, at);
		free(x);
		if (same)
			return &p->in[i];
	}
	return NULL;
}

/* One new input against the old plan's input at the same path. */
static int compare_input(struct store *s, const struct input *n, const char *from,
			 const struct plan *old, FILE *out)
{
	char *at = input_at(n);
	const struct input *o = input_named(old, at);
	char *nd = from ? fs_fmt("the output of plan %s, which rebuilds", from)
			: describe(&n->art);
	int changed = 1;
	if (!o) {
		fprintf(out, "  input %s added: %s\n", at, nd);
	} else if (from || !same_artifact(&o->art, &n->art)) {
		char *od = describe(&o->art);
		fprintf(out, "  input %s: %s -> %s\n", at, od, nd);
		free(od);
		if (!from && o->art.kind == ART_FILE && n->art.kind == ART_FILE &&
		    text_blob(s, &o->art.hash) && text_blob(s, &n->art.hash))
			diff_blobs(s, &o->art.hash, &n->art.hash, at, out);
	} else {
		changed = 0;
	}
	free(nd);
	free(at);
	return changed;
}

int why_plan(struct store *s, const struct plan *p, const hash_t *h, const char *const *from,
	     FILE *out)
{
	char hb[HASH_B64 + 1] = "(after its inputs)";
	if (h)
		hash_b64(h, hb);
	hash_t prev;
	int r = find_previous(s, p->name, h ? h : &(hash_t){ 0 }, &prev);
	if (r < 0)
		return -1;
	if (r == 1) {
		fprintf(out, "%s %s: no earlier build of the name %s in the store\n", hb, p->name,
			p->name);
		return 0;
	}
	struct plan old;
	if (store_get_plan(s, &prev, &old) != 0)
		return -1;
	char ob[HASH_B64 + 1];
	hash_b64(&prev, ob);
	fprintf(out, "%s %s: since its build %s:\n", hb, p->name, ob);
	int changes = 0;
	for (size_t i = 0; i < p->nin; i++)
		changes += compare_input(s, &p->in[i], from ? from[i] : NULL, &old, out);
	for (size_t i = 0; i < old.nin; i++) {
		char *at = input_at(&old.in[i]);
		if (!input_named(p, at)) {
			char *od = describe(&old.in[i].art);
			fprintf(out, "  input %s removed (was %s)\n", at, od);
			free(od);
			changes++;
		}
		free(at);
	}
	if ((p->raw || old.raw) && (!p->raw || !old.raw || strcmp(p->raw, old.raw))) {
		fprintf(out, "  raw output: %s -> %s\n", old.raw ? old.raw : "(none)",
			p->raw ? p->raw : "(none)");
		changes++;
	}
	if (!changes)
		fprintf(out, "  no input changed\n");
	plan_free(&old);
	return 0;
}

int why_nodes(struct store *s, struct sched_node *nodes, size_t n, FILE *out)
{
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		struct sched_node *x = &nodes[i];
		if (x->state == NODE_DONE || x->state == NODE_FAILED)
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = nodes[j].state == x->state && !strcmp(nodes[j].plan.name, x->plan.name) &&
			       nodes[j].resolved == x->resolved &&
			       (!x->resolved || hash_eq(&nodes[j].hash, &x->hash));
		if (seen)
			continue;
		const char **from = calloc(x->plan.nin + 1, sizeof *from);
		/* The run is over: an unresolved node's own plan takes the
		 * outputs of the dependencies that are built. */
		for (size_t d = 0; !x->resolved && d < x->ndeps; d++) {
			const struct sched_node *dn = x->deps[d].node;
			if (dn->state != NODE_DONE)
				from[x->deps[d].input] = dn->plan.name;
			else
				plan_resolve_input(&x->plan.in[x->deps[d].input].art, &dn->out,
						   dn->plan.raw);
		}
		int r = why_plan(s, x->resolved ? &x->res : &x->plan, x->resolved ? &x->hash : NULL,
				 from, out);
		free(from);
		if (r < 0)
			return -1;
		any = 1;
	}
	if (!any)
		fprintf(out, "nothing rebuilds: every plan is in the store\n");
	return 0;
}
