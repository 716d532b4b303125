#define _GNU_SOURCE
#include "find.h"
#include "err.h"
#include "fsutil.h"
#include "record.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The newest entry (of state failed, when only_failed) of the records
 * store_each_name shows, among those whose name is match or, when
 * versioned, match-VERSION (a digit after the dash). */
struct newest {
	const char *match;
	bool versioned, only_failed, found;
	struct rec_build best;
};

static bool name_matches(const struct newest *w, const char *name)
{
	if (!w->match)
		return true;
	size_t n = strlen(w->match);
	if (!w->versioned)
		return !strcmp(name, w->match);
	return !strncmp(name, w->match, n) && name[n] == '-' && isdigit((unsigned char)name[n + 1]);
}

static int take_newest(void *arg, const struct rec_name *r)
{
	struct newest *w = arg;
	if (!name_matches(w, r->name))
		return 0;
	for (size_t i = 0; i < r->n; i++)
		if ((!w->only_failed || r->v[i].failed) && (!w->found || r->v[i].when > w->best.when)) {
			w->best = r->v[i];
			w->found = true;
		}
	return 0;
}

/* arg as a name: exactly, then as NAME-VERSION.  0 found, 1 not, -1. */
static int by_name(struct store *s, const char *arg, bool exact, hash_t *plan)
{
	struct rec_name r;
	int g = store_get_name(s, arg, &r);
	if (g == 0 && r.n) {
		*plan = r.v[0].plan;
		rec_name_free(&r);
		return 0;
	}
	if (g == 0)
		rec_name_free(&r);
	if (g < 0)
		return -1;
	if (exact)
		return 1;
	struct newest w = { .match = arg, .versioned = true };
	if (store_each_name(s, take_newest, &w) < 0)
		return -1;
	if (w.found)
		*plan = w.best.plan;
	return w.found ? 0 : 1;
}

/* "HASH (NAME)" for each candidate, comma-separated (malloc'd). */
static char *candidates(struct store *s, const hash_t *v, size_t n)
{
	char *list = xstrdup("");
	for (size_t i = 0; i < n && i < 10; i++) {
		char b[HASH_B64 + 1];
		hash_b64(&v[i], b);
		struct plan p;
		int g = store_get_plan(s, &v[i], &p);
		char *l = fs_fmt("%s%s%s (%s)", list, i ? ", " : "", b, g == 0 ? p.name : "?");
		if (g == 0)
			plan_free(&p);
		free(list);
		list = l;
	}
	if (n > 10) {
		char *l = fs_fmt("%s, and %zu more", list, n - 10);
		free(list);
		list = l;
	}
	return list;
}

/* arg as a hash prefix: 0 found, 1 none, 2 ambiguous (err set), -1. */
static int by_prefix(struct store *s, const char *arg, hash_t *plan)
{
	hash_t *v;
	size_t n;
	if (strlen(arg) < FIND_MIN_PREFIX)
		return 1;
	if (store_plans_with_prefix(s, arg, &v, &n) < 0)
		return -1;
	if (n == 1)
		*plan = v[0];
	if (n > 1) {
		char *l = candidates(s, v, n);
		err("'%s' starts %zu plans' hashes: %s; give more of the hash", arg, n, l);
		free(l);
	}
	free(v);
	return n == 1 ? 0 : n ? 2 : 1;
}

int find_plan(struct store *s, const char *arg, int flags, hash_t *plan)
{
	if (flags & FIND_FAILED) {
		struct newest w = { .only_failed = true };
		if (store_each_name(s, take_newest, &w) < 0)
			return -1;
		if (!w.found)
			return err("no failed build is recorded in the store %s", store_dir(s)), 1;
		*plan = w.best.plan;
		return 0;
	}
	if (rec_key(arg, strlen(arg), plan))
		return 0;
	int r = by_name(s, arg, flags & FIND_EXACT, plan);
	if (r == 1)
		r = by_prefix(s, arg, plan);
	if (r == 1)
		err("no plan named '%s' or whose hash starts so in the store %s (was it built, "
		    "fetched or listed by -n here, or removed by gc?)", arg, store_dir(s));
	return r > 0 ? 1 : r;
}

int find_previous(struct store *s, const char *name, const hash_t *plan, hash_t *prev)
{
	struct rec_name r;
	int g = store_get_name(s, name, &r);
	if (g != 0)
		return g;
	int found = 1;
	for (size_t i = 0; found == 1 && i < r.n; i++) {
		struct plan p;
		if (hash_eq(&r.v[i].plan, plan))
			continue;
		int k = store_get_plan(s, &r.v[i].plan, &p);
		if (k < 0)
			found = -1;
		if (k == 0) {
			plan_free(&p);
			*prev = r.v[i].plan;
			found = 0;
		}
	}
	rec_name_free(&r);
	return found;
}
