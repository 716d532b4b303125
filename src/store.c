#define _GNU_SOURCE
#include "store.h"
#include "err.h"
#include "fsutil.h"
#include "plan.h"
#include "tree.h"
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_VERSION "distill-store 1\n"

struct store {
	char *dir;
	int dirfd;	/* the store directory, for syncfs and *at() */
	int lockfd;	/* <dir>/lock, flock'ed shared for our lifetime */
};

static const char *const layout[] = {
	"blobs", "trees", "rec", "rec/plan", "rec/out", "rec/meta",
	"rec/unpacked", "rec/origin", "rec/sha256", "rec/size", "layers", "logs", "roots", "locks", "tmp",
};

static const char *const rec_kinds[] = { "plan", "out", "meta", "unpacked", "origin", "sha256", "size" };

/* A store directory written by another user fills with entries its owner
 * cannot remove (gc) or replace: refuse before writing anything. */
static int check_owner(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return err_sys("%s: cannot open the store", dir);
	if (st.st_uid == geteuid())
		return 0;
	struct passwd *pw = getpwuid(st.st_uid);
	char *who = pw ? xstrdup(pw->pw_name) : fs_fmt("%ld", (long)st.st_uid);
	err("%s: the store belongs to %s; write to it as that user (sudo -u %s "
	    "distill ...), or use a store of your own (--store DIR)", dir, who, who);
	free(who);
	return -1;
}

/* VERSION must say this store format; create writes it into a new store. */
static int check_version(const char *dir, bool create)
{
	char *path = fs_join(dir, "VERSION"), *buf;
	size_t len;
	int r = fs_read_file(path, &buf, &len);
	if (r == 1 && create) {
		r = fs_write_atomic(path, STORE_VERSION, strlen(STORE_VERSION), 0644, 1);
	} else if (r == 1) {
		r = err("%s: not a distill store (no VERSION file)", dir);
	} else if (r == 0) {
		if (len != strlen(STORE_VERSION) || memcmp(buf, STORE_VERSION, len)) {
			buf[strcspn(buf, "\n")] = 0;
			r = err("%s: store has version '%s', this distill needs '%.*s'; "
				"use another store directory (--store) or remove this one",
				dir, buf, (int)strlen(STORE_VERSION) - 1, STORE_VERSION);
		}
		free(buf);
	}
	free(path);
	return r;
}

