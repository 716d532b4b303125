/* plan: artifacts, plans and their canonical encoding.
 *
 * An artifact is content plus where it goes: a file (path, mode, blob), a
 * directory (path, mode), a symlink (path, target), an archive (unpacked at
 * path; blob) or a tree from the store (placed at path; tree hash).  A plan
 * is a name, inputs (each an artifact at a base directory) and optionally a
 * raw output path (the output is that one file under /out, kept as is).
 * One input must provide the executable /build.
 *
 * The canonical encoding (docs/formats.md, "Plan encoding, version 1") is
 * text with length-prefixed strings, inputs sorted bytewise and
 * deduplicated; the plan hash is BLAKE2b-256 of it.  Plans whose inputs
 * include other plans are resolved before encoding (see build.h): an
 * encoding only ever holds artifacts, so it can be rebuilt from the store
 * by its hash alone.
 *
 * struct plan and the arrays in it are owned by whoever made them and freed
 * with plan_free(); strings in them are malloc'd copies. */
#ifndef DISTILL_PLAN_H
#define DISTILL_PLAN_H

#include <stddef.h>
#include <sys/types.h>
#include "hash.h"

enum art_kind { ART_FILE, ART_DIR, ART_SYMLINK, ART_ARCHIVE, ART_TREE };
#define ART_KINDS 5

/* A kind's name, as the encoding, `distill show` and (distill plan) spell
 * it: "file", "dir", "symlink", "archive", "tree". */
const char *art_kind_name(enum art_kind k);
/* The kind so named, or -1. */
int art_kind_parse(const char *name);

struct artifact {
	enum art_kind kind;
	char *path;	/* absolute, normalised ("/" for trees at the root) */
	mode_t mode;	/* file and dir */
	char *target;	/* symlink */
	hash_t hash;	/* file and archive: blob; tree: tree */
};

struct input {
	char *basedir;	/* absolute, normalised */
	struct artifact art;
};

struct plan {
	char *name;
	char *raw;	/* NULL, or the path under /out of the raw output file */
	struct input *in;
	size_t nin;
};

/* What a plan produced (its record's form: record.h). */
struct output {
	enum { OUT_TREE, OUT_FILE } kind;
	hash_t hash;	/* tree hash, or blob hash of the raw file */
};

/* An output kind's name, as records spell it: "tree" or "file". */
const char *output_kind_name(int kind);

/* The resolution rule: what an input that is a plan becomes once that
 * plan is built, its output out: a tree at "/", or (raw output) the file
 * at "/<basename of raw>" with mode 0644; the input's base directory
 * stays.  a's path is replaced (a owns it; raw is the dependency's raw
 * output path). */
void plan_resolve_input(struct artifact *a, const struct output *out, const char *raw);

/* Normalise an absolute path lexically ("//a/./b/" -> "/a/b", "/a/../b" ->
 * "/b"); rejects relative paths and a ".." that climbs above "/" with err()
 * set.  Returns malloc'd or NULL.  Every path, base directory and raw output
 * path of a plan is in this form (plan_decode refuses others). */
char *plan_normpath(const char *p);
/* A raw output path must be a file's absolute, normalised path under /out
 * ("/a/b", not "/", "a", "/a/../b" or "/a//b"): 0, or -1 with err() set
 * naming it. */
int plan_check_raw(const char *raw);

/* Sort and deduplicate inputs in place (canonical order). */
void plan_canonicalise(struct plan *p);
/* Canonical encoding (malloc'd, *len set); p must be canonical. */
char *plan_encode(const struct plan *p, size_t *len);
/* Hash of the encoding. */
void plan_hash(const struct plan *p, hash_t *out);
/* Parse an encoding; 0, or -1 with err() set.  *p is filled (plan_free).
 * A path that is not what plan_normpath makes of it is refused. */
int plan_decode(const char *buf, size_t len, struct plan *p);
void plan_free(struct plan *p);

/* Artifact encoding (one line's worth, no newline), malloc'd. */
char *artifact_encode(const struct artifact *a, size_t *len);
/* Does some input provide /build? */
int plan_has_build(const struct plan *p);

#endif
