#define _GNU_SOURCE
#include "build.h"
#include "err.h"
#include "fsutil.h"
#include "sandbox.h"
#include "status.h"
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void build_free_layers(char **layers, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(layers[i]);
	free(layers);
}

/* Hard-link every entry of the tree src under dst (a new directory). */
static int link_farm(const char *src, const char *dst)
{
	DIR *d = opendir(src);
	if (!d)
		return err_sys("%s: cannot open", src);
	if (mkdir(dst, 0755) < 0 && errno != EEXIST) {
		closedir(d);
		return err_sys("%s: cannot create", dst);
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *s = fs_join(src, e->d_name), *t = fs_join(dst, e->d_name);
		struct stat st;
		if (lstat(s, &st) < 0)
			r = err_sys("%s", s);
		else if (S_ISDIR(st.st_mode))
			r = link_farm(s, t);
		else if (link(s, t) < 0)
			r = err_sys("%s: cannot link into layer", t);
		free(s);
		free(t);
	}
	closedir(d);
	return r;
}

/* Create the parent directories of path (relative to root). */
static int mkparents(const char *root, const char *path)
{
	char *full = fs_join(root, path);
	char *slash = strrchr(full, '/');
	*slash = 0;
	int r = fs_mkdir_p(full, 0755);
	free(full);
	return r;
}

