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

struct store_gc_stats {
	long kept, removed;
	long long bytes_freed;
};
/* Take the exclusive lock (waits for other distill processes to finish;
 * so this process must not hold another struct store on the same store),
 * keep what the roots reach (plan -> its encoding's inputs, with the tree
 * an archive input unpacked to, its output, its log, lock and meta, and
 * the plans named as deps in its meta, recursively), remove the rest,
 * all of layers/ and tmp/, then return to the shared lock.  A corrupt
 * root or reachable record stops gc before anything is removed.  Records
 * are removed before the contents they name.  rec/size/ names no content
 * and is kept.  dry_run fills the stats without removing anything. */
int store_gc(struct store *s, bool dry_run, struct store_gc_stats *st);

#endif
