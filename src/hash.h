/* hash: BLAKE2b-256 and SHA-256 through libsodium, and their text forms.
 *
 * distill's hash is BLAKE2b-256, written as 44 characters of base64url
 * with padding.  Pins may also be "sha256:<64 hex digits>".  All values
 * are fixed-size structs owned by the caller; nothing here allocates. */
#ifndef DISTILL_HASH_H
#define DISTILL_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <sodium.h>

#define HASH_LEN 32
#define HASH_B64 44 /* characters, without the NUL */

typedef struct {
	unsigned char b[HASH_LEN];
} hash_t;

typedef struct {
	crypto_generichash_state b2;
} hash_ctx;

/* A pin: what a source must hash to. */
typedef struct {
	enum { PIN_BLAKE2B, PIN_SHA256 } kind;
	hash_t h;
} pin_t;

/* Call once before anything else (sodium_init); 0 or -1. */
int hash_lib_init(void);

void hash_init(hash_ctx *c);
void hash_update(hash_ctx *c, const void *p, size_t n);
void hash_final(hash_ctx *c, hash_t *out);
void hash_buf(const void *p, size_t n, hash_t *out);
/* Hash everything readable from fd: BLAKE2b-256 into b2 and, when sha is
 * not NULL, SHA-256 into sha.  Returns 0, or -1 with err set. */
int hash_fd(int fd, hash_t *b2, hash_t *sha);
int hash_file(const char *path, hash_t *b2, hash_t *sha);

/* out gets HASH_B64 characters and a NUL. */
void hash_b64(const hash_t *h, char out[HASH_B64 + 1]);
/* out gets 64 hex digits and a NUL. */
void hash_hex(const hash_t *h, char out[2 * HASH_LEN + 1]);
/* Parse 44-character padded base64url; 0 or -1 (err set). */
int hash_parse(const char *s, hash_t *out);
/* Parse a pin: base64url BLAKE2b-256 (hash_parse) or "sha256:" and 64
 * lower-case hex digits; 0 or -1.  The one definition of the pin syntax:
 * (distill plan) and (distill hash) ask it through %pin-kind. */
int pin_parse(const char *s, pin_t *out);
/* Does a content whose hashes are b2 and sha satisfy the pin? */
bool pin_matches(const pin_t *p, const hash_t *b2, const hash_t *sha);
/* Text form of a pin, as pin_parse reads it (at most 72 chars + NUL). */
void pin_format(const pin_t *p, char out[80]);
bool hash_eq(const hash_t *a, const hash_t *b);
/* A short prefix of the base64 form, for humans: 10 chars + NUL. */
void hash_short(const hash_t *h, char out[11]);

#endif
