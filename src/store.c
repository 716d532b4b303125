#define _GNU_SOURCE
#include "store.h"
#include "err.h"
#include "fsutil.h"
#include "plan.h"
#include "record.h"
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
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define STORE_VERSION "distill-store 1\n"

struct store {
	char *dir;
	int dirfd;	/* the store directory, for syncfs and *at() */
	int lockfd;	/* <dir>/lock, flock'ed shared for our lifetime */
};

static const char *const layout[] = {
	"blobs", "trees", "rec", "layers", "logs", "roots", "locks", "tmp",
};

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

/* The directories of the layout under dir, and one per record kind. */
static int make_layout(const char *dir)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof layout / sizeof *layout; i++) {
		char *p = fs_join(dir, layout[i]);
		r = fs_mkdir_p(p, 0755);
		free(p);
	}
	for (int k = 0; r == 0 && k < REC_NKINDS; k++) {
		char *p = fs_fmt("%s/rec/%s", dir, rec_kind_names[k]);
		r = fs_mkdir_p(p, 0755);
		free(p);
	}
	return r;
}

/* The store at dir, its shared lock taken; layout created when write. */
static struct store *open_store(const char *dir, bool write)
{
	if (write && fs_mkdir_p(dir, 0755) < 0)
		return NULL;
	if ((write && check_owner(dir) < 0) || check_version(dir, write) < 0)
		return NULL;
	if (write && make_layout(dir) < 0)
		return NULL;
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

/* The file of fd named into blobs/<h> by a link from /proc/self/fd, so
 * it is not copied: ours, read-only, durable; 1 when it cannot be linked
 * there (another file system, no /proc), -1 with err set. */
static int link_blob(struct store *s, int fd, const char *name, const hash_t *h)
{
	if (fchown(fd, geteuid(), getegid()) < 0 || fchmod(fd, 0444) < 0)
		return err_sys("%s: cannot make it the store's", name);
	if (fsync(fd) < 0)
		return err_sys("%s: cannot write (is the disk full?)", name);
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	char *dst = store_blob_path(s, h);
	int r = linkat(AT_FDCWD, proc, AT_FDCWD, dst, AT_SYMLINK_FOLLOW);
	if (r < 0 && errno == EEXIST)
		r = 0; /* stored meanwhile by someone else */
	else if (r < 0 && (errno == EXDEV || errno == ENOENT || errno == EPERM))
		r = 1;
	else if (r < 0)
		r = err_sys("%s: cannot link %s into place", dst, name);
	if (r == 0) {
		*strrchr(dst, '/') = 0;
		r = fs_fsync_dir(dst);
	}
	free(dst);
	return r;
}

int store_take_blob_fd(struct store *s, int fd, const char *name, hash_t *out)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_sys("%s: cannot stat", name);
	if (st.st_nlink != 1 || flistxattr(fd, NULL, 0) != 0)
		return store_put_blob_fd(s, fd, name, out);
	if (hash_fd(fd, out, NULL) < 0)
		return err("%s: cannot read it to hash it", name);
	if (store_has_blob(s, out))
		return 0;
	int r = link_blob(s, fd, name, out);
	if (r <= 0)
		return r;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_sys("%s: cannot seek", name);
	return store_put_blob_fd(s, fd, name, out);
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

char *store_rec_path(const struct store *s, enum rec_kind kind, const hash_t *key)
{
	char *sub = fs_fmt("rec/%s", rec_kind_names[kind]);
	char *p = path_of(s, sub, key, "");
	free(sub);
	return p;
}

static int put_rec(struct store *s, enum rec_kind kind, const hash_t *key,
		   const void *data, size_t len)
{
	char *p = store_rec_path(s, kind, key);
	/* No record depends on another record's name surviving a crash (each
	 * names content made durable before it), so the directory is not
	 * synced: a lost record is rewritten, or its plan rebuilt. */
	int r = fs_write_atomic(p, data, len, 0644, 0);
	free(p);
	return r;
}

static int put_hash(struct store *s, enum rec_kind kind, const hash_t *key,
		    const hash_t *h)
{
	char b[REC_HASH_LEN + 1];
	size_t n = rec_hash_encode(h, b);
	return put_rec(s, kind, key, b, n);
}

/* Read record kind of key and decode it into val with dec, whose error
 * is prefixed with the record's path: 0, 1 if there is none, -1. */
static int get_rec(struct store *s, enum rec_kind kind, const hash_t *key,
		   int (*dec)(const char *, size_t, void *), void *val)
{
	char *p = store_rec_path(s, kind, key), *buf;
	size_t len;
	int r = fs_read_file(p, &buf, &len);
	if (r == 0) {
		r = dec(buf, len, val);
		if (r < 0)
			err_prefix("%s", p);
		free(buf);
	}
	free(p);
	return r;
}

static int dec_hash(const char *buf, size_t len, void *h)
{
	return rec_hash_decode(buf, len, h);
}

static int dec_plan(const char *buf, size_t len, void *p)
{
	return plan_decode(buf, len, p);
}

static int dec_out(const char *buf, size_t len, void *o)
{
	return output_decode(buf, len, o);
}

static int dec_meta(const char *buf, size_t len, void *m)
{
	return rec_meta_decode(buf, len, m);
}

static int dec_size(const char *buf, size_t len, void *n)
{
	return rec_size_decode(buf, len, n);
}

static int dec_origin(const char *buf, size_t len, void *name)
{
	if (rec_origin_check(buf, len) < 0)
		return -1;
	*(char **)name = xstrdup(buf);
	return 0;
}

static int dec_name(const char *buf, size_t len, void *r)
{
	return rec_name_decode(buf, len, r);
}

int store_get_name(struct store *s, const char *name, struct rec_name *r)
{
	hash_t key;
	rec_name_key(name, &key);
	*r = (struct rec_name){ 0 };
	return get_rec(s, REC_NAME, &key, dec_name, r);
}

int store_note_build(struct store *s, const char *name, const hash_t *plan, bool failed)
{
	if (strchr(name, '\n') || !*name)
		return 0;
	hash_t key;
	rec_name_key(name, &key);
	int lock = store_lock_plan(s, &key, true);
	if (lock < 0)
		return -1;
	struct rec_name r;
	int g = store_get_name(s, name, &r);
	if (g == 1)
		r.name = xstrdup(name);
	struct rec_build b = { .when = time(NULL), .failed = failed, .plan = *plan };
	if (g >= 0 && rec_name_push(&r, &b)) {
		size_t len;
		char *enc = rec_name_encode(&r, &len);
		g = put_rec(s, REC_NAME, &key, enc, len);
		free(enc);
	}
	rec_name_free(&r);
	store_unlock_plan(lock);
	return g < 0 ? -1 : 0;
}

/* The names in rec/<kind>/ that are keys (temp files left out), sorted;
 * *n of them, freed by fs_free_dirents.  A missing directory (a store made
 * before the kind was) has none. */
static int rec_names(struct store *s, enum rec_kind kind, struct dirent ***ents, int *n)
{
	char *dir = fs_fmt("%s/rec/%s", s->dir, rec_kind_names[kind]);
	*n = scandir(dir, ents, NULL, alphasort);
	int r = 0;
	if (*n < 0) {
		*n = 0;
		*ents = NULL;
		r = errno == ENOENT ? 0 : err_sys("%s: cannot read the directory", dir);
	}
	free(dir);
	return r;
}

int store_each_name(struct store *s, int (*fn)(void *arg, const struct rec_name *r),
		    void *arg)
{
	struct dirent **ents;
	int n, r = rec_names(s, REC_NAME, &ents, &n);
	for (int i = 0; r == 0 && i < n; i++) {
		hash_t key;
		struct rec_name rn;
		if (!rec_key(ents[i]->d_name, strlen(ents[i]->d_name), &key))
			continue;
		int g = get_rec(s, REC_NAME, &key, dec_name, &rn);
		if (g == 0) {
			r = fn(arg, &rn);
			rec_name_free(&rn);
		} else if (g < 0) {
			r = -1;
		}
	}
	fs_free_dirents(ents, n);
	return r;
}

int store_plans_with_prefix(struct store *s, const char *prefix, hash_t **v, size_t *nv)
{
	struct dirent **ents;
	int n, r = rec_names(s, REC_PLAN, &ents, &n);
	size_t pl = strlen(prefix);
	*v = NULL;
	*nv = 0;
	for (int i = 0; r == 0 && i < n; i++) {
		const char *d = ents[i]->d_name;
		hash_t h;
		if (strncmp(d, prefix, pl) || !rec_key(d, strlen(d), &h))
			continue;
		*v = xrealloc(*v, (*nv + 1) * sizeof **v);
		(*v)[(*nv)++] = h;
	}
	fs_free_dirents(ents, n);
	return r;
}

/* The tree recorded for archive blob b: 0, 1 if none, -1. */
int store_get_unpacked(struct store *s, const hash_t *blob, hash_t *tree)
{
	return get_rec(s, REC_UNPACKED, blob, dec_hash, tree);
}

int store_unpack(struct store *s, const hash_t *blob, hash_t *tree)
{
	int r = store_get_unpacked(s, blob, tree);
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
	return put_hash(s, REC_UNPACKED, blob, tree);
}

int store_put_plan(struct store *s, const hash_t *plan, const char *enc, size_t len)
{
	/* A plan's encoding is its identity: one already there is this one. */
	if (exists_at(s, "rec/plan", plan))
		return 0;
	return put_rec(s, REC_PLAN, plan, enc, len);
}

int store_get_plan(struct store *s, const hash_t *plan, struct plan *p)
{
	return get_rec(s, REC_PLAN, plan, dec_plan, p);
}

int store_put_out(struct store *s, const hash_t *plan, const struct output *o)
{
	size_t len;
	char *enc = output_encode(o, &len);
	int r = put_rec(s, REC_OUT, plan, enc, len);
	free(enc);
	return r;
}

int store_get_out(struct store *s, const hash_t *plan, struct output *o)
{
	return get_rec(s, REC_OUT, plan, dec_out, o);
}

int store_put_meta(struct store *s, const hash_t *plan, const struct rec_meta *m)
{
	size_t len;
	char *enc = rec_meta_encode(m, &len);
	int r = put_rec(s, REC_META, plan, enc, len);
	free(enc);
	return r;
}

int store_get_meta(struct store *s, const hash_t *plan, struct rec_meta *m)
{
	return get_rec(s, REC_META, plan, dec_meta, m);
}

int store_put_origin(struct store *s, const hash_t *blob, const char *name)
{
	return put_rec(s, REC_ORIGIN, blob, name, strlen(name));
}

bool store_has_origin(struct store *s, const hash_t *blob)
{
	return exists_at(s, "rec/origin", blob);
}

int store_get_origin(struct store *s, const hash_t *blob, char **name)
{
	return get_rec(s, REC_ORIGIN, blob, dec_origin, name);
}

int store_put_sha256(struct store *s, const hash_t *sha, const hash_t *blob)
{
	return put_hash(s, REC_SHA256, sha, blob);
}

int store_get_sha256(struct store *s, const hash_t *sha, hash_t *blob)
{
	return get_rec(s, REC_SHA256, sha, dec_hash, blob);
}

int store_put_size(struct store *s, const hash_t *pin, long long size)
{
	char b[REC_SIZE_MAX];
	size_t n = rec_size_encode(size, b);
	return put_rec(s, REC_SIZE, pin, b, n);
}

int store_get_size(struct store *s, const hash_t *pin, long long *size)
{
	return get_rec(s, REC_SIZE, pin, dec_size, size);
}

char *store_log_path(struct store *s, const hash_t *plan)
{
	return path_of(s, "logs", plan, ".zst");
}

int store_lock_store(struct store *s, bool exclusive)
{
	int r;
	while ((r = flock(s->lockfd, exclusive ? LOCK_EX : LOCK_SH)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return err_sys("%s/lock: cannot lock%s", s->dir, exclusive ? " for gc" : "");
	return 0;
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
		char *dst = store_log_path(s, plan);
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
	char *path = store_log_path(s, plan);
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

int store_get_root(struct store *s, const char *name, hash_t *plan)
{
	if (check_root_name(name) < 0)
		return -1;
	char *p = fs_fmt("%s/roots/%s", s->dir, name), *buf;
	size_t len;
	int r = fs_read_file(p, &buf, &len);
	if (r == 0) {
		r = rec_hash_decode(buf, len, plan);
		free(buf);
		if (r < 0)
			err_prefix("bad gc root (fix or remove it): %s", p);
	}
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

int store_add_indirect_root(struct store *s, const char *link)
{
	hash_t h;
	char b[HASH_B64 + 1];
	hash_buf(link, strlen(link), &h);
	hash_b64(&h, b);
	char *p = fs_fmt("%s/roots/auto-%s", s->dir, b);
	char *tmp = fs_fmt("%s.tmp.%ld", p, (long)getpid());
	unlink(tmp);
	int r = 0;
	if (symlink(link, tmp) < 0 || rename(tmp, p) < 0) {
		r = err_sys("%s: cannot make the gc root of %s", p, link);
		unlink(tmp);
	}
	free(tmp);
	free(p);
	return r;
}
