#define _GNU_SOURCE
#include "result.h"
#include "err.h"
#include "fsutil.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *result_name(const char *base, size_t i)
{
	return i ? fs_fmt("%s-%zu", base, i + 1) : xstrdup(base);
}

/* link as an absolute path, its directory's symlinks resolved (malloc'd;
 * NULL, err set, when the directory is not there). */
static char *absolute(const char *link)
{
	char *a = xstrdup(link), *b = xstrdup(link);
	char *dir = realpath(dirname(a), NULL);
	char *abs = dir ? fs_join(dir, basename(b)) : NULL;
	if (!dir)
		err_sys("%s: cannot make the result link there", link);
	free(dir);
	free(a);
	free(b);
	return abs;
}

/* The output's path, the store directory's symlinks resolved (malloc'd). */
static char *output_path(struct store *s, const struct output *o)
{
	char *real = realpath(store_dir(s), NULL);
	if (!real) {
		err_sys("%s: cannot resolve the store's path", store_dir(s));
		return NULL;
	}
	char hb[HASH_B64 + 1];
	hash_b64(&o->hash, hb);
	char *p = fs_fmt("%s/%s/%s", real, o->kind == OUT_TREE ? "trees" : "blobs", hb);
	free(real);
	return p;
}

int result_link(struct store *s, const char *link, const struct output *o, long long *size)
{
	struct stat st;
	if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode))
		return err("%s is there and is not a symlink: the result link would replace "
			   "it (remove it, or name the link with -o NAME)", link);
	char *abs = absolute(link), *to = output_path(s, o), *tmp = NULL;
	int r = abs && to ? 0 : -1;
	if (r == 0) {
		tmp = fs_fmt("%s.tmp.%ld", abs, (long)getpid());
		unlink(tmp);
		if (symlink(to, tmp) < 0 || rename(tmp, abs) < 0) {
			r = err_sys("%s: cannot make the result link", link);
			unlink(tmp);
		}
	}
	if (r == 0)
		r = store_add_indirect_root(s, abs);
	if (size)
		*size = r == 0 && o->kind == OUT_FILE && stat(to, &st) == 0 ? st.st_size : -1;
	free(abs);
	free(to);
	free(tmp);
	return r;
}

/* size in bytes as people read it: 1.5 MiB. */
static char *human(long long size)
{
	static const char *units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	double v = size;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof units / sizeof *units) {
		v /= 1024;
		u++;
	}
	return u ? fs_fmt("%.1f %s", v, units[u]) : fs_fmt("%lld bytes", size);
}

int result_links(struct store *s, const char *base, bool must, const struct output *outs,
		 size_t n, FILE *say)
{
	for (size_t i = 0; i < n; i++) {
		char *name = result_name(base, i), *to = NULL;
		long long size;
		int r = result_link(s, name, &outs[i], &size);
		if (r == 0 && say && (to = output_path(s, &outs[i]))) {
			char *h = size >= 0 ? human(size) : NULL;
			fprintf(say, "%s -> %s%s%s%s\n", name, to, h ? " (" : "", h ? h : "",
				h ? ")" : "");
			free(h);
		}
		free(to);
		free(name);
		if (r < 0 && must)
			return -1;
		if (r < 0)
			fprintf(stderr, "distill: warning: no result link: %s (-o NAME names it, "
				"--no-link makes none)\n", err_msg());
	}
	return 0;
}
