#define _GNU_SOURCE
#include "glue.h"
#include "bootui.h"
#include "err.h"
#include "fetch.h"
#include "fetchmany.h"
#include "libpath.h"
#include "fsutil.h"
#include "hash.h"
#include "pins.h"
#include "plan.h"
#include "result.h"
#include "sched.h"
#include "store.h"
#include "toml.h"
#include "vary.h"

#include <libguile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cli *cli;
/* distill pin: the pins of what each %build of the run built or found. */
static struct pins pinned;
static struct store *store;
/* While %call-with-store runs a thunk on another store, the blobs of the
 * store it left serve as one more mirror (by pin), so nothing is fetched
 * twice. */
static char *outer_blobs;
/* What verify's second build changes: made by its first %build in the
 * other store, ended when %call-with-store returns. */
static struct vary *varied;
static int exit_code;

/* The vectors that cross between (distill plan) and C.  Their fields are
 * named here alone: define_core exports each index to (distill core)
 * (layout_names), and (distill plan) builds and reads the vectors by those
 * names.
 * A plan: #(name raw timeout expect inputs), inputs a list of inputs. */
enum { PLANV_NAME, PLANV_RAW, PLANV_TIMEOUT, PLANV_EXPECT, PLANV_INPUTS, PLANV_FIELDS };
/* An input: #(basedir kind path mode target hash dep); kind is an artifact
 * kind's name (art_kind_name) or plan, when dep indexes the plan. */
enum { INV_BASEDIR, INV_KIND, INV_PATH, INV_MODE, INV_TARGET, INV_HASH, INV_DEP, INV_FIELDS };
/* What %build says of a plan: #(plan-hash-or-#f output-kind
 * output-hash-or-#f state built?), built? true when this run built it. */
enum { RESV_HASH, RESV_KIND, RESV_OUT, RESV_STATE, RESV_BUILT, RESV_FIELDS };
/* A built dependency's output, for %plan-encoding: #(kind hash raw). */
enum { OUTV_KIND, OUTV_HASH, OUTV_RAW, OUTV_FIELDS };

static const struct {
	const char *name;
	int value;
} core_constants[] = {
	{"%plan/name", PLANV_NAME}, {"%plan/raw", PLANV_RAW},
	{"%plan/timeout", PLANV_TIMEOUT}, {"%plan/expect", PLANV_EXPECT},
	{"%plan/inputs", PLANV_INPUTS}, {"%plan/fields", PLANV_FIELDS},
	{"%input/basedir", INV_BASEDIR}, {"%input/kind", INV_KIND},
	{"%input/path", INV_PATH}, {"%input/mode", INV_MODE},
	{"%input/target", INV_TARGET}, {"%input/hash", INV_HASH},
	{"%input/dep", INV_DEP}, {"%input/fields", INV_FIELDS},
	{"%result/hash", RESV_HASH}, {"%result/kind", RESV_KIND},
	{"%result/out", RESV_OUT}, {"%result/state", RESV_STATE},
	{"%result/built", RESV_BUILT}, {"%result/fields", RESV_FIELDS},
	{"%output/kind", OUTV_KIND}, {"%output/hash", OUTV_HASH},
	{"%output/raw", OUTV_RAW}, {"%output/fields", OUTV_FIELDS},
	/* exitcode.h's statuses, for (distill script): %exit-build... */
#define EXIT_CONSTANT(name, code, scheme, meaning) {"%exit-" scheme, code},
	DISTILL_EXIT_CODES(EXIT_CONSTANT)
#undef EXIT_CONSTANT
};

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

/* PIN, a pin's text, as *p; a Scheme error naming WHO otherwise. */
static void pin_arg(const char *who, SCM pin, pin_t *p)
{
	char *ps = scm_to_utf8_string(pin);
	int bad = pin_parse(ps, p);
	free(ps);
	if (bad < 0)
		scm_misc_error(who, "~a", scm_list_1(scm_from_utf8_string(err_msg())));
}

/* The mirrors sources are looked for in: $DISTILL_MIRRORS, after the
 * outer store's blobs while verify's second build runs. */
