/* cache: the client of shared build caches over HTTP (docs/cache.md).
 *
 * A cache is a base URL with bazel-remote's layout, which a plain WebDAV
 * server (nginx's dav module) serves as well: BASE/ac/KEY holds a plan's
 * signed output record (sign.h: KEY is the plan hash in lowercase hex),
 * BASE/cas/SHA256 the bytes it names (a blob as it is, or a tree as the
 * canonical archive tree_write_tar makes; SHA256 their hex SHA-256).
 * cache_get asks each cache in order for a plan's record, takes the first
 * one a trusted key signed (sign.h), downloads what it names within its
 * size, checks the bytes and then the blob or tree against the record's
 * output hash, and adopts it into the store (store_adopt_blob/_tree); what
 * does not match is refused and never stored.  cache_put uploads a plan's
 * output and its record signed with the user's key, adding the signature
 * to a record that names the same output already.
 *
 * A cache must never make a build slower by more than a few seconds, nor
 * fail it: each request has a deadline ($DISTILL_CACHE_TIMEOUT seconds,
 * default 5, for connecting and a record; content may stall for no longer
 * and has a deadline by its size), and a cache that fails one (no
 * connection, a timeout, a 5xx) is dead for the rest of the run.  The
 * calls run in the scheduler's children (sched.c), so what they learn
 * goes back as a report, text the scheduler hands to cache_apply:
 *   "D" INDEX " " WHY "\n"   the cache INDEX is dead from now on
 *   "W " TEXT "\n"           a warning, always shown (content refused)
 *   "N " TEXT "\n"           a note for -v (a record no trusted key signed)
 *   "I " TEXT "\n"           what distill push did, always shown
 *
 * struct cache_set is the caller's (cache_set_open/_close); reports are
 * malloc'd, the caller's to free. */
#ifndef DISTILL_CACHE_H
#define DISTILL_CACHE_H

#include <stddef.h>
#include "hash.h"
#include "plan.h"
#include "sign.h"
#include "store.h"

struct cache {
	char *url;	/* base URL, no trailing '/' */
	int dead;
};

/* What a run uploads: nothing, what it built (--cache-push), or every
 * plan it needs, built or found in the store (distill push). */
enum { CACHE_PUSH_NONE, CACHE_PUSH_BUILT, CACHE_PUSH_ALL };

struct cache_set {
	struct cache *v;
	size_t n;
	int push;		/* CACHE_PUSH_*: what to upload */
	int verbose;		/* -v: show the notes */
	struct sign_pub *trusted;
	size_t ntrusted;
	struct sign_key key;	/* push only */
	long timeout;		/* seconds: a connection, a record */
	size_t queued, pushed;	/* plans to upload, and uploaded (CACHE_PUSH_ALL) */
};

/* The caches of urls (none when offline), the trusted keys and, to push,
 * the signing key (an error without one: distill key generate makes it).
 * 0, or -1 with err set. */
int cache_set_open(struct cache_set *cs, char *const *urls, size_t n, int push,
		   int offline, int verbose);
void cache_set_close(struct cache_set *cs);
/* Is any cache still alive? */
int cache_live(const struct cache_set *cs);

/* Bring plan's output from the first cache that has it trusted into the
 * store: 0 (*out filled, the blob or tree stored; the caller writes the
 * records), 1 when none has, -1 for an error of the store (err set).
 * name is the plan's, for messages; what happened goes to *report. */
int cache_get(struct cache_set *cs, struct store *s, const hash_t *plan, const char *name,
	      struct output *out, char **report);
/* Does a live cache hold a record of plan that a trusted key signed?
 * (-n: what would come from a cache; the content is not checked.)  1 or
 * 0; what happened goes to *report. */
int cache_offers(struct cache_set *cs, const hash_t *plan, const char *name, char **report);
/* Upload plan's output (in the store) and its signed record to every
 * live cache.  A failure is no error: it goes to *report (and, for
 * CACHE_PUSH_ALL, a success too). */
void cache_put(struct cache_set *cs, struct store *s, const hash_t *plan, const char *name,
	       const struct output *out, char **report);
/* Take in what a child reported: caches it found dead are marked (and
 * said once), warnings said, notes said with -v, pushes said and counted. */
void cache_apply(struct cache_set *cs, const char *report, size_t len);

#endif
