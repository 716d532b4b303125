/* tree: the canonical form of a directory tree, and its hash.
 *
 * A tree is what a build leaves in /out or what an archive unpacks to.
 * tree_normalise() makes it canonical in place: regular files, directories
 * and symlinks only; file modes 0644, or 0755 when any execute bit was set;
 * directories 0755; mtimes and atimes set to 0 (the epoch); hard links
 * broken into independent copies (holes kept: a sparse file's copy takes
 * no more disk than it); extended attributes removed; sparse files are
 * ordinary files to the hash (only their bytes matter).  Anything else (device
 * nodes, fifos, sockets) is an error naming the path.
 *
 * tree_hash() hashes the canonical serialisation described in
 * docs/formats.md ("Tree serialisation, version 1"): a walk in byte order of
 * names, each entry a kind letter, the mode, the name and the content (file
 * bytes by their BLAKE2b-256, symlink target), so the hash depends on
 * nothing but names, kinds, execute bits, contents and link targets; not on
 * the umask, mtimes, owner, creation order or directory listing order.
 *
 * tree_freeze() makes a tree read-only (files 0444/0555, dirs 0555) once it
 * is in the store; the serialisation is unchanged by it.
 * tree_write_tar() writes a tree as a zstd-compressed tar (pax) that holds
 * exactly what its hash covers: entries in the walk's order, names relative
 * to the tree as bytes (pax hdrcharset BINARY: no charset conversion, so
 * no name is refused in any locale), canonical modes, no owners, every
 * time 0; unpacked
 * (unpack.h) and normalised it gives the same tree again.  A cache
 * (cache.h) moves trees so.
 * All functions return 0, or -1 with err() set. */
#ifndef DISTILL_TREE_H
#define DISTILL_TREE_H

#include "hash.h"

int tree_normalise(const char *dir);
int tree_hash(const char *dir, hash_t *out);
int tree_freeze(const char *dir);
/* Count of entries and total bytes of regular files, for humans. */
int tree_stats(const char *dir, long *entries, long long *bytes);
/* The canonical archive of the tree at dir, written to fd. */
int tree_write_tar(const char *dir, int fd);

#endif
