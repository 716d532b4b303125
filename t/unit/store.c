#define _GNU_SOURCE
#include "tap.h"
#include "err.h"
#include "fsutil.h"
#include "gc.h"
#include "hash.h"
#include "plan.h"
#include "record.h"
#include "store.h"
#include "tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *base;

/* ok() for a call returning 0, with the error message when it does not. */
#define ok0(call, ...)                                                      \
	do {                                                                \
		int r_ = (call);                                            \
		ok(r_ == 0, __VA_ARGS__);                                   \
		if (r_ != 0)                                                \
			printf("#   error: %s\n", err_msg());               \
	} while (0)

static bool exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static bool sexists(struct store *s, const char *sub, const hash_t *h, const char *suffix)
{
	char b[HASH_B64 + 1];
	hash_b64(h, b);
	char *p = fs_fmt("%s/%s/%s%s", store_dir(s), sub, b, suffix);
	bool r = exists(p);
	free(p);
	return r;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int scount(struct store *s, const char *sub)
{
	char *p = fs_join(store_dir(s), sub);
	int n = count_entries(p);
	free(p);
	return n;
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || fs_write_all(fd, text, strlen(text)) < 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	close(fd);
}

static char *slurp(const char *path)
{
	char *b;
	return fs_read_file(path, &b, NULL) == 0 ? b : NULL;
}

/* The same small tree, in dir. */
static void make_tree(const char *dir)
{
	char *p = fs_join(dir, "a");
	put(p, "alpha\n", 0600);
	free(p);
	p = fs_join(dir, "sub");
	mkdir(p, 0700);
	free(p);
	p = fs_join(dir, "sub/run");
	put(p, "#!/bin/sh\n", 0700);
	free(p);
	p = fs_join(dir, "link");
	if (symlink("sub/run", p) < 0)
		printf("Bail out! symlink\n");
	free(p);
}

static void make_tgz(const char *path)
{
	struct archive *a = archive_write_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		printf("Bail out! %s\n", archive_error_string(a));
		exit(1);
	}
	struct { const char *name, *data; mode_t mode; } m[] = {
		{ "pkg/hello.txt", "hello, world\n", 0644 },
		{ "pkg/bin/tool", "#!/bin/sh\necho tool\n", 0755 },
	};
	for (size_t i = 0; i < 2; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, m[i].mode);
		archive_entry_set_size(e, strlen(m[i].data));
		archive_write_header(a, e);
		archive_write_data(a, m[i].data, strlen(m[i].data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static void test_open(void)
{
	char *dir = fs_join(base, "fresh/store");
	struct store *s = store_open(dir);
	ok(s != NULL, "open creates a store");
	if (!s) {
		printf("Bail out! %s\n", err_msg());
		exit(1);
	}
	is_str(store_dir(s), dir, "store_dir");
	const char *subs[] = { "blobs", "trees", "rec/plan", "rec/out", "rec/meta",
			       "rec/unpacked", "rec/origin", "rec/sha256", "rec/size", "layers",
			       "logs", "roots", "locks", "tmp" };
	int all = 1;
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		all &= scount(s, subs[i]) == 0;
	ok(all, "layout directories exist and are empty");
	char *v = fs_join(dir, "VERSION"), *text = slurp(v);
	is_str(text, "distill-store 1\n", "VERSION written");
	free(text);
	store_close(s);
	s = store_open(dir);
	ok(s != NULL, "a store opens again");

	char *m = store_mktemp(s, "build");
	struct stat st;
	char *tmpdir = fs_join(dir, "tmp");
	ok(m && stat(m, &st) == 0 && S_ISDIR(st.st_mode) &&
	   strncmp(m, tmpdir, strlen(tmpdir)) == 0 && strstr(m, "/build."),
	   "store_mktemp makes a directory under tmp/");
	free(m);
	free(tmpdir);
	store_close(s);
	free(v);
	free(dir);
}

static void test_version(void)
{
	char *dir = fs_join(base, "old");
	mkdir(dir, 0755);
	char *v = fs_join(dir, "VERSION");
	put(v, "distill-store 0\n", 0644);
	struct store *s = store_open(dir);
	ok(s == NULL, "a store with another VERSION is refused");
	ok(strstr(err_msg(), "distill-store 0") && strstr(err_msg(), "--store") &&
	   strstr(err_msg(), dir), "the message names the store, its version and what to do");
	printf("# %s\n", err_msg());
	store_close(s);
	free(v);
	free(dir);
}

static void test_default_dir(void)
{
	setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
	setenv("HOME", "/home/u", 1);
	char *d = store_default_dir();
	is_str(d, "/xdg/cache/distill", "default dir from XDG_CACHE_HOME");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	d = store_default_dir();
	is_str(d, "/home/u/.cache/distill", "default dir from HOME");
	free(d);
}

static void test_blobs(struct store *s)
{
	const char *text = "some blob content\n";
	hash_t h, want, h2, h3;
	hash_buf(text, strlen(text), &want);
	ok(!store_has_blob(s, &want), "blob absent before put");
	ok(store_put_blob_buf(s, text, strlen(text), &h) == 0 && hash_eq(&h, &want),
	   "put_blob_buf returns the content hash");
	ok(store_has_blob(s, &h), "blob present after put");
	char *p = store_blob_path(s, &h), *back = slurp(p);
	is_str(back, text, "blob path holds the content");
	struct stat st;
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0444, "blob is read-only");
	free(back);
	free(p);

	ok(store_put_blob_buf(s, text, strlen(text), &h2) == 0 && hash_eq(&h2, &h),
	   "second put of the same content");
	char *f = fs_join(base, "blobsrc");
	put(f, text, 0600);
	ok(store_put_blob_file(s, f, &h3) == 0 && hash_eq(&h3, &h),
	   "put_blob_file of the same content gives the same hash");
	ok(scount(s, "blobs") == 1, "the same content is one entry");
	ok(scount(s, "tmp") == 0, "no temporary files left behind");
	ok(store_put_blob_file(s, "/nonexistent/file", &h3) < 0 &&
	   strstr(err_msg(), "/nonexistent/file"), "put of a missing file names it");
	free(f);
}

static void test_trees(struct store *s)
{
	char *ref = fs_join(base, "reftree");
	mkdir(ref, 0755);
	make_tree(ref);
	hash_t want, h, h2;
	ok(tree_normalise(ref) == 0 && tree_hash(ref, &want) == 0, "reference tree hashed");

	char *tmp = store_mktemp(s, "tree");
	make_tree(tmp);
	ok0(store_adopt_tree(s, tmp, &h), "adopt_tree");
	ok(hash_eq(&h, &want), "adopt_tree returns the tree_hash of the tree");
	ok(store_has_tree(s, &h) && !exists(tmp), "tree moved into the store");
	char *tp = store_tree_path(s, &h);
	char *a = fs_join(tp, "a"), *sub = fs_join(tp, "sub");
	struct stat st, sa, ss;
	ok(stat(tp, &st) == 0 && stat(a, &sa) == 0 && stat(sub, &ss) == 0 &&
	   (st.st_mode & 0222) == 0 && (sa.st_mode & 0222) == 0 && (ss.st_mode & 0222) == 0,
	   "stored tree is read-only (top %o, file %o, dir %o)",
	   st.st_mode & 07777, sa.st_mode & 07777, ss.st_mode & 07777);
	char *tmp2 = store_mktemp(s, "tree");
	make_tree(tmp2);
	ok(store_adopt_tree(s, tmp2, &h2) == 0 && hash_eq(&h2, &h) && !exists(tmp2),
	   "adopting an existing tree again succeeds and removes the temp dir");
	ok(scount(s, "trees") == 1, "one tree entry");
	hash_t t2;
	ok(tree_hash(tp, &t2) == 0 && hash_eq(&t2, &h), "stored tree still hashes the same");
	free(a);
	free(sub);
	free(tp);
	free(tmp);
	free(tmp2);
	free(ref);
}

/* The record's bytes on disk, malloc'd (NULL if none). */
static char *rec_text(struct store *s, enum rec_kind k, const hash_t *key)
{
	char *p = store_rec_path(s, k, key), *t = slurp(p);
	free(p);
	return t;
}

static void test_records(struct store *s)
{
	hash_t k, h;
	hash_buf("key", 3, &k);
	hash_buf("content", 7, &h);
	char hb[HASH_B64 + 1];
	hash_b64(&h, hb);
	struct output o;
	ok(store_get_out(s, &k, &o) == 1, "absent record gives 1");
	struct output put_o = { OUT_TREE, h };
	ok0(store_put_out(s, &k, &put_o), "put_out");
	ok(store_get_out(s, &k, &o) == 0 && o.kind == OUT_TREE && hash_eq(&o.hash, &h),
	   "get_out returns what was put");
	char *t = rec_text(s, REC_OUT, &k), *want = fs_fmt("distill-out 1\ntree %s\n", hb);
	is_str(t, want, "the output record's bytes (docs/formats.md)");
	free(t);
	free(want);
	ok(store_get_meta(s, &k, &(struct rec_meta){ 0 }) == 1, "absent meta gives 1");

	hash_t deps[2] = { h, k };
	struct rec_meta m = { 1700000000, 3.25, deps, 2 }, back;
	ok0(store_put_meta(s, &k, &m), "put_meta");
	char kb[HASH_B64 + 1];
	hash_b64(&k, kb);
	t = rec_text(s, REC_META, &k);
	want = fs_fmt("distill-meta 1\nstarted 1700000000\nseconds 3.250\ndep %s\ndep %s\n",
		      hb, kb);
	is_str(t, want, "the build facts' bytes (docs/formats.md)");
	free(t);
	free(want);
	ok(store_get_meta(s, &k, &back) == 0 && back.started == 1700000000 &&
	   back.seconds == 3.25 && back.ndeps == 2 && hash_eq(&back.deps[0], &h) &&
	   hash_eq(&back.deps[1], &k), "get_meta returns what was put");
	rec_meta_free(&back);

	hash_t blob;
	long long size;
	char *name;
	ok0(store_put_sha256(s, &k, &h), "put_sha256");
	ok(store_get_sha256(s, &k, &blob) == 0 && hash_eq(&blob, &h), "get_sha256");
	t = rec_text(s, REC_SHA256, &k);
	want = fs_fmt("%s\n", hb);
	is_str(t, want, "a one-hash record's bytes");
	free(t);
	free(want);
	ok0(store_put_size(s, &k, 12345), "put_size");
	t = rec_text(s, REC_SIZE, &k);
	is_str(t, "12345\n", "a size record's bytes");
	free(t);
	ok(store_get_size(s, &k, &size) == 0 && size == 12345, "get_size");
	ok(!store_has_origin(s, &k) && store_put_origin(s, &k, "https://x/y.tar") == 0 &&
	   store_has_origin(s, &k), "put_origin, has_origin");
	ok(store_get_origin(s, &k, &name) == 0 && !strcmp(name, "https://x/y.tar"),
	   "get_origin");
	free(name);
	t = rec_text(s, REC_ORIGIN, &k);
	is_str(t, "https://x/y.tar", "an origin record's bytes: the name alone");
	free(t);
}

/* What fsck calls malformed, every reader refuses, naming the record. */
static void test_bad_records(struct store *s)
{
	hash_t k;
	hash_buf("bad", 3, &k);
	char *p = store_rec_path(s, REC_META, &k);
	struct rec_meta m;
	const char *bad_meta[] = {
		"distill-meta 1\nstarted 1\nseconds 3\n",		/* no decimals */
		"distill-meta 2\nstarted 1\nseconds 3.000\n",
		"distill-meta 1\nstarted 1\nseconds 3.000\ndep x\n",
		"distill-meta 1\nstarted 1\nseconds 3.000\njunk\n",
		"distill-meta 1\nstarted 1\nseconds 3.000",		/* no newline */
	};
	for (size_t i = 0; i < sizeof bad_meta / sizeof *bad_meta; i++) {
		put(p, bad_meta[i], 0644);
		ok(store_get_meta(s, &k, &m) < 0 && strstr(err_msg(), p) &&
		   strstr(err_msg(), "distill-meta 1"), "malformed meta %zu refused: %s", i,
		   err_msg());
	}
	free(p);
	p = store_rec_path(s, REC_SHA256, &k);
	hash_t h;
	put(p, "AAAA\n", 0644);
	ok(store_get_sha256(s, &k, &h) < 0 && strstr(err_msg(), p), "a short hash is refused");
	char hb[HASH_B64 + 1];
	hash_b64(&k, hb);
	put(p, hb, 0644);
	ok(store_get_sha256(s, &k, &h) < 0, "a hash without its newline is refused");
	free(p);
	p = store_rec_path(s, REC_SIZE, &k);
	long long n;
	put(p, "-1\n", 0644);
	ok(store_get_size(s, &k, &n) < 0, "a negative size is refused");
	put(p, "12 \n", 0644);
	ok(store_get_size(s, &k, &n) < 0, "a size with a space is refused");
	free(p);
	p = store_rec_path(s, REC_OUT, &k);
	put(p, "distill-out 1\ntree AAAA\n", 0644);
	struct output o;
	ok(store_get_out(s, &k, &o) < 0 && strstr(err_msg(), p), "a bad output record is refused");
	free(p);
}

/* The index of builds by name: newest first, each plan once, at most
 * REC_NAME_MAX; malformed records refused. */
static void test_names(struct store *s)
{
	hash_t a, b, h;
	hash_buf("a", 1, &a);
	hash_buf("b", 1, &b);
	struct rec_name r;
	ok(store_get_name(s, "hello", &r) == 1, "no builds of a name yet");
	ok(store_note_build(s, "hello", &a, false) == 0 && store_note_build(s, "hello", &b, true) == 0 &&
	   store_note_build(s, "hello", &a, false) == 0, "three builds noted");
	ok(store_get_name(s, "hello", &r) == 0 && r.n == 2 && !strcmp(r.name, "hello") &&
	   hash_eq(&r.v[0].plan, &a) && !r.v[0].failed && hash_eq(&r.v[1].plan, &b) && r.v[1].failed,
	   "newest first, each plan once, failures marked");
	rec_name_free(&r);
	for (int i = 0; i < REC_NAME_MAX + 4; i++) {
		hash_buf(&i, sizeof i, &h);
		store_note_build(s, "many", &h, false);
	}
	ok(store_get_name(s, "many", &r) == 0 && r.n == REC_NAME_MAX, "at most %d builds kept",
	   REC_NAME_MAX);
	rec_name_free(&r);
	ok(store_note_build(s, "two\nlines", &a, false) == 0 &&
	   store_get_name(s, "two\nlines", &r) == 1, "a name with a newline is not indexed");
	hash_t k;
	rec_name_key("bad", &k);
	char *p = store_rec_path(s, REC_NAME, &k);
	const char *bad[] = {
		"distill-name 1\nname bad\nbuilt x AAAA\n",
		"distill-name 1\nname bad\nmade 1 AAAA\n",
		"distill-name 2\nname bad\n",
		"distill-name 1\nname bad",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		put(p, bad[i], 0644);
		ok(store_get_name(s, "bad", &r) < 0 && strstr(err_msg(), p), "malformed name record %zu refused",
		   i);
	}
	store_discard(s, p);
	free(p);
	hash_t *v;
	size_t n;
	ok(store_plans_with_prefix(s, "zz", &v, &n) == 0 && n == 0, "no plan starts with zz");
	free(v);
}

static void test_logs(struct store *s)
{
	hash_t p;
	hash_buf("plan-for-log", 12, &p);
	char *src = fs_join(base, "build.log");
	size_t cap = 64 * 1024, len = 0;
	char *text = xmalloc(cap);
	for (int i = 0; len < 40000; i++)
		len += snprintf(text + len, cap - len, "make[1]: compiling file%d.c -O2\n", i);
	put(src, text, 0644);
	ok(store_cat_log(s, &p, 1) == 1, "cat_log of a plan without a log gives 1");
	ok0(store_put_log(s, &p, src), "put_log");
	char b[HASH_B64 + 1];
	hash_b64(&p, b);
	char *zst = fs_fmt("%s/logs/%s.zst", store_dir(s), b);
	unsigned char magic[4] = { 0 };
	int fd = open(zst, O_RDONLY);
	ok(fd >= 0 && read(fd, magic, 4) == 4 && magic[0] == 0x28 && magic[1] == 0xb5 &&
	   magic[2] == 0x2f && magic[3] == 0xfd, "stored log is zstd");
	struct stat st;
	ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size < (off_t)len / 4,
	   "stored log is compressed (%lld of %zu bytes)", (long long)st.st_size, len);
	if (fd >= 0)
		close(fd);
	char *outp = fs_join(base, "log.out");
	fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok0(store_cat_log(s, &p, fd), "cat_log");
	close(fd);
	char *back = slurp(outp);
	ok(back && strcmp(back, text) == 0, "log comes back identical");
	ok(scount(s, "tmp") == 0, "no temporary files left behind");
	free(back);
	free(outp);
	free(zst);
	free(text);
	free(src);
}

static void test_locks(struct store *s)
{
	hash_t p;
	hash_buf("locked plan", 11, &p);
	struct store *s2 = store_open(store_dir(s));
	int fd = store_lock_plan(s, &p, false);
	ok(fd >= 0, "plan lock taken");
	ok(store_lock_plan(s2, &p, false) == -2, "plan lock busy from a second open store");
	store_unlock_plan(fd);
	int fd2 = store_lock_plan(s2, &p, false);
	ok(fd2 >= 0, "plan lock free again after unlock");
	store_unlock_plan(fd2);
	store_close(s2);
}

static void test_unpack(struct store *s)
{
	char *tgz = fs_join(base, "pkg.tar.gz");
	make_tgz(tgz);
	hash_t blob, tree, tree2;
	ok(store_put_blob_file(s, tgz, &blob) == 0, "archive stored as a blob");
	ok0(store_unpack(s, &blob, &tree), "store_unpack");
	char *tp = store_tree_path(s, &tree);
	char *hello = fs_join(tp, "pkg/hello.txt"), *text = slurp(hello);
	is_str(text, "hello, world\n", "unpacked tree holds the file");
	free(text);
	char *tool = fs_join(tp, "pkg/bin/tool");
	ok(access(tool, X_OK) == 0, "executable kept executable");
	ok(store_get_unpacked(s, &blob, &tree2) == 0 && hash_eq(&tree, &tree2),
	   "rec/unpacked maps the blob to the tree");

	/* With the blob gone, only the cached mapping can answer. */
	char *bp = store_blob_path(s, &blob), *aside = fs_join(base, "aside");
	rename(bp, aside);
	ok(store_unpack(s, &blob, &tree2) == 0 && hash_eq(&tree, &tree2),
	   "second unpack answered from the record");
	rename(aside, bp);

	ok(fs_rm_rf(tp) == 0 && store_unpack(s, &blob, &tree2) == 0 &&
	   hash_eq(&tree, &tree2) && store_has_tree(s, &tree),
	   "a recorded tree that is gone is unpacked again");
	free(bp);
	free(aside);
	free(tool);
	free(hello);
	free(tp);
	free(tgz);
}

/* Store a plan with the given inputs; returns its hash. */
static hash_t store_plan(struct store *s, const char *name, struct input *in, size_t nin)
{
	struct plan p = { (char *)name, NULL, in, nin };
	plan_canonicalise(&p);
	size_t len;
	char *enc = plan_encode(&p, &len);
	hash_t h;
	hash_buf(enc, len, &h);
	if (store_put_plan(s, &h, enc, len) < 0)
		printf("Bail out! %s\n", err_msg());
	free(enc);
	return h;
}

static hash_t put_tree(struct store *s, const char *content)
{
	char *t = store_mktemp(s, "tree");
	char *f = fs_join(t, "f");
	put(f, content, 0644);
	hash_t h;
	if (store_adopt_tree(s, t, &h) < 0)
		printf("Bail out! %s\n", err_msg());
	free(f);
	free(t);
	return h;
}

static void put_output(struct store *s, const hash_t *plan, int kind, const hash_t *h)
{
	struct output o = { .kind = kind, .hash = *h };
	store_put_out(s, plan, &o);
}

static void test_gc(void)
{
	char *dir = fs_join(base, "gcstore");
	struct store *s = store_open(dir);
	hash_t in_blob, dep_blob, dep_out, junk_blob, arch, arch_tree, in_tree, out_tree,
		junk_tree, junk_out;
	store_put_blob_buf(s, "build script", 12, &in_blob);
	store_put_blob_buf(s, "dep input", 9, &dep_blob);
	store_put_blob_buf(s, "dep output", 10, &dep_out);
	store_put_blob_buf(s, "junk", 4, &junk_blob);
	char *tgz = fs_join(base, "gc.tar.gz");
	make_tgz(tgz);
	store_put_blob_file(s, tgz, &arch);
	store_unpack(s, &arch, &arch_tree);
	in_tree = put_tree(s, "input tree");
	out_tree = put_tree(s, "output tree");
	junk_tree = put_tree(s, "junk tree");
	junk_out = put_tree(s, "junk output");

	/* dep: one file input, a raw file output. */
	struct input din[] = { { "/", { ART_FILE, "/build", 0755, NULL, dep_blob } } };
	hash_t dep = store_plan(s, "dep", din, 1);
	put_output(s, &dep, OUT_FILE, &dep_out);
	/* top: a file, an archive and a tree; depends on dep. */
	struct input tin[] = {
		{ "/", { ART_FILE, "/build", 0755, NULL, in_blob } },
		{ "/", { ART_ARCHIVE, "/src", 0, NULL, arch } },
		{ "/sysroot", { ART_TREE, "/", 0, NULL, in_tree } },
	};
	hash_t top = store_plan(s, "top", tin, 3);
	put_output(s, &top, OUT_TREE, &out_tree);
	struct rec_meta meta = { 1700000000, 3, &dep, 1 };
	store_put_meta(s, &top, &meta);
	char *logsrc = fs_join(base, "gc.log");
	put(logsrc, "log text\n", 0644);
	store_put_log(s, &top, logsrc);
	store_unlock_plan(store_lock_plan(s, &top, true));
	/* junk: an unrooted plan with its own blob, output, log and lock. */
	struct input jin[] = { { "/", { ART_FILE, "/build", 0755, NULL, junk_blob } } };
	hash_t junk = store_plan(s, "junk", jin, 1);
	put_output(s, &junk, OUT_TREE, &junk_out);
	store_put_log(s, &junk, logsrc);
	store_unlock_plan(store_lock_plan(s, &junk, true));
	char *layer = fs_join(dir, "layers/somelayer"), *scratch = store_mktemp(s, "build");
	mkdir(layer, 0755);

	ok(store_add_root(s, "system", &top) == 0, "add_root");
	ok(store_add_root(s, "a/b", &top) < 0, "a root name with '/' is refused");
	ok(store_add_root(s, "extra", &junk) == 0 && store_remove_root(s, "extra") == 0,
	   "add then remove a root");
	ok(store_remove_root(s, "extra") < 0 && strstr(err_msg(), "extra"),
	   "removing a missing root is an error naming it");

	struct store_gc_stats dry, st;
	int nblobs = scount(s, "blobs"), ntrees = scount(s, "trees");
	ok0(store_gc(s, &(struct store_gc_opts){.dry_run = true}, &dry), "gc dry run");
	ok(dry.removed > 0 && dry.bytes_freed > 0, "dry run counts (%ld removed, %lld bytes)",
	   dry.removed, dry.bytes_freed);
	ok(scount(s, "blobs") == nblobs && scount(s, "trees") == ntrees &&
	   sexists(s, "blobs", &junk_blob, "") && sexists(s, "rec/plan", &junk, "") &&
	   exists(layer) && exists(scratch), "dry run removes nothing");

	ok0(store_gc(s, &(struct store_gc_opts){0}, &st), "gc");
	ok(st.removed == dry.removed && st.kept == dry.kept &&
	   st.bytes_freed == dry.bytes_freed, "gc removes what the dry run counted");
	ok(store_has_blob(s, &in_blob) && store_has_blob(s, &dep_blob) &&
	   store_has_blob(s, &dep_out) && store_has_blob(s, &arch),
	   "blobs reached from the root are kept (inputs, dep's input and output)");
	ok(store_has_tree(s, &arch_tree) && store_has_tree(s, &in_tree) &&
	   store_has_tree(s, &out_tree), "trees reached from the root are kept");
	ok(sexists(s, "rec/plan", &top, "") && sexists(s, "rec/out", &top, "") &&
	   sexists(s, "rec/meta", &top, "") && sexists(s, "rec/plan", &dep, "") &&
	   sexists(s, "rec/out", &dep, "") && sexists(s, "rec/unpacked", &arch, ""),
	   "records reached from the root are kept");
	ok(sexists(s, "logs", &top, ".zst") && sexists(s, "locks", &top, ""),
	   "log and lock of a live plan are kept");
	ok(!store_has_blob(s, &junk_blob) && !store_has_tree(s, &junk_tree) &&
	   !store_has_tree(s, &junk_out), "unrooted blob and trees removed");
	ok(!sexists(s, "rec/plan", &junk, "") && !sexists(s, "rec/out", &junk, "") &&
	   !sexists(s, "logs", &junk, ".zst") && !sexists(s, "locks", &junk, ""),
	   "unrooted records, log and lock removed");
	ok(scount(s, "layers") == 0 && scount(s, "tmp") == 0, "layers/ and tmp/ emptied");
	ok(st.removed == 9 && st.kept == 15,
	   "stats: %ld removed, %ld kept", st.removed, st.kept);
	struct store *s2 = store_open(dir);
	ok(s2 != NULL, "the store is usable by others after gc");
	store_close(s2);

	ok(store_remove_root(s, "system") == 0 && store_gc(s, &(struct store_gc_opts){0}, &st) == 0 &&
	   scount(s, "blobs") == 0 && scount(s, "trees") == 0 && scount(s, "rec/plan") == 0,
	   "without roots gc removes everything");

	char *bad = fs_join(dir, "roots/bad");
	put(bad, "not a hash\n", 0644);
	ok(store_gc(s, &(struct store_gc_opts){0}, &st) < 0 && strstr(err_msg(), "roots/bad"),
	   "a corrupt root stops gc with a message naming it");
	unlink(bad);
	free(bad);

	/* A reachable meta record that fsck calls malformed stops gc too:
	 * the deps it would name cannot be trusted. */
	hash_t lone = store_plan(s, "lone", din, 1);
	char *mp = store_rec_path(s, REC_META, &lone);
	put(mp, "distill-meta 1\nstarted 1\nseconds 1.000\ndep-of-nothing\n", 0644);
	ok(store_add_root(s, "lone", &lone) == 0 && store_gc(s, &(struct store_gc_opts){0}, &st) < 0 &&
	   strstr(err_msg(), mp) && sexists(s, "rec/plan", &lone, ""),
	   "a malformed meta record stops gc before anything is removed (%s)", err_msg());
	free(mp);
	store_close(s);
	free(layer);
	free(scratch);
	free(logsrc);
	free(tgz);
	free(dir);
}

int main(void)
{
	hash_lib_init();
	umask(022);
	char tmpl[] = "/tmp/distill-store-test.XXXXXX";
	const char *td = getenv("TMPDIR");
	base = td ? fs_fmt("%s/distill-store-test.XXXXXX", td) : xstrdup(tmpl);
	if (!mkdtemp(base)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	test_open();
	test_version();
	test_default_dir();

	char *dir = fs_join(base, "store");
	struct store *s = store_open(dir);
	if (!s) {
		printf("Bail out! %s\n", err_msg());
		return 1;
	}
	test_blobs(s);
	test_trees(s);
	test_records(s);
	test_bad_records(s);
	test_names(s);
	test_logs(s);
	test_locks(s);
	test_unpack(s);
	store_close(s);
	free(dir);
	test_gc();

	fs_rm_rf(base);
	free(base);
	return done_testing();
}
