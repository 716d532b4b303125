#define _GNU_SOURCE
#include "tree.h"
#include "err.h"
#include "fsutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* One walk serves every operation: a directory is reported before it is
 * opened (W_PRE) and after its children (W_POST), anything else once
 * (W_LEAF).  Children come in bytewise order of their names.  The root is
 * reported with dfd AT_FDCWD, name the root path and depth 0. */
enum event { W_PRE, W_LEAF, W_POST };

struct walk;
typedef int (*visit_fn)(struct walk *w, enum event ev, int dfd, const char *name,
			const char *path, const struct stat *st, int depth);

struct walk {
	visit_fn visit;
	hash_ctx hc;       /* tree_hash */
	long entries;      /* tree_stats */
	long long bytes;   /* tree_stats */
	struct archive *ar;	/* tree_write_tar */
	size_t rootlen;		/* tree_write_tar: names are path + rootlen */
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd, sorted; *n gets their count. */
static char **read_names(int fd, const char *path, size_t *n)
{
	int dup_fd = dup(fd);
	if (dup_fd < 0) {
		err_sys("%s: cannot read directory", path);
		return NULL;
	}
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		err_sys("%s: cannot read directory", path);
		close(dup_fd);
		return NULL;
	}
	size_t cap = 16, len = 0;
	char **v = xmalloc(cap * sizeof *v);
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (len == cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[len++] = xstrdup(e->d_name);
		errno = 0;
	}
	if (errno) {
		err_sys("%s: cannot read directory", path);
		closedir(d);
		while (len)
			free(v[--len]);
		free(v);
		return NULL;
	}
	closedir(d);
	qsort(v, len, sizeof *v, cmp_names);
	*n = len;
	return v;
}

static int walk_dir(struct walk *w, int pdfd, const char *name, const char *path,
		    const struct stat *st, int depth)
{
	if (w->visit(w, W_PRE, pdfd, name, path, st, depth) < 0)
		return -1;
	int fd = openat(pdfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open directory", path);
	size_t n = 0;
	char **names = read_names(fd, path, &n);
	if (!names) {
		close(fd);
		return -1;
	}
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		char *cpath = fs_join(path, names[i]);
		struct stat cst;
		if (r == 0 && fstatat(fd, names[i], &cst, AT_SYMLINK_NOFOLLOW) < 0)
			r = err_sys("%s: cannot stat", cpath);
		if (r == 0) {
			if (S_ISDIR(cst.st_mode))
				r = walk_dir(w, fd, names[i], cpath, &cst, depth + 1);
			else
				r = w->visit(w, W_LEAF, fd, names[i], cpath, &cst, depth + 1);
		}
		free(cpath);
		free(names[i]);
	}
	free(names);
	close(fd);
	if (r < 0)
		return -1;
	return w->visit(w, W_POST, pdfd, name, path, st, depth);
}

static int walk(struct walk *w, const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) < 0)
		return err_sys("%s: cannot stat tree", dir);
	if (!S_ISDIR(st.st_mode))
		return err("%s: a tree must be a directory (not a symlink or file)", dir);
	return walk_dir(w, AT_FDCWD, dir, dir, &st, 0);
}

static const char *kind_name(mode_t m)
{
	if (S_ISCHR(m))
		return "character device";
	if (S_ISBLK(m))
		return "block device";
	if (S_ISFIFO(m))
		return "fifo";
	if (S_ISSOCK(m))
		return "socket";
	return "file of unknown type";
}

static int bad_kind(const char *path, const struct stat *st)
{
	return err("%s: a %s cannot be in a tree (only files, directories and "
		   "symlinks); remove it from the build's output",
		   path, kind_name(st->st_mode));
}

static mode_t file_mode(const struct stat *st)
{
	return st->st_mode & 0111 ? 0755 : 0644;
}

/* ---- normalise ---- */

static int strip_xattrs(const char *path)
{
	ssize_t len = llistxattr(path, NULL, 0);
	if (len < 0)
		return errno == ENOTSUP ? 0 : err_sys("%s: cannot list extended attributes", path);
	if (len == 0)
		return 0;
	char *names = xmalloc(len);
	len = llistxattr(path, names, len);
	if (len < 0) {
		free(names);
		return err_sys("%s: cannot list extended attributes", path);
	}
	int r = 0;
	for (char *p = names; p < names + len; p += strlen(p) + 1) {
		if (lremovexattr(path, p) < 0 && errno != ENOTSUP && errno != ENODATA) {
			r = err_sys("%s: cannot remove extended attribute %s", path, p);
			break;
		}
	}
	free(names);
	return r;
}

/* Replace name in dfd by an independent copy of itself, so it shares its
 * inode with nothing. */
/* The target of the symlink name (lstat'ed as st), NUL-terminated and
 * malloc'd; NULL with err() set, also when it changed since st (while
 * doing what). */
