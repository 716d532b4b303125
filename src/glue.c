#define _GNU_SOURCE
#include "glue.h"
#include "boot.h"
#include "err.h"
#include "embed.h"
#include "fetch.h"
#include "fsutil.h"
#include "hash.h"
#include "plan.h"
#include "sched.h"
#include "store.h"
#include "unpack.h"

#include <libguile.h>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cli *cli;
static struct store *store;
/* While %call-with-store runs a thunk on another store, the blobs of the
 * store it left serve as one more mirror (by pin), so nothing is fetched
 * twice. */
static char *outer_blobs;
static int exit_code;
/* The options of distill boot, while it runs. */
static struct boot_opts *boot_opts;

/* Raise a Scheme error for a failure of the core (err_msg()); a full
 * disk is distill's own trouble (exit 4), whatever failed. */
static void core_error(const char *key)
{
	if (store && err_disk_full(store_dir(store)))
		key = "distill-system-error";
	scm_throw(scm_from_utf8_symbol(key),
		  scm_list_1(scm_from_utf8_string(err_msg())));
}

static struct store *the_store(void)
{
	if (!store) {
		char *dir = cli->store_dir ? xstrdup(cli->store_dir) : store_default_dir();
		store = dir ? store_open(dir) : NULL;
		free(dir);
		if (!store)
			core_error("distill-system-error");
	}
	return store;
}

static SCM hash_string(const hash_t *h)
{
	char b[HASH_B64 + 1];
	hash_b64(h, b);
	return scm_from_latin1_string(b);
}

static void get_hash(SCM s, hash_t *h, const char *who)
{
	char *c = scm_to_utf8_string(s);
	int r = hash_parse(c, h);
	free(c);
	if (r < 0)
		scm_misc_error(who, "~a", scm_list_1(scm_from_utf8_string(err_msg())));
}

/* (%intern-bytes BYTEVECTOR) -> hash string */
static SCM intern_bytes(SCM bv)
{
	hash_t h;
	SCM_ASSERT(scm_is_bytevector(bv), bv, 1, "%intern-bytes");
	if (store_put_blob_buf(the_store(), SCM_BYTEVECTOR_CONTENTS(bv),
			       SCM_BYTEVECTOR_LENGTH(bv), &h) < 0)
		core_error("distill-system-error");
	return hash_string(&h);
}

/* (%hash-bytes BYTEVECTOR) -> BLAKE2b-256 hash string, storing nothing */
static SCM hash_bytes(SCM bv)
{
	hash_t h;
	SCM_ASSERT(scm_is_bytevector(bv), bv, 1, "%hash-bytes");
	hash_buf(SCM_BYTEVECTOR_CONTENTS(bv), SCM_BYTEVECTOR_LENGTH(bv), &h);
	return hash_string(&h);
}

/* (%hash-file PATH) -> (BLAKE2b-string . "sha256:<hex>") */
static SCM hash_file_both(SCM path)
{
	hash_t b2, sha;
	char *p = scm_to_utf8_string(path);
	int r = hash_file(p, &b2, &sha);
	free(p);
	if (r < 0)
		scm_misc_error("%hash-file", "~a", scm_list_1(scm_from_utf8_string(err_msg())));
	pin_t pin = {.kind = PIN_SHA256, .h = sha};
	char s[80];
	pin_format(&pin, s);
	return scm_cons(hash_string(&b2), scm_from_latin1_string(s));
}

/* (%intern-file PATH) -> hash string */
static SCM intern_file(SCM path)
{
	hash_t h;
	char *p = scm_to_utf8_string(path);
	int r = store_put_blob_file(the_store(), p, &h);
	if (r == 0 && !store_has_origin(the_store(), &h)) {
		char *abs = realpath(p, NULL);
		const char *name = abs ? abs : p;
		r = store_put_origin(the_store(), &h, name);
		free(abs);
	}
	free(p);
	if (r < 0)
		core_error("distill-system-error");
	return hash_string(&h);
}

/* (%fetch URL PIN EXTRA-URLS) -> the BLAKE2b hash of the content, fetched
 * into the store (mirrors from $DISTILL_MIRRORS, --offline honoured) */
