/* fetchmany: many sources fetched at once.
 *
 * Each source missing from the store is fetched by fetch_source (fetch.h:
 * its candidates, retries, pins and records, unchanged) in a child
 * process of its own, at most `jobs` at a time and at most `per_host` to
 * one host (the host of the first mirror that is a URL, else of the
 * source's own URL), so one slow server does not hold up the others and
 * no server gets more than a browser's share of connections.  The store's
 * writes are safe from several processes (store.h), so the children need
 * nothing of each other.  What a child prints (fetch's warnings) goes
 * through a pipe and is printed whole when it ends, never interleaved; a
 * child draws no progress line.  Items and their strings are the
 * caller's. */
#ifndef DISTILL_FETCHMANY_H
#define DISTILL_FETCHMANY_H

#include <stddef.h>
#include "fetch.h"
#include "hash.h"
#include "store.h"

struct fetch_item {
	const char *url;
	pin_t pin;
	const char *const *extra;	/* more URLs to try before the origin */
	size_t nextra;
};

/* $DISTILL_FETCH_JOBS: downloads at once (default 8); -1 with err() set
 * when it is not a positive number. */
int fetchmany_jobs(long long *jobs);

/* Fetch every item the store lacks (o's mirrors and offline; its extra
 * is each item's), all of them even when one fails.  0 when all are in
 * the store, else -1 with err() set to the error of the first item (in
 * the items' order) that failed. */
int fetch_many(struct store *s, const struct fetch_item *items, size_t n,
	       const struct fetch_opts *o, int jobs, int per_host);

#endif