static char *read_link(int dfd, const char *name, const char *path, const struct stat *st,
		       const char *doing)
{
	char *target = xmalloc(st->st_size + 1);
	ssize_t n = readlinkat(dfd, name, target, st->st_size + 1);
	if (n < 0 || n > st->st_size) {
		free(target);
		if (n < 0)
			err_sys("%s: cannot read symlink", path);
		else
			err("%s: symlink changed while %s", path, doing);
		return NULL;
	}
	target[n] = 0;
	return target;
}

static int unlink_copy(int dfd, const char *name, const char *path, const struct stat *st)
{
	/* A temporary name that no entry has: the walk holds the names it
	 * read, so a new one never shows up in it. */
	char tmp[64];
	for (unsigned i = 0;; i++) {
		snprintf(tmp, sizeof tmp, ".distill-unlink.%ld.%u", (long)getpid(), i);
		struct stat ts;
		if (fstatat(dfd, tmp, &ts, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			break;
	}
	if (S_ISLNK(st->st_mode)) {
		char *target = read_link(dfd, name, path, st, "normalising");
		if (!target)
			return -1;
		int r = symlinkat(target, dfd, tmp);
		free(target);
		if (r < 0)
			return err_sys("%s: cannot copy hard-linked symlink", path);
	} else {
		int in = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0)
			return err_sys("%s: cannot open", path);
		int out = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0) {
			close(in);
			return err_sys("%s: cannot create a copy to break a hard link", path);
		}
		/* fs_copy_fd keeps holes: a sparse file costs its copy no disk. */
		int r = fs_copy_fd(in, out, path, path, NULL, NULL);
		if (r == 0 && fchmod(out, file_mode(st)) < 0)
			r = err_sys("%s: chmod", path);
		close(in);
		if (close(out) < 0 && r == 0)
			r = err_sys("%s: cannot write its copy (is the disk full?)", path);
		if (r < 0) {
			unlinkat(dfd, tmp, 0);
			return -1;
		}
	}
	if (renameat(dfd, tmp, dfd, name) < 0) {
		err_sys("%s: cannot replace a hard link by its copy", path);
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return 0;
}

static int set_epoch(int dfd, const char *name, const char *path)
{
	static const struct timespec t[2] = {{0, 0}, {0, 0}};
	if (utimensat(dfd, name, t, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys("%s: cannot set times", path);
	return 0;
}

/* Owned by whoever normalises it: as root, a build's output belongs to
 * the unprivileged build id until it is captured. */
static int own(int dfd, const char *name, const char *path, const struct stat *st)
{
	if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchownat(dfd, name, geteuid(), getegid(), AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys("%s: chown", path);
	return 0;
}

static int normalise_visit(struct walk *w, enum event ev, int dfd, const char *name,
			   const char *path, const struct stat *st, int depth)
{
	(void)w;
	(void)depth;
	if (ev != W_POST && own(dfd, name, path, st) < 0)
		return -1;
	switch (ev) {
	case W_PRE:
		/* Before opening: a build may have left it mode 000. */
		if (fchmodat(dfd, name, 0755, 0) < 0)
			return err_sys("%s: chmod", path);
		return strip_xattrs(path);
	case W_POST:
		return set_epoch(dfd, name, path);
	case W_LEAF:
		break;
	}
	if (S_ISREG(st->st_mode)) {
		if (fchmodat(dfd, name, file_mode(st), 0) < 0)
			return err_sys("%s: chmod", path);
	} else if (!S_ISLNK(st->st_mode)) {
		return bad_kind(path, st);
	}
	if (st->st_nlink > 1 && unlink_copy(dfd, name, path, st) < 0)
		return -1;
	if (strip_xattrs(path) < 0)
		return -1;
	return set_epoch(dfd, name, path);
}

int tree_normalise(const char *dir)
{
	struct walk w = {.visit = normalise_visit};
	return walk(&w, dir);
}

/* ---- hash ---- */

static void put_ns(hash_ctx *c, const char *s, size_t n)
{
	char len[32];
	int k = snprintf(len, sizeof len, "%zu:", n);
	hash_update(c, len, k);
	hash_update(c, s, n);
}

static int hash_visit(struct walk *w, enum event ev, int dfd, const char *name,
		      const char *path, const struct stat *st, int depth)
{
	hash_ctx *c = &w->hc;
	if (ev == W_PRE) {
		if (depth > 0) {
			hash_update(c, "d ", 2);
			put_ns(c, name, strlen(name));
			hash_update(c, "\n", 1);
		}
		return 0;
	}
	if (ev == W_POST) {
		if (depth > 0)
			hash_update(c, "e\n", 2);
		return 0;
	}
	if (S_ISLNK(st->st_mode)) {
		char *target = read_link(dfd, name, path, st, "hashing");
		if (!target)
			return -1;
		hash_update(c, "l ", 2);
		put_ns(c, name, strlen(name));
		hash_update(c, " ", 1);
		put_ns(c, target, strlen(target));
		hash_update(c, "\n", 1);
		free(target);
		return 0;
	}
	if (!S_ISREG(st->st_mode))
		return bad_kind(path, st);
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open", path);
	struct stat fst;
	hash_t h;
	if (fstat(fd, &fst) < 0 || hash_fd(fd, &h, NULL) < 0) {
		err_sys("%s: cannot read", path);
		close(fd);
		return -1;
	}
	close(fd);
	char b64[HASH_B64 + 1], tail[64];
	hash_b64(&h, b64);
	hash_update(c, file_mode(&fst) == 0755 ? "f 755 " : "f 644 ", 6);
	put_ns(c, name, strlen(name));
	int k = snprintf(tail, sizeof tail, " %lld ", (long long)fst.st_size);
	hash_update(c, tail, k);
	hash_update(c, b64, HASH_B64);
	hash_update(c, "\n", 1);
	return 0;
}

int tree_hash(const char *dir, hash_t *out)
{
	struct walk w = {.visit = hash_visit};
	hash_init(&w.hc);
	hash_update(&w.hc, "distill-tree 1\n", 15);
	if (walk(&w, dir) < 0)
		return -1;
	hash_final(&w.hc, out);
	return 0;
}

/* ---- freeze ---- */

static int freeze_visit(struct walk *w, enum event ev, int dfd, const char *name,
			const char *path, const struct stat *st, int depth)
{
	(void)w;
	(void)depth;
	mode_t m;
	if (ev == W_PRE)
		return 0;
	if (ev == W_POST)
		m = 0555;
	else if (S_ISREG(st->st_mode))
		m = st->st_mode & 0111 ? 0555 : 0444;
	else if (S_ISLNK(st->st_mode))
		return 0;
	else
		return bad_kind(path, st);
	if (fchmodat(dfd, name, m, 0) < 0)
		return err_sys("%s: chmod", path);
	return 0;
}

int tree_freeze(const char *dir)
{
	struct walk w = {.visit = freeze_visit};
	return walk(&w, dir);
}

/* ---- stats ---- */

static int stats_visit(struct walk *w, enum event ev, int dfd, const char *name,
		       const char *path, const struct stat *st, int depth)
{
	(void)dfd;
	(void)name;
	(void)path;
	if (ev == W_POST || depth == 0)
		return 0;
	w->entries++;
	if (S_ISREG(st->st_mode))
		w->bytes += st->st_size;
	return 0;
}

int tree_stats(const char *dir, long *entries, long long *bytes)
{
	struct walk w = {.visit = stats_visit};
	if (walk(&w, dir) < 0)
		return -1;
	*entries = w.entries;
	*bytes = w.bytes;
	return 0;
}

/* ---- canonical tar ---- */

static int tar_fail(struct walk *w, const char *path)
{
	return err("%s: cannot write it into the archive: %s", path, archive_error_string(w->ar));
}

/* One file's bytes into the archive. */
static int tar_data(struct walk *w, int dfd, const char *name, const char *path)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open", path);
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (archive_write_data(w->ar, buf, n) != n) {
			close(fd);
			return tar_fail(w, path);
		}
	close(fd);
	return n < 0 ? err_sys("%s: cannot read", path) : 0;
}

static int tar_visit(struct walk *w, enum event ev, int dfd, const char *name,
		     const char *path, const struct stat *st, int depth)
{
	if (ev == W_POST || depth == 0)
		return 0;
	struct archive_entry *e = archive_entry_new();
	char *target = NULL;
	archive_entry_set_pathname(e, path + w->rootlen);
	if (ev == W_PRE) {
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
	} else if (S_ISLNK(st->st_mode)) {
		if (!(target = read_link(dfd, name, path, st, "archiving"))) {
			archive_entry_free(e);
			return -1;
		}
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, target);
	} else if (S_ISREG(st->st_mode)) {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, file_mode(st));
		archive_entry_set_size(e, st->st_size);
	} else {
		archive_entry_free(e);
		return bad_kind(path, st);
	}
	int r = archive_write_header(w->ar, e) == ARCHIVE_OK ? 0 : tar_fail(w, path);
	if (r == 0 && S_ISREG(st->st_mode))
		r = tar_data(w, dfd, name, path);
	free(target);
	archive_entry_free(e);
	return r;
}

int tree_write_tar(const char *dir, int fd)
{
	struct walk w = {.visit = tar_visit, .ar = archive_write_new(), .rootlen = strlen(dir) + 1};
	if (!w.ar)
		return err("%s: libarchive failed to start", dir);
	int r = -1;
	if (archive_write_add_filter_zstd(w.ar) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(w.ar) != ARCHIVE_OK ||
	    /* Names are bytes, whatever the locale: no charset conversion
	     * (in the C locale it refuses every name that is not ASCII). */
	    archive_write_set_format_option(w.ar, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK ||
	    archive_write_open_fd(w.ar, fd) != ARCHIVE_OK)
		tar_fail(&w, dir);
	else if (walk(&w, dir) == 0)
		r = archive_write_close(w.ar) == ARCHIVE_OK ? 0 : tar_fail(&w, dir);
	archive_write_free(w.ar);
	return r;
}