static SCM fetch(SCM url, SCM pin, SCM extra)
{
	char *u = scm_to_utf8_string(url), *ps = scm_to_utf8_string(pin);
	pin_t p;
	int bad = pin_parse(ps, &p);
	free(ps);
	if (bad < 0) {
		free(u);
		scm_misc_error("%fetch", "~a", scm_list_1(scm_from_utf8_string(err_msg())));
	}
	size_t nm, ne = scm_to_size_t(scm_length(extra));
	char **mirrors = fs_split_words(getenv("DISTILL_MIRRORS"), &nm);
	if (outer_blobs) {
		mirrors = xrealloc(mirrors, (nm + 1) * sizeof *mirrors);
		memmove(mirrors + 1, mirrors, nm++ * sizeof *mirrors);
		mirrors[0] = xstrdup(outer_blobs);
	}
	char **ex = xmalloc((ne + 1) * sizeof *ex);
	for (size_t i = 0; i < ne; i++, extra = scm_cdr(extra))
		ex[i] = scm_to_utf8_string(scm_car(extra));
	struct fetch_opts o = {
		.mirrors = (const char *const *)mirrors, .nmirrors = nm,
		.extra = (const char *const *)ex, .nextra = ne,
		.offline = cli->offline,
	};
	hash_t h;
	int r = fetch_source(the_store(), u, &p, &o, &h);
	fs_free_words(mirrors, nm);
	fs_free_words(ex, ne);
	free(u);
	if (r < 0)
		core_error("distill-fetch-error");
	return hash_string(&h);
}

struct swap {
	struct store *saved, *other;
	char *saved_blobs;
};

static void swap_in(void *data)
{
	struct swap *w = data;
	w->saved = store;
	w->saved_blobs = outer_blobs;
	outer_blobs = fs_join(store_dir(w->saved), "blobs");
	store = w->other;
}

static void swap_out(void *data)
{
	struct swap *w = data;
	free(outer_blobs);
	outer_blobs = w->saved_blobs;
	store = w->saved;
}

/* (%call-with-store DIR THUNK): run THUNK with DIR (created if needed) as
 * the store, the current store's blobs serving as a mirror. */
static SCM call_with_store(SCM dir, SCM thunk)
{
	the_store();
	char *d = scm_to_utf8_string(dir);
	struct swap w = {0};
	w.other = store_open(d);
	free(d);
	if (!w.other)
		core_error("distill-system-error");
	scm_dynwind_begin(0);
	scm_dynwind_unwind_handler((void (*)(void *))store_close, w.other,
				   SCM_F_WIND_EXPLICITLY);
	scm_dynwind_rewind_handler(swap_in, &w, SCM_F_WIND_EXPLICITLY);
	scm_dynwind_unwind_handler(swap_out, &w, SCM_F_WIND_EXPLICITLY);
	SCM r = scm_call_0(thunk);
	scm_dynwind_end();
	return r;
}

/* (%remove-tree DIR): rm -rf, read-only store directories included */
static SCM remove_tree(SCM dir)
{
	char *d = scm_to_utf8_string(dir);
	int r = fs_rm_rf(d);
	free(d);
	if (r < 0)
		core_error("distill-system-error");
	return SCM_UNSPECIFIED;
}

/* (%store-dir) -> the directory of the store in use */
static SCM store_dir_p(void)
{
	return scm_from_utf8_string(store_dir(the_store()));
}

/* (%have-source? PIN) -> the BLAKE2b hash if the store has it, else #f */
static SCM have_source(SCM pin)
{
	char *ps = scm_to_utf8_string(pin);
	pin_t p;
	int bad = pin_parse(ps, &p);
	free(ps);
	if (bad < 0)
		scm_misc_error("%have-source?", "~a", scm_list_1(scm_from_utf8_string(err_msg())));
	hash_t h;
	return fetch_have(the_store(), &p, &h) ? hash_string(&h) : SCM_BOOL_F;
}

