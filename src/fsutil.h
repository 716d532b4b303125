/* fsutil: small file-system helpers every module shares.
 *
 * Atomic replacement of files (temp file, fsync, rename, fsync of the
 * directory), recursive mkdir and removal, whole-file reads.  Functions
 * return 0 on success and -1 with err() set; buffers returned through
 * pointers are malloc'd and owned by the caller. */
#ifndef DISTILL_FSUTIL_H
#define DISTILL_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Write all of buf to fd, retrying short writes and EINTR. */
int fs_write_all(int fd, const void *buf, size_t len);
/* Atomically make path hold exactly buf: a temp file beside it, fsync,
 * rename, and, when sync_dir, fsync of the directory (so the new name
 * itself survives a crash: needed when something written later depends on
 * it).  A crash leaves the old file or the new one, never a mix. */
int fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		    int sync_dir);
/* Read a whole file into *buf (NUL-terminated, *len excludes the NUL).
 * Returns 0, or 1 if the file does not exist (err not set), or -1. */
int fs_read_file(const char *path, char **buf, size_t *len);
/* mkdir -p with mode for each created directory. */
int fs_mkdir_p(const char *path, mode_t mode);
/* rm -rf: makes read-only directories writable on the way down.
 * A missing path is not an error. */
int fs_rm_rf(const char *path);
/* syncfs(2) the file system holding path: one call makes everything
 * written there durable (cheaper than an fsync per file of a tree). */
int fs_syncfs(const char *path);
/* fsync a directory by path. */
int fs_fsync_dir(const char *path);
/* Copy everything readable from in to out.  When both are regular files,
 * the holes of in (SEEK_DATA/SEEK_HOLE) stay holes in out, so a sparse file
 * costs no more disk copied than it did before.  When seen is not NULL it
 * is given every byte too, a hole's zeros included (to hash while copying).
 * src and dst name the two ends in errors; a write error keeps its errno
 * (err_disk_full). */
int fs_copy_fd(int in, int out, const char *src, const char *dst,
	       void (*seen)(void *arg, const void *p, size_t n), void *arg);
/* Copy src to a new file dst (O_EXCL) with mode. */
int fs_copy_file(const char *src, const char *dst, mode_t mode);
/* Join a and b with one '/'; result malloc'd, never NULL (aborts on OOM). */
char *fs_join(const char *a, const char *b);
/* malloc'd printf; aborts on OOM. */
char *fs_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* malloc/strdup/realloc that abort on OOM. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* The words of value (separated by spaces, tabs and newlines; NULL has
 * none) as a malloc'd array of malloc'd strings, *n of them; free with
 * fs_free_words. */
char **fs_split_words(const char *value, size_t *n);
void fs_free_words(char **v, size_t n);
/* Free what scandir(3) returned: n entries and the array. */
struct dirent;
void fs_free_dirents(struct dirent **ents, int n);

#endif
