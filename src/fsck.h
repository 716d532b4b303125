/* fsck: check a store's integrity and report every problem found.
 *
 * What is checked (store.h has the layout):
 *   blobs/<h>        a read-only regular file whose content hashes to h
 *   trees/<h>/       a directory whose canonical hash (tree_hash) is h,
 *                    every entry read-only
 *   rec/plan/<h>     decodes (plan_decode), its bytes hash to h, and the
 *                    blobs and trees its inputs name exist
 *   rec/out/<h>      decodes and names a tree or blob that exists
 *   rec/meta/<h>     decodes ("distill-meta 1", docs/formats.md)
 *   rec/unpacked/<h> one tree hash and a newline; that tree exists
 *   rec/origin/<h>   a non-empty name (file or URL); blob h exists
 *   rec/size/<pin>   a size in bytes and a newline
 *   logs/<h>.zst     a regular file
 *   layers/<h>/      a key file hashing to h, nothing writable, and root/
 *                    the same as what the key describes (build_fill_layer
 *                    makes it again in tmp/ to compare; a farm's files must
 *                    be the tree's own, by inode)
 * With deep, each archive blob of rec/unpacked/ is unpacked again in tmp/
 * and must hash to the tree its record names.
 *   roots/<name>     one plan hash and a newline (else gc stops on it)
 * Any other name in those directories is a problem (a stray file).
 *
 * Leftovers are not problems: they are what an interrupted distill leaves
 * by design, and are counted apart.  They are the temp files of
 * fs_write_atomic ("<hash>.tmp.<pid>" in rec/<kind>/, which gc removes) and
 * a tree whose top directory is still writable while no record names it
 * (a process stopped between moving the tree into place and freezing its
 * top; storing that tree again freezes it), and likewise a layer whose top
 * is writable.  tmp/ and locks/ are scratch or empty by nature and are not
 * checked.
 *
 * Problems are handed one at a time to report() as one line (no newline)
 * naming the entry; the text is only valid during the call.  Nothing here
 * prints. */
#ifndef DISTILL_FSCK_H
#define DISTILL_FSCK_H

#include "store.h"

struct fsck_stats {
	long blobs, trees, records, logs, roots, layers; /* entries checked */
	long leftovers;		/* harmless remains of interrupted processes */
	long problems;		/* lines passed to report() */
};

/* Check the store s (the caller holds it open, so gc cannot run meanwhile;
 * scratch goes to its tmp/).  deep: re-unpack the archives too.
 * Returns 0 when no problem was found, 1 when some were (each reported). */
int fsck_store(struct store *s, bool deep, void (*report)(void *arg, const char *line),
	       void *arg, struct fsck_stats *st);

#endif
