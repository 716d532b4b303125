/* Unit tests of src/hash.c: known values and the text forms. */
#include "tap.h"
#include "hash.h"
#include "err.h"

int main(void)
{
	hash_lib_init();
	hash_t h, sha;
	char b64[HASH_B64 + 1], hex[2 * HASH_LEN + 1];

	hash_buf("", 0, &h);
	hash_b64(&h, b64);
	is_str(b64, "DldRwCblQ7Loqy6wYJnaodHl30d3j3eH-qtFzfEv46g=", "BLAKE2b-256 of nothing");

	hash_ctx c;
	hash_init(&c);
	hash_update(&c, "a", 1);
	hash_update(&c, "bc", 2);
	hash_final(&c, &h);
	hash_t h2;
	hash_buf("abc", 3, &h2);
	ok(hash_eq(&h, &h2), "streaming equals one-shot");
	hash_b64(&h2, b64);
	is_str(b64, "vd2BPGNCOXIxce8_7phXm5SWTjuxyz5CcmLIwGjVIxk=", "BLAKE2b-256 of abc (python hashlib agrees)");

	FILE *f = tmpfile();
	fputs("abc", f);
	fflush(f);
	rewind(f);
	ok(hash_fd(fileno(f), &h, &sha) == 0 && hash_eq(&h, &h2), "hash_fd BLAKE2b");
	hash_hex(&sha, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "hash_fd SHA-256 of abc");
	fclose(f);

	hash_t back;
	ok(hash_parse(b64, &back) == 0 && hash_eq(&back, &h2), "base64url round trip");
	ok(hash_parse("vd2BPGNCOXIxce8_7phXm5SWTjuxyz5CcmLIwGjVIxk", &back) < 0,
	   "unpadded form is refused");
	ok(hash_parse("vd2BPGNCOXIxce8+7phXm5SWTjuxyz5CcmLIwGjVIxk=", &back) < 0,
	   "standard base64 alphabet is refused");

	pin_t p;
	ok(pin_parse("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", &p) == 0 &&
	   p.kind == PIN_SHA256 && pin_matches(&p, &h2, &sha), "sha256 pin matches");
	ok(!pin_matches(&p, &h2, NULL), "sha256 pin needs the sha256");
	ok(pin_parse("sha256:ba78", &p) < 0 && strstr(err_msg(), "64 hex digits"),
	   "short sha256 pin refused: %s", err_msg());
	ok(pin_parse("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", &p) < 0,
	   "upper-case sha256 pin refused, as (distill hash) always did: %s", err_msg());
	ok(pin_parse(b64, &p) == 0 && p.kind == PIN_BLAKE2B && pin_matches(&p, &h2, &sha),
	   "BLAKE2b pin matches");
	char pf[80];
	pin_format(&p, pf);
	is_str(pf, b64, "pin_format of a BLAKE2b pin");
	ok(pin_parse("nonsense", &p) < 0, "garbage pin refused");
	char sh[11];
	hash_short(&h2, sh);
	is_str(sh, "vd2BPGNCOX", "short form is a prefix");
	return done_testing();
}
