/* pins: the pins file, a lock file of output hashes by plan name (as
 * live-bootstrap's SHA256SUMS.pkgs pins each package's output): what
 * `distill pin` writes and `--pins FILE` checks builds against, so that a
 * reviewer sees in one diff every output that changed.
 *
 * The form (docs/formats.md):
 *   "distill-pins 1\n"
 *   ( NAME " " ("tree" | "file") " " OUTPUT-HASH " " PLAN-HASH "\n" )*
 * one line per plan name, sorted by name (bytewise); a name is what the
 * recipe calls the plan (no space, no newline).  The plan hash says which
 * plan gave the output when it was pinned, so that a mismatch can tell a
 * changed plan from a build that is not reproducible.
 *
 * A struct pins owns its entries and their names (pins_free).  Functions
 * return 0, or -1 with err() set naming the file. */
#ifndef DISTILL_PINS_H
#define DISTILL_PINS_H

#include <stddef.h>
#include "plan.h"

struct pin {
	char *name;
	struct output out;
	hash_t plan;
};

struct pins {
	char *path;		/* the file they came from */
	struct pin *v;		/* sorted by name (once loaded or written) */
	size_t n, cap;
};

/* Read and check the pins file at path. */
int pins_load(const char *path, struct pins *p);
void pins_free(struct pins *p);

/* The pin of the plan named name, or NULL. */
const struct pin *pins_find(const struct pins *p, const char *name);

/* Does out, the output of the plan name (plan hash plan), match its pin
 * in p?  1 if so, 0 if it has none, -1 if not: then msg (malloc'd) says
 * which pin, both outputs, whether the plan changed since, and what to
 * do. */
int pins_check(const struct pins *p, const char *name, const hash_t *plan,
	       const struct output *out, char **msg);

/* Add the pin of a built plan to p, for pins_write (name copied). */
void pins_add(struct pins *p, const char *name, const hash_t *plan,
	      const struct output *out);
/* Write p's pins atomically to path (sorting them): one line per name;
 * two plans of one name with different outputs are an error naming both
 * (a name cannot pin two outputs). */
int pins_write(const char *path, struct pins *p);

#endif
