#define _GNU_SOURCE
#include "fsutil.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

char *fs_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

char *fs_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return fs_fmt("%.*s/%s", (int)la, a, b);
}

int fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int fs_syncfs(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open", path);
	int r = syncfs(fd);
	close(fd);
	if (r < 0)
		return err_sys("%s: syncfs", path);
	return 0;
}

int fs_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open directory", path);
	int r = fsync(fd);
	close(fd);
	if (r < 0)
		return err_sys("%s: fsync", path);
	return 0;
}

int fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		    int sync_dir)
{
	char *tmp = fs_fmt("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		err_sys("%s: cannot create", tmp);
		free(tmp);
		return -1;
	}
	if (fs_write_all(fd, buf, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		err_sys("%s: cannot write (is the disk full?)", tmp);
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		err_sys("%s: cannot write (is the disk full?)", tmp);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		err_sys("%s: cannot rename into place", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	if (!sync_dir)
		return 0;
	char *d = xstrdup(path);
	int r = fs_fsync_dir(dirname(d));
	free(d);
	return r;
}

int fs_read_file(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return err_sys("%s: cannot open", path);
	}
	size_t cap = 4096, n = 0;
	char *b = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			b = xrealloc(b, cap *= 2);
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_sys("%s: cannot read", path);
			free(b);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	b[n] = 0;
	*buf = b;
	if (len)
		*len = n;
	return 0;
}

int fs_mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == 0) {
			char c = *s;
			*s = 0;
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				err_sys("%s: cannot create directory", p);
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

/* Remove the contents of the directory fd (then closed), making each
 * directory writable and searchable before entering it: store trees are
 * read-only and overlayfs leaves its work/work directory at mode 000. */
static int rm_contents(int fd, const char *path)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_sys("%s: cannot open", path);
	}
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR) {
			r = err_sys("%s/%s: cannot remove", path, e->d_name);
			continue;
		}
		fchmodat(dirfd(d), e->d_name, 0700, 0);
		int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		char *subpath = fs_join(path, e->d_name);
		if (sub < 0)
			r = err_sys("%s: cannot open", subpath);
		else if (rm_contents(sub, subpath) < 0)
			r = -1;
		else if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
			r = err_sys("%s: cannot remove", subpath);
		free(subpath);
	}
	closedir(d);
	return r;
}

int fs_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys("%s: cannot remove", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return err_sys("%s: cannot remove", path);
		return 0;
	}
	chmod(path, 0700);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys("%s: cannot open", path);
	if (rm_contents(fd, path) < 0)
		return -1;
	if (rmdir(path) < 0)
		return err_sys("%s: cannot remove", path);
	return 0;
}

static _Thread_local char copy_buf[1 << 16];

/* Copy from in, where it stands, to out until EOF, or until len bytes when
 * len >= 0. */
static int copy_bytes(int in, int out, off_t len, const char *src, const char *dst,
		      void (*seen)(void *arg, const void *p, size_t n), void *arg)
{
	while (len != 0) {
		size_t want = len > 0 && len < (off_t)sizeof copy_buf ? (size_t)len
								       : sizeof copy_buf;
		ssize_t n = read(in, copy_buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys("%s: cannot read", src);
		if (n == 0)
			return 0;
		if (seen)
			seen(arg, copy_buf, n);
		if (fs_write_all(out, copy_buf, n) < 0)
			return err_sys("%s: cannot write (is the disk full?)", dst);
		if (len > 0)
			len -= n;
	}
	return 0;
}

/* A hole of len bytes: seen is given its zeros; out skips it. */
static int skip_hole(int out, off_t len, const char *dst,
		     void (*seen)(void *arg, const void *p, size_t n), void *arg)
{
	static const char zeros[1 << 16];
	for (off_t left = len; seen && left > 0; left -= sizeof zeros)
		seen(arg, zeros, left < (off_t)sizeof zeros ? (size_t)left : sizeof zeros);
	if (lseek(out, len, SEEK_CUR) < 0)
		return err_sys("%s: cannot seek", dst);
	return 0;
}

int fs_copy_fd(int in, int out, const char *src, const char *dst,
	       void (*seen)(void *arg, const void *p, size_t n), void *arg)
{
	struct stat ist, ost;
	if (fstat(in, &ist) < 0 || fstat(out, &ost) < 0)
		return err_sys("%s: cannot stat", src);
	off_t pos = lseek(in, 0, SEEK_CUR);
	/* Holes need both ends to be regular files: anything else streams. */
	if (!S_ISREG(ist.st_mode) || !S_ISREG(ost.st_mode) || pos < 0)
		return copy_bytes(in, out, -1, src, dst, seen, arg);
	while (pos < ist.st_size) {
		off_t data = lseek(in, pos, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			data = ist.st_size; /* a hole up to the end */
		else if (data < 0)
			return err_sys("%s: cannot look for data (SEEK_DATA)", src);
		off_t hole = data < ist.st_size ? lseek(in, data, SEEK_HOLE) : data;
		if (hole < 0)
			return err_sys("%s: cannot look for holes (SEEK_HOLE)", src);
		if (skip_hole(out, data - pos, dst, seen, arg) < 0)
			return -1;
		if (lseek(in, data, SEEK_SET) < 0)
			return err_sys("%s: cannot seek", src);
		if (copy_bytes(in, out, hole - data, src, dst, seen, arg) < 0)
			return -1;
		pos = hole;
	}
	/* A trailing hole is a length, not blocks; a file grown since the
	 * stat is copied to its end. */
	if (ftruncate(out, lseek(out, 0, SEEK_CUR)) < 0)
		return err_sys("%s: cannot write (is the disk full?)", dst);
	return copy_bytes(in, out, -1, src, dst, seen, arg);
}

int fs_copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return err_sys("%s: cannot open", src);
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0) {
		err_sys("%s: cannot create", dst);
		close(in);
		return -1;
	}
	int r = fs_copy_fd(in, out, src, dst, NULL, NULL);
	if (r == 0 && fchmod(out, mode) < 0)
		r = err_sys("%s: chmod", dst);
	close(in);
	if (close(out) < 0 && r == 0)
		r = err_sys("%s: cannot write (is the disk full?)", dst);
	return r;
}

char **fs_split_words(const char *value, size_t *n)
{
	char **v = NULL;
	*n = 0;
	const char *p = value ? value : "";
	for (;;) {
		p += strspn(p, " \t\n");
		size_t len = strcspn(p, " \t\n");
		if (!len)
			break;
		v = xrealloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = strndup(p, len);
		p += len;
	}
	return v;
}

void fs_free_words(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void fs_free_dirents(struct dirent **ents, int n)
{
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}
