/* store: the content-addressed store on disk.
 *
 * Layout under the store directory (docs/architecture.md has the details):
 *   VERSION            "distill-store 1\n"
 *   lock               flock'ed: shared by every distill process, exclusive by gc
 *   blobs/<h>          file contents by BLAKE2b-256, read-only
 *   trees/<h>/         unpacked read-only trees by canonical tree hash
 *   rec/<kind>/<k>     small records (text), each written atomically:
 *                        plan/<planhash>     canonical plan encoding
 *                        out/<planhash>      output record of a plan
 *                        meta/<planhash>     build facts: time, duration, deps
 *                        unpacked/<blobhash> tree hash an archive unpacks to
 *                        origin/<blobhash>   where a blob came from (a file
 *                                            name or URL), for messages only
 *                        sha256/<sha256>     the blob a sha256 pin resolved to
 *                        size/<pin hash>     the size of a pin's content once
 *                                            fetched: a fetch's cap; gc keeps it
 *                        name/<name hash>    the last builds of a plan name
 *                                            (and failures): the index that
 *                                            finds plans by name
 *   layers/<k>/        derived overlay layers, rebuildable (build.c): key,
 *                        the text k hashes, and root/, what it describes;
 *                        read-only like trees
 *   logs/<planhash>.zst  zstd-compressed build logs (empty: an empty file)
 *   roots/<name>       gc roots: a file holding a plan hash
 *   locks/<planhash>   per-plan build locks (flock)
 *   tmp/               scratch for builds and temp files; gc empties it
 * The records are read and written here only, through one typed call per
 * kind; their byte forms are record.h's.  gc is gc.h's.
 * Every entry appears by rename(2) (a build's raw output by link(2) from
 * its fd) after its content is on disk, and leaves by rename(2) into
 * tmp/ before it is deleted (store_discard), so a crash leaves either
 * nothing or a whole entry.  Records are written after the content they
 * name.  Several processes may share a store: a plan is
 * built by whoever takes its lock; the others wait and find the record.
 *
 * A struct store is owned by the caller of store_open and freed by
 * store_close; paths returned in caller buffers or malloc'd (as noted). */
#ifndef DISTILL_STORE_H
#define DISTILL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "hash.h"
#include "plan.h"
#include "record.h"

struct store;

/* Open (creating if needed) the store at dir for writing; takes the
 * shared lock.  A store directory owned by another user than the
 * effective one is refused (its owner could not gc what we wrote), the
 * message naming the owner and what to do.  NULL with err() set. */
struct store *store_open(const char *dir);
/* Open an existing store for reading only (show, log): creates nothing,
 * whoever owns it; the caller must not write through it. */
struct store *store_open_read(const char *dir);
void store_close(struct store *s);
const char *store_dir(const struct store *s);
/* The user's cache directory: $XDG_CACHE_HOME, else $HOME/.cache, else
 * .cache in the home directory getpwuid(geteuid()) gives; never a shared
 * directory.  malloc'd; NULL with err set. */
char *store_cache_home(void);
/* 0 if path (or, while it does not exist, its nearest existing ancestor)
 * and every directory above it are owned by the effective uid or root and
 * writable by nobody else (a sticky directory such as /tmp may be), so no
 * other user can change what is there; else -1 with err naming the
 * directory. */
int store_check_private(const char *path);
/* The default store directory: store_cache_home()/distill, refused (NULL,
 * err set) when store_check_private fails on it.  malloc'd. */
char *store_default_dir(void);

/* A new empty directory under tmp/, malloc'd path; NULL with err set. */
char *store_mktemp(struct store *s, const char *what);
/* Remove the store entry at path (a file or a directory; gone already is
 * not an error): one rename moves it whole into tmp/, then it is deleted
 * there.  So a kill leaves the entry whole under its name, or a leftover
 * in tmp/, never a half-deleted entry that a reader would take. */
int store_discard(struct store *s, const char *path);
/* The first file or directory under dir (not dir itself) with a write
 * bit, malloc'd; NULL if none (or dir cannot be read). */
char *store_first_writable(const char *dir);

/* Blobs. */
int store_put_blob_file(struct store *s, const char *path, hash_t *out);
/* The same from an open file (read from where it stands); name is what
 * errors call it. */
int store_put_blob_fd(struct store *s, int fd, const char *name, hash_t *out);
int store_put_blob_buf(struct store *s, const void *p, size_t n, hash_t *out);
/* The same from a file under tmp/ that nothing will write again (a build's
 * raw output, its sandbox gone): hashed where it stands and linked into
 * blobs/ (made the store's: owner, 0444, synced) instead of copied, when
 * it has one name, no xattrs and is on the store's file system; else
 * copied as store_put_blob_fd does.  The caller still removes its name. */
int store_take_blob_fd(struct store *s, int fd, const char *name, hash_t *out);
/* Move a file the caller wrote under tmp/ into blobs/ if its hash is h
 * (the caller computed it while writing). */
int store_adopt_blob(struct store *s, const char *tmpfile, const hash_t *h);
bool store_has_blob(struct store *s, const hash_t *h);
char *store_blob_path(struct store *s, const hash_t *h); /* malloc'd */