/* (%store-path KIND HASH) -> the path of a tree or blob in the store */
static SCM store_path(SCM kind, SCM hash)
{
	hash_t h;
	get_hash(hash, &h, "%store-path");
	char *p = scm_is_eq(kind, scm_from_utf8_symbol("tree"))
			  ? store_tree_path(the_store(), &h)
			  : store_blob_path(the_store(), &h);
	SCM r = scm_from_utf8_string(p);
	free(p);
	return r;
}

/* A Scheme string as C, or NULL (errno EINVAL) when it holds a NUL byte:
 * C would see another string than Scheme does. */
static char *c_string(SCM s)
{
	size_t len;
	char *c = scm_to_utf8_stringn(s, &len);
	if (strlen(c) != len) {
		free(c);
		return NULL;
	}
	return c;
}

/* (%normpath WHO PATH) -> PATH absolute and normalised by plan_normpath;
 * a ".." above / (or a relative path, or a NUL byte) is an error of WHO
 * (a symbol: the constructor called), which (distill script) reports at
 * the recipe's call of WHO. */
static SCM normpath(SCM who, SCM path)
{
	SCM_ASSERT(scm_is_symbol(who), who, 1, "%normpath");
	SCM_ASSERT(scm_is_string(path), path, 2, "%normpath");
	char *p = c_string(path);
	if (!p)
		err("a path holds a NUL byte");
	char *n = p ? plan_normpath(p) : NULL;
	free(p);
	if (!n)
		scm_throw(scm_from_utf8_symbol("misc-error"),
			  scm_list_4(who, scm_from_utf8_string("~a"),
				     scm_list_1(scm_from_utf8_string(err_msg())), SCM_BOOL_F));
	SCM r = scm_from_utf8_string(n);
	free(n);
	return r;
}

static char *vref_str(SCM v, size_t i)
{
	SCM x = scm_c_vector_ref(v, i);
	return scm_is_string(x) ? scm_to_utf8_string(x) : NULL;
}

/* A path of a plan from Scheme: already normalised by (distill plan), so
 * anything else is refused here, where Scheme values become C plans. */
static char *vref_path(SCM v, size_t i, const char *plan)
{
	SCM x = scm_c_vector_ref(v, i);
	if (!scm_is_string(x))
		return NULL;
	char *p = c_string(x), *n = p ? plan_normpath(p) : NULL;
	int same = n && strcmp(n, p) == 0;
	free(p);
	free(n);
	if (!same)
		scm_misc_error("%build", "plan ~a: the path ~s is not absolute and normalised",
			       scm_list_2(scm_from_utf8_string(plan), x));
	return scm_to_utf8_string(x);
}

static enum art_kind kind_of(SCM sym, int *is_plan)
{
	static const char *names[] = {"file", "dir", "symlink", "archive", "tree"};
	*is_plan = 0;
	for (int k = 0; k < 5; k++)
		if (scm_is_eq(sym, scm_from_utf8_symbol(names[k])))
			return k;
	if (scm_is_eq(sym, scm_from_utf8_symbol("plan"))) {
		*is_plan = 1;
		return ART_TREE;
	}
	scm_misc_error("%build", "unknown artifact kind ~s", scm_list_1(sym));
	return ART_FILE;
}

/* One node from #(name raw timeout expect inputs); an input is
 * #(basedir kind path mode target hash dep-index). */
