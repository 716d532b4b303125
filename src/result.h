/* result: the links distill build leaves to its outputs (-o NAME, default
 * "result", as nix build does).  A link is a symlink to the output's
 * absolute path in the store, replaced atomically (an existing file that
 * is not a symlink is never replaced), and an indirect gc root
 * (store_add_indirect_root): gc keeps what it points to while it does.
 * Nothing is kept past a call. */
#ifndef DISTILL_RESULT_H
#define DISTILL_RESULT_H

#include <stdbool.h>
#include <stdio.h>
#include "store.h"

/* Point link at output o of store s and root it: 0, or -1 with err set.
 * *size (when not NULL) is the output's size in bytes for a file, else
 * -1. */
int result_link(struct store *s, const char *link, const struct output *o, long long *size);
/* The name of the i-th (from 0) of several links of base: base, base-2,
 * base-3, ... (malloc'd). */
char *result_name(const char *base, size_t i);
/* The links of n outputs (result_name of base), each said on say (NULL:
 * not said, as with -q) as "LINK -> PATH" and, for a file (an image), its
 * size.  A link that cannot be made stops them (-1, err set) when must
 * (the user named it), else is a warning on stderr. */
int result_links(struct store *s, const char *base, bool must, const struct output *outs,
		 size_t n, FILE *say);

#endif
