/* libpath: where distill's Scheme library is loaded from.
 *
 * The library root has the repository's layout (lib/distill/, pkg/, svc/,
 * plat/): lib/ beside the binary (a build tree), the installed share
 * directory (DISTILL_DATADIR), or else the copy built into the binary
 * (embed.h), unpacked into the user's cache and used only when no other
 * user can have written any of it and it is the built-in library file for
 * file.  Its bytecode (root/go, from `make`) is used when no other user
 * can write there; the built-in copy has none.
 *
 * No Guile here: the glue turns the result into %load-path and
 * %load-compiled-path.  libpath_free frees what libpath_find filled. */
#ifndef DISTILL_LIBPATH_H
#define DISTILL_LIBPATH_H

#include <stddef.h>

struct libpath {
	char **dirs;	/* the load path, in order: $DISTILL_PATH's entries,
			 * root/lib for (distill x), root for (pkg x) and friends */
	size_t ndirs;
	char *compiled;	/* root/go, or NULL when it must not be loaded from */
};

/* Find the library (unpacking the built-in copy if need be).  0, or -1
 * with err() set when there is no safe place for the built-in copy. */
int libpath_find(struct libpath *lp);
void libpath_free(struct libpath *lp);

#endif