static void node_from(SCM v, struct sched_node *nodes, size_t i, size_t nn)
{
	struct sched_node *n = &nodes[i];
	n->plan.name = vref_str(v, 0);
	n->plan.raw = vref_path(v, 1, n->plan.name);
	n->timeout = scm_to_uint(scm_c_vector_ref(v, 2));
	SCM expect = scm_c_vector_ref(v, 3);
	if (scm_is_string(expect)) {
		n->has_expect = 1;
		n->expect.kind = n->plan.raw ? OUT_FILE : OUT_TREE;
		get_hash(expect, &n->expect.hash, "make-plan");
	}
	SCM ins = scm_c_vector_ref(v, 4);
	size_t nin = scm_to_size_t(scm_length(ins));
	n->plan.in = xmalloc((nin + 1) * sizeof *n->plan.in);
	n->deps = xmalloc((nin + 1) * sizeof *n->deps);
	for (; scm_is_pair(ins); ins = scm_cdr(ins)) {
		SCM x = scm_car(ins);
		struct input *in = &n->plan.in[n->plan.nin++];
		memset(in, 0, sizeof *in);
		in->basedir = vref_path(x, 0, n->plan.name);
		int is_plan;
		in->art.kind = kind_of(scm_c_vector_ref(x, 1), &is_plan);
		in->art.path = vref_path(x, 2, n->plan.name);
		in->art.mode = scm_to_uint(scm_c_vector_ref(x, 3));
		in->art.target = vref_str(x, 4);
		if (is_plan) {
			size_t d = scm_to_size_t(scm_c_vector_ref(x, 6));
			if (d >= i || d >= nn)
				scm_misc_error("%build", "plan inputs out of order", SCM_EOL);
			n->deps[n->ndeps].input = n->plan.nin - 1;
			n->deps[n->ndeps++].node = &nodes[d];
		} else if (in->art.kind != ART_DIR && in->art.kind != ART_SYMLINK) {
			get_hash(scm_c_vector_ref(x, 5), &in->art.hash, "%build");
		}
	}
}

/* (%build NODES TARGETS) where NODES is a vector in dependency order and
 * TARGETS a list of indices.  Returns a vector of
 * #(plan-hash-or-#f output-kind output-hash-or-#f state). */
static SCM build(SCM vec, SCM targets)
{
	size_t nn = scm_c_vector_length(vec);
	struct sched_node *nodes = calloc(nn ? nn : 1, sizeof *nodes);
	for (size_t i = 0; i < nn; i++)
		node_from(scm_c_vector_ref(vec, i), nodes, i, nn);
	size_t nt = scm_to_size_t(scm_length(targets));
	struct sched_node **t = xmalloc((nt + 1) * sizeof *t);
	for (size_t i = 0; i < nt; i++, targets = scm_cdr(targets))
		t[i] = &nodes[scm_to_size_t(scm_car(targets))];
	struct sched_stats st;
	int r = sched_run(the_store(), t, nt, &cli->sched, &st);
	SCM res = scm_c_make_vector(nn, SCM_BOOL_F);
	static const char *states[] = {"pending", "done", "failed", "skipped"};
	for (size_t i = 0; i < nn; i++) {
		struct sched_node *n = &nodes[i];
		scm_c_vector_set_x(res, i, scm_vector(scm_list_4(
			n->resolved ? hash_string(&n->hash) : SCM_BOOL_F,
			scm_from_utf8_symbol(n->out.kind == OUT_TREE ? "tree" : "file"),
			n->state == NODE_DONE ? hash_string(&n->out.hash) : SCM_BOOL_F,
			scm_from_utf8_symbol(states[n->state]))));
		sched_node_clear(n);
		plan_free(&n->plan);
		free(n->deps);
	}
	free(nodes);
	free(t);
	if (r < 0)
		core_error("distill-system-error");
	return res;
}

/* (%cli-dry-run?) */
static SCM dry_run_p(void)
{
	return scm_from_bool(cli->sched.dry_run);
}

static char *opt_string(SCM s)
{
	return scm_is_string(s) ? scm_to_utf8_string(s) : NULL;
}

/* (%boot KERNEL INITRD DISK CMDLINE UEFI? MEMORY) -> exit status: run QEMU
 * on these store paths (#f for none) with the options of distill boot. */
