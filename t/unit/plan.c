/* Unit tests of src/plan.c: the canonical encoding and its inverse. */
#include "tap.h"
#include "err.h"
#include "fsutil.h"
#include "plan.h"
#include "record.h"

#include <stdlib.h>

static struct input in_file(const char *base, const char *path, mode_t mode, const char *content)
{
	struct input in = {.basedir = xstrdup(base)};
	in.art.kind = ART_FILE;
	in.art.path = xstrdup(path);
	in.art.mode = mode;
	hash_buf(content, strlen(content), &in.art.hash);
	return in;
}

static struct input in_link(const char *path, const char *target)
{
	struct input in = {.basedir = xstrdup("/")};
	in.art.kind = ART_SYMLINK;
	in.art.path = xstrdup(path);
	in.art.target = xstrdup(target);
	return in;
}

int main(void)
{
	hash_lib_init();
	char *n;
	n = plan_normpath("//a/./b//c/");
	is_str(n, "/a/b/c", "normpath folds slashes and dots");
	free(n);
	n = plan_normpath("/");
	is_str(n, "/", "normpath of the root");
	free(n);
	n = plan_normpath("/a/b/../../c/./..//d/");
	is_str(n, "/d", "normpath resolves '..' that stays under /");
	free(n);
	ok(plan_normpath("/../etc/x") == NULL && strstr(err_msg(), "climbs above /"),
	   "'..' above / refused: %s", err_msg());
	ok(plan_normpath("/a/../../b") == NULL, "'..' above / after a name refused");
	ok(plan_normpath("a/b") == NULL, "relative path refused");

	/* Two plans with the same inputs in another order (and a duplicate). */
	struct plan a = {.name = xstrdup("demo"), .nin = 3};
	a.in = xmalloc(3 * sizeof *a.in);
	a.in[0] = in_file("/", "/build", 0755, "#!/bin/sh\n");
	a.in[1] = in_link("/bin/sh", "busybox");
	a.in[2] = in_file("/sysroot/x", "/lib/a name\nwith newline", 0644, "x");
	struct plan b = {.name = xstrdup("demo"), .nin = 4};
	b.in = xmalloc(4 * sizeof *b.in);
	b.in[0] = in_file("/sysroot/x", "/lib/a name\nwith newline", 0644, "x");
	b.in[1] = in_link("/bin/sh", "busybox");
	b.in[2] = in_file("/", "/build", 0755, "#!/bin/sh\n");
	b.in[3] = in_link("/bin/sh", "busybox");
	plan_canonicalise(&a);
	plan_canonicalise(&b);
	ok(b.nin == 3, "duplicate input removed");
	size_t la, lb;
	char *ea = plan_encode(&a, &la), *eb = plan_encode(&b, &lb);
	ok(la == lb && memcmp(ea, eb, la) == 0, "input order does not change the encoding");
	hash_t ha, hb;
	plan_hash(&a, &ha);
	plan_hash(&b, &hb);
	ok(hash_eq(&ha, &hb), "nor the hash");
	ok(plan_has_build(&a), "/build is found");

	/* The documented bytes, written out by hand (docs/formats.md). */
	/* Sorted bytewise: "in 10:" sorts before "in 1:/" (':' > '0'). */
	char b1[HASH_B64 + 1], b2[HASH_B64 + 1];
	hash_t hc;
	hash_buf("#!/bin/sh\n", 10, &hc);
	hash_b64(&hc, b1);
	hash_buf("x", 1, &hc);
	hash_b64(&hc, b2);
	char *want = fs_fmt("distill-plan 1\nname 4:demo\n"
			    "in 10:/sysroot/x file 24:/lib/a name\nwith newline 0644 %s\n"
			    "in 1:/ file 6:/build 0755 %s\n"
			    "in 1:/ symlink 7:/bin/sh 7:busybox\n",
			    b2, b1);
	ok(la == strlen(want) && memcmp(ea, want, la) == 0, "encoding is byte for byte as documented");
	if (la != strlen(want) || memcmp(ea, want, la))
		printf("# got:\n%s# want:\n%s", ea, want);
	free(want);

	struct plan d;
	ok(plan_decode(ea, la, &d) == 0, "decodes");
	size_t ld;
	char *ed = plan_encode(&d, &ld);
	ok(ld == la && memcmp(ed, ea, la) == 0, "decode then encode is the identity");
	free(ed);
	plan_free(&d);

	/* A change of mode, name, basedir or raw output changes the hash. */
	hash_t h2;
	a.in[1].art.mode = 0700;
	plan_hash(&a, &h2);
	ok(!hash_eq(&h2, &ha), "mode is part of the identity");
	a.in[1].art.mode = 0755;
	a.raw = xstrdup("/disk.img");
	plan_hash(&a, &h2);
	ok(!hash_eq(&h2, &ha), "a raw output is part of the identity");
	size_t lr;
	char *er = plan_encode(&a, &lr);
	ok(plan_decode(er, lr, &d) == 0 && d.raw && !strcmp(d.raw, "/disk.img"), "raw output round trip");
	plan_free(&d);
	free(er);
	/* A raw output path that is not a normalised path under /out is refused
	 * when decoded (again PLANHASH), naming it. */
	static const char *const bad_raw[] = {"/../etc/passwd", "/a/../../b", "disk.img",
					      "/a//b", "/./a", "/a/", "/"};
	for (size_t i = 0; i < sizeof bad_raw / sizeof *bad_raw; i++) {
		free(a.raw);
		a.raw = xstrdup(bad_raw[i]);
		er = plan_encode(&a, &lr);
		ok(plan_decode(er, lr, &d) < 0 && strstr(err_msg(), bad_raw[i]) &&
		   strstr(err_msg(), "raw output"), "raw output '%s' refused: %s", bad_raw[i],
		   err_msg());
		free(er);
	}
	free(a.raw);
	a.raw = xstrdup("/disk.img");

	/* Malformed encodings are refused, never half-read. */
	ok(plan_decode("distill-plan 2\n", 15, &d) < 0, "other version refused");
	ok(plan_decode(ea, la - 3, &d) < 0, "truncated encoding refused: %s", err_msg());
	char *bad = xstrdup(ea);
	bad[20] = '9';
	ok(plan_decode(bad, la, &d) < 0, "corrupt length refused");
	free(bad);
	static const char *odd[] = {
		"distill-plan 1\nname 1:x\nin 1:/ dir 10:/usr//bin/ 0755\n",
		"distill-plan 1\nname 1:x\nin 5:/a/.. dir 4:/bin 0755\n",
		"distill-plan 1\nname 1:x\nin 1:/ symlink 9:/../etc/x 1:y\n",
		"distill-plan 1\nname 1:x\nraw 8:/../disk\nin 1:/ dir 4:/bin 0755\n",
	};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
		ok(plan_decode(odd[i], strlen(odd[i]), &d) < 0 && strstr(err_msg(), "normalised"),
		   "decoded plan with a path not normalised refused: %s", err_msg());

	struct output o = {.kind = OUT_FILE, .hash = ha}, o2;
	size_t lo;
	char *eo = output_encode(&o, &lo);
	ok(output_decode(eo, lo, &o2) == 0 && o2.kind == OUT_FILE && hash_eq(&o2.hash, &ha),
	   "output record round trip");
	ok(output_decode(eo, lo - 1, &o2) < 0, "truncated output record refused");
	free(eo);

	/* The resolution rule: a built plan as an input is its output. */
	struct artifact r = {.kind = ART_TREE, .path = xstrdup("/")};
	struct output tree = {.kind = OUT_TREE, .hash = hb};
	plan_resolve_input(&r, &tree, NULL);
	ok(r.kind == ART_TREE && !strcmp(r.path, "/") && hash_eq(&r.hash, &hb),
	   "a tree output resolves to a tree at /");
	plan_resolve_input(&r, &o, "/sub/disk.img");
	char *line = artifact_encode(&r, NULL), *want_line = NULL;
	char hs[HASH_B64 + 1];
	hash_b64(&ha, hs);
	want_line = fs_fmt("file 9:/disk.img 0644 %s", hs);
	ok(!strcmp(line, want_line), "a raw output resolves to its file at /<basename>, 0644: %s",
	   line);
	free(line);
	free(want_line);
	free(r.path);
	ok(art_kind_parse("symlink") == ART_SYMLINK && art_kind_parse("plan") < 0 &&
	   !strcmp(art_kind_name(ART_ARCHIVE), "archive"), "artifact kind names");
	free(ea);
	free(eb);
	plan_free(&a);
	plan_free(&b);
	return done_testing();
}
