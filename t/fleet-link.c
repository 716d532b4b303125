/* t/packages-fleet.t's program: linked statically against the libraries
 * of pkg/ (libsodium, expat, pcre2, libffi, libevent, gdbm) with their
 * installed headers, it uses each once and prints what it got, a line
 * each, for the test to compare. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <expat.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <ffi.h>
#include <event2/event.h>
#include <gdbm.h>

static int elements;

static void XMLCALL start(void *u, const char *name, const char **attrs)
{
	(void)u, (void)name, (void)attrs;
	elements++;
}

static void XMLCALL end(void *u, const char *name)
{
	(void)u, (void)name;
}

static int add(int a, int b)
{
	return a + b;
}

static void sodium(void)
{
	unsigned char h[32], pt[32];
	char hex[65];
	crypto_generichash(h, sizeof h, (const unsigned char *)"abc", 3, NULL, 0);
	printf("sodium %s\n", sodium_bin2hex(hex, sizeof hex, h, sizeof h));
	/* CVE-2025-69277's test point, outside the main subgroup: not valid. */
	memset(pt, 0x99, sizeof pt);
	pt[0] = 0x95;
	printf("sodium-subgroup %d\n", crypto_core_ed25519_is_valid_point(pt));
}

static void expat(void)
{
	const char *doc = "<fleet><host name='a'/><host name='b'/></fleet>";
	XML_Parser p = XML_ParserCreate(NULL);
	XML_SetElementHandler(p, start, end);
	int ok = XML_Parse(p, doc, (int)strlen(doc), 1) == XML_STATUS_OK;
	printf("expat %s %d %s\n", ok ? "parsed" : "failed", elements, XML_ExpatVersion());
	XML_ParserFree(p);
}

static void pcre2(void)
{
	int err;
	PCRE2_SIZE off;
	const char *s = "xabbbc";
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)"a(b+)c", PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	printf("pcre2 %d %.*s\n", rc, (int)(ov[3] - ov[2]), s + ov[2]);
}

static void ffi(void)
{
	ffi_cif cif;
	ffi_type *args[2] = { &ffi_type_sint, &ffi_type_sint };
	int x = 2, y = 3;
	void *vals[2] = { &x, &y };
	ffi_arg r;
	ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 2, &ffi_type_sint, args);
	ffi_call(&cif, FFI_FN(add), &r, vals);
	printf("ffi %d\n", (int)r);
}

static void event(void)
{
	struct event_base *base = event_base_new();
	printf("event %s %s\n", event_get_version(), base ? event_base_get_method(base) : "none");
}

static void gdbm(void)
{
	GDBM_FILE db = gdbm_open("/tmp/fleet.db", 0, GDBM_NEWDB, 0600, NULL);
	datum k = { "host", 4 }, v = { "up", 2 };
	gdbm_store(db, k, v, GDBM_REPLACE);
	datum got = gdbm_fetch(db, k);
	printf("gdbm %.*s\n", got.dsize, got.dptr);
	gdbm_close(db);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	sodium();
	expat();
	pcre2();
	ffi();
	event();
	gdbm();
	return 0;
}