/* The store at dir, its shared lock taken; layout created when write. */
static struct store *open_store(const char *dir, bool write)
{
	if (write && fs_mkdir_p(dir, 0755) < 0)
		return NULL;
	if ((write && check_owner(dir) < 0) || check_version(dir, write) < 0)
		return NULL;
	for (size_t i = 0; write && i < sizeof layout / sizeof *layout; i++) {
		char *p = fs_join(dir, layout[i]);
		int r = fs_mkdir_p(p, 0755);
		free(p);
		if (r < 0)
			return NULL;
	}
	struct store *s = xmalloc(sizeof *s);
	/* Absolute, so paths handed to the sandbox mean the same everywhere. */
	s->dir = realpath(dir, NULL);
	if (!s->dir) {
		err_sys("%s: cannot resolve the store directory", dir);
		free(s);
		return NULL;
	}
	s->lockfd = -1;
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		err_sys("%s: cannot open store directory", dir);
		goto fail;
	}
	char *lock = fs_join(dir, "lock");
	s->lockfd = open(lock, (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
	if (s->lockfd < 0) {
		err_sys("%s: cannot open", lock);
		free(lock);
		goto fail;
	}
	int r;
	while ((r = flock(s->lockfd, LOCK_SH)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		err_sys("%s: cannot lock", lock);
		free(lock);
		goto fail;
	}
	free(lock);
	return s;
fail:
	store_close(s);
	return NULL;
}

struct store *store_open(const char *dir)
{
	return open_store(dir, true);
}

struct store *store_open_read(const char *dir)
{
	return open_store(dir, false);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s);
}

const char *store_dir(const struct store *s)
{
	return s->dir;
}

char *store_cache_home(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	if (x && x[0] == '/')
		return xstrdup(x);
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return fs_join(h, ".cache");
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return fs_join(pw->pw_dir, ".cache");
	err("no cache directory: neither XDG_CACHE_HOME nor HOME is an absolute "
	    "path, and uid %ld has no home directory; give a store with --store DIR",
	    (long)geteuid());
	return NULL;
}

/* Can only the effective uid (or root) change what is under dir?  dir's
 * owner is one of them, and nobody else may write it, unless it is sticky
 * (like /tmp: then others cannot rename or remove what is ours in it). */
static int dir_private(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return err_sys("cannot stat %s", dir);
	if ((st.st_uid == geteuid() || st.st_uid == 0) &&
	    (!(st.st_mode & 022) || (st.st_mode & S_ISVTX)))
		return 0;
	return err("%s is owned by uid %ld with mode %04o: another user can change "
		   "what is in it, and distill takes no code or store from there; make "
		   "it yours and not group- or world-writable (chmod go-w), or set "
		   "XDG_CACHE_HOME or --store elsewhere", dir, (long)st.st_uid,
		   (unsigned)(st.st_mode & 07777));
}

int store_check_private(const char *path)
{
	char *p = xstrdup(path), *real;
	char *slash;
	while (!(real = realpath(p, NULL)) && errno == ENOENT && p[1] &&
	       (slash = strrchr(p, '/')))
		slash[slash == p] = 0; /* "/a/b" -> "/a" -> "/" */
	if (!real) {
		err_sys("cannot resolve %s", p);
		free(p);
		return -1;
	}
	free(p);
	/* Up to /; the message names the outermost directory at fault. */
	int r = dir_private(real);
	while ((slash = strrchr(real, '/')) != real) {
		*slash = 0;
		r |= dir_private(real);
	}
	if (real[1])
		r |= dir_private("/");
	free(real);
	return r;
}

char *store_default_dir(void)
{
	char *cache = store_cache_home();
	if (!cache)
		return NULL;
	char *dir = fs_join(cache, "distill");
	free(cache);
	if (store_check_private(dir) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

static char *path_of(const struct store *s, const char *sub, const hash_t *h,
		     const char *suffix)
{
	char b[HASH_B64 + 1];
	hash_b64(h, b);
	return fs_fmt("%s/%s/%s%s", s->dir, sub, b, suffix);
}

static bool exists_at(const struct store *s, const char *sub, const hash_t *h)
{
	char b[HASH_B64 + 1];
	hash_b64(h, b);
	char *rel = fs_fmt("%s/%s", sub, b);
	bool r = faccessat(s->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	free(rel);
	return r;
}

char *store_mktemp(struct store *s, const char *what)
{
	char *p = fs_fmt("%s/tmp/%s.%ld.XXXXXX", s->dir, what, (long)getpid());
	if (!mkdtemp(p)) {
		err_sys("%s: cannot create temporary directory", p);
		free(p);
		return NULL;
	}
	return p;
}

int store_discard(struct store *s, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys("%s: cannot remove", path);
	/* Moving a directory to another parent rewrites its "..", which needs
	 * write permission on it (a frozen tree or layer has none). */
	if (S_ISDIR(st.st_mode) && !(st.st_mode & S_IWUSR) &&
	    chmod(path, (st.st_mode & 07777) | S_IWUSR) < 0)
		return err_sys("%s: chmod", path);
	char *t = store_mktemp(s, "gone");
	if (!t)
		return -1;
	char *dst = fs_join(t, "entry");
	int r = 0;
	if (rename(path, dst) < 0 && errno != ENOENT)
		r = err_sys("%s: cannot move into %s to remove it", path, t);
	if (fs_rm_rf(t) < 0)
		r = -1;
	free(dst);
	free(t);
	return r;
}

char *store_first_writable(const char *dir)
{
	char *argv[] = { (char *)dir, NULL };
	FTS *f = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!f)
		return NULL;
	char *bad = NULL;
	FTSENT *e;
	while (!bad && (e = fts_read(f)))
		if (e->fts_level > 0 && (e->fts_info == FTS_F || e->fts_info == FTS_D) &&
		    (e->fts_statp->st_mode & 0222))
			bad = xstrdup(e->fts_path);
	fts_close(f);
	return bad;
}

/* A new temporary file under tmp/: its fd, *path malloc'd. */
static int tmp_file(struct store *s, const char *what, char **path)
{
	*path = fs_fmt("%s/tmp/%s.%ld.XXXXXX", s->dir, what, (long)getpid());
	int fd = mkostemp(*path, O_CLOEXEC);
	if (fd < 0) {
		err_sys("%s: cannot create temporary file", *path);
		free(*path);
		*path = NULL;
	}
	return fd;
}

/* Make the fd's file durable and read-only, then move it to dst. */
/* Make the temp file tmp (open as fd) read-only and durable and rename it
 * to dst; sync_dir makes the new name durable too (blobs: records name
 * them; logs: nothing does). */
static int commit_file(int fd, const char *tmp, const char *dst, int sync_dir)
{
	if (fchmod(fd, 0444) < 0 || fsync(fd) < 0)
		return err_sys("%s: cannot write (is the disk full?)", tmp);
	if (rename(tmp, dst) < 0)
		return err_sys("%s: cannot rename into place", dst);
	if (!sync_dir)
		return 0;
	char *d = xstrdup(dst);
	*strrchr(d, '/') = 0;
	int r = fs_fsync_dir(d);
	free(d);
	return r;
}

int store_adopt_blob(struct store *s, const char *tmpfile, const hash_t *h)
{
	if (store_has_blob(s, h)) {
		unlink(tmpfile);
		return 0;
	}
	int fd = open(tmpfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open", tmpfile);
	char *dst = store_blob_path(s, h);
	int r = commit_file(fd, tmpfile, dst, 1);
	close(fd);
	free(dst);
	if (r < 0)
		unlink(tmpfile);
	return r;
}

int store_put_blob_buf(struct store *s, const void *p, size_t n, hash_t *out)
{
	hash_buf(p, n, out);
	if (store_has_blob(s, out))
		return 0;
	char *tmp;
	int fd = tmp_file(s, "blob", &tmp);
	if (fd < 0)
		return -1;
	int r = fs_write_all(fd, p, n);
	if (close(fd) < 0 && r == 0)
		r = -1;
	if (r < 0)
		err_sys("%s: cannot write (is the disk full?)", tmp);
	if (r == 0)
		r = store_adopt_blob(s, tmp, out);
	else
		unlink(tmp);
	free(tmp);
	return r;
}

static void hash_chunk(void *ctx, const void *p, size_t n)
{
	hash_update(ctx, p, n);
}

int store_put_blob_fd(struct store *s, int in, const char *name, hash_t *out)
{
	char *tmp;
	int fd = tmp_file(s, "blob", &tmp);
	if (fd < 0)
		return -1;
	hash_ctx c;
	hash_init(&c);
	int r = fs_copy_fd(in, fd, name, tmp, hash_chunk, &c);
	if (close(fd) < 0 && r == 0)
		r = err_sys("%s: cannot write (is the disk full?)", tmp);
	if (r == 0) {
		hash_final(&c, out);
		r = store_adopt_blob(s, tmp, out);
	} else {
		unlink(tmp);
	}
	free(tmp);
	return r;
}

int store_put_blob_file(struct store *s, const char *path, hash_t *out)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return err_sys("%s: cannot open", path);
	int r = store_put_blob_fd(s, in, path, out);
	close(in);
	return r;
}

bool store_has_blob(struct store *s, const hash_t *h)
{
	return exists_at(s, "blobs", h);
}

char *store_blob_path(struct store *s, const hash_t *h)
{
	return path_of(s, "blobs", h, "");
}

int store_adopt_tree(struct store *s, const char *tmpdir, hash_t *out)
{
	if (tree_normalise(tmpdir) < 0 || tree_hash(tmpdir, out) < 0 ||
	    tree_freeze(tmpdir) < 0)
		goto fail;
	/* Moving a directory to another parent rewrites its "..", which needs
	 * write permission on it: open the top for the rename only. */
	if (chmod(tmpdir, 0755) < 0) {
		err_sys("%s: chmod", tmpdir);
		goto fail;
	}
	/* One syncfs makes every file of the tree durable before it appears. */
	if (syncfs(s->dirfd) < 0) {
		err_sys("%s: syncfs", s->dir);
		goto fail;
	}
	char *dst = store_tree_path(s, out);
	if (rename(tmpdir, dst) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			err_sys("%s: cannot rename %s into place", dst, tmpdir);
			free(dst);
			goto fail;
		}
		/* Someone stored the same tree first; freeze its top in case
		 * they were stopped between their rename and their chmod. */
		int r = fs_rm_rf(tmpdir);
		if (r == 0 && chmod(dst, 0555) < 0 && errno != EPERM)
			r = err_sys("%s: chmod", dst);
		free(dst);
		return r;
	}
	int r = 0;
	if (chmod(dst, 0555) < 0)
		r = err_sys("%s: chmod", dst);
	free(dst);
	if (r == 0) {
		char *trees = fs_join(s->dir, "trees");
		r = fs_fsync_dir(trees);
		free(trees);
	}
	return r;
fail:
	fs_rm_rf(tmpdir);
	return -1;
}

bool store_has_tree(struct store *s, const hash_t *h)
{
	return exists_at(s, "trees", h);
}

char *store_tree_path(struct store *s, const hash_t *h)
{
	return path_of(s, "trees", h, "");
}

/* A record holding one hash and a newline (rec/unpacked, roots). */
static int parse_hash_text(const char *what, const char *buf, hash_t *h)
{
	size_t n = strcspn(buf, "\n");
	if (n != HASH_B64 || (buf[n] && buf[n + 1]))
		return err("%s: expected one hash and a newline", what);
	char b[HASH_B64 + 1];
	memcpy(b, buf, HASH_B64);
	b[HASH_B64] = 0;
	if (hash_parse(b, h) < 0)
		return err_prefix("%s", what);
	return 0;
}

/* The tree recorded for archive blob b: 0, 1 if none, -1. */
static int get_unpacked(struct store *s, const hash_t *b, hash_t *tree)
{
	char *buf;
	int r = store_get_rec(s, "unpacked", b, &buf, NULL);
	if (r != 0)
		return r;
	char *what = path_of(s, "rec/unpacked", b, "");
	r = parse_hash_text(what, buf, tree);
	free(what);
	free(buf);
	return r;
}

int store_unpack(struct store *s, const hash_t *blob, hash_t *tree)
{
	int r = get_unpacked(s, blob, tree);
	if (r < 0)
		return -1;
	if (r == 0 && store_has_tree(s, tree))
		return 0;
	char *src = store_blob_path(s, blob);
	if (!store_has_blob(s, blob)) {
		err("%s: archive not in the store", src);
		free(src);
		return -1;
	}
	char *tmp = store_mktemp(s, "unpack");
	if (!tmp) {
		free(src);
		return -1;
	}
	r = unpack_archive(src, tmp);
	free(src);
	if (r < 0) {
		fs_rm_rf(tmp);
		free(tmp);
		return -1;
	}
	r = store_adopt_tree(s, tmp, tree);
	free(tmp);
	if (r < 0)
		return -1;
	char b[HASH_B64 + 2];
	hash_b64(tree, b);
	b[HASH_B64] = '\n';
	return store_put_rec(s, "unpacked", blob, b, HASH_B64 + 1);
}

static int check_kind(const char *kind)
{
	for (size_t i = 0; i < sizeof rec_kinds / sizeof *rec_kinds; i++)
		if (strcmp(kind, rec_kinds[i]) == 0)
			return 0;
	return err("'%s' is not a record kind (plan, out, meta or unpacked)", kind);
}

static char *rec_path(struct store *s, const char *kind, const hash_t *key)
{
	char *sub = fs_fmt("rec/%s", kind);
	char *p = path_of(s, sub, key, "");
	free(sub);
	return p;
}

int store_put_rec(struct store *s, const char *kind, const hash_t *key,
		  const void *data, size_t len)
{
	if (check_kind(kind) < 0)
		return -1;
	char *p = rec_path(s, kind, key);
	/* No record depends on another record's name surviving a crash (each
	 * names content made durable before it), so the directory is not
	 * synced: a lost record is rewritten, or its plan rebuilt. */
	int r = fs_write_atomic(p, data, len, 0644, 0);
	free(p);
	return r;
}

int store_get_rec(struct store *s, const char *kind, const hash_t *key,
		  char **data, size_t *len)
{
	if (check_kind(kind) < 0)
		return -1;
	char *p = rec_path(s, kind, key);
	int r = fs_read_file(p, data, len);
	free(p);
	return r;
}

bool store_has_rec(struct store *s, const char *kind, const hash_t *key)
{
	if (check_kind(kind) < 0)
		return false;
	char *sub = fs_fmt("rec/%s", kind);
	bool r = exists_at(s, sub, key);
	free(sub);
	return r;
}

/* Compress the open file in to the open file out: zstd, raw format. */
static int compress_log(int in, const char *path, int out, const char *tmp)
{
	struct stat st;
	if (fstat(in, &st) < 0)
		return err_sys("%s: stat", path);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int r = -1;
	if (archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
	    archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out) != ARCHIVE_OK)
		goto arch_err;
	archive_entry_set_pathname(e, "log");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, st.st_size);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		goto arch_err;
	static _Thread_local char buf[1 << 16];
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys("%s: cannot read", path);
			goto out;
		}
		if (n == 0)
			break;
		if (archive_write_data(a, buf, n) != n)
			goto arch_err;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto arch_err;
	r = 0;
	goto out;
