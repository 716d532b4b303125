/* Unit tests of src/tree.c: normalisation makes trees of the same content
 * hash the same whatever the umask, mtimes, creation order, hard links or
 * xattrs; any change of content, name, x bit, link target or place changes
 * the hash; a small tree hashes to the documented byte stream built here by
 * hand; fifos are refused by name; freezing keeps the hash; breaking the
 * hard links of a sparse file keeps its holes. */
#define _GNU_SOURCE
#include "tap.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static char *root;

static void put(const char *dir, const char *rel, const char *data, mode_t mode)
{
	char *p = fs_join(dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || fs_write_all(fd, data, strlen(data)) < 0) {
		printf("# cannot write %s\n", p);
		abort();
	}
	close(fd);
	free(p);
}

static void mk(const char *dir, const char *rel, mode_t mode)
{
	char *p = fs_join(dir, rel);
	mkdir(p, mode);
	free(p);
}

static void sym(const char *dir, const char *rel, const char *target)
{
	char *p = fs_join(dir, rel);
	symlink(target, p);
	free(p);
}

static void hardlink(const char *dir, const char *from, const char *to)
{
	char *a = fs_join(dir, from), *b = fs_join(dir, to);
	link(a, b);
	free(a);
	free(b);
}

static char *path_of(const char *dir, const char *rel)
{
	return fs_join(dir, rel);
}

enum variant { V_BASE, V_BYTE, V_NAME, V_XBIT, V_TARGET, V_MOVED };

/* The logical tree, built the plain way (umask 022, in order, hard link
 * "same" to "x/f" ...) or the other way (umask 077, reverse order, copies,
 * odd mtimes, an xattr, a mode 000 file and directory).  A variant changes
 * one thing. */
static char *build(const char *name, int other, enum variant v)
{
	char *d = fs_join(root, name);
	mode_t old = umask(other ? 077 : 022);
	mkdir(d, 0777);
	const char *fname = v == V_NAME ? "x/g" : "x/f";
	const char *content = v == V_BYTE ? "hellp\n" : "hello\n";
	mode_t run = v == V_XBIT ? 0666 : 0777;
	const char *target = v == V_TARGET ? "../bin/other" : "../bin/run";
	const char *loose = v == V_MOVED ? "z/loose" : "loose";
	if (!other) {
		mk(d, "bin", 0777);
		put(d, "bin/run", "#!/bin/sh\n", run);
		mk(d, "x", 0777);
		put(d, fname, content, 0666);
		hardlink(d, fname, "same");
		mk(d, "x/lib", 0777);
		sym(d, "x/lib/run", target);
		mk(d, "z", 0777);
		put(d, loose, "loose\n", 0666);
		mk(d, "empty", 0777);
	} else {
		mk(d, "empty", 0777);
		mk(d, "z", 0777);
		put(d, loose, "loose\n", 0666);
		mk(d, "x", 0777);
		mk(d, "x/lib", 0777);
		sym(d, "x/lib/run", target);
		put(d, "same", content, 0666);
		put(d, fname, content, 0666);
		mk(d, "bin", 0777);
		put(d, "bin/run", "#!/bin/sh\n", run);
		char *p = path_of(d, "bin/run");
		struct timespec t[2] = {{123456789, 5}, {987654321, 7}};
		utimensat(AT_FDCWD, p, t, 0);
		free(p);
		p = path_of(d, "same");
		if (setxattr(p, "user.distill-test", "v", 1, 0) < 0)
			printf("# user xattrs not supported here (%s): not tested\n", strerror(errno));
		free(p);
		p = path_of(d, fname);
		chmod(p, 0);
		free(p);
		p = path_of(d, "z");
		chmod(p, 0);
		free(p);
	}
	umask(old);
	return d;
}

static int hash_of(const char *dir, hash_t *h)
{
	if (tree_normalise(dir) < 0 || tree_hash(dir, h) < 0) {
		printf("# %s: %s\n", dir, err_msg());
		return -1;
	}
	return 0;
}

static void ns(char **s, size_t *len, const char *x, size_t n)
{
	char *t = fs_fmt("%zu:", n);
	size_t tl = strlen(t);
	*s = xrealloc(*s, *len + tl + n);
	memcpy(*s + *len, t, tl);
	memcpy(*s + *len + tl, x, n);
	*len += tl + n;
	free(t);
}

static void lit(char **s, size_t *len, const char *x)
{
	size_t n = strlen(x);
	*s = xrealloc(*s, *len + n);
	memcpy(*s + *len, x, n);
	*len += n;
}

static void b64_of(const char *data, char out[HASH_B64 + 1])
{
	hash_t h;
	hash_buf(data, strlen(data), &h);
	hash_b64(&h, out);
}

