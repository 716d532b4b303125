/* build: run one resolved plan in the sandbox and record what it made.
 *
 * Given a plan whose inputs are all artifacts present in the store, this
 * module makes the overlay layers the sandbox needs (cached under
 * layers/, read-only, each made again when something in it is writable),
 * runs /build, captures /out (a canonical tree, or the one raw
 * file the plan declares), checks it against the recipe's expected output
 * and against an earlier record of the same plan (a plan that now yields
 * other bytes is an error naming both outputs), and writes the log, the
 * build facts and finally the output record, in that order, so that a
 * record never exists without what it names.
 *
 * The caller holds the plan's lock (store_lock_plan).  Nothing here
 * prints; the log goes to the store and failures to err(). */
#ifndef DISTILL_BUILD_H
#define DISTILL_BUILD_H

#include "hash.h"
#include "plan.h"
#include "sandbox.h"
#include "store.h"

struct build_opts {
	unsigned timeout;	/* seconds, 0 for none */
	int js_read, js_write;	/* jobserver fds for make, or -1 */
	const char *makeflags;	/* MAKEFLAGS for builds, or NULL */
	const hash_t *deps;	/* plans whose outputs are inputs (for gc) */
	size_t ndeps;
	const struct output *expect; /* recipe's pinned output, or NULL */
	int stream;		/* -v: the log also to stderr, live, each line
				 * prefixed "NAME| " and escaped (status.h) */
	const struct sandbox_vary *vary;	/* verify's changes, or NULL */
	const char *store_view;	/* NULL, or the store's directory seen
				 * through verify's disorderfs mount: the
				 * layers are taken from there */
};

/* Build plan p (hash ph) and fill *out.  Returns 0 on success; -1 with
 * err() set when the build failed, timed out, or its output differs from
 * an expected or earlier one, or its sandbox could not be set up though
 * this machine allows sandboxes; BUILD_NO_SANDBOX when this machine refuses
 * them (sandbox_preflight(), run when a sandbox fails, found out why: err()
 * says so and how to allow them; no build can work here); BUILD_NO_SPACE
 * when the store's file system is full (ENOSPC/EDQUOT anywhere: layers,
 * unpacking, the log, capture, records; err() holds the message
 * docs/cli.md documents).  The log is stored when it fits. */
#define BUILD_NO_SANDBOX (-2)
#define BUILD_NO_SPACE (-3)
int build_plan(struct store *s, const struct plan *p, const hash_t *ph,
	       const struct build_opts *o, struct output *out);

/* The overlay layers for p, top first; *layers is a malloc'd array of
 * malloc'd paths (free with build_free_layers). */
int build_layers(struct store *s, const struct plan *p, char ***layers, size_t *n);
void build_free_layers(char **layers, size_t n);
/* Fill the new directory root with what the layer key describes:
 * "small\n" and a plan encoding (the plan's files, dirs and symlinks), or
 * "farm\n" PATH "\n" TREEHASH (hard links to the tree's files at PATH).
 * A layer is made from its key alone, so fsck can make it again to
 * compare. */
int build_fill_layer(struct store *s, const char *key, const char *root);

#endif
