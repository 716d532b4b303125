#define _GNU_SOURCE
#include "gc.h"
#include "err.h"
#include "fsutil.h"
#include "plan.h"
#include "record.h"

#include <dirent.h>
#include <fts.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A set of hashes (open addressing; hashes are uniform already). */
struct hset {
	hash_t *v;
	bool *used;
	size_t cap, n;
};

static size_t hset_slot(const struct hset *t, const hash_t *h)
{
	size_t i;
	memcpy(&i, h->b, sizeof i);
	for (i &= t->cap - 1; t->used[i] && !hash_eq(&t->v[i], h); i = (i + 1) & (t->cap - 1))
		;
	return i;
}

static bool hset_has(const struct hset *t, const hash_t *h)
{
	return t->cap && t->used[hset_slot(t, h)];
}

/* Add h; true if it was not there yet. */
static bool hset_add(struct hset *t, const hash_t *h)
{
	if (2 * (t->n + 1) > t->cap) {
		struct hset g = { 0, 0, t->cap ? 2 * t->cap : 64, 0 };
		g.v = xmalloc(g.cap * sizeof *g.v);
		g.used = calloc(g.cap, sizeof *g.used);
		if (!g.used)
			abort();
		for (size_t i = 0; i < t->cap; i++)
			if (t->used[i]) {
				size_t j = hset_slot(&g, &t->v[i]);
				g.v[j] = t->v[i];
				g.used[j] = true;
				g.n++;
			}
		free(t->v);
		free(t->used);
		*t = g;
	}
	size_t i = hset_slot(t, h);
	if (t->used[i])
		return false;
	t->v[i] = *h;
	t->used[i] = true;
	t->n++;
	return true;
}

static void hset_free(struct hset *t)
{
	free(t->v);
	free(t->used);
}

struct gc {
	struct store *s;
	struct hset blobs, trees, plans, unpacked;
	hash_t *todo;	/* plans still to visit */
	size_t ntodo, captodo;
	bool dry_run;
	const struct store_gc_opts *o;
	char *real;	/* the store directory, symlinks resolved: result links name it */
	struct store_gc_stats *st;
};

/* path goes (or, in a dry run, would go). */
static void gone(struct gc *g, const char *path)
{
	g->st->removed++;
	if (g->dry_run && g->o->listed)
		g->o->listed(g->o->arg, path);
}

static void gc_push(struct gc *g, const hash_t *plan)
{
	if (hset_has(&g->plans, plan))
		return;
	if (g->ntodo == g->captodo)
		g->todo = xrealloc(g->todo, (g->captodo = 2 * g->captodo + 16) * sizeof *g->todo);
	g->todo[g->ntodo++] = *plan;
}

/* Root what the result link that the indirect root at path names points
 * to: a tree or blob of this store.  false when the link is gone or points
 * elsewhere (the root is stale). */
static bool indirect_root(struct gc *g, const char *path)
{
	char link[PATH_MAX], to[PATH_MAX];
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return false;
	link[n] = 0;
	ssize_t m = readlink(link, to, sizeof to - 1);
	if (m <= 0 || !g->real)
		return false;
	to[m] = 0;
	size_t rl = strlen(g->real);
	if (strncmp(to, g->real, rl) || to[rl] != '/')
		return false;
	const char *sub = to + rl + 1, *slash = strchr(sub, '/');
	hash_t h;
	if (!slash || !rec_key(slash + 1, strlen(slash + 1), &h))
		return false;
	if (!strncmp(sub, "trees/", 6))
		return hset_add(&g->trees, &h), true;
	if (!strncmp(sub, "blobs/", 6))
		return hset_add(&g->blobs, &h), true;
	return false;
}

/* The newest build, and the newest successful build, of a name are roots. */
static int name_roots(void *arg, const struct rec_name *r)
{
	struct gc *g = arg;
	if (r->n)
		gc_push(g, &r->v[0].plan);
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].failed) {
			gc_push(g, &r->v[i].plan);
			break;
		}
	return 0;
}