/* Put the small artifacts (files, dirs, symlinks) into the directory l. */
static int small_layer(struct store *s, const struct plan *p, const char *l)
{
	for (size_t i = 0; i < p->nin; i++) {
		const struct input *in = &p->in[i];
		const struct artifact *a = &in->art;
		if (a->kind != ART_FILE && a->kind != ART_DIR && a->kind != ART_SYMLINK)
			continue;
		char *rel = fs_join(in->basedir, a->path);
		char *full = fs_join(l, rel);
		int r = mkparents(l, rel);
		if (r == 0 && a->kind == ART_FILE) {
			char *blob = store_blob_path(s, &a->hash);
			r = fs_copy_file(blob, full, a->mode & 07777);
			free(blob);
		} else if (r == 0 && a->kind == ART_DIR) {
			if (mkdir(full, a->mode & 07777) < 0 && errno != EEXIST)
				r = err_sys("%s: cannot create", full);
			else
				r = chmod(full, a->mode & 07777);
		} else if (r == 0 && symlink(a->target, full) < 0) {
			r = err_sys("%s: cannot create symlink", full);
		}
		free(rel);
		free(full);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int fill_small(struct store *s, const struct plan *p, const char *root)
{
	if (mkdir(root, 0755) < 0)
		return err_sys("%s: cannot create", root);
	return small_layer(s, p, root);
}

/* The hard-link farm of the tree tb (text hash) at the absolute path at. */
static int fill_farm(struct store *s, const char *at, const char *tb, const char *root)
{
	hash_t t;
	if (hash_parse(tb, &t) < 0)
		return -1;
	char *tree = store_tree_path(s, &t), *dst = fs_join(root, at);
	int r = fs_mkdir_p(dst, 0755);
	if (r == 0) {
		rmdir(dst);
		r = link_farm(tree, dst);
	}
	free(dst);
	free(tree);
	return r;
}

int build_fill_layer(struct store *s, const char *key, const char *root)
{
	if (!strncmp(key, "small\n", 6)) {
		struct plan p;
		if (plan_decode(key + 6, strlen(key + 6), &p) < 0)
			return -1;
		int r = fill_small(s, &p, root);
		plan_free(&p);
		return r;
	}
	const char *at = key + 5, *nl = strchr(at, '\n');
	if (strncmp(key, "farm\n", 5) || !nl || at[0] != '/')
		return err("not a layer key (small or farm)");
	char *a = strndup(at, nl - at);
	int r = fill_farm(s, a, nl + 1, root);
	free(a);
	return r;
}

/* Take the write bits off everything under dir, like a tree's; the other
 * mode bits stay, as the plan gave them. */
static int freeze_layer(const char *dir)
{
	char *argv[] = { (char *)dir, NULL };
	FTS *f = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!f)
		return err_sys("%s: cannot walk", dir);
	int r = 0;
	FTSENT *e;
	while (r == 0 && (e = fts_read(f)))
		if ((e->fts_info == FTS_F || e->fts_info == FTS_DP) &&
		    (e->fts_statp->st_mode & 0222) &&
		    chmod(e->fts_path, e->fts_statp->st_mode & 07555) < 0)
			r = err_sys("%s: chmod", e->fts_path);
	fts_close(f);
	return r;
}

/* Make the layer layers/<k>/, k the hash of its key text: the file key
 * and root/, filled from the key alone (build_fill_layer) and frozen in
 * tmp/, moved into place by one rename.  A layer already there is used
 * when nothing in it is writable; else it was tampered with: it is
 * discarded and made again.  Returns root/'s path, malloc'd. */
static char *cached_layer(struct store *s, const char *key)
{
	hash_t k;
	char kb[HASH_B64 + 1];
	hash_buf(key, strlen(key), &k);
	hash_b64(&k, kb);
	char *dir = fs_fmt("%s/layers/%s", store_dir(s), kb);
	char *root = fs_join(dir, "root"), *tmp = NULL, *troot = NULL, *tkey = NULL;
	if (access(root, F_OK) == 0) {
		char *w = store_first_writable(dir);
		if (!w)
			goto done;
		free(w);
		if (store_discard(s, dir) < 0)
			goto fail;
	}
	tmp = store_mktemp(s, "layer");
	if (!tmp)
		goto fail;
	troot = fs_join(tmp, "root");
	tkey = fs_join(tmp, "key");
	if (fs_write_atomic(tkey, key, strlen(key), 0444, 0) < 0 ||
	    build_fill_layer(s, key, troot) < 0 || freeze_layer(troot) < 0 ||
	    fs_syncfs(tmp) < 0)
		goto fail;
	if (rename(tmp, dir) < 0 && errno != ENOTEMPTY && errno != EEXIST) {
		err_sys("%s: cannot move layer into place", dir);
		goto fail;
	}
	fs_rm_rf(tmp);
done:
	/* The top stays open after a kill between the rename and here. */
	chmod(dir, 0555);
	free(tmp);
	free(troot);
	free(tkey);
	free(dir);
	return root;
fail:
	if (tmp)
		fs_rm_rf(tmp);
	free(tmp);
	free(troot);
	free(tkey);
	free(dir);
	free(root);
	return NULL;
}

int build_layers(struct store *s, const struct plan *p, char ***layers, size_t *n)
{
	char **l = xmalloc((p->nin + 1) * sizeof *l);
	size_t k = 0;
	/* Small artifacts first: they sit on top, so /build is the plan's. */
	size_t nsmall = 0;
	size_t keylen;
	char *key = plan_encode(p, &keylen);
	for (size_t i = 0; i < p->nin; i++)
		nsmall += p->in[i].art.kind <= ART_SYMLINK;
	if (nsmall) {
		char *kt = fs_fmt("small\n%s", key);
		l[k] = cached_layer(s, kt);
		free(kt);
		if (!l[k])
			goto fail;
		k++;
	}
	free(key);
	key = NULL;
	for (size_t i = 0; i < p->nin; i++) {
		const struct input *in = &p->in[i];
		hash_t tree = in->art.hash;
		if (in->art.kind == ART_ARCHIVE) {
			if (store_unpack(s, &in->art.hash, &tree) < 0) {
				char *origin;
				if (store_get_origin(s, &in->art.hash, &origin) == 0) {
					err_prefix("archive %s", origin);
					free(origin);
				}
				goto fail;
			}
		} else if (in->art.kind != ART_TREE) {
			continue;
		}
		char *at = fs_join(in->basedir, in->art.path);
		char *tp = store_tree_path(s, &tree);
		if (strcmp(at, "/") == 0) {
			l[k++] = tp;
			free(at);
			continue;
		}
		char tb[HASH_B64 + 1];
		hash_b64(&tree, tb);
		char *kt = fs_fmt("farm\n%s\n%s", at, tb);
		l[k] = cached_layer(s, kt);
		free(kt);
		free(tp);
		free(at);
		if (!l[k])
			goto fail;
		k++;
	}
	*layers = l;
	*n = k;
	return 0;
fail:
	free(key);
	build_free_layers(l, k);
	return -1;
}

static void fmt_hash(const hash_t *h, char out[HASH_B64 + 1])
{
	hash_b64(h, out);
}

/* Open the raw output raw (a path under /out) beneath outdir: no symlink
 * anywhere on the way (RESOLVE_NO_SYMLINKS: not the file, not a directory
 * above it), no "..", nothing outside outdir, so what is read is what
 * /build left there and never a host file it points at.  O_NONBLOCK: a
 * fifo does not hang the open.  A regular file's fd, or -1. */
static int open_raw(const char *outdir, const char *raw)
{
	if (plan_check_raw(raw) < 0)
		return -1;
	int dfd = open(outdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return err_sys("%s: cannot open", outdir);
	struct open_how how = {
		.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = syscall(SYS_openat2, dfd, raw + 1, &how, sizeof how);
	int e = errno;
	close(dfd);
	struct stat st;
	if (fd < 0 && e == ELOOP)
		return err("/out%s, the plan's raw output, is a symlink or is reached through "
			   "one: refusing it (a raw output is a regular file under /out)", raw);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return err("the build did not leave the regular file /out%s that the plan "
			   "declares as its raw output", raw);
	}
	return fd;
}

/* Take the raw output file, or the /out tree, into the store. */
static int capture(struct store *s, const struct plan *p, const char *outdir,
		   struct output *out)
{
	if (!p->raw) {
		out->kind = OUT_TREE;
		return store_adopt_tree(s, outdir, &out->hash);
	}
	out->kind = OUT_FILE;
	int fd = open_raw(outdir, p->raw);
	if (fd < 0)
		return -1;
	char *name = fs_join("/out", p->raw);
	int r = store_take_blob_fd(s, fd, name, &out->hash);
	free(name);
	close(fd);
	return r;
}

/* A plan rebuilt to other bytes than before, or than pinned: say which. */
static int mismatch(struct store *s, const char *what, const struct output *want,
		    const struct output *got, const struct plan *p)
{
	char a[HASH_B64 + 1], b[HASH_B64 + 1];
	fmt_hash(&want->hash, a);
	fmt_hash(&got->hash, b);
	const char *dir = want->kind == OUT_TREE ? "trees" : "blobs";
	return err("plan %s is not reproducible: %s output %s, this build made %s; "
		   "compare with: diff -r %s/%s/%s %s/%s/%s",
		   p->name, what, a, b, store_dir(s), dir, a, store_dir(s),
		   got->kind == OUT_TREE ? "trees" : "blobs", b);
}

/* The sandbox could not be set up (err() says how): is it this kernel?
 * Then err() says why and how to allow it instead, and no build can work
 * here (BUILD_NO_SANDBOX); else it is this plan's failure (-1). */
static int sandbox_failed(struct store *s)
{
	char *msg = xstrdup(err_msg());
	char *tmp = fs_join(store_dir(s), "tmp");
	int pf = sandbox_preflight(tmp);
	free(tmp);
	if (pf == 0)
		err("%s", msg);
	free(msg);
	return pf < 0 ? BUILD_NO_SANDBOX : -1;
}

/* The tee of -v: each line of in to logfd as it is, and to stderr after
 * "NAME| ", escaped; exits 1 if the log could not be written. */
__attribute__((noreturn))
static void tee_log(int in, int logfd, const char *name)
{
	FILE *f = fdopen(in, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int bad = !f, tty = isatty(2);
	while (f && (n = getline(&line, &cap, f)) > 0) {
		bad |= fs_write_all(logfd, line, n) < 0;
		/* on a terminal, over the status line (redrawn after) */
		fprintf(stderr, "%s%s| ", tty ? "\r\033[K" : "", name);
		status_escape(stderr, line, n - (line[n - 1] == '\n'));
		fputc('\n', stderr);
		fflush(stderr);
	}
	_exit(bad);
}

/* Start the tee of -v on logfd: *wfd becomes the pipe the build writes
 * its log to.  The tee's pid, or -1 with err(). */
static pid_t tee_start(int logfd, const char *name, int *wfd)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_sys("the pipe of the live log of %s", name);
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return err_sys("fork for the live log of %s", name);
	}
	if (pid == 0) {
		close(pfd[1]);
		tee_log(pfd[0], logfd, name);
	}
	close(pfd[0]);
	*wfd = pfd[1];
	return pid;
}

/* The tee has written all of the log: 0, or -1 with err(). */
static int tee_wait(pid_t pid, const char *name)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_sys("waiting for the live log of %s", name);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0
		: err("the log of %s could not be written whole", name);
}

