/* gc: remove from a store what its roots do not reach.
 *
 * Owns the walk from roots/ through the records (store.h's typed calls)
 * and the sweep of every directory of the layout; the store owns how an
 * entry leaves (store_discard) and the store-wide lock.  No state outlives
 * a call. */
#ifndef DISTILL_GC_H
#define DISTILL_GC_H

#include <stdbool.h>
#include "store.h"

struct store_gc_opts {
	bool dry_run;	/* remove nothing: count, and list to listed */
	bool all;	/* the last builds of each name are no roots */
	void (*listed)(void *arg, const char *path);	/* or NULL */
	void *arg;
};

struct store_gc_stats {
	long kept, removed;
	long long bytes_freed;
};
/* Take the exclusive lock (waits for other distill processes to finish;
 * so this process must not hold another struct store on the same store),
 * keep what the roots reach: the plans named in roots/, the tree or blob
 * an indirect root's link (roots/<name> a symlink to a result link that
 * distill build -o made) points to, unless the link is gone or points
 * elsewhere (then the indirect root goes), and, unless o->all, the newest
 * build and the newest successful build of each name in the store's index
 * (rec/name/, whose records stay while a plan they name is kept).
 * From a plan: its encoding's inputs, with the tree
 * an archive input unpacked to, its output, its log, lock and meta, and
 * the plans named as deps in its meta, recursively), remove the rest,
 * all of layers/ and tmp/, then return to the shared lock.  A corrupt
 * root or reachable record stops gc before anything is removed.  Records
 * are removed before the contents they name.  rec/size/ names no content
 * and is kept.  o->dry_run fills the stats, and calls o->listed with the
 * path of each entry that would go, without removing anything. */
int store_gc(struct store *s, const struct store_gc_opts *o, struct store_gc_stats *st);

#endif
