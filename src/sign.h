/* sign: ed25519 keys (libsodium) and the signed output records a build
 * cache serves (cache.h moves them; docs/cache.md has the forms).
 *
 * Keys live in the user's configuration directory, dir below
 * ($XDG_CONFIG_HOME/distill, else ~/.config/distill):
 *   signing-key      "distill-signing-key 1\n" and the 64-byte secret key
 *                    in base64url, a line; mode 0600, refused otherwise
 *   signing-key.pub  the public key as a line "ed25519:" base64url
 *   trusted-keys     public keys in that form, one a line ('#' starts a
 *                    comment, anything after the key on a line is a name
 *                    for humans); written by nobody else but its owner
 *
 * A cache record says what a plan's output is and how to download it:
 *   "distill-cache 1\n"
 *   "plan " PLANHASH "\n"
 *   ("tree " | "file ") OUTHASH "\n"
 *   "cas " SHA256HEX " " SIZE "\n"      the bytes on the server: the blob, or
 *                                       the tree as tree_write_tar made it
 *   ("sig ed25519:" PUB " " SIG "\n")*  each signing the first three lines
 * What a signature covers is the claim "this plan gives this output",
 * whatever the bytes that carry it, so builders who agree sign the same
 * text and their signatures sit side by side in one record.
 *
 * Nothing here touches the store.  Values are the caller's; decoded and
 * loaded arrays are malloc'd (free with the matching _free). */
#ifndef DISTILL_SIGN_H
#define DISTILL_SIGN_H

#include <stddef.h>
#include <sodium.h>
#include "hash.h"
#include "plan.h"

#define SIGN_PUB_LEN crypto_sign_PUBLICKEYBYTES
#define SIGN_SEC_LEN crypto_sign_SECRETKEYBYTES
#define SIGN_SIG_LEN crypto_sign_BYTES

struct sign_pub {
	unsigned char b[SIGN_PUB_LEN];
};

struct sign_key {
	unsigned char sec[SIGN_SEC_LEN];
	struct sign_pub pub;
};

struct sign_sig {
	struct sign_pub by;
	unsigned char b[SIGN_SIG_LEN];
};

struct cache_rec {
	hash_t plan;
	struct output out;
	char sha256[65];	/* hex, of the bytes on the server */
	long long size;
	struct sign_sig *sigs;
	size_t nsigs;
};

/* The configuration directory (malloc'd), or NULL with err set. */
char *sign_config_dir(void);
/* Write a new key pair into dir (created 0700 if needed; never over an
 * existing signing-key) and add its public key to trusted-keys.  *pubtext
 * (malloc'd) is the public key's line, without newline. */
int sign_generate(const char *dir, char **pubtext);
/* The secret key of dir: 0, 1 when there is none, -1 (err set) when it
 * is malformed or others may read it. */
int sign_load_key(const char *dir, struct sign_key *k);
/* The trusted keys of dir (none when the file is missing): 0, or -1 with
 * err set (a malformed line, or a file others may write). */
int sign_load_trusted(const char *dir, struct sign_pub **keys, size_t *n);

/* "ed25519:" and base64url: buf must hold SIGN_PUB_TEXT + 1. */
#define SIGN_PUB_TEXT 51
void sign_pub_text(const struct sign_pub *p, char *buf);

/* The record's byte form, malloc'd (*len its length). */
char *cache_rec_encode(const struct cache_rec *r, size_t *len);
/* 0, or -1 with err set; r->sigs malloc'd. */
int cache_rec_decode(const char *buf, size_t len, struct cache_rec *r);
void cache_rec_free(struct cache_rec *r);
/* Add k's signature (replacing an earlier one of k's). */
void cache_rec_sign(struct cache_rec *r, const struct sign_key *k);
/* Is r signed by k's key? */
int cache_rec_signed_by(const struct cache_rec *r, const struct sign_pub *k);
/* Does a valid signature of one of the keys cover r? */
int cache_rec_trusted(const struct cache_rec *r, const struct sign_pub *keys, size_t n);

#endif