static SCM boot_machine(SCM kernel, SCM initrd, SCM disk, SCM cmdline, SCM uefi,
			SCM memory)
{
	if (!boot_opts)
		scm_misc_error("%boot", "only distill boot runs machines", SCM_EOL);
	struct boot_spec s = {
		.kernel = opt_string(kernel), .initrd = opt_string(initrd),
		.disk = opt_string(disk), .cmdline = opt_string(cmdline),
		.uefi = scm_is_true(uefi), .memory_mb = scm_to_uint(memory),
	};
	const char *accel = boot_opts->accel;
	if (!accel) {
		accel = boot_kvm_usable() ? "kvm" : "tcg";
		if (!strcmp(accel, "tcg"))
			fprintf(stderr, "distill: KVM is not usable: %s\n", err_msg());
	}
	fprintf(stderr, "distill: booting with %s\n",
		strcmp(accel, "kvm") ? "TCG (emulation, slower than KVM)" : "KVM");
	for (size_t i = 0; i < boot_opts->nfwd; i++)
		fprintf(stderr, "distill: forwarding 127.0.0.1:%u to the guest's port %u\n",
			boot_opts->fwd[i].host, boot_opts->fwd[i].guest);
	scm_force_output(scm_current_output_port());
	char **argv = NULL;
	if (boot_opts->state && !s.disk)
		err("--state keeps a disk's writes, and this machine has no disk");
	else if (boot_opts->state && boot_state_prepare(s.disk, boot_opts->state, NULL) < 0)
		;
	else
		argv = boot_qemu_argv(&s, boot_opts, accel);
	int r = argv ? boot_run(NULL, argv, boot_opts, STDOUT_FILENO) : -1;
	if (r < 0) {
		fprintf(stderr, "distill: error: %s\n", err_msg());
		r = EXIT_SYSTEM;
	} else if (r > 0) {
		fprintf(stderr, "distill: %s\n", err_msg());
	}
	boot_argv_free(argv);
	free((char *)s.kernel);
	free((char *)s.initrd);
	free((char *)s.disk);
	free((char *)s.cmdline);
	return scm_from_int(r);
}

static void define_core(void *unused)
{
	(void)unused;
	scm_c_define_gsubr("%intern-bytes", 1, 0, 0, intern_bytes);
	scm_c_define_gsubr("%intern-file", 1, 0, 0, intern_file);
	scm_c_define_gsubr("%hash-bytes", 1, 0, 0, hash_bytes);
	scm_c_define_gsubr("%normpath", 2, 0, 0, normpath);
	scm_c_define_gsubr("%hash-file", 1, 0, 0, hash_file_both);
	scm_c_define_gsubr("%fetch", 3, 0, 0, fetch);
	scm_c_define_gsubr("%have-source?", 1, 0, 0, have_source);
	scm_c_define_gsubr("%call-with-store", 2, 0, 0, call_with_store);
	scm_c_define_gsubr("%store-dir", 0, 0, 0, store_dir_p);
	scm_c_define_gsubr("%remove-tree", 1, 0, 0, remove_tree);
	scm_c_define_gsubr("%store-path", 2, 0, 0, store_path);
	scm_c_define_gsubr("%build", 2, 0, 0, build);
	scm_c_define_gsubr("%dry-run?", 0, 0, 0, dry_run_p);
	scm_c_define_gsubr("%boot", 6, 0, 0, boot_machine);
	scm_c_export("%boot", "%intern-bytes", "%intern-file", "%hash-bytes", "%hash-file",
		     "%fetch", "%have-source?", "%normpath", "%store-path", "%build", "%dry-run?",
		     "%call-with-store", "%store-dir", "%remove-tree", NULL);
}

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

struct call {
	const char *proc;	/* in (distill script) */
	int argc;
	char **argv;
};

