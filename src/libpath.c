#define _GNU_SOURCE
#include "libpath.h"
#include "embed.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"
#include "store.h"
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Does root hold the Scheme library (root/lib/distill/plan.scm)? */
static int is_libroot(const char *root)
{
	char *probe = fs_join(root, "lib/distill/plan.scm");
	int yes = access(probe, R_OK) == 0;
	free(probe);
	return yes;
}

/* The regular files found by the walk of a copy of the library, and
 * whether all of it is ours (nftw has no argument for its callback). */
static size_t walk_files;
static int walk_bad;

static int walk_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if ((type != FTW_F && type != FTW_D) || (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) ||
	    (st->st_uid != geteuid() && st->st_uid != 0) || (st->st_mode & 022)) {
		err("%s is not a regular file or directory of yours that only you can "
		    "write", path);
		walk_bad = 1;
		return 1;
	}
	walk_files += S_ISREG(st->st_mode);
	return 0;
}

/* Does the file at rootfd/name hold exactly the archive's current entry? */
static int same_content(struct archive *a, struct archive_entry *e, int rootfd,
			const char *name)
{
	int fd = openat(rootfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int same = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		   st.st_size == archive_entry_size(e);
	char want[16384], got[sizeof want];
	la_ssize_t n;
	while (same && (n = archive_read_data(a, want, sizeof want)) > 0)
		same = read(fd, got, n) == n && memcmp(want, got, n) == 0;
	if (fd >= 0)
		close(fd);
	return same;
}

/* Is root exactly the built-in library: every file of the archive with its
 * content and no other file, all of it owned by us (or root) and writable
 * by nobody else?  Else 0 with err() saying what differs. */
static int is_embedded_copy(const char *root)
{
	walk_files = 0;
	walk_bad = 0;
	if (nftw(root, walk_entry, 16, FTW_PHYS) != 0 || walk_bad)
		return walk_bad ? 0 : (err_sys("cannot walk %s", root), 0);
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	struct archive_entry *e;
	size_t files = 0;
	int same = rootfd >= 0 &&
		   archive_read_open_memory(a, embed_scheme, embed_scheme_len) == ARCHIVE_OK;
	while (same && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		files++;
		same = same_content(a, e, rootfd, archive_entry_pathname(e));
		if (!same)
			err("%s/%s differs from the built-in library", root,
			    archive_entry_pathname(e));
	}
	if (same && files != walk_files) {
		err("%s holds %zu files, the built-in library %zu", root, walk_files, files);
		same = 0;
	}
	archive_read_free(a);
	if (rootfd >= 0)
		close(rootfd);
	return same;
}

/* Unpack the built-in library into a new private directory under base
 * (which store_check_private accepted), check it, and rename it to root
 * (replacing a copy found wrong).  0, or -1 with err() set. */
static int unpack_embedded(const char *base, const char *root)
{
	char *tmp = fs_fmt("%s/.tmp.XXXXXX", base), *tgz = NULL;
	int r = -1;
	if (!mkdtemp(tmp)) {
		err_sys("cannot create a directory in %s", base);
		goto out;
	}
	tgz = fs_fmt("%s.tgz", tmp);
	char *dest = fs_join(tmp, "lib");
	int fd = open(tgz, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		err_sys("cannot create %s", tgz);
	else if (fs_write_all(fd, embed_scheme, embed_scheme_len) == 0 &&
		 close(fd) == 0 && mkdir(dest, 0755) == 0 && unpack_archive(tgz, dest) == 0 &&
		 is_embedded_copy(dest)) {
		/* Another process may have put a good copy there first; a wrong
		 * one goes aside (into tmp, removed below). */
		char *old = fs_join(tmp, "old");
		if (rename(dest, root) == 0 || is_embedded_copy(root) ||
		    (rename(root, old) == 0 && rename(dest, root) == 0))
			r = 0;
		else
			err_sys("cannot rename %s to %s", dest, root);
		free(old);
	}
	free(dest);
out:
	if (tgz)
		unlink(tgz);
	fs_rm_rf(tmp);
	free(tgz);
	free(tmp);
	return r;
}

/* The copy built into the binary, unpacked into the user's cache
 * (store_cache_home()/distill-scheme/<hash of the copy>), or NULL with
 * err() set.  Code is loaded from there only if no other user can have
 * written any of it (store_check_private) and it is the built-in library
 * file for file; a copy that is not is unpacked again, atomically. */
static char *embedded_root(void)
{
	hash_t h;
	char hb[HASH_B64 + 1];
	hash_buf(embed_scheme, embed_scheme_len, &h);
	hash_b64(&h, hb);
	char *cache = store_cache_home();
	if (!cache)
		return NULL;
	char *base = fs_join(cache, "distill-scheme");
	char *root = fs_join(base, hb);
	free(cache);
	int ok = store_check_private(base) == 0 && fs_mkdir_p(base, 0700) == 0 &&
		 store_check_private(root) == 0 &&
		 (is_embedded_copy(root) || unpack_embedded(base, root) == 0);
	free(base);
	if (!ok) {
		free(root);
		return NULL;
	}
	return root;
}

/* Where the Scheme library is: lib/ beside the binary (a build tree), the
 * installed share directory, or the copy built into the binary (*embedded
 * set; NULL with err() set when there is no safe place for it).  The root
 * has the repository's layout: lib/distill/, pkg/, svc/, plat/. */
static char *libroot(int *embedded)
{
	*embedded = 0;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if (is_libroot(self))
				return xstrdup(self);
			char *d = fs_join(self, "../share/distill");
			if (is_libroot(d))
				return d;
			free(d);
		}
	}
	if (is_libroot(DISTILL_DATADIR))
		return xstrdup(DISTILL_DATADIR);
	*embedded = 1;
	return embedded_root();
}

int libpath_find(struct libpath *lp)
{
	memset(lp, 0, sizeof *lp);
	int embedded;
	char *root = libroot(&embedded);
	if (!root)
		return err_prefix("no safe place for the built-in Scheme library");
	const char *dp = getenv("DISTILL_PATH");
	char *copy = xstrdup(dp ? dp : ""), *save, *tok;
	size_t n = 3;	/* root/lib, root, and one entry more than colons */
	for (const char *p = copy; *p; p++)
		n += *p == ':';
	lp->dirs = xmalloc(n * sizeof *lp->dirs);
	for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
		lp->dirs[lp->ndirs++] = xstrdup(tok);
	free(copy);
	lp->dirs[lp->ndirs++] = fs_join(root, "lib");
	lp->dirs[lp->ndirs++] = xstrdup(root);
	char *go = fs_join(root, "go");
	if (!embedded && store_check_private(go) == 0)
		lp->compiled = go;
	else
		free(go);
	free(root);
	return 0;
}

void libpath_free(struct libpath *lp)
{
	for (size_t i = 0; i < lp->ndirs; i++)
		free(lp->dirs[i]);
	free(lp->dirs);
	free(lp->compiled);
	memset(lp, 0, sizeof *lp);
}