static int gc_roots(struct gc *g)
{
	char *dir = fs_join(store_dir(g->s), "roots");
	DIR *d = opendir(dir);
	if (!d) {
		err_sys("%s: cannot open directory", dir);
		free(dir);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		/* ".tmp." names are what a killed gc --add-root left behind
		 * (fs_write_atomic's temp files): not roots; swept below. */
		if (e->d_name[0] == '.')
			continue;
		char *p = fs_join(dir, e->d_name), *buf;
		struct stat lst;
		bool link = lstat(p, &lst) == 0 && S_ISLNK(lst.st_mode);
		if (strstr(e->d_name, ".tmp.") || (link && !indirect_root(g, p))) {
			gone(g, p);
			if (!g->dry_run)
				unlinkat(dirfd(d), e->d_name, 0);
			free(p);
			continue;
		}
		if (link) {
			free(p);
			continue;
		}
		size_t len;
		hash_t h;
		r = fs_read_file(p, &buf, &len);
		if (r == 0) {
			r = rec_hash_decode(buf, len, &h);
			free(buf);
			if (r == 0)
				gc_push(g, &h);
			else
				err_prefix("bad gc root (fix or remove it): %s", p);
		} else if (r == 1) {
			r = 0; /* removed meanwhile */
		}
		free(p);
	}
	closedir(d);
	free(dir);
	return r;
}

static int gc_mark_plan_inputs(struct gc *g, const hash_t *plan)
{
	struct plan p;
	int r = store_get_plan(g->s, plan, &p);
	if (r != 0)
		return r < 0 ? -1 : 0;
	for (size_t i = 0; r == 0 && i < p.nin; i++) {
		const struct artifact *a = &p.in[i].art;
		hash_t t;
		switch (a->kind) {
		case ART_FILE:
			hset_add(&g->blobs, &a->hash);
			break;
		case ART_ARCHIVE:
			hset_add(&g->blobs, &a->hash);
			hset_add(&g->unpacked, &a->hash);
			r = store_get_unpacked(g->s, &a->hash, &t);
			if (r == 0)
				hset_add(&g->trees, &t);
			r = r < 0 ? -1 : 0;
			break;
		case ART_TREE:
			hset_add(&g->trees, &a->hash);
			break;
		case ART_DIR:
		case ART_SYMLINK:
			break;
		}
	}
	plan_free(&p);
	return r;
}

static int gc_mark_output(struct gc *g, const hash_t *plan)
{
	struct output o;
	int r = store_get_out(g->s, plan, &o);
	if (r != 0)
		return r < 0 ? -1 : 0;
	hset_add(o.kind == OUT_TREE ? &g->trees : &g->blobs, &o.hash);
	return 0;
}

/* The plans a meta record names as deps are kept too. */
static int gc_mark_deps(struct gc *g, const hash_t *plan)
{
	struct rec_meta m;
	int r = store_get_meta(g->s, plan, &m);
	if (r != 0)
		return r < 0 ? -1 : 0;
	for (size_t i = 0; i < m.ndeps; i++)
		gc_push(g, &m.deps[i]);
	rec_meta_free(&m);
	return 0;
}

static int gc_mark(struct gc *g)
{
	if (gc_roots(g) < 0 || (!g->o->all && store_each_name(g->s, name_roots, g) < 0))
		return -1;
	while (g->ntodo) {
		hash_t h = g->todo[--g->ntodo];
		if (!hset_add(&g->plans, &h))
			continue;
		if (gc_mark_plan_inputs(g, &h) < 0 || gc_mark_output(g, &h) < 0 ||
		    gc_mark_deps(g, &h) < 0)
			return -1;
	}
	return 0;
}

/* Bytes of regular files under path (a file or a directory). */
static long long du(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	FTS *f = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!f)
		return 0;
	long long n = 0;
	FTSENT *e;
	while ((e = fts_read(f)))
		if (e->fts_info == FTS_F)
			n += e->fts_statp->st_size;
	fts_close(f);
	return n;
}

/* Sweep dir (relative to the store): an entry whose name, less suffix, is
 * a hash in keep survives; anything else goes (keep NULL: everything). */