/* Name each layer under the store's directory by its path under view. */
static void view_layers(struct store *s, const char *view, char **layers, size_t n)
{
	size_t len = strlen(store_dir(s));
	for (size_t i = 0; i < n; i++)
		if (!strncmp(layers[i], store_dir(s), len) && layers[i][len] == '/') {
			char *v = fs_join(view, layers[i] + len + 1);
			free(layers[i]);
			layers[i] = v;
		}
}

int build_plan(struct store *s, const struct plan *p, const hash_t *ph,
	       const struct build_opts *o, struct output *out)
{
	char **layers = NULL;
	size_t nl = 0;
	char *scratch = NULL, *outdir = NULL, *logp = NULL;
	int logfd = -1, r = -1;
	time_t started = time(NULL);
	struct sandbox_result res = {0};

	if (!plan_has_build(p)) {
		err("plan %s has no executable /build among its inputs", p->name);
		return -1;
	}
	if (build_layers(s, p, &layers, &nl) < 0) {
		err_prefix("plan %s", p->name);
		goto done;
	}
	if (o->store_view)
		view_layers(s, o->store_view, layers, nl);
	scratch = store_mktemp(s, "build");
	if (!scratch)
		goto done;
	outdir = fs_join(scratch, "out");
	logp = fs_join(scratch, "log");
	if (mkdir(outdir, 0755) < 0) {
		err_sys("%s", outdir);
		goto done;
	}
	logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		err_sys("%s", logp);
		goto done;
	}
	int buildlog = logfd;
	pid_t tee = o->stream ? tee_start(logfd, p->name, &buildlog) : 0;
	if (tee < 0)
		goto done;
	struct sandbox_spec spec = {
		.layers = (const char *const *)layers,
		.nlayers = nl,
		.scratch = scratch,
		.out = outdir,
		.log_fd = buildlog,
		.timeout = o->timeout,
		.js_read = o->js_read,
		.js_write = o->js_write,
		.makeflags = o->makeflags,
		.vary = o->vary,
	};
	int sr = sandbox_run(&spec, &res);
	if (tee)
		close(buildlog);
	int teed = tee ? tee_wait(tee, p->name) : 0;
	close(logfd);
	logfd = -1;
	if (teed < 0 || store_put_log(s, ph, logp) < 0)
		goto done;
	if (sr < 0) {
		err_prefix("plan %s: sandbox", p->name);
		r = sandbox_failed(s);
		goto done;
	}
	if (res.timed_out) {
		err("plan %s: killed after the timeout of %u s", p->name, o->timeout);
		goto done;
	}
	if (res.status != 0) {
		if (res.status > 128)
			err("plan %s: /build was killed by signal %d", p->name, res.status - 128);
		else
			err("plan %s: /build exited with status %d", p->name, res.status);
		goto done;
	}
	if (capture(s, p, outdir, out) < 0) {
		err_prefix("plan %s", p->name);
		goto done;
	}
	if (o->expect && (o->expect->kind != out->kind ||
			  !hash_eq(&o->expect->hash, &out->hash))) {
		mismatch(s, "the recipe pins its", o->expect, out, p);
		goto done;
	}
	struct output prev;
	int have = store_get_out(s, ph, &prev);
	if (have < 0)
		goto done;
	if (have == 0 && (prev.kind != out->kind || !hash_eq(&prev.hash, &out->hash))) {
		mismatch(s, "an earlier build recorded", &prev, out, p);
		goto done;
	}
	struct rec_meta meta = {
		.started = started, .seconds = res.seconds,
		.deps = o->deps, .ndeps = o->ndeps,
	};
	r = store_put_meta(s, ph, &meta);
	if (r == 0)
		r = store_put_out(s, ph, out);
done:
	/* A full disk is no failure of the plan: no build can work until
	 * space is freed (exit 4). */
	if (r == -1 && err_disk_full(store_dir(s)))
		r = BUILD_NO_SPACE;
	if (logfd >= 0)
		close(logfd);
	if (scratch)
		fs_rm_rf(scratch);
	free(scratch);
	free(outdir);
	free(logp);
	build_free_layers(layers, nl);
	return r;
}