static char **source_mirrors(size_t *nm)
{
	char **mirrors = fs_split_words(getenv("DISTILL_MIRRORS"), nm);
	if (outer_blobs) {
		mirrors = xrealloc(mirrors, (*nm + 1) * sizeof *mirrors);
		memmove(mirrors + 1, mirrors, (*nm)++ * sizeof *mirrors);
		mirrors[0] = xstrdup(outer_blobs);
	}
	return mirrors;
}

/* The strings of the Scheme list L, *n of them (fs_free_words frees). */
static char **scm_strings(SCM l, size_t *n)
{
	*n = scm_to_size_t(scm_length(l));
	char **v = xmalloc((*n + 1) * sizeof *v);
	for (size_t i = 0; i < *n; i++, l = scm_cdr(l))
		v[i] = scm_to_utf8_string(scm_car(l));
	return v;
}

/* (%fetch URL PIN EXTRA-URLS) -> the BLAKE2b hash of the content, fetched
 * into the store (mirrors from $DISTILL_MIRRORS, --offline honoured) */
static SCM fetch(SCM url, SCM pin, SCM extra)
{
	pin_t p;
	pin_arg("%fetch", pin, &p);
	char *u = scm_to_utf8_string(url);
	size_t nm, ne;
	char **mirrors = source_mirrors(&nm), **ex = scm_strings(extra, &ne);
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

/* (%fetch-all ((URL PIN EXTRA-URLS) ...)): fetch those the store lacks,
 * several at once ($DISTILL_FETCH_JOBS, at most 4 to a host:
 * fetchmany.h); the error of the first that fails. */
static SCM fetch_all(SCM sources)
{
	size_t n = scm_to_size_t(scm_length(sources));
	struct fetch_item *items = xmalloc((n ? n : 1) * sizeof *items);
	char **urls = xmalloc((n ? n : 1) * sizeof *urls);
	char ***extras = xmalloc((n ? n : 1) * sizeof *extras);
	for (size_t i = 0; i < n; i++, sources = scm_cdr(sources)) {
		SCM src = scm_car(sources);
		pin_arg("%fetch-all", scm_cadr(src), &items[i].pin);
		urls[i] = scm_to_utf8_string(scm_car(src));
		extras[i] = scm_strings(scm_caddr(src), &items[i].nextra);
		items[i].url = urls[i];
		items[i].extra = (const char *const *)extras[i];
	}
	size_t nm;
	char **mirrors = source_mirrors(&nm);
	struct fetch_opts o = {
		.mirrors = (const char *const *)mirrors, .nmirrors = nm, .offline = cli->offline,
	};
	long long jobs;
	int r = fetchmany_jobs(&jobs);
	if (r == 0)
		r = fetch_many(the_store(), items, n, &o, (int)(jobs < 64 ? jobs : 64),
			       jobs < 4 ? (int)jobs : 4);
	for (size_t i = 0; i < n; i++) {
		free(urls[i]);
		fs_free_words(extras[i], items[i].nextra);
	}
	free(urls);
	free(extras);
	free(items);
	fs_free_words(mirrors, nm);
	if (r < 0)
		core_error("distill-fetch-error");
	return SCM_UNSPECIFIED;
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
	if (vary_end(varied) < 0)
		fprintf(stderr, "distill: %s\n", err_msg());
	varied = NULL;
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

/* (%varied) -> the line saying what verify's second build changes, or
 * #f outside it */
static SCM varied_p(void)
{
	return varied ? scm_from_utf8_string(varied->text) : SCM_BOOL_F;
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

/* Raise err_msg() as an error of WHO (a symbol: the procedure of
 * (distill plan) the recipe called), which (distill script) reports at
 * the recipe's call of WHO. */
__attribute__((noreturn))
static void recipe_error(SCM who)
{
	scm_throw(scm_from_utf8_symbol("misc-error"),
		  scm_list_4(who, scm_from_utf8_string("~a"),
			     scm_list_1(scm_from_utf8_string(err_msg())), SCM_BOOL_F));
	abort();
}

/* (%pin-kind X) -> blake2b for a hash in distill's form, sha256 for
 * "sha256:<64 lower-case hex digits>", #f for anything else: the pin
 * syntax of pin_parse, which Scheme does not spell again. */
static SCM pin_kind(SCM x)
{
	char *s = scm_is_string(x) ? c_string(x) : NULL;
	pin_t p;
	int ok = s && pin_parse(s, &p) == 0;
	free(s);
	if (!ok)
		return SCM_BOOL_F;
	return scm_from_utf8_symbol(p.kind == PIN_SHA256 ? "sha256" : "blake2b");
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
		recipe_error(who);
	SCM r = scm_from_utf8_string(n);
	free(n);
	return r;
}

/* v as a vector of n fields, else an error of who: (distill plan) and
 * this file disagree on a layout. */
static void check_fields(SCM v, size_t n, const char *who)
{
	if (!scm_is_vector(v) || scm_c_vector_length(v) != n)
		scm_misc_error(who, "~s is not a vector of ~a fields", scm_list_2(v, scm_from_size_t(n)));
}

/* A string field (NULL for #f); a NUL byte in it is an error of who, as C
 * would see another string than Scheme does. */
static char *vref_str(SCM v, size_t i, const char *who)
{
	SCM x = scm_c_vector_ref(v, i);
	if (!scm_is_string(x))
		return NULL;
	char *c = c_string(x);
	if (!c)
		scm_misc_error(who, "~s holds a NUL byte", scm_list_1(x));
	return c;
}

/* A path of a plan from Scheme: already normalised by (distill plan), so
 * anything else is refused here, where Scheme values become C plans. */
static char *vref_path(SCM v, size_t i, const char *plan, const char *who)
{
	SCM x = scm_c_vector_ref(v, i);
	if (!scm_is_string(x))
		return NULL;
	char *p = c_string(x), *n = p ? plan_normpath(p) : NULL;
	int same = n && strcmp(n, p) == 0;
	free(n);
	if (!same)
		scm_misc_error(who, "plan ~a: the path ~s is not absolute and normalised",
			       scm_list_2(scm_from_utf8_string(plan), x));
	return p;
}

static SCM str_or_false(const char *s)
{
	return s ? scm_from_utf8_string(s) : SCM_BOOL_F;
}

/* An input from its vector; *is_plan set when it is a plan's output (its
 * artifact is a placeholder until resolved).  Returns 1 when its content
 * is not known yet (a hash field of #f: a sha256-pinned source not in the
 * store), else 0. */
static int input_from(SCM x, struct input *in, const char *plan, int *is_plan,
		      const char *who)
{
	check_fields(x, INV_FIELDS, who);
	memset(in, 0, sizeof *in);
	in->basedir = vref_path(x, INV_BASEDIR, plan, who);
	SCM kind = scm_c_vector_ref(x, INV_KIND);
	*is_plan = scm_is_eq(kind, scm_from_utf8_symbol("plan"));
	char *name = scm_is_symbol(kind) ? scm_to_utf8_string(scm_symbol_to_string(kind)) : NULL;
	int k = *is_plan ? ART_TREE : name ? art_kind_parse(name) : -1;
	free(name);
	if (k < 0)
		scm_misc_error(who, "unknown artifact kind ~s", scm_list_1(kind));
	in->art.kind = k;
	in->art.path = vref_path(x, INV_PATH, plan, who);
	in->art.mode = scm_to_uint(scm_c_vector_ref(x, INV_MODE));
	in->art.target = vref_str(x, INV_TARGET, who);
	if (*is_plan || in->art.kind == ART_DIR || in->art.kind == ART_SYMLINK)
		return 0;
	SCM h = scm_c_vector_ref(x, INV_HASH);
	if (scm_is_false(h))
		return 1;
	get_hash(h, &in->art.hash, who);
	return 0;
}

/* The vector of an input (its dep field #f). */
static SCM input_vector(const struct input *in)
{
	const struct artifact *a = &in->art;
	int hashed = a->kind != ART_DIR && a->kind != ART_SYMLINK;
	SCM v = scm_c_make_vector(INV_FIELDS, SCM_BOOL_F);
	scm_c_vector_set_x(v, INV_BASEDIR, scm_from_utf8_string(in->basedir));
	scm_c_vector_set_x(v, INV_KIND, scm_from_utf8_symbol(art_kind_name(a->kind)));
	scm_c_vector_set_x(v, INV_PATH, scm_from_utf8_string(a->path));
	scm_c_vector_set_x(v, INV_MODE, scm_from_uint(a->mode));
	scm_c_vector_set_x(v, INV_TARGET, str_or_false(a->target));
	scm_c_vector_set_x(v, INV_HASH, hashed ? hash_string(&a->hash) : SCM_BOOL_F);
	return v;
}

/* The plan of a plan vector (its timeout and expected output aside) into
 * *p (plan_free); (*dep)[k] is the dep field of input k when it is a
 * plan's output, else -1 (malloc'd).  Returns the number of inputs whose
 * content is not known yet. */
static size_t plan_from(SCM v, struct plan *p, ssize_t **dep, const char *who)
{
	check_fields(v, PLANV_FIELDS, who);
	memset(p, 0, sizeof *p);
	p->name = vref_str(v, PLANV_NAME, who);
	if (!p->name)
		scm_misc_error(who, "a plan's name must be a string", SCM_EOL);
	p->raw = vref_path(v, PLANV_RAW, p->name, who);
	SCM ins = scm_c_vector_ref(v, PLANV_INPUTS);
	size_t nin = scm_to_size_t(scm_length(ins));
	p->in = xmalloc((nin + 1) * sizeof *p->in);
	*dep = xmalloc((nin + 1) * sizeof **dep);
	size_t unknown = 0;
	for (; scm_is_pair(ins); ins = scm_cdr(ins)) {
		SCM x = scm_car(ins);
		int is_plan;
		unknown += input_from(x, &p->in[p->nin], p->name, &is_plan, who);
		(*dep)[p->nin++] = is_plan ? (ssize_t)scm_to_size_t(scm_c_vector_ref(x, INV_DEP)) : -1;
	}
	return unknown;
}

/* One node from its plan vector; a plan input's dep is the index of an
 * earlier node.  An input whose content is not known (a source not
 * fetched) is an error, but in a dry run, which lists the node by name. */
static void node_from(SCM v, struct sched_node *nodes, size_t i)
{
	struct sched_node *n = &nodes[i];
	ssize_t *dep;
	n->unknown = plan_from(v, &n->plan, &dep, "%build") > 0;
	if (n->unknown && !cli->sched.dry_run)
		scm_misc_error("%build", "plan ~a: an input's content is not known (not fetched)",
			       scm_list_1(scm_from_utf8_string(n->plan.name)));
	n->timeout = scm_to_uint(scm_c_vector_ref(v, PLANV_TIMEOUT));
	SCM expect = scm_c_vector_ref(v, PLANV_EXPECT);
	if (scm_is_string(expect)) {
		n->has_expect = 1;
		n->expect.kind = n->plan.raw ? OUT_FILE : OUT_TREE;
		get_hash(expect, &n->expect.hash, "make-plan");
	}
	n->deps = xmalloc((n->plan.nin + 1) * sizeof *n->deps);
	for (size_t k = 0; k < n->plan.nin; k++) {
		if (dep[k] < 0)
			continue;
		if ((size_t)dep[k] >= i) {
			free(dep);
			scm_misc_error("%build", "plan inputs out of order", SCM_EOL);
		}
		n->deps[n->ndeps].input = k;
		n->deps[n->ndeps++].node = &nodes[dep[k]];
	}
	free(dep);
}

/* (%build NODES TARGETS) where NODES is a vector of plan vectors in
 * dependency order and TARGETS a list of indices.  Returns a vector of
 * result vectors, one a node. */
static SCM build(SCM vec, SCM targets)
{
	size_t nn = scm_c_vector_length(vec);
	struct sched_node *nodes = calloc(nn ? nn : 1, sizeof *nodes);
	for (size_t i = 0; i < nn; i++)
		node_from(scm_c_vector_ref(vec, i), nodes, i);
	size_t nt = scm_to_size_t(scm_length(targets));
	struct sched_node **t = xmalloc((nt + 1) * sizeof *t);
	for (size_t i = 0; i < nt; i++, targets = scm_cdr(targets))
		t[i] = &nodes[scm_to_size_t(scm_car(targets))];
	struct sched_stats st;
	/* In a store of %call-with-store (verify's fresh one), every plan is
	 * built again, no cache answering for it, and varied (vary.h). */
	struct sched_opts o = cli->sched;
	if (outer_blobs) {
		o.caches = NULL;
		if (!varied)
			varied = vary_begin(store_dir(the_store()), o.jobs);
		o.vary = &varied->sb;
		o.store_view = varied->view;
		o.jobs = varied->jobs;
	}
	int r = sched_run(the_store(), t, nt, &o, &st);
	if (r >= 0 && cli->report && cli->report(the_store(), nodes, nn) < 0)
		r = -1;
	for (size_t i = 0; i < nn && !strcmp(cli->command, "pin"); i++)
		if (nodes[i].state == NODE_DONE)
			pins_add(&pinned, nodes[i].plan.name, &nodes[i].hash, &nodes[i].out);
	SCM res = scm_c_make_vector(nn, SCM_BOOL_F);
	static const char *states[] = {"pending", "done", "failed", "skipped"};
	for (size_t i = 0; i < nn; i++) {
		struct sched_node *n = &nodes[i];
		SCM v = scm_c_make_vector(RESV_FIELDS, SCM_BOOL_F);
		scm_c_vector_set_x(v, RESV_HASH, n->resolved ? hash_string(&n->hash) : SCM_BOOL_F);
		scm_c_vector_set_x(v, RESV_KIND, scm_from_utf8_symbol(output_kind_name(n->out.kind)));
		scm_c_vector_set_x(v, RESV_OUT,
				   n->state == NODE_DONE ? hash_string(&n->out.hash) : SCM_BOOL_F);
		scm_c_vector_set_x(v, RESV_STATE, scm_from_utf8_symbol(states[n->state]));
		scm_c_vector_set_x(v, RESV_BUILT, scm_from_bool(n->built));
		scm_c_vector_set_x(res, i, v);
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

/* (%write-pins) -> the number of names pinned: write the pins of every
 * plan built or found by %build in this run (distill pin) to --pins. */
static SCM write_pins(void)
{
	if (pins_write(cli->pins, &pinned) < 0)
		core_error("distill-system-error");
	size_t n = 0;
	for (size_t i = 0; i < pinned.n; i++)
		n += i == 0 || strcmp(pinned.v[i - 1].name, pinned.v[i].name);
	return scm_from_size_t(n);
}

/* Resolve a, a plan input, to the output of the output vector v. */
static void resolve_from(SCM v, struct artifact *a)
{
	check_fields(v, OUTV_FIELDS, "%plan-encoding");
	struct output o;
	SCM kind = scm_c_vector_ref(v, OUTV_KIND);
	o.kind = scm_is_eq(kind, scm_from_utf8_symbol(output_kind_name(OUT_FILE))) ? OUT_FILE
										    : OUT_TREE;
	get_hash(scm_c_vector_ref(v, OUTV_HASH), &o.hash, "%plan-encoding");
	char *raw = vref_str(v, OUTV_RAW, "%plan-encoding");
	if (o.kind == OUT_FILE && !raw)
		scm_misc_error("%plan-encoding", "a file output without its raw path", SCM_EOL);
	plan_resolve_input(a, &o, raw);
	free(raw);
}

/* (%plan-encoding PLAN OUTPUTS) -> the canonical encoding (a bytevector)
 * of the plan vector PLAN, resolved as the scheduler resolves it: a plan
 * input's dep is the index of its output vector in the vector OUTPUTS.
 * #f while some content is unknown: a hash field of #f, or an output of
 * #f (a dependency not built). */
static SCM plan_encoding(SCM v, SCM outputs)
{
	struct plan p;
	ssize_t *dep;
	int unknown = plan_from(v, &p, &dep, "%plan-encoding") > 0;
	for (size_t k = 0; k < p.nin && !unknown; k++) {
		if (dep[k] < 0)
			continue;
		SCM ov = scm_c_vector_ref(outputs, dep[k]);
		unknown = scm_is_false(ov);
		if (!unknown)
			resolve_from(ov, &p.in[k].art);
	}
	free(dep);
	if (unknown) {
		plan_free(&p);
		return SCM_BOOL_F;
	}
	plan_canonicalise(&p);
	size_t len;
	char *e = plan_encode(&p, &len);
	plan_free(&p);
	SCM bv = scm_c_make_bytevector(len);
	memcpy(SCM_BYTEVECTOR_CONTENTS(bv), e, len);
	free(e);
	return bv;
}

/* (%decode-plan WHO BYTEVECTOR) -> the plan vector of a canonical
 * encoding (timeout 0, no expected output, every input an artifact); an
 * encoding that is not one is an error of WHO. */
static SCM decode_plan(SCM who, SCM bv)
{
	SCM_ASSERT(scm_is_symbol(who), who, 1, "%decode-plan");
	SCM_ASSERT(scm_is_bytevector(bv), bv, 2, "%decode-plan");
	struct plan p;
	if (plan_decode((const char *)SCM_BYTEVECTOR_CONTENTS(bv), SCM_BYTEVECTOR_LENGTH(bv),
			&p) < 0)
		recipe_error(who);
	SCM ins = SCM_EOL;
	for (size_t i = p.nin; i-- > 0;)
		ins = scm_cons(input_vector(&p.in[i]), ins);
	SCM v = scm_c_make_vector(PLANV_FIELDS, SCM_BOOL_F);
	scm_c_vector_set_x(v, PLANV_NAME, scm_from_utf8_string(p.name));
	scm_c_vector_set_x(v, PLANV_RAW, str_or_false(p.raw));
	scm_c_vector_set_x(v, PLANV_TIMEOUT, scm_from_uint(0));
	scm_c_vector_set_x(v, PLANV_INPUTS, ins);
	plan_free(&p);
	return v;
}

/* (%cli-dry-run?) */
static SCM dry_run_p(void)
{
	return scm_from_bool(cli->sched.dry_run);
}

/* (%result-links OUTPUTS): OUTPUTS a list of (KIND . HASH), the outputs
 * of distill build's targets, in order: their result links (result.h),
 * as -o and --no-link say. */
static SCM result_links_p(SCM outputs)
{
	if (cli->no_link)
		return SCM_UNSPECIFIED;
	size_t n = scm_to_size_t(scm_length(outputs));
	struct output *o = xmalloc((n + 1) * sizeof *o);
	for (size_t i = 0; i < n; i++, outputs = scm_cdr(outputs)) {
		SCM x = scm_car(outputs);
		o[i].kind = scm_is_eq(scm_car(x), scm_from_utf8_symbol("tree")) ? OUT_TREE : OUT_FILE;
		get_hash(scm_cdr(x), &o[i].hash, "%result-links");
	}
	int r = result_links(the_store(), cli->out_link ? cli->out_link : "result",
			     cli->out_link != NULL, o, n, cli->sched.quiet ? NULL : stderr);
	free(o);
	if (r < 0)
		core_error("distill-system-error");
	return SCM_UNSPECIFIED;
}

/* (%dry-run-interns?): does this dry run put the recipes' interned
 * texts in the store (distill why, to diff them)? */
static SCM dry_run_interns_p(void)
{
	return scm_from_bool(cli->dry_run_interns);
}

/* (%command-option NAME) -> the value of the command's own option NAME
 * ("" for one without a value), or #f when it was not given. */
static SCM command_option(SCM name)
{
	char *n = scm_to_utf8_string(name);
	const char *v = cli_opt(cli, n);
	free(n);
	return v ? scm_from_utf8_string(v) : SCM_BOOL_F;
}

/* (%json?): --json, results as one JSON document */
static SCM json_p(void)
{
	return scm_from_bool(cli->json);
}

static char *opt_string(SCM s)
{
	return scm_is_string(s) ? scm_to_utf8_string(s) : NULL;
}

/* (%boot KERNEL INITRD DISK CMDLINE UEFI? MEMORY BIOS ARCH DISK-IF) -> exit
 * status: run QEMU on these store paths (#f for none) with the options of
 * distill boot; BIOS is a firmware file or #f, ARCH "x86_64" or "aarch64",
 * DISK-IF "virtio" or "nvme". */
static SCM boot_machine(SCM kernel, SCM initrd, SCM disk, SCM cmdline, SCM uefi,
			SCM memory, SCM bios, SCM arch, SCM disk_if)
{
	struct boot_spec s = {
		.kernel = opt_string(kernel), .initrd = opt_string(initrd),
		.disk = opt_string(disk), .cmdline = opt_string(cmdline),
		.uefi = scm_is_true(uefi), .memory_mb = scm_to_uint(memory),
		.bios = opt_string(bios), .arch = opt_string(arch),
		.disk_if = opt_string(disk_if),
	};
	scm_force_output(scm_current_output_port());
	int r = bootui_run(cli, &s);
	free((char *)s.kernel);
	free((char *)s.initrd);
	free((char *)s.disk);
	free((char *)s.cmdline);
	free((char *)s.bios);
	free((char *)s.arch);
	free((char *)s.disk_if);
	if (r < 0)
		scm_misc_error("%boot", "~a", scm_list_1(scm_from_utf8_string(err_msg())));
	return scm_from_int(r);
}

/* (%add-root NAME PLANHASH): roots/NAME holds the plan (store_add_root). */
static SCM add_root(SCM name, SCM plan)
{
	hash_t h;
	get_hash(plan, &h, "%add-root");
	char *n = scm_to_utf8_string(name);
	int r = store_add_root(the_store(), n, &h);
	free(n);
	if (r < 0)
		core_error("distill-system-error");
	return SCM_UNSPECIFIED;
}

/* A TOML node as Scheme: #(KIND LINE COL VALUE), KIND a symbol (table,
 * array, string, integer, float, boolean, datetime, datetime-local,
 * date-local, time-local); a table's VALUE is an alist of (KEY . NODE) in
 * key order, an array's a list of nodes, a date or time's its text. */
static SCM toml_value(const struct toml_node *t)
{
	static const char *const kinds[] = {
		[TOML_TABLE] = "table", [TOML_ARRAY] = "array", [TOML_STRING] = "string",
		[TOML_INTEGER] = "integer", [TOML_FLOAT] = "float", [TOML_BOOL] = "boolean",
		[TOML_DATETIME] = "datetime", [TOML_DATETIME_LOCAL] = "datetime-local",
		[TOML_DATE_LOCAL] = "date-local", [TOML_TIME_LOCAL] = "time-local",
	};
	SCM v = SCM_EOL;
	switch (t->kind) {
	case TOML_TABLE:
	case TOML_ARRAY:
		for (size_t i = t->n; i-- > 0;) {
			SCM c = toml_value(&t->items[i]);
			if (t->kind == TOML_TABLE)
				c = scm_cons(scm_from_utf8_stringn(t->items[i].key, t->items[i].keylen), c);
			v = scm_cons(c, v);
		}
		break;
	case TOML_INTEGER:
		v = scm_from_int64(t->integer);
		break;
	case TOML_FLOAT:
		v = scm_from_double(t->real);
		break;
	case TOML_BOOL:
		v = scm_from_bool(t->integer);
		break;
	default:
		v = scm_from_utf8_stringn(t->str, t->len);
	}
	return scm_vector(scm_list_4(scm_from_utf8_symbol(kinds[t->kind]),
				     scm_from_uint(t->line), scm_from_uint(t->col), v));
}

/* (%toml-read FILE) -> the file's root table (toml_value); a syntax error
 * or an unreadable file raises distill-toml-error "FILE:LINE:COL: ...". */
static SCM toml_read(SCM file)
{
	char *path = scm_to_utf8_string(file);
	struct toml_node *t = toml_parse_file(path);
	free(path);
	if (!t)
		core_error("distill-toml-error");
	SCM v = toml_value(t);
	toml_free(t);
	return v;
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
	scm_c_define_gsubr("%fetch-all", 1, 0, 0, fetch_all);
	scm_c_define_gsubr("%have-source?", 1, 0, 0, have_source);
	scm_c_define_gsubr("%call-with-store", 2, 0, 0, call_with_store);
	scm_c_define_gsubr("%varied", 0, 0, 0, varied_p);
	scm_c_define_gsubr("%store-dir", 0, 0, 0, store_dir_p);
	scm_c_define_gsubr("%remove-tree", 1, 0, 0, remove_tree);
	scm_c_define_gsubr("%store-path", 2, 0, 0, store_path);
	scm_c_define_gsubr("%build", 2, 0, 0, build);
	scm_c_define_gsubr("%dry-run?", 0, 0, 0, dry_run_p);
	scm_c_define_gsubr("%write-pins", 0, 0, 0, write_pins);
	scm_c_define_gsubr("%dry-run-interns?", 0, 0, 0, dry_run_interns_p);
	scm_c_define_gsubr("%result-links", 1, 0, 0, result_links_p);
	scm_c_define_gsubr("%command-option", 1, 0, 0, command_option);
	scm_c_define_gsubr("%json?", 0, 0, 0, json_p);
	scm_c_define_gsubr("%boot", 9, 0, 0, boot_machine);
	scm_c_define_gsubr("%pin-kind", 1, 0, 0, pin_kind);
	scm_c_define_gsubr("%plan-encoding", 2, 0, 0, plan_encoding);
	scm_c_define_gsubr("%decode-plan", 2, 0, 0, decode_plan);
	scm_c_define_gsubr("%toml-read", 1, 0, 0, toml_read);
	scm_c_define_gsubr("%add-root", 2, 0, 0, add_root);
	scm_c_export("%boot", "%intern-bytes", "%intern-file", "%hash-bytes", "%hash-file",
		     "%fetch", "%fetch-all", "%have-source?", "%normpath", "%store-path", "%build", "%dry-run?", "%json?",
		     "%write-pins", "%dry-run-interns?", "%result-links",
		     "%call-with-store", "%varied", "%store-dir", "%remove-tree", "%pin-kind",
		     "%plan-encoding", "%decode-plan", "%toml-read", "%add-root", "%command-option",
		     NULL);
	for (size_t i = 0; i < sizeof core_constants / sizeof *core_constants; i++) {
		scm_c_define(core_constants[i].name, scm_from_int(core_constants[i].value));
		scm_c_export(core_constants[i].name, NULL);
	}
}

struct call {
	struct cli *cli;
	const char *proc;	/* in (distill script) */
};

static SCM string_list(int argc, char **argv)
{
	SCM l = SCM_EOL;
	for (int i = argc - 1; i >= 0; i--)
		l = scm_cons(scm_from_locale_string(argv[i]), l);
	return l;
}

static void *inner(void *data)
{
	struct call *c = data;
	scm_c_define_module("distill core", define_core, NULL);
	/* The library's directories in front of Guile's own; (distill script)
	 * puts the script's own directory in front of them. */
	struct libpath lp;
	if (libpath_find(&lp) < 0) {
		fprintf(stderr, "distill: error: %s\n", err_msg());
		exit_code = EXIT_SYSTEM;
		return NULL;
	}
	/* Never Guile's own cache of compiled files (~/.cache/guile), which it
	 * would load from even with auto-compilation off. */
	if (lp.compiled) {
		SCM lcp = scm_c_lookup("%load-compiled-path");
		scm_variable_set_x(lcp, scm_cons(scm_from_utf8_string(lp.compiled),
						 scm_variable_ref(lcp)));
	}
	scm_variable_set_x(scm_c_lookup("%compile-fallback-path"), SCM_BOOL_F);
	SCM path = SCM_EOL;
	for (size_t i = lp.ndirs; i-- > 0;)
		path = scm_cons(scm_from_utf8_string(lp.dirs[i]), path);
	libpath_free(&lp);
	SCM lp_var = scm_c_lookup("%load-path");
	scm_variable_set_x(lp_var, scm_append(scm_list_2(path, scm_variable_ref(lp_var))));
	SCM proc = scm_c_public_ref("distill script", c->proc);
	/* A Scheme error that escapes the command is distill's failure. */
	exit_code = EXIT_SYSTEM;
	SCM r = scm_call_3(proc, string_list(c->cli->argc, c->cli->argv),
			   string_list(c->cli->script_argc, c->cli->script_argv),
			   scm_from_bool(c->cli->backtrace));
	exit_code = scm_to_int(r);
	return NULL;
}

const char *glue_guile_version(void)
{
#define GLUE_STR(x) #x
#define GLUE_VERSION(a, b, c) GLUE_STR(a) "." GLUE_STR(b) "." GLUE_STR(c)
	return GLUE_VERSION(SCM_MAJOR_VERSION, SCM_MINOR_VERSION, SCM_MICRO_VERSION);
#undef GLUE_VERSION
#undef GLUE_STR
}

int glue_call(struct cli *c, const char *proc)
{
	cli = c;
	struct call call = {c, proc};
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