arch_err:
	err("%s: cannot compress log: %s", tmp, archive_error_string(a));
out:
	archive_entry_free(e);
	archive_write_free(a);
	return r;
}

int store_put_log(struct store *s, const hash_t *plan, const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return err_sys("%s: cannot open", path);
	char *tmp;
	int out = tmp_file(s, "log", &tmp);
	if (out < 0) {
		close(in);
		return -1;
	}
	/* An empty log stays an empty file: zstd's frame of nothing is not
	 * something libarchive's raw reader recognises. */
	struct stat st;
	int r = fstat(in, &st) < 0 ? err_sys("%s", path)
		: st.st_size == 0 ? 0 : compress_log(in, path, out, tmp);
	close(in);
	if (r == 0) {
		char *dst = path_of(s, "logs", plan, ".zst");
		r = commit_file(out, tmp, dst, 0);
		free(dst);
	}
	close(out);
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

int store_cat_log(struct store *s, const hash_t *plan, int fd)
{
	char *path = path_of(s, "logs", plan, ".zst");
	struct stat st;
	int r = -1;
	if (stat(path, &st) < 0) {
		r = errno == ENOENT ? 1 : err_sys("%s", path);
		free(path);
		return r;
	}
	if (st.st_size == 0) { /* an empty log */
		free(path);
		return 0;
	}
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK)
		goto arch_err;
	if (archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto arch_err;
	static _Thread_local char buf[1 << 16];
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);
		if (n < 0)
			goto arch_err;
		if (n == 0)
			break;
		if (fs_write_all(fd, buf, n) < 0) {
			err_sys("%s: cannot write the log out", path);
			goto out;
		}
	}
	r = 0;
	goto out;
