#define _GNU_SOURCE
#include "fsck.h"
#include "build.h"
#include "err.h"
#include "fsutil.h"
#include "plan.h"
#include "record.h"
#include "tree.h"
#include "unpack.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ck {
	struct store *s;
	bool deep;		/* re-unpack archives of rec/unpacked */
	void (*report)(void *, const char *);
	void *arg;
	struct fsck_stats *st;
	hash_t *named;		/* trees named by records, sorted once complete */
	size_t nnamed, capnamed;
};

static void problem(struct ck *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct ck *c, const char *fmt, ...)
{
	va_list ap;
	char *line;
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	c->st->problems++;
	c->report(c->arg, line);
	free(line);
}

/* fs_write_atomic's temp file: "<something>.tmp.<pid>". */
static bool temp_name(const char *name)
{
	const char *t = strstr(name, ".tmp.");
	if (!t || t == name)
		return false;
	const char *d = t + 5;
	if (!*d)
		return false;
	for (; *d; d++)
		if (!isdigit((unsigned char)*d))
			return false;
	return true;
}

static int no_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

/* The entries of the store's directory sub, sorted; -1 (reported) if it
 * cannot be listed. */
static int list(struct ck *c, const char *sub, struct dirent ***ents)
{
	char *dir = fs_join(store_dir(c->s), sub);
	int n = scandir(dir, ents, no_dots, alphasort);
	if (n < 0) {
		err_sys("%s: cannot list", dir);
		problem(c, "%s", err_msg());
	}
	free(dir);
	return n;
}

static bool exists(struct ck *c, const char *sub, const hash_t *h)
{
	char b[HASH_B64 + 1];
	hash_b64(h, b);
	char *p = fs_fmt("%s/%s/%s", store_dir(c->s), sub, b);
	struct stat st;
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

static void name_tree(struct ck *c, const hash_t *h)
{
	if (c->nnamed == c->capnamed)
		c->named = xrealloc(c->named, (c->capnamed = 2 * c->capnamed + 64) *
					      sizeof *c->named);
	c->named[c->nnamed++] = *h;
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(hash_t));
}

/* A content a record names must exist: sub is "blobs" or "trees". */
static void need(struct ck *c, const char *path, const char *what,
		 const char *sub, const hash_t *h)
{
	if (!strcmp(sub, "trees"))
		name_tree(c, h);
	if (exists(c, sub, h))
		return;
	char b[HASH_B64 + 1];
	hash_b64(h, b);
	problem(c, "%s: names %s %s, which is not in %s/", path, what, b, sub);
}

static void check_plan_rec(struct ck *c, const char *path, const hash_t *key,
			   const char *buf, size_t len)
{
	hash_t h;
	hash_buf(buf, len, &h);
	if (!hash_eq(&h, key)) {
		char b[HASH_B64 + 1];
		hash_b64(&h, b);
		problem(c, "%s: content hashes to %s, not to its name", path, b);
	}
	struct plan p;
	if (plan_decode(buf, len, &p) < 0) {
		problem(c, "%s: %s", path, err_msg());
		return;
	}
	for (size_t i = 0; i < p.nin; i++) {
		const struct artifact *a = &p.in[i].art;
		if (a->kind == ART_FILE)
			need(c, path, "the input file blob", "blobs", &a->hash);
		else if (a->kind == ART_ARCHIVE)
			need(c, path, "the input archive blob", "blobs", &a->hash);
		else if (a->kind == ART_TREE)
			need(c, path, "the input tree", "trees", &a->hash);
	}
	plan_free(&p);
}

static void check_out_rec(struct ck *c, const char *path, const char *buf, size_t len)
{
	struct output o;
	if (output_decode(buf, len, &o) < 0)
		problem(c, "%s: %s", path, err_msg());
	else if (o.kind == OUT_TREE)
		need(c, path, "the output tree", "trees", &o.hash);
	else
		need(c, path, "the output blob", "blobs", &o.hash);
}

/* --deep: unpack the archive blob b again in tmp/ and hash it like
 * store_unpack; it must give the tree t that its record names. */
static void check_unpacks_to(struct ck *c, const char *path, const hash_t *b,
			     const hash_t *t)
{
	if (!exists(c, "blobs", b))
		return; /* the record outlived its blob: reported below */
	char *blob = store_blob_path(c->s, b), *tmp = store_mktemp(c->s, "fsck");
	hash_t got;
	if (!tmp || unpack_archive(blob, tmp) < 0 || tree_normalise(tmp) < 0 ||
	    tree_hash(tmp, &got) < 0) {
		problem(c, "%s: cannot unpack its archive again: %s", path, err_msg());
	} else if (!hash_eq(&got, t)) {
		char g[HASH_B64 + 1];
		hash_b64(&got, g);
		problem(c, "%s: the archive unpacks to the tree %s, not to the one recorded "
			   "(remove the record: it is made again)", path, g);
	}
	if (tmp)
		fs_rm_rf(tmp);
	free(tmp);
	free(blob);
}