static void *inner(void *data)
{
	struct call *c = data;
	scm_c_define_module("distill core", define_core, NULL);
	/* $DISTILL_PATH entries, then the library: root/lib for (distill x),
	 * root itself for (pkg x), (svc x) and (plat x).  (distill script)
	 * puts the script's own directory in front. */
	int embedded;
	char *root = libroot(&embedded);
	if (!root) {
		fprintf(stderr, "distill: error: no safe place for the built-in Scheme "
			"library: %s\n", err_msg());
		exit_code = EXIT_SYSTEM;
		return NULL;
	}
	char *lib = fs_join(root, "lib");
	SCM path = scm_list_2(scm_from_utf8_string(lib), scm_from_utf8_string(root));
	/* Its bytecode, when `make` compiled it (root/go; the built-in copy has
	 * none), if no other user can write there.  Never Guile's own cache of
	 * compiled files (~/.cache/guile), which it would load from even with
	 * auto-compilation off. */
	char *go = fs_join(root, "go");
	if (!embedded && store_check_private(go) == 0) {
		SCM lcp = scm_c_lookup("%load-compiled-path");
		scm_variable_set_x(lcp, scm_cons(scm_from_utf8_string(go), scm_variable_ref(lcp)));
	}
	scm_variable_set_x(scm_c_lookup("%compile-fallback-path"), SCM_BOOL_F);
	free(go);
	free(root);
	const char *dp = getenv("DISTILL_PATH");
	if (dp && *dp) {
		char *copy = xstrdup(dp), *save, *tok;
		SCM extra = SCM_EOL;
		for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			extra = scm_cons(scm_from_utf8_string(tok), extra);
		free(copy);
		path = scm_append(scm_list_2(scm_reverse(extra), path));
	}
	free(lib);
	SCM argv = SCM_EOL;
	for (int i = c->argc - 1; i >= 0; i--)
		argv = scm_cons(scm_from_locale_string(c->argv[i]), argv);
	SCM lp = scm_c_lookup("%load-path");
	scm_variable_set_x(lp, scm_append(scm_list_2(path, scm_variable_ref(lp))));
	SCM proc = scm_c_public_ref("distill script", c->proc);
	SCM r = scm_call_2(proc, argv, scm_from_bool(cli->backtrace));
	exit_code = scm_to_int(r);
	return NULL;
}

static int with_guile(struct cli *c, const char *proc)
{
	cli = c;
	struct call call = {proc, c->argc, c->argv};
	/* The library is found through %load-path, set before any module loads;
	 * nothing from the user's GUILE_LOAD_PATH enters. */
	setenv("GUILE_AUTO_COMPILE", "0", 1);
	unsetenv("GUILE_LOAD_PATH");
	unsetenv("GUILE_LOAD_COMPILED_PATH");
	scm_with_guile(inner, &call);
	if (store)
		store_close(store);
	return exit_code;
}

int glue_run(struct cli *c)
{
	return with_guile(c, "run-script");
}

int glue_build(struct cli *c)
{
	if (c->argc < 1) {
		fputs("usage: distill build TARGET\n", stderr);
		return EXIT_USAGE;
	}
	return with_guile(c, "build-script");
}

int glue_fetch(struct cli *c)
{
	if (c->argc < 1) {
		fputs("usage: distill fetch TARGET\n", stderr);
		return EXIT_USAGE;
	}
	return with_guile(c, "fetch-script");
}

int glue_list(struct cli *c)
{
	if (c->argc < 2 || strcmp(c->argv[0], "sources")) {
		fputs("usage: distill list sources TARGET\n", stderr);
		return EXIT_USAGE;
	}
	c->argc--;
	c->argv++;
	return with_guile(c, "list-sources-script");
}

int glue_verify(struct cli *c)
{
	if (c->argc < 1) {
		fputs("usage: distill verify TARGET\n", stderr);
		return EXIT_USAGE;
	}
	return with_guile(c, "verify-script");
}

int glue_init(struct cli *c)
{
	if (c->argc > 1) {
		fputs("usage: distill init [FILE]\n", stderr);
		return EXIT_USAGE;
	}
	return with_guile(c, "init-script");
}

int glue_boot(struct cli *c)
{
	struct boot_opts o;
	int bad = boot_parse_args(c->argc, c->argv, &o);
	if (bad < 0 || o.nrest < 1) {
		fprintf(stderr, "distill: %s\n", bad < 0 ? err_msg() : "boot needs a TARGET");
		fputs("usage: distill boot TARGET [--expect REGEX] [--timeout SECONDS]\n"
		      "       [--forward HOSTPORT:GUESTPORT]... [--accel kvm|tcg] [--state FILE]\n", stderr);
		boot_opts_free(&o);
		return EXIT_USAGE;
	}
	boot_opts = &o;
	c->argc = o.nrest;
	c->argv = o.rest;
	int r = with_guile(c, "boot-script");
	boot_opts = NULL;
	boot_opts_free(&o);
	return r;
}
