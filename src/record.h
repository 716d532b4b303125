/* record: the byte forms of the store's small records, and nothing else.
 *
 * Each kind is a directory rec/<kind>/ of the store, one file per key
 * (docs/formats.md has the forms):
 *   plan      the canonical plan encoding (plan.c owns that form)
 *   out       "distill-out 1\n" ("tree " | "file ") hash "\n"
 *   meta      "distill-meta 1\nstarted N\nseconds N.N\n" ("dep " hash "\n")*
 *   unpacked  one tree hash and a newline (the tree an archive blob gives)
 *   origin    a non-empty name without NUL (file name or URL), no newline
 *   sha256    one blob hash and a newline (the blob a sha256 pin gave)
 *   size      a size in bytes (decimal) and a newline
 *   name      the builds of one plan name, newest first: "distill-name 1\n"
 *             "name " NAME "\n" (("built " | "failed ") TIME " " hash "\n")*
 *             (keyed by the BLAKE2b-256 of NAME)
 * A gc root (roots/<name>) has the one-hash form too.
 *
 * This module only turns values into bytes and bytes into values: no
 * I/O, so it sits below the store.  The store reads and writes the files
 * (store.h: store_get_out, store_put_meta, ...), its gc walks them (gc.h),
 * and fsck checks the bytes it finds with the same decoders, so what fsck
 * calls well-formed is exactly what every reader accepts.  (A record
 * module above the store would have made a cycle: store_unpack reads and
 * writes rec/unpacked.)
 *
 * Decoders accept exactly what the encoders write and return 0, or -1
 * with err() saying what was expected (the caller prefixes the path).
 * Encoders return malloc'd text or fill a caller's buffer, as noted. */
#ifndef DISTILL_RECORD_H
#define DISTILL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include "hash.h"
#include "plan.h"

enum rec_kind {
	REC_PLAN, REC_OUT, REC_META, REC_UNPACKED, REC_ORIGIN, REC_SHA256, REC_SIZE,
	REC_NAME,
	REC_NKINDS
};
/* The directory names under rec/, by kind: "plan", "out", ... */
extern const char *const rec_kind_names[REC_NKINDS];

/* Is name (len bytes, no NUL needed) exactly the text of a hash, as
 * hash_b64 writes it?  Then *h is it.  Names of records, blobs, trees. */
bool rec_key(const char *name, size_t len, hash_t *h);

/* One hash and a newline: fills buf, returns its length (HASH_B64 + 1). */
#define REC_HASH_LEN (HASH_B64 + 1)
size_t rec_hash_encode(const hash_t *h, char buf[REC_HASH_LEN + 1]);
int rec_hash_decode(const char *buf, size_t len, hash_t *h);

/* The output record (malloc'd, *len its length when len is not NULL). */
char *output_encode(const struct output *o, size_t *len);
int output_decode(const char *buf, size_t len, struct output *o);

/* Build facts of one build; deps malloc'd by rec_meta_decode. */
struct rec_meta {
	long long started;	/* unix seconds */
	double seconds;		/* written with three decimals */
	const hash_t *deps;	/* the plans whose outputs were inputs */
	size_t ndeps;
};
char *rec_meta_encode(const struct rec_meta *m, size_t *len);
int rec_meta_decode(const char *buf, size_t len, struct rec_meta *m);
void rec_meta_free(struct rec_meta *m);

/* A size record: fills buf, returns its length. */
#define REC_SIZE_MAX 24
size_t rec_size_encode(long long size, char buf[REC_SIZE_MAX]);
int rec_size_decode(const char *buf, size_t len, long long *size);

/* The builds of one plan name (an index for finding plans by name:
 * distill log NAME, why, gc's last builds), newest first, at most
 * REC_NAME_MAX of them, each plan at most once.  Owned by the caller:
 * rec_name_free. */
#define REC_NAME_MAX 16
struct rec_build {
	long long when;		/* unix seconds the build ended */
	bool failed;
	hash_t plan;
};
struct rec_name {
	char *name;
	struct rec_build *v;
	size_t n;
};
char *rec_name_encode(const struct rec_name *r, size_t *len);
int rec_name_decode(const char *buf, size_t len, struct rec_name *r);
/* Put b first (dropping an older entry of the same plan, and the oldest
 * beyond REC_NAME_MAX); false when b was first already, as it is. */
bool rec_name_push(struct rec_name *r, const struct rec_build *b);
void rec_name_free(struct rec_name *r);
/* The key of name's record: the BLAKE2b-256 of the name. */
void rec_name_key(const char *name, hash_t *key);

/* An origin record is the name itself: 0 if buf is one. */
int rec_origin_check(const char *buf, size_t len);

#endif