static void check_unpacked_rec(struct ck *c, const char *path, const hash_t *key,
			       const char *buf, size_t len)
{
	hash_t t;
	if (rec_hash_decode(buf, len, &t) < 0) {
		problem(c, "%s: %s (a tree's)", path, err_msg());
		return;
	}
	need(c, path, "the tree", "trees", &t);
	if (c->deep)
		check_unpacks_to(c, path, key, &t);
}

static void check_origin_rec(struct ck *c, const char *path, const hash_t *key,
			     const char *buf, size_t len)
{
	if (rec_origin_check(buf, len) < 0)
		problem(c, "%s: %s", path, err_msg());
	need(c, path, "the blob", "blobs", key);
}

static void check_sha256_rec(struct ck *c, const char *path, const char *buf, size_t len)
{
	hash_t b;
	if (rec_hash_decode(buf, len, &b) < 0)
		problem(c, "%s: %s (a blob's)", path, err_msg());
	else
		need(c, path, "the blob", "blobs", &b);
}

/* rec/size/<pin>: outlives the blob (gc keeps it), so it needs nothing. */
static void check_size_rec(struct ck *c, const char *path, const char *buf, size_t len)
{
	long long n;
	if (rec_size_decode(buf, len, &n) < 0)
		problem(c, "%s: %s", path, err_msg());
}

static void check_meta_rec(struct ck *c, const char *path, const char *buf, size_t len)
{
	struct rec_meta m;
	if (rec_meta_decode(buf, len, &m) < 0)
		problem(c, "%s: %s", path, err_msg());
	else
		rec_meta_free(&m);
}

/* The builds of a name: well-formed, under the hash of that name.  The
 * plans it names may be gone (gc keeps the newest of each name only). */
static void check_name_rec(struct ck *c, const char *path, const hash_t *key,
			   const char *buf, size_t len)
{
	struct rec_name r;
	hash_t want;
	if (rec_name_decode(buf, len, &r) < 0) {
		problem(c, "%s: %s", path, err_msg());
		return;
	}
	rec_name_key(r.name, &want);
	if (!hash_eq(&want, key))
		problem(c, "%s: the builds of '%s' under another name's key", path, r.name);
	rec_name_free(&r);
}

static void check_record(struct ck *c, enum rec_kind kind, const char *name)
{
	char *path = fs_fmt("%s/rec/%s/%s", store_dir(c->s), rec_kind_names[kind], name);
	hash_t key;
	if (!rec_key(name, strlen(name), &key)) {
		if (temp_name(name))
			c->st->leftovers++;
		else
			problem(c, "%s: stray file (not a record name)", path);
		free(path);
		return;
	}
	c->st->records++;
	char *buf;
	size_t len;
	int r = fs_read_file(path, &buf, &len);
	if (r != 0) {
		problem(c, "%s", r < 0 ? err_msg() : "vanished while checking");
		free(path);
		return;
	}
	switch (kind) {
	case REC_PLAN:
		check_plan_rec(c, path, &key, buf, len);
		break;
	case REC_OUT:
		check_out_rec(c, path, buf, len);
		break;
	case REC_META:
		check_meta_rec(c, path, buf, len);
		break;
	case REC_UNPACKED:
		check_unpacked_rec(c, path, &key, buf, len);
		break;
	case REC_ORIGIN:
		check_origin_rec(c, path, &key, buf, len);
		break;
	case REC_SHA256: check_sha256_rec(c, path, buf, len); break;
	case REC_SIZE:
		check_size_rec(c, path, buf, len);
		break;
	case REC_NAME:
		check_name_rec(c, path, &key, buf, len);
		break;
	case REC_NKINDS:
		break;
	}
	free(buf);
	free(path);
}