arch_err:
	err("%s: cannot read log: %s", path, archive_error_string(a));
out:
	archive_read_free(a);
	free(path);
	return r;
}

int store_lock_plan(struct store *s, const hash_t *plan, bool wait)
{
	char *path = path_of(s, "locks", plan, "");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		err_sys("%s: cannot open", path);
		free(path);
		return -1;
	}
	int r;
	while ((r = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) < 0 && errno == EINTR)
		;
	if (r < 0) {
		if (errno == EWOULDBLOCK) {
			close(fd);
			free(path);
			return -2;
		}
		err_sys("%s: cannot lock", path);
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

void store_unlock_plan(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int check_root_name(const char *name)
{
	if (!name[0] || name[0] == '.' || strchr(name, '/') || strstr(name, ".tmp."))
		return err("'%s' is not a gc root name: it must be non-empty, "
			   "without '/' or '.tmp.', and not start with '.'", name);
	return 0;
}

int store_add_root(struct store *s, const char *name, const hash_t *plan)
{
	if (check_root_name(name) < 0)
		return -1;
	char b[HASH_B64 + 2];
	hash_b64(plan, b);
	b[HASH_B64] = '\n';
	char *p = fs_fmt("%s/roots/%s", s->dir, name);
	int r = fs_write_atomic(p, b, HASH_B64 + 1, 0644, 1);
	free(p);
	return r;
}

int store_remove_root(struct store *s, const char *name)
{
	if (check_root_name(name) < 0)
		return -1;
	char *p = fs_fmt("%s/roots/%s", s->dir, name);
	int r = 0;
	if (unlink(p) < 0)
		r = errno == ENOENT ? err("%s: no such gc root", p)
				    : err_sys("%s: cannot remove", p);
	free(p);
	return r;
}

/* gc: a set of hashes (open addressing; hashes are uniform already). */
struct hset {
	hash_t *v;
	bool *used;
	size_t cap, n;
};

static size_t hset_slot(const struct hset *t, const hash_t *h)
{
	size_t i;
	memcpy(&i, h->b, sizeof i);
	for (i &= t->cap - 1; t->used[i] && !hash_eq(&t->v[i], h); i = (i + 1) & (t->cap - 1))
		;
	return i;
}

static bool hset_has(const struct hset *t, const hash_t *h)
{
	return t->cap && t->used[hset_slot(t, h)];
}

/* Add h; true if it was not there yet. */
static bool hset_add(struct hset *t, const hash_t *h)
{
	if (2 * (t->n + 1) > t->cap) {
		struct hset g = { 0, 0, t->cap ? 2 * t->cap : 64, 0 };
		g.v = xmalloc(g.cap * sizeof *g.v);
		g.used = calloc(g.cap, sizeof *g.used);
		if (!g.used)
			abort();
		for (size_t i = 0; i < t->cap; i++)
			if (t->used[i]) {
				size_t j = hset_slot(&g, &t->v[i]);
				g.v[j] = t->v[i];
				g.used[j] = true;
				g.n++;
			}
		free(t->v);
		free(t->used);
		*t = g;
	}
	size_t i = hset_slot(t, h);
	if (t->used[i])
		return false;
	t->v[i] = *h;
	t->used[i] = true;
	t->n++;
	return true;
}

static void hset_free(struct hset *t)
{
	free(t->v);
	free(t->used);
}

struct gc {
	struct store *s;
	struct hset blobs, trees, plans, unpacked;
	hash_t *todo;	/* plans still to visit */
	size_t ntodo, captodo;
	bool dry_run;
	struct store_gc_stats *st;
};

static void gc_push(struct gc *g, const hash_t *plan)
{
	if (hset_has(&g->plans, plan))
		return;
	if (g->ntodo == g->captodo)
		g->todo = xrealloc(g->todo, (g->captodo = 2 * g->captodo + 16) * sizeof *g->todo);
	g->todo[g->ntodo++] = *plan;
}

static int gc_roots(struct gc *g)
{
	char *dir = fs_join(g->s->dir, "roots");
	DIR *d = opendir(dir);
	if (!d) {
		err_sys("%s: cannot open directory", dir);
		free(dir);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		/* ".tmp." names are what a killed gc --add-root left behind
		 * (fs_write_atomic's temp files): not roots; swept below. */
		if (e->d_name[0] == '.')
			continue;
		if (strstr(e->d_name, ".tmp.")) {
			g->st->removed++;
			if (!g->dry_run)
				unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		char *p = fs_join(dir, e->d_name), *buf;
		hash_t h;
		r = fs_read_file(p, &buf, NULL);
		if (r == 0) {
			r = parse_hash_text(p, buf, &h);
			free(buf);
			if (r == 0)
				gc_push(g, &h);
			else
				err_prefix("bad gc root (fix or remove it)");
		} else if (r == 1) {
			r = 0; /* removed meanwhile */
		}
		free(p);
	}
	closedir(d);
	free(dir);
	return r;
}

static int gc_mark_plan_inputs(struct gc *g, const hash_t *plan)
{
	char *buf;
	size_t len;
	int r = store_get_rec(g->s, "plan", plan, &buf, &len);
	if (r != 0)
		return r < 0 ? -1 : 0;
	struct plan p;
	r = plan_decode(buf, len, &p);
	free(buf);
	if (r < 0) {
		char *what = rec_path(g->s, "plan", plan);
		err_prefix("%s", what);
		free(what);
		return -1;
	}
	for (size_t i = 0; r == 0 && i < p.nin; i++) {
		const struct artifact *a = &p.in[i].art;
		hash_t t;
		switch (a->kind) {
		case ART_FILE:
			hset_add(&g->blobs, &a->hash);
			break;
		case ART_ARCHIVE:
			hset_add(&g->blobs, &a->hash);
			hset_add(&g->unpacked, &a->hash);
			r = get_unpacked(g->s, &a->hash, &t);
			if (r == 0)
				hset_add(&g->trees, &t);
			r = r < 0 ? -1 : 0;
			break;
		case ART_TREE:
			hset_add(&g->trees, &a->hash);
			break;
		case ART_DIR:
		case ART_SYMLINK:
			break;
		}
	}
	plan_free(&p);
	return r;
}

static int gc_mark_output(struct gc *g, const hash_t *plan)
{
	char *buf;
	size_t len;
	int r = store_get_rec(g->s, "out", plan, &buf, &len);
	if (r != 0)
		return r < 0 ? -1 : 0;
	struct output o;
	r = output_decode(buf, len, &o);
	free(buf);
	if (r < 0) {
		char *what = rec_path(g->s, "out", plan);
		err_prefix("%s", what);
		free(what);
		return -1;
	}
	hset_add(o.kind == OUT_TREE ? &g->trees : &g->blobs, &o.hash);
	return 0;
}

/* Lines "dep <planhash>" of the meta record name plans to keep too. */
static int gc_mark_deps(struct gc *g, const hash_t *plan)
{
	char *buf;
	int r = store_get_rec(g->s, "meta", plan, &buf, NULL);
	if (r != 0)
		return r < 0 ? -1 : 0;
	for (char *line = buf, *next; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = 0;
		if (strncmp(line, "dep ", 4))
			continue;
		hash_t h;
		if (hash_parse(line + 4, &h) < 0) {
			char *what = rec_path(g->s, "meta", plan);
			err_prefix("%s", what);
			free(what);
			r = -1;
			break;
		}
		gc_push(g, &h);
	}
	free(buf);
	return r;
}

static int gc_mark(struct gc *g)
{
	if (gc_roots(g) < 0)
		return -1;
	while (g->ntodo) {
		hash_t h = g->todo[--g->ntodo];
		if (!hset_add(&g->plans, &h))
			continue;
		if (gc_mark_plan_inputs(g, &h) < 0 || gc_mark_output(g, &h) < 0 ||
		    gc_mark_deps(g, &h) < 0)
			return -1;
	}
	return 0;
}

/* Bytes of regular files under path (a file or a directory). */
static long long du(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	FTS *f = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!f)
		return 0;
	long long n = 0;
	FTSENT *e;
	while ((e = fts_read(f)))
		if (e->fts_info == FTS_F)
			n += e->fts_statp->st_size;
	fts_close(f);
	return n;
}

/* Sweep dir (relative to the store): an entry whose name, less suffix, is
 * a hash in keep survives; anything else goes (keep NULL: everything). */
static int gc_sweep(struct gc *g, const char *sub, const struct hset *keep,
		    const char *suffix)
{
	char *dir = fs_join(g->s->dir, sub);
	DIR *d = opendir(dir);
	if (!d) {
		err_sys("%s: cannot open directory", dir);
		free(dir);
		return -1;
	}
	size_t sl = strlen(suffix);
	bool tmp = !strcmp(sub, "tmp");
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		const char *n = e->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		size_t nl = strlen(n);
		if (keep && nl == HASH_B64 + sl && !strcmp(n + HASH_B64, suffix)) {
			char b[HASH_B64 + 1];
			hash_t h;
			memcpy(b, n, HASH_B64);
			b[HASH_B64] = 0;
			if (hash_parse(b, &h) == 0 && hset_has(keep, &h)) {
				g->st->kept++;
				continue;
			}
		}
		char *p = fs_join(dir, n);
		g->st->removed++;
		g->st->bytes_freed += du(p);
		/* An entry leaves its name whole, by one rename into tmp/; what
		 * is in tmp/ already is deleted where it is. */
		if (!g->dry_run)
			r = tmp ? fs_rm_rf(p) : store_discard(g->s, p);
		free(p);
	}
	closedir(d);
	free(dir);
	return r;
}

/* rec/sha256/<sha> holds a blob hash: it lives as long as that blob. */
static int gc_sweep_sha256(struct gc *g)
{
	char *dir = fs_join(g->s->dir, "rec/sha256");
	DIR *d = opendir(dir);
	if (!d) {
		err_sys("%s: cannot open directory", dir);
		free(dir);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = fs_join(dir, e->d_name), *buf;
		size_t len;
		hash_t h;
		int keep = 0;
		if (fs_read_file(p, &buf, &len) == 0) {
			if (len == HASH_B64 + 1 && buf[HASH_B64] == '\n') {
				buf[HASH_B64] = 0;
				keep = hash_parse(buf, &h) == 0 && hset_has(&g->blobs, &h);
			}
			free(buf);
		}
		if (keep) {
			g->st->kept++;
		} else {
			g->st->removed++;
			if (!g->dry_run)
				r = store_discard(g->s, p);
		}
		free(p);
	}
	closedir(d);
	free(dir);
	return r;
}

int store_gc(struct store *s, bool dry_run, struct store_gc_stats *st)
{
	*st = (struct store_gc_stats){ 0, 0, 0 };
	int r;
	while ((r = flock(s->lockfd, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return err_sys("%s/lock: cannot lock for gc", s->dir);
	struct gc g = { .s = s, .dry_run = dry_run, .st = st };
	r = gc_mark(&g);
	/* Records go before what they name, so a crash mid-way never leaves a
	 * record naming a missing blob or tree. */
	if (r == 0)
		r = gc_sweep(&g, "rec/plan", &g.plans, "") < 0 ||
		    gc_sweep(&g, "rec/out", &g.plans, "") < 0 ||
		    gc_sweep(&g, "rec/meta", &g.plans, "") < 0 ||
		    gc_sweep(&g, "rec/unpacked", &g.unpacked, "") < 0 ||
		    gc_sweep(&g, "rec/origin", &g.blobs, "") < 0 ||
		    gc_sweep_sha256(&g) < 0 ||
		    gc_sweep(&g, "logs", &g.plans, ".zst") < 0 ||
		    gc_sweep(&g, "locks", &g.plans, "") < 0 ||
		    gc_sweep(&g, "trees", &g.trees, "") < 0 ||
		    gc_sweep(&g, "blobs", &g.blobs, "") < 0 ||
		    gc_sweep(&g, "layers", NULL, "") < 0 ||
		    gc_sweep(&g, "tmp", NULL, "") < 0 ? -1 : 0;
	hset_free(&g.blobs);
	hset_free(&g.trees);
	hset_free(&g.plans);
	hset_free(&g.unpacked);
	free(g.todo);
	if (flock(s->lockfd, LOCK_SH) < 0 && r == 0)
		r = err_sys("%s/lock: cannot lock", s->dir);
	return r;
}
