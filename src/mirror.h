/* mirror: mirror://NAME/PATH URLs, which name a file on a distribution's
 * archive without naming a host (the recipes of pkg/ take Debian's
 * orig tarballs this way).
 *
 * NAME's base URLs come from $DISTILL_MIRROR_<NAME> (whitespace-separated,
 * NAME upper-cased), else, for "debian" only, from the Debian archives in
 * apt's sources on this machine: every URI of a deb or deb-src entry (in
 * APTDIR/sources.list and APTDIR/sources.list.d/ *.list and *.sources,
 * one-line and deb822 forms, a deb822 URIs: field on one line or folded
 * over several; disabled deb822 stanzas skipped) whose path ends in
 * /debian, in the order apt reads them: fetch.c tries them so.  Everything returned is malloc'd: the list and its
 * strings (free with fs_free_words). */
#ifndef DISTILL_MIRROR_H
#define DISTILL_MIRROR_H

#include <stddef.h>

/* The URLs to try for URL: the base URLs of its mirror with PATH appended,
 * or URL itself when it is not a mirror:// URL or its mirror has no base
 * URL known (fetching it then says what to set).  Never fails. */
char **mirror_expand(const char *url, const char *aptdir, size_t *n);

/* The variable naming URL's mirror's base URLs (malloc'd), or NULL when
 * URL is not a mirror:// URL. */
char *mirror_variable(const char *url);

/* The Debian archive base URLs in apt's sources under APTDIR. */
char **mirror_apt_debian(const char *aptdir, size_t *n);

#endif