static void check_records(struct ck *c)
{
	struct dirent **ents;
	int n = list(c, "rec", &ents);
	for (int i = 0; i < n; i++) {
		int k = 0;
		while (k < REC_NKINDS && strcmp(ents[i]->d_name, rec_kind_names[k]))
			k++;
		if (k == REC_NKINDS)
			problem(c, "%s/rec/%s: stray entry (not a record kind)",
				store_dir(c->s), ents[i]->d_name);
	}
	if (n >= 0)
		fs_free_dirents(ents, n);
	for (int k = 0; k < REC_NKINDS; k++) {
		char *sub = fs_fmt("rec/%s", rec_kind_names[k]);
		n = list(c, sub, &ents);
		for (int i = 0; i < n; i++)
			check_record(c, k, ents[i]->d_name);
		if (n >= 0)
			fs_free_dirents(ents, n);
		free(sub);
	}
}

static void check_blob(struct ck *c, const char *name)
{
	char *path = fs_fmt("%s/blobs/%s", store_dir(c->s), name);
	hash_t want, got;
	struct stat st;
	if (!rec_key(name, strlen(name), &want)) {
		problem(c, "%s: stray file (not a blob name)", path);
	} else if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		problem(c, "%s: not a regular file", path);
	} else {
		c->st->blobs++;
		if (st.st_mode & 0222)
			problem(c, "%s: writable (blobs are read-only)", path);
		if (hash_file(path, &got, NULL) < 0) {
			problem(c, "%s", err_msg());
		} else if (!hash_eq(&want, &got)) {
			char b[HASH_B64 + 1];
			hash_b64(&got, b);
			problem(c, "%s: content hashes to %s, not to its name", path, b);
		}
	}
	free(path);
}

static void check_tree(struct ck *c, const char *name)
{
	char *path = fs_fmt("%s/trees/%s", store_dir(c->s), name);
	hash_t want, got;
	struct stat st;
	if (!rec_key(name, strlen(name), &want)) {
		problem(c, "%s: stray entry (not a tree name)", path);
	} else if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		problem(c, "%s: not a directory", path);
	} else {
		c->st->trees++;
		if (tree_hash(path, &got) < 0) {
			problem(c, "%s", err_msg());
		} else if (!hash_eq(&want, &got)) {
			char b[HASH_B64 + 1];
			hash_b64(&got, b);
			problem(c, "%s: canonical hash is %s, not its name", path, b);
		}
		char *w = store_first_writable(path);
		if (w)
			problem(c, "%s: writable (trees are read-only)", w);
		free(w);
		if (st.st_mode & 0222) {
			if (bsearch(&want, c->named, c->nnamed, sizeof *c->named, cmp_hash))
				problem(c, "%s: writable (trees are read-only)", path);
			else
				c->st->leftovers++;
		}
	}
	free(path);
}

static void check_log(struct ck *c, const char *name)
{
	char *path = fs_fmt("%s/logs/%s", store_dir(c->s), name);
	size_t n = strlen(name);
	hash_t h;
	struct stat st;
	if (n != HASH_B64 + 4 || strcmp(name + HASH_B64, ".zst") ||
	    !rec_key(name, HASH_B64, &h))
		problem(c, "%s: stray file (not a log name)", path);
	else if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		problem(c, "%s: not a regular file", path);
	else
		c->st->logs++;
	free(path);
}

/* The first path under a that differs from its counterpart under b (in
 * names, kinds, modes but for write bits, symlink targets or file bytes),
 * malloc'd; NULL if none. */
static char *differs(const char *a, const char *b)
{
	struct stat sa, sb;
	if (lstat(a, &sa) < 0 || lstat(b, &sb) < 0 ||
	    (sa.st_mode & ~0222) != (sb.st_mode & ~0222))
		return xstrdup(a);
	if (S_ISLNK(sa.st_mode)) {
		char ta[4096], tb[4096];
		ssize_t na = readlink(a, ta, sizeof ta), nb = readlink(b, tb, sizeof tb);
		return na < 0 || na != nb || memcmp(ta, tb, na) ? xstrdup(a) : NULL;
	}
	if (S_ISREG(sa.st_mode)) {
		hash_t ha, hb;
		if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
			return NULL; /* the same file: a farm's hard link */
		return sa.st_size != sb.st_size || hash_file(a, &ha, NULL) < 0 ||
		       hash_file(b, &hb, NULL) < 0 || !hash_eq(&ha, &hb) ? xstrdup(a) : NULL;
	}
	if (!S_ISDIR(sa.st_mode))
		return xstrdup(a);
	struct dirent **ea, **eb;
	int na = scandir(a, &ea, no_dots, alphasort), nb = scandir(b, &eb, no_dots, alphasort);
	char *d = na < 0 || nb < 0 ? xstrdup(a) : NULL;
	for (int i = 0; !d && i < na && i < nb; i++) {
		if (strcmp(ea[i]->d_name, eb[i]->d_name)) {
			d = fs_join(a, strcmp(ea[i]->d_name, eb[i]->d_name) < 0 ?
					   ea[i]->d_name : eb[i]->d_name);
			break;
		}
		char *pa = fs_join(a, ea[i]->d_name), *pb = fs_join(b, eb[i]->d_name);
		d = differs(pa, pb);
		free(pa);
		free(pb);
	}
	if (!d && na != nb)
		d = fs_join(a, na > nb ? ea[nb]->d_name : eb[na]->d_name);
	if (na >= 0)
		fs_free_dirents(ea, na);
	if (nb >= 0)
		fs_free_dirents(eb, nb);
	return d;
}