/* Trees: normalise, hash and freeze tmpdir (under tmp/), then move it to
 * trees/<hash>; if that tree exists already, tmpdir is removed. */
int store_adopt_tree(struct store *s, const char *tmpdir, hash_t *out);
bool store_has_tree(struct store *s, const hash_t *h);
char *store_tree_path(struct store *s, const hash_t *h); /* malloc'd */
/* Unpack the archive blob h into a tree (cached in rec/unpacked). */
int store_unpack(struct store *s, const hash_t *blob, hash_t *tree);

/* Records (rec/<kind>/<key>; their forms are record.h's): a get returns
 * 0 (the value filled in), 1 if there is none, or -1 with err() set (a
 * malformed record: the message names its path).  A put replaces the
 * record atomically; its temp file is named per process (fs_write_atomic),
 * so two threads of one process must not put the same record at once. */
/* The encoding of plan (whose hash it is); written only when absent. */
int store_put_plan(struct store *s, const hash_t *plan, const char *enc, size_t len);
/* Decoded (plan_decode); *p is the caller's, freed with plan_free. */
int store_get_plan(struct store *s, const hash_t *plan, struct plan *p);
int store_put_out(struct store *s, const hash_t *plan, const struct output *o);
int store_get_out(struct store *s, const hash_t *plan, struct output *o);
int store_put_meta(struct store *s, const hash_t *plan, const struct rec_meta *m);
/* m->deps is malloc'd: rec_meta_free. */
int store_get_meta(struct store *s, const hash_t *plan, struct rec_meta *m);
/* Where blob came from (a file name or URL), for messages only; *name
 * malloc'd. */
int store_put_origin(struct store *s, const hash_t *blob, const char *name);
bool store_has_origin(struct store *s, const hash_t *blob);
int store_get_origin(struct store *s, const hash_t *blob, char **name);
/* The blob a sha256 pin (sha, as a hash_t) resolved to. */
int store_put_sha256(struct store *s, const hash_t *sha, const hash_t *blob);
int store_get_sha256(struct store *s, const hash_t *sha, hash_t *blob);
/* The size of a pin's content, once fetched (pin: its hash_t). */
int store_put_size(struct store *s, const hash_t *pin, long long size);
int store_get_size(struct store *s, const hash_t *pin, long long *size);
/* The tree an archive blob unpacks to (store_unpack writes it). */
int store_get_unpacked(struct store *s, const hash_t *blob, hash_t *tree);
/* The index of builds by plan name (rec/name/; this is its one writer):
 * note that plan, of its name, was just built (or cached: the last build
 * of a name is what a run last made of it) or failed.  Written only when
 * that changes the record's first entry, under the name's lock (so two
 * processes do not lose each other's entry), atomically.  A name with a
 * newline is not indexed. */
int store_note_build(struct store *s, const char *name, const hash_t *plan, bool failed);
/* The builds of name, newest first (*r the caller's: rec_name_free). */
int store_get_name(struct store *s, const char *name, struct rec_name *r);
/* Call fn on each name record (decoded; fn must not keep it) until fn
 * returns non-zero, which is returned; a malformed record is -1 (err
 * names it). */
int store_each_name(struct store *s, int (*fn)(void *arg, const struct rec_name *r),
		    void *arg);
/* The plans under rec/plan whose hash starts with prefix, into *v
 * (malloc'd), *n of them. */
int store_plans_with_prefix(struct store *s, const char *prefix, hash_t **v, size_t *n);
/* rec/<kind>/<key>, malloc'd (for gc and fsck, which walk the records). */
char *store_rec_path(const struct store *s, enum rec_kind kind, const hash_t *key);

/* Build logs: compress the file at path into logs/<plan>.zst. */
int store_put_log(struct store *s, const hash_t *plan, const char *path);
/* Write the decompressed log to fd; 1 if there is none. */
int store_cat_log(struct store *s, const hash_t *plan, int fd);
/* logs/<plan>.zst, malloc'd (whether or not there is one). */
char *store_log_path(struct store *s, const hash_t *plan);

/* Per-plan lock.  Returns an fd (>= 0) holding the lock, -2 if busy and
 * !wait, -1 on error. */
int store_lock_plan(struct store *s, const hash_t *plan, bool wait);
void store_unlock_plan(int fd);

/* gc roots: roots/<name> holds a plan hash and a newline (plans only: a
 * blob or tree is kept by rooting a plan that uses or made it).  Names are
 * non-empty, without '/', and do not start with '.'. */
int store_add_root(struct store *s, const char *name, const hash_t *plan);
int store_remove_root(struct store *s, const char *name);
/* The plan the root name holds: 0, 1 if there is no such root, -1 with
 * err() (a bad name, a malformed root). */
int store_get_root(struct store *s, const char *name, hash_t *plan);
/* An indirect root: roots/auto-<hash of link> a symlink to link (an
 * absolute path), which gc follows to the tree or blob it points to
 * (gc.h); replaced atomically. */
int store_add_indirect_root(struct store *s, const char *link);

/* Trade this process's lock on the whole store for the exclusive one
 * (waiting for every other distill process to let go of theirs), or back
 * for the shared one.  gc (gc.h) is what needs it. */
int store_lock_store(struct store *s, bool exclusive);

#endif
