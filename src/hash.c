#include "hash.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int hash_lib_init(void)
{
	if (sodium_init() < 0)
		return err("libsodium failed to initialise");
	return 0;
}

void hash_init(hash_ctx *c)
{
	crypto_generichash_init(&c->b2, NULL, 0, HASH_LEN);
}

void hash_update(hash_ctx *c, const void *p, size_t n)
{
	crypto_generichash_update(&c->b2, p, n);
}

void hash_final(hash_ctx *c, hash_t *out)
{
	crypto_generichash_final(&c->b2, out->b, HASH_LEN);
}

void hash_buf(const void *p, size_t n, hash_t *out)
{
	crypto_generichash(out->b, HASH_LEN, p, n, NULL, 0);
}

int hash_fd(int fd, hash_t *b2, hash_t *sha)
{
	hash_ctx c;
	crypto_hash_sha256_state s;
	hash_init(&c);
	if (sha)
		crypto_hash_sha256_init(&s);
	unsigned char buf[1 << 16];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_sys("read");
		}
		if (n == 0)
			break;
		hash_update(&c, buf, n);
		if (sha)
			crypto_hash_sha256_update(&s, buf, n);
	}
	hash_final(&c, b2);
	if (sha)
		crypto_hash_sha256_final(&s, sha->b);
	return 0;
}

int hash_file(const char *path, hash_t *b2, hash_t *sha)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open", path);
	int r = hash_fd(fd, b2, sha);
	close(fd);
	if (r < 0)
		return err_prefix("%s", path);
	return 0;
}

void hash_b64(const hash_t *h, char out[HASH_B64 + 1])
{
	sodium_bin2base64(out, HASH_B64 + 1, h->b, HASH_LEN,
			  sodium_base64_VARIANT_URLSAFE);
}

void hash_hex(const hash_t *h, char out[2 * HASH_LEN + 1])
{
	sodium_bin2hex(out, 2 * HASH_LEN + 1, h->b, HASH_LEN);
}

int hash_parse(const char *s, hash_t *out)
{
	size_t len;
	if (strlen(s) != HASH_B64 ||
	    sodium_base642bin(out->b, HASH_LEN, s, HASH_B64, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE) != 0 ||
	    len != HASH_LEN)
		return err("'%s' is not a hash: expected 44 characters of base64url "
			   "with padding (BLAKE2b-256)", s);
	return 0;
}

/* A sha256 pin is this prefix and 64 lower-case hex digits. */
static const char sha256_prefix[] = "sha256:";

int pin_parse(const char *s, pin_t *out)
{
	if (strncmp(s, sha256_prefix, sizeof sha256_prefix - 1) == 0) {
		size_t len;
		const char *hex = s + sizeof sha256_prefix - 1;
		if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64 ||
		    sodium_hex2bin(out->h.b, HASH_LEN, hex, 64, NULL, &len, NULL) != 0 ||
		    len != HASH_LEN)
			return err("'%s' is not a pin: sha256: needs 64 hex digits, lower-case", s);
		out->kind = PIN_SHA256;
		return 0;
	}
	if (hash_parse(s, &out->h) < 0)
		return err("'%s' is not a pin: expected 44 characters of base64url "
			   "(BLAKE2b-256) or sha256:<64 hex digits>", s);
	out->kind = PIN_BLAKE2B;
	return 0;
}

bool hash_eq(const hash_t *a, const hash_t *b)
{
	return memcmp(a->b, b->b, HASH_LEN) == 0;
}

bool pin_matches(const pin_t *p, const hash_t *b2, const hash_t *sha)
{
	if (p->kind == PIN_SHA256)
		return sha && hash_eq(&p->h, sha);
	return hash_eq(&p->h, b2);
}

void pin_format(const pin_t *p, char out[80])
{
	if (p->kind == PIN_SHA256) {
		char hex[2 * HASH_LEN + 1];
		hash_hex(&p->h, hex);
		snprintf(out, 80, "%s%s", sha256_prefix, hex);
	} else {
		hash_b64(&p->h, out);
	}
}

void hash_short(const hash_t *h, char out[11])
{
	char b[HASH_B64 + 1];
	hash_b64(h, b);
	memcpy(out, b, 10);
	out[10] = 0;
}