/* layers/<k>/: the file key, whose hash is k, and root/, read-only and
 * the same as what build_fill_layer makes from the key again in tmp/. */
static void check_layer(struct ck *c, const char *name)
{
	char *dir = fs_fmt("%s/layers/%s", store_dir(c->s), name);
	char *kp = fs_join(dir, "key"), *root = fs_join(dir, "root"), *key = NULL;
	char *tmp = NULL, *again = NULL, *d = NULL;
	size_t len;
	hash_t want, got;
	struct stat st;
	c->st->layers++;
	if (!rec_key(name, strlen(name), &want)) {
		problem(c, "%s: stray entry (not a layer name)", dir);
		goto out;
	}
	if (fs_read_file(kp, &key, &len) != 0 || strlen(key) != len ||
	    (hash_buf(key, len, &got), !hash_eq(&got, &want))) {
		problem(c, "%s: no key that hashes to its name (layers are rebuildable: "
			   "distill gc removes it)", dir);
		goto out;
	}
	if ((d = store_first_writable(dir))) {
		problem(c, "%s: writable (layers are read-only)", d);
		free(d);
		d = NULL;
	}
	if (lstat(dir, &st) == 0 && (st.st_mode & 0222))
		c->st->leftovers++; /* stopped between its rename and its chmod */
	tmp = store_mktemp(c->s, "fsck");
	again = tmp ? fs_join(tmp, "root") : NULL;
	if (!tmp || build_fill_layer(c->s, key, again) < 0)
		problem(c, "%s: cannot make it again from its key: %s", dir, err_msg());
	else if ((d = differs(root, again)))
		problem(c, "%s: not what the layer's key describes (distill gc removes it; "
			   "a build makes it again)", d);
out:
	free(d);
	if (tmp)
		fs_rm_rf(tmp);
	free(tmp);
	free(again);
	free(key);
	free(root);
	free(kp);
	free(dir);
}

/* gc reads every root not starting with '.' (and removes leftover temp
 * files of gc --add-root); one it cannot parse stops it. */
static void check_root(struct ck *c, const char *name)
{
	if (name[0] == '.')
		return;
	if (temp_name(name)) {
		c->st->leftovers++;
		return;
	}
	char *path = fs_fmt("%s/roots/%s", store_dir(c->s), name);
	char *buf;
	size_t len;
	hash_t h;
	struct stat st;
	/* An indirect root (a result link's): gc keeps what the link points
	 * to in this store, and drops the root once it points elsewhere. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		c->st->roots++;
		free(path);
		return;
	}
	int r = fs_read_file(path, &buf, &len);
	if (r < 0) {
		problem(c, "%s", err_msg());
	} else if (r == 0) {
		c->st->roots++;
		if (rec_hash_decode(buf, len, &h) < 0)
			problem(c, "%s: expected one plan hash and a newline (gc stops on "
				   "it: fix it, or remove it with distill gc --remove-root)", path);
		free(buf);
	}
	free(path);
}

static void each(struct ck *c, const char *sub, void (*fn)(struct ck *, const char *))
{
	struct dirent **ents;
	int n = list(c, sub, &ents);
	for (int i = 0; i < n; i++)
		fn(c, ents[i]->d_name);
	if (n >= 0)
		fs_free_dirents(ents, n);
}

int fsck_store(struct store *s, bool deep, void (*report)(void *arg, const char *line),
	       void *arg, struct fsck_stats *st)
{
	struct ck c = { .s = s, .deep = deep, .report = report, .arg = arg, .st = st };
	memset(st, 0, sizeof *st);
	/* Records first: they tell which trees must be frozen already. */
	check_records(&c);
	qsort(c.named, c.nnamed, sizeof *c.named, cmp_hash);
	each(&c, "blobs", check_blob);
	each(&c, "trees", check_tree);
	each(&c, "logs", check_log);
	each(&c, "layers", check_layer);
	each(&c, "roots", check_root);
	free(c.named);
	return st->problems ? 1 : 0;
}
