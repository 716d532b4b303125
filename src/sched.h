/* sched: build a DAG of plans, in parallel, through the store's cache.
 *
 * A node is a plan whose inputs may still wait for other nodes' outputs.
 * Each node counts its dependencies not yet finished; when the last one is
 * done, the node is ready (nothing is rescanned, nothing waits for a
 * timer: the scheduler sleeps in poll() on its workers' report pipes, the
 * pipes of processes waiting for plan locks, and a self-pipe for the stop
 * signals).  A node one of whose dependencies failed is skipped.  A ready
 * node's plan is resolved (each
 * dependency input becomes the dependency's output: a tree at its base
 * dir, or the raw file at /<basename of the raw path>), canonicalised and
 * hashed.  A node whose output record exists is done without starting
 * anything (a cache hit).  Otherwise, once the plan's lock is ours (other
 * distill processes on the same store may hold it: then we wait for them
 * and take their result), a worker process runs build_plan().  At most
 * jobs builds run at once, by the scheduler's own count of slots; each
 * build gets a make jobserver of its own, holding the free slots the
 * scheduler lends it (src/jobserver.h), so nothing a build does to its
 * jobserver changes what the scheduler or other builds get.  A record
 * whose output is missing from the store is no cache hit: the plan is
 * built again.  With remote caches (cache.h), a plan not in the store is
 * first asked for there by a child process of its own (holding the plan's
 * lock, taking no build slot, while other plans build); a hit is stored
 * with its records as a build's would be, and counts as cached.  With
 * push on, a child uploads each plan built here once it is done (with
 * CACHE_PUSH_ALL, distill push, each plan found in the store too); the
 * askers and uploaders together are at most ASK_MAX children.  A
 * child's report marks the caches it found dead, so that later children
 * skip them.  Ready nodes start in dependency order.  A dry run (-n) is
 * a pass of its own over that order, and starts nothing nor writes to the
 * store.  A process waiting for another's plan lock says so.  A run with
 * keep_going, or with a failure, ends with a summary on stderr: the counts
 * of built, cached, failed, skipped (and not started) plans, the failed
 * and skipped ones named, each skipped one with the failed input it
 * waited on.  The live line's estimate of the time left (eta.h) comes
 * from the duration recorded for the last successful build of each
 * plan's name (rec/name/, rec/meta/), looked up before anything starts.
 *
 * Nodes are owned by the caller; the scheduler fills in their results. */
#ifndef DISTILL_SCHED_H
#define DISTILL_SCHED_H

#include <stddef.h>
#include "cache.h"
#include "jobserver.h"
#include "plan.h"
#include "store.h"

struct sched_node;
struct pins;

struct sched_dep {
	size_t input;			/* index into plan.in to fill */
	struct sched_node *node;	/* whose output fills it */
};

struct sched_node {
	/* Set by the caller. */
	struct plan plan;	/* dependency inputs hold a placeholder */
	struct sched_dep *deps;
	size_t ndeps;
	unsigned timeout;
	int has_expect;
	struct output expect;
	int unknown;		/* dry run: an input's content is not known
				 * (a source not fetched): no hash */

	/* Filled by sched_run. */
	enum { NODE_PENDING, NODE_DONE, NODE_FAILED, NODE_SKIPPED } state;
	int built;		/* 1 if this run built it, 0 if it was cached */
	hash_t hash;		/* plan hash (valid once resolved) */
	struct output out;	/* valid when NODE_DONE */
	double seconds;
	struct sched_node *cause;	/* NODE_SKIPPED: the failed node it waited on */

	/* The scheduler's own. */
	unsigned flags;		/* SN_* of sched.c */
	size_t index;		/* place in the run's dependency order */
	size_t blocked;		/* dependencies not finished yet */
	struct sched_node **users;	/* nodes this one is a dependency of */
	size_t nusers;
	int resolved, lockfd;
	int pipefd;		/* the worker's (or lock waiter's) report, or -1 */
	struct js_build js;	/* its slot and jobserver while it builds */
	long pid;		/* the worker, or the lock waiter */
	char *errmsg;
	struct plan res;	/* resolved plan */
};

struct sched_opts {
	int jobs;		/* 0: the number of cores */
	int keep_going;		/* -k */
	int dry_run;		/* -n: list what would be built */
	int dry_silent;		/* a dry run that lists nothing: its caller
				 * reads the nodes (why, graph) */
	int rebuild;		/* build targets again even when cached */
	int quiet;		/* -q: no building/built lines, no live line */
	int verbose;		/* -v: build logs streamed to stderr (build.h) */
	const struct pins *pins;	/* --pins: every plan's output must match
					 * its pin there (pins.h), or NULL */
	struct cache_set *caches;	/* NULL, or remote caches to ask and push to */
	const struct sandbox_vary *vary;	/* build.h: verify's changes */
	const char *store_view;		/* build.h, or NULL */
};

struct sched_stats {
	int total, built, cached, failed, skipped;
	int fetched;		/* of cached: from a remote cache */
};

/* Build the targets and everything they need.  Returns 0 when every target
 * is done, 1 when some build failed (messages already printed), -1 on an
 * error of distill itself (err() set). */
int sched_run(struct store *s, struct sched_node **targets, size_t n,
	      const struct sched_opts *o, struct sched_stats *st);
/* Release what sched_run attached to a node (not the caller's fields). */
void sched_node_clear(struct sched_node *n);

#endif