int main(void)
{
	hash_lib_init();
	char tmpl[] = "/tmp/tree-test.XXXXXX";
	root = xstrdup(mkdtemp(tmpl));

	/* Same content, built two ways. */
	char *a = build("a", 0, V_BASE), *b = build("b", 1, V_BASE);
	hash_t ha, hb, h;
	hash_t before;
	ok(tree_hash(a, &before) == 0, "an unnormalised tree hashes too");
	ok(hash_of(a, &ha) == 0, "plain tree normalises and hashes");
	ok(hash_eq(&before, &ha), "normalising a plain tree keeps its hash");
	ok(hash_of(b, &hb) == 0, "odd tree (umask 077, mode 000 file and dir) normalises");
	ok(hash_eq(&ha, &hb), "same content, other umask/order/mtimes/links/xattrs: same hash");

	/* What normalise left. */
	struct stat st;
	char *p = path_of(b, "x/f");
	ok(lstat(p, &st) == 0 && (st.st_mode & 07777) == 0644 && st.st_mtime == 0,
	   "mode 000 file became 0644 with mtime 0");
	free(p);
	p = path_of(b, "bin/run");
	ok(lstat(p, &st) == 0 && (st.st_mode & 07777) == 0755 && st.st_mtime == 0,
	   "0700 file became 0755, mtime 0");
	free(p);
	p = path_of(b, "z");
	ok(lstat(p, &st) == 0 && (st.st_mode & 07777) == 0755 && st.st_mtime == 0,
	   "mode 000 dir became 0755 with mtime 0");
	free(p);
	ok(lstat(b, &st) == 0 && (st.st_mode & 07777) == 0755 && st.st_mtime == 0,
	   "root dir 0755, mtime 0");
	p = path_of(b, "x/lib/run");
	ok(lstat(p, &st) == 0 && S_ISLNK(st.st_mode) && st.st_mtime == 0, "symlink mtime 0");
	free(p);
	p = path_of(b, "same");
	ok(lgetxattr(p, "user.distill-test", NULL, 0) < 0, "xattr removed");
	free(p);
	p = path_of(a, "same");
	char *q = path_of(a, "x/f");
	struct stat st2;
	ok(lstat(p, &st) == 0 && lstat(q, &st2) == 0 && st.st_nlink == 1 && st2.st_nlink == 1 &&
	   st.st_ino != st2.st_ino, "hard link broken into two files");
	free(p);
	free(q);
	ok(hash_of(a, &h) == 0 && hash_eq(&h, &ha), "normalising twice changes nothing");

	/* One change each. */
	static const struct {
		enum variant v;
		const char *what;
	} changes[] = {
		{V_BYTE, "one byte of content"}, {V_NAME, "one name"}, {V_XBIT, "one x bit"},
		{V_TARGET, "a symlink target"}, {V_MOVED, "a file moved into a subdir"},
	};
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		char *name = fs_fmt("v%zu", i);
		char *d = build(name, 0, changes[i].v);
		ok(hash_of(d, &h) == 0 && !hash_eq(&h, &ha), "changing %s changes the hash",
		   changes[i].what);
		free(d);
		free(name);
	}

	/* The format, pinned: a small tree against the documented stream. */
	char *k = fs_join(root, "known");
	mkdir(k, 0755);
	put(k, "a", "hi\n", 0644);
	put(k, "B", "upper\n", 0600);
	mk(k, "d", 0755);
	put(k, "d/x", "", 0700);
	sym(k, "l", "a");
	put(k, "z", "z\n", 0644);
	put(k, "\xc3\xa9", "e\n", 0644);
	mk(k, "d/e", 0755);
	char *s = NULL, b64[HASH_B64 + 1];
	size_t len = 0;
	lit(&s, &len, "distill-tree 1\n");
	lit(&s, &len, "f 644 ");
	ns(&s, &len, "B", 1);
	b64_of("upper\n", b64);
	lit(&s, &len, " 6 ");
	lit(&s, &len, b64);
	lit(&s, &len, "\nf 644 ");
	ns(&s, &len, "a", 1);
	b64_of("hi\n", b64);
	lit(&s, &len, " 3 ");
	lit(&s, &len, b64);
	lit(&s, &len, "\nd ");
	ns(&s, &len, "d", 1);
	lit(&s, &len, "\nd ");
	ns(&s, &len, "e", 1);
	lit(&s, &len, "\ne\nf 755 ");
	ns(&s, &len, "x", 1);
	b64_of("", b64);
	lit(&s, &len, " 0 ");
	lit(&s, &len, b64);
	lit(&s, &len, "\ne\nl ");
	ns(&s, &len, "l", 1);
	lit(&s, &len, " ");
	ns(&s, &len, "a", 1);
	lit(&s, &len, "\nf 644 ");
	ns(&s, &len, "z", 1);
	b64_of("z\n", b64);
	lit(&s, &len, " 2 ");
	lit(&s, &len, b64);
	lit(&s, &len, "\nf 644 ");
	ns(&s, &len, "\xc3\xa9", 2);
	b64_of("e\n", b64);
	lit(&s, &len, " 2 ");
	lit(&s, &len, b64);
	lit(&s, &len, "\n");
	hash_t want;
	hash_buf(s, len, &want);
	free(s);
	ok(tree_hash(k, &h) == 0 && hash_eq(&h, &want),
	   "known tree hashes to the documented byte stream (bytewise order, ns(), modes)");
	char got64[HASH_B64 + 1], want64[HASH_B64 + 1];
	hash_b64(&h, got64);
	hash_b64(&want, want64);
	is_str(got64, want64, "known tree hash in text form");

	long entries;
	long long bytes;
	ok(tree_stats(k, &entries, &bytes) == 0 && entries == 8 && bytes == 3 + 6 + 0 + 2 + 2,
	   "tree_stats: 8 entries, 13 bytes (got %ld, %lld)", entries, bytes);

	/* Freeze keeps the hash and makes it read-only. */
	ok(tree_normalise(k) == 0 && tree_hash(k, &want) == 0, "known tree normalises");
	ok(tree_freeze(k) == 0, "freeze");
	ok(tree_hash(k, &h) == 0 && hash_eq(&h, &want), "freeze then hash: unchanged");
	p = path_of(k, "d/x");
	q = path_of(k, "a");
	ok(lstat(p, &st) == 0 && (st.st_mode & 07777) == 0555 && lstat(q, &st2) == 0 &&
	   (st2.st_mode & 07777) == 0444, "frozen files 0555/0444");
	free(p);
	free(q);
	p = path_of(k, "d");
	ok(lstat(p, &st) == 0 && (st.st_mode & 07777) == 0555 && lstat(k, &st2) == 0 &&
	   (st2.st_mode & 07777) == 0555, "frozen dirs 0555");
	free(p);
	ok(tree_normalise(k) == 0 && tree_hash(k, &h) == 0 && hash_eq(&h, &want),
	   "a frozen tree normalises again");

	/* A sparse file hard-linked twice: breaking the links keeps its holes
	 * (each copy takes the blocks of its two bytes, not 64 MiB), and its
	 * bytes, so the hash is what it was. */
	char *sp = fs_join(root, "sparse");
	mkdir(sp, 0755);
	p = path_of(sp, "big");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && pwrite(fd, "x", 1, 0) == 1 && pwrite(fd, "y", 1, 32 << 20) == 1 &&
	   ftruncate(fd, 64 << 20) == 0 && close(fd) == 0, "a 64 MiB sparse file");
	hardlink(sp, "big", "big2");
	hardlink(sp, "big", "big3");
	ok(tree_hash(sp, &want) == 0 && tree_normalise(sp) == 0 && tree_hash(sp, &h) == 0 &&
	   hash_eq(&h, &want), "breaking a sparse file's hard links keeps its hash");
	static const char *const bigs[] = {"big", "big2", "big3"};
	for (size_t i = 0; i < 3; i++) {
		char *b3 = path_of(sp, bigs[i]), x = 0, y = 0;
		int bfd = open(b3, O_RDONLY);
		ok(bfd >= 0 && fstat(bfd, &st) == 0 && st.st_nlink == 1 && st.st_size == 64 << 20 &&
		   pread(bfd, &x, 1, 0) == 1 && pread(bfd, &y, 1, 32 << 20) == 1 && x == 'x' &&
		   y == 'y' && st.st_blocks * 512 < 1 << 20,
		   "%s: its own inode, same bytes, holes kept (%lld bytes of blocks)", bigs[i],
		   (long long)st.st_blocks * 512);
		close(bfd);
		free(b3);
	}
	free(p);
	fs_rm_rf(sp);
	free(sp);

	/* Things that cannot be in a tree. */
	char *f = fs_join(root, "fifo");
	mkdir(f, 0755);
	mk(f, "sub", 0755);
	p = path_of(f, "sub/pipe");
	mkfifo(p, 0644);
	ok(tree_normalise(f) < 0 && strstr(err_msg(), p) && strstr(err_msg(), "fifo"),
	   "normalise refuses a fifo, naming it: %s", err_msg());
	ok(tree_hash(f, &h) < 0 && strstr(err_msg(), p), "hash refuses a fifo, naming it: %s",
	   err_msg());
	ok(tree_freeze(f) < 0 && strstr(err_msg(), p), "freeze refuses a fifo");
	free(p);
	p = path_of(root, "link-to-tree");
	symlink(a, p);
	ok(tree_hash(p, &h) < 0 && strstr(err_msg(), p), "a tree root that is a symlink is refused: %s",
	   err_msg());
	free(p);

	free(f);
	free(k);
	free(a);
	free(b);
	fs_rm_rf(root);
	free(root);
	return done_testing();
}