static int gc_sweep(struct gc *g, const char *sub, const struct hset *keep,
		    const char *suffix)
{
	char *dir = fs_join(store_dir(g->s), sub);
	DIR *d = opendir(dir);
	if (!d) {
		err_sys("%s: cannot open directory", dir);
		free(dir);
		return -1;
	}
	size_t sl = strlen(suffix);
	bool tmp = !strcmp(sub, "tmp");
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		const char *n = e->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		size_t nl = strlen(n);
		hash_t h;
		if (keep && nl == HASH_B64 + sl && !strcmp(n + HASH_B64, suffix) &&
		    rec_key(n, HASH_B64, &h) && hset_has(keep, &h)) {
			g->st->kept++;
			continue;
		}
		char *p = fs_join(dir, n);
		gone(g, p);
		g->st->bytes_freed += du(p);
		/* An entry leaves its name whole, by one rename into tmp/; what
		 * is in tmp/ already is deleted where it is. */
		if (!g->dry_run)
			r = tmp ? fs_rm_rf(p) : store_discard(g->s, p);
		free(p);
	}
	closedir(d);
	free(dir);
	return r;
}

/* rec/sha256/<sha> holds a blob hash: it lives as long as that blob. */
static int gc_sweep_sha256(struct gc *g)
{
	char *dir = fs_fmt("%s/rec/%s", store_dir(g->s), rec_kind_names[REC_SHA256]);
	DIR *d = opendir(dir);
	if (!d) {
		err_sys("%s: cannot open directory", dir);
		free(dir);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = fs_join(dir, e->d_name), *buf;
		size_t len;
		hash_t h;
		int keep = 0;
		if (fs_read_file(p, &buf, &len) == 0) {
			keep = rec_hash_decode(buf, len, &h) == 0 && hset_has(&g->blobs, &h);
			free(buf);
		}
		if (keep) {
			g->st->kept++;
		} else {
			gone(g, p);
			if (!g->dry_run)
				r = store_discard(g->s, p);
		}
		free(p);
	}
	closedir(d);
	free(dir);
	return r;
}

/* rec/name/<key>: the builds of a name stay while one of the plans they
 * name does. */
struct name_sweep {
	struct gc *g;
	int r;
};

static int sweep_name(void *arg, const struct rec_name *r)
{
	struct name_sweep *w = arg;
	bool keep = false;
	for (size_t i = 0; i < r->n && !keep; i++)
		keep = hset_has(&w->g->plans, &r->v[i].plan);
	if (keep) {
		w->g->st->kept++;
		return 0;
	}
	hash_t key;
	rec_name_key(r->name, &key);
	char *p = store_rec_path(w->g->s, REC_NAME, &key);
	gone(w->g, p);
	if (!w->g->dry_run)
		w->r = store_discard(w->g->s, p);
	free(p);
	return w->r;
}

static int gc_sweep_names(struct gc *g)
{
	struct name_sweep w = { g, 0 };
	return store_each_name(g->s, sweep_name, &w) < 0 ? -1 : 0;
}

int store_gc(struct store *s, const struct store_gc_opts *o, struct store_gc_stats *st)
{
	*st = (struct store_gc_stats){ 0, 0, 0 };
	if (store_lock_store(s, true) < 0)
		return -1;
	struct gc g = { .s = s, .dry_run = o->dry_run, .o = o, .st = st,
			.real = realpath(store_dir(s), NULL) };
	int r = gc_mark(&g);
	/* Records go before what they name, so a crash mid-way never leaves a
	 * record naming a missing blob or tree. */
	if (r == 0)
		r = gc_sweep(&g, "rec/plan", &g.plans, "") < 0 ||
		    gc_sweep(&g, "rec/out", &g.plans, "") < 0 ||
		    gc_sweep(&g, "rec/meta", &g.plans, "") < 0 ||
		    gc_sweep_names(&g) < 0 ||
		    gc_sweep(&g, "rec/unpacked", &g.unpacked, "") < 0 ||
		    gc_sweep(&g, "rec/origin", &g.blobs, "") < 0 ||
		    gc_sweep_sha256(&g) < 0 ||
		    gc_sweep(&g, "logs", &g.plans, ".zst") < 0 ||
		    gc_sweep(&g, "locks", &g.plans, "") < 0 ||
		    gc_sweep(&g, "trees", &g.trees, "") < 0 ||
		    gc_sweep(&g, "blobs", &g.blobs, "") < 0 ||
		    gc_sweep(&g, "layers", NULL, "") < 0 ||
		    gc_sweep(&g, "tmp", NULL, "") < 0 ? -1 : 0;
	hset_free(&g.blobs);
	hset_free(&g.trees);
	hset_free(&g.plans);
	hset_free(&g.unpacked);
	free(g.todo);
	free(g.real);
	if (store_lock_store(s, false) < 0)
		r = -1;
	return r;
}
