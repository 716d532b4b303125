/* sign: key files, the cache record's byte form, signatures. */
#define _GNU_SOURCE
#include "tap.h"
#include "sign.h"
#include "fsutil.h"
#include "hash.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct cache_rec sample(void)
{
	struct cache_rec r = {.out = {.kind = OUT_TREE}, .size = 188};
	hash_buf("plan", 4, &r.plan);
	hash_buf("out", 3, &r.out.hash);
	memset(r.sha256, 'a', 64);
	return r;
}

int main(void)
{
	hash_lib_init();
	char tmpl[] = "/tmp/distill-sign.XXXXXX";
	char *dir = mkdtemp(tmpl), *pub = NULL;
	ok(sign_generate(dir, &pub) == 0, "a key pair is made");
	struct sign_key k;
	ok(sign_load_key(dir, &k) == 0, "and loaded again");
	char pt[SIGN_PUB_TEXT + 1];
	sign_pub_text(&k.pub, pt);
	is_str(pub, pt, "its public key is the one printed");
	ok(sign_generate(dir, &pub) < 0, "a second key is not written over the first");
	struct sign_pub *keys;
	size_t n;
	ok(sign_load_trusted(dir, &keys, &n) == 0 && n == 1 && !memcmp(&keys[0], &k.pub, sizeof k.pub),
	   "the new key is trusted");
	char *sk = fs_join(dir, "signing-key");
	chmod(sk, 0640);
	ok(sign_load_key(dir, &k) < 0, "a secret key others may read is refused");
	chmod(sk, 0600);

	struct cache_rec r = sample(), d;
	cache_rec_sign(&r, &k);
	struct sign_key k2;
	crypto_sign_keypair(k2.pub.b, k2.sec);
	cache_rec_sign(&r, &k2);
	cache_rec_sign(&r, &k);
	ok(r.nsigs == 2, "two signers, one signature each");
	size_t len;
	char *enc = cache_rec_encode(&r, &len);
	ok(cache_rec_decode(enc, len, &d) == 0 && d.nsigs == 2 && hash_eq(&d.plan, &r.plan) &&
	   d.size == 188 && !strcmp(d.sha256, r.sha256), "a record decodes to itself");
	ok(cache_rec_trusted(&d, keys, n), "signed by a trusted key");
	ok(cache_rec_trusted(&d, &k2.pub, 1) && cache_rec_signed_by(&d, &k2.pub), "and by the other");
	cache_rec_free(&d);
	char *t = strdup(enc);
	*strstr(t, "tree ") = 'x';
	ok(cache_rec_decode(t, len, &d) < 0, "a record with a bad kind is malformed");
	free(t);
	/* Another output under the same signatures. */
	t = strdup(enc);
	char *h = strstr(t, "tree ") + 5;
	h[0] = h[0] == 'A' ? 'B' : 'A';
	ok(cache_rec_decode(t, len, &d) == 0 && !cache_rec_trusted(&d, keys, n),
	   "a changed output hash breaks every signature");
	cache_rec_free(&d);
	free(t);
	t = strdup(enc);
	char *c = strstr(t, "cas ") + 4;
	c[0] = 'b';
	ok(cache_rec_decode(t, len, &d) == 0 && cache_rec_trusted(&d, keys, n),
	   "the cas line is not signed (the content is checked against the output hash)");
	cache_rec_free(&d);
	free(t);
	ok(cache_rec_decode(enc, len - 1, &d) < 0, "a record cut short is malformed");
	free(enc);
	cache_rec_free(&r);
	char *cmd = fs_fmt("rm -rf %s", dir);
	ok(system(cmd) == 0, "clean up");
	return done_testing();
}
