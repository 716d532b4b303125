/* fetch: remote content into the store, checked against its pin.
 *
 * A source is a URL and a pin (BLAKE2b-256, or sha256:<hex>).  If the
 * store already holds content with that pin, nothing is fetched.
 * Otherwise the candidates are tried in order: for each mirror (a local
 * directory, or a base URL), the file named by the pin's text and the file
 * named by the URL's last component; then any URLs the caller adds (a
 * user's fetch hook); then the URL itself, or for a mirror://NAME/PATH URL
 * PATH on each base URL of that mirror (mirror.h).  Downloads go through libcurl
 * (redirects followed, connect and stall timeouts, retries with back-off on
 * transient errors, a progress line on a terminal for large files), each
 * within a deadline ($DISTILL_FETCH_TIMEOUT) and a size cap (the pin's
 * recorded size, else $DISTILL_FETCH_MAX_SIZE; also for files), are
 * hashed while they stream into the store's tmp/, and become a blob only
 * if they match the pin.  A mismatch names the URL, the pin, what arrived
 * and its size, and moves the file aside (outside the store, mode 0600,
 * never through or over what another user put at its name) for
 * inspection; nothing is stored.  Offline, no connection is ever opened:
 * local mirror directories and file:// URLs still work (regular files
 * only: a FIFO would never end), anything else is named as missing.
 *
 * Records: rec/origin/<blob> (the URL), rec/size/<pin's hash> (the size
 * in decimal and a newline) and, for sha256 pins,
 * rec/sha256/<sha256 as base64url> (the blob's BLAKE2b).  Nothing here is
 * thread-safe; strings are the caller's. */
#ifndef DISTILL_FETCH_H
#define DISTILL_FETCH_H

#include <curl/curl.h>
#include <stddef.h>
#include "hash.h"
#include "store.h"

struct fetch_opts {
	const char *const *mirrors;	/* directories or base URLs */
	size_t nmirrors;
	const char *const *extra;	/* more URLs to try before the origin */
	size_t nextra;
	int offline;
};

/* Is content with this pin in the store?  1 (and *blob set) or 0. */
int fetch_have(struct store *s, const pin_t *pin, hash_t *blob);
/* Make sure it is: 0 with *blob set, or -1 with err() set. */
int fetch_source(struct store *s, const char *url, const pin_t *pin,
		 const struct fetch_opts *o, hash_t *blob);

/* A libcurl easy handle for url (http, https, ftp, ftps; redirects
 * followed; an HTTP error status is a failure) that gives up when the
 * connection is not made within connect_s seconds, when under 1 KiB/s
 * arrive for stall_s seconds, and after timeout_ms in all; libcurl's
 * message goes to ebuf.  Shared by sources and caches (cache.h).  The
 * caller sets what to do with the bytes and cleans it up; NULL with err()
 * set. */
CURL *fetch_curl(const char *url, long connect_s, long stall_s, long timeout_ms,
		 char ebuf[CURL_ERROR_SIZE]);
/* $name: a positive whole number of seconds, of bytes (then it may end
 * in K, M, G or T, powers of 1024) or of things, as unit says; def when
 * it is unset or empty; -1 with err() set when it is something else. */
enum fetch_unit { UNIT_SECONDS, UNIT_BYTES, UNIT_COUNT };
int fetch_env_number(const char *name, enum fetch_unit unit, long long def, long long *out);

#endif
