/* toml: a TOML 1.0.0 file read into a plain C tree (tomlplusplus does the
 * parsing; src/toml.cc is the only C++ file and the only user of it).
 *
 * toml_parse_file() returns a tree of nodes that the caller frees with
 * toml_free(); every node (table, array or value) carries the line and
 * column (from 1) where it is written.  A table's children are in key
 * order, each with its key.  Dates and times are kept as their RFC 3339
 * text (toml_node.str).  On a syntax error it returns NULL after err()
 * with "FILE:LINE:COL: MESSAGE" (one line), on an unreadable file after
 * err_sys() naming it. */
#ifndef DISTILL_TOML_H
#define DISTILL_TOML_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum toml_kind {
	TOML_TABLE, TOML_ARRAY, TOML_STRING, TOML_INTEGER, TOML_FLOAT,
	TOML_BOOL, TOML_DATETIME, TOML_DATETIME_LOCAL, TOML_DATE_LOCAL,
	TOML_TIME_LOCAL
};

struct toml_node {
	enum toml_kind kind;
	unsigned line, col;
	char *key;                 /* in a table: the key (owned); else NULL */
	size_t keylen;
	char *str;                 /* string or date/time text (owned) */
	size_t len;                /* bytes of str (a string may hold NUL) */
	int64_t integer;           /* TOML_INTEGER; TOML_BOOL: 0 or 1 */
	double real;               /* TOML_FLOAT */
	size_t n;                  /* TOML_TABLE, TOML_ARRAY: children */
	struct toml_node *items;   /* owned array of n nodes */
};

struct toml_node *toml_parse_file(const char *path);
void toml_free(struct toml_node *t);

#ifdef __cplusplus
}
#endif

#endif
