#define _GNU_SOURCE
#include "cache.h"
#include "err.h"
#include "fetch.h"
#include "fsutil.h"
#include "status.h"
#include "tree.h"
#include "unpack.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC_MAX 65536	/* a record is a few hundred bytes */

int cache_set_open(struct cache_set *cs, char *const *urls, size_t n, int push,
		   int offline, int verbose)
{
	memset(cs, 0, sizeof *cs);
	cs->push = push;
	cs->verbose = verbose;
	if (offline || n == 0)
		return 0;
	long long t;
	if (fetch_env_number("DISTILL_CACHE_TIMEOUT", UNIT_SECONDS, 5, &t) < 0)
		return -1;
	cs->timeout = t > 3600 ? 3600 : t;
	char *dir = sign_config_dir();
	if (!dir)
		return -1;
	int r = sign_load_trusted(dir, &cs->trusted, &cs->ntrusted);
	if (r == 0 && push) {
		int k = sign_load_key(dir, &cs->key);
		if (k == 1)
			err("--cache-push signs what it uploads, and there is no key in %s: "
			    "make one with distill key generate", dir);
		r = k == 0 ? 0 : -1;
	}
	free(dir);
	if (r < 0)
		return -1;
	cs->v = xmalloc(n * sizeof *cs->v);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(urls[i]);
		while (l > 1 && urls[i][l - 1] == '/')
			l--;
		cs->v[cs->n++] = (struct cache){.url = strndup(urls[i], l)};
	}
	return 0;
}

void cache_set_close(struct cache_set *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->v[i].url);
	free(cs->v);
	free(cs->trusted);
	sodium_memzero(&cs->key, sizeof cs->key);
	memset(cs, 0, sizeof *cs);
}

int cache_live(const struct cache_set *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!cs->v[i].dead)
			return 1;
	return 0;
}

/* Append a line to the report. */
static void say(char **report, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char **report, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line;
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *n = fs_fmt("%s%s\n", *report ? *report : "", line);
	free(line);
	free(*report);
	*report = n;
}

/* Cache i failed a request: dead for the rest of this process (and, once
 * the scheduler reads the report, of the run). */
static void dead(struct cache_set *cs, size_t i, const char *why, char **report)
{
	cs->v[i].dead = 1;
	say(report, "D%zu %s", i, why);
}

/* One request's outcome: 0 done, 1 not there (404, 410), 2 stopped by
 * our write callback (more than was asked for), -1 the cache failed (it
 * is dead; said in the report). */
static int perform(struct cache_set *cs, size_t i, CURL *c, const char *url,
		   const char *ebuf, char **report)
{
	CURLcode cc = curl_easy_perform(c);
	long http = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_cleanup(c);
	if (cc == CURLE_OK)
		return 0;
	if (cc == CURLE_WRITE_ERROR)
		return 2;
	if (cc == CURLE_HTTP_RETURNED_ERROR && (http == 404 || http == 410))
		return 1;
	char *why = fs_fmt("%s: %s", url, *ebuf ? ebuf : curl_easy_strerror(cc));
	dead(cs, i, why, report);
	free(why);
	return -1;
}

/* A request to cache i for a record or a check: short deadline. */
static CURL *quick(struct cache_set *cs, const char *url, char *ebuf)
{
	return fetch_curl(url, cs->timeout, cs->timeout, cs->timeout * 1000, ebuf);
}

struct membuf {
	char *p;
	size_t len, cap;
};

static size_t to_mem(char *p, size_t size, size_t n, void *arg)
{
	struct membuf *m = arg;
	if (m->len + size * n > m->cap)
		return 0;
	memcpy(m->p + m->len, p, size * n);
	m->len += size * n;
	return size * n;
}

static char *ac_url(const struct cache *c, const hash_t *plan)
{
	char hex[2 * HASH_LEN + 1];
	hash_hex(plan, hex);
	return fs_fmt("%s/ac/%s", c->url, hex);
}

/* GET the record of plan from cache i: 0 (*r decoded), 1 none (or a
 * malformed one, said), -1 the cache failed. */
static int get_record(struct cache_set *cs, size_t i, const hash_t *plan, const char *name,
		      struct cache_rec *r, char **report)
{
	char ebuf[CURL_ERROR_SIZE];
	char *url = ac_url(&cs->v[i], plan);
	CURL *c = quick(cs, url, ebuf);
	struct membuf m = {.p = xmalloc(REC_MAX), .cap = REC_MAX};
	int g = -1;
	if (c) {
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_mem);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
		g = perform(cs, i, c, url, ebuf, report);
	} else {
		dead(cs, i, err_msg(), report);
	}
	if (g == 2) {
		say(report, "N %s (for %s): more than %d bytes, not a record: ignored", url, name,
		    REC_MAX);
		g = 1;
	} else if (g == 0 && cache_rec_decode(m.p, m.len, r) < 0) {
		say(report, "N %s (for %s): %s: ignored", url, name, err_msg());
		g = 1;
	} else if (g == 0 && !hash_eq(&r->plan, plan)) {
		say(report, "N %s (for %s): the record is another plan's: ignored", url, name);
		cache_rec_free(r);
		g = 1;
	}
	free(m.p);
	free(url);
	return g;
}

/* Write what arrives into a file, at most cap bytes. */
struct sink {
	int fd;
	long long got, cap;
};

static size_t to_file(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	if ((long long)(size * n) > k->cap - k->got || fs_write_all(k->fd, p, size * n) < 0)
		return 0;
	k->got += size * n;
	return size * n;
}

/* GET the bytes r names from cache i into path: 0, 1 not there or not
 * what the record says (said), -1 the cache failed, -2 an error of the
 * store (err set). */
static int get_content(struct cache_set *cs, size_t i, const struct cache_rec *r,
		       const char *name, const char *path, char **report)
{
	char ebuf[CURL_ERROR_SIZE];
	char *url = fs_fmt("%s/cas/%s", cs->v[i].url, r->sha256);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(url);
		return err_sys("%s", path) - 1;
	}
	/* Slow is fine while bytes flow; a stall or a deadline by size is not. */
	CURL *c = fetch_curl(url, cs->timeout, 2 * cs->timeout,
			     (60 + r->size / 65536) * 1000L, ebuf);
	struct sink k = {.fd = fd, .cap = r->size};
	int g = -1;
	if (c) {
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_file);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
		g = perform(cs, i, c, url, ebuf, report);
	} else {
		dead(cs, i, err_msg(), report);
	}
	hash_t b2, sha;
	char hex[2 * HASH_LEN + 1] = "";
	if (g == 0 && lseek(fd, 0, SEEK_SET) == 0 && hash_fd(fd, &b2, &sha) == 0)
		hash_hex(&sha, hex);
	if (g == 2 || (g == 0 && (k.got != r->size || strcmp(hex, r->sha256)))) {
		say(report, "W %s (for %s): %lld bytes that are not the %lld bytes of SHA-256 %s "
		    "its record names: refused, nothing stored", url, name, k.got, r->size,
		    r->sha256);
		g = 1;
	} else if (g == 1) {
		say(report, "N %s (for %s): its record names it, but it is not there", url, name);
	}
	close(fd);
	free(url);
	return g;
}

/* Say that what url gave for name is got, not r's output. */
static int refused(const struct cache_rec *r, const hash_t *got, const char *url,
		   const char *name, char **report)
{
	char want[HASH_B64 + 1], gotb[HASH_B64 + 1];
	hash_b64(&r->out.hash, want);
	hash_b64(got, gotb);
	say(report, "W %s (for %s): its content is %s, not the %s %s its record names: "
	    "refused, nothing stored", url, name, gotb, output_kind_name(r->out.kind), want);
	return 1;
}

/* The downloaded bytes at path (in the new directory tmp under tmp/) into
 * the store, if they are r's output: 0 stored, 1 refused (said), -1 an
 * error of the store. */
static int adopt(struct store *s, const struct cache_rec *r, const char *url,
		 const char *name, const char *tmp, const char *path, char **report)
{
	hash_t h;
	if (r->out.kind == OUT_FILE) {
		if (hash_file(path, &h, NULL) < 0)
			return -1;
		return hash_eq(&h, &r->out.hash) ? store_adopt_blob(s, path, &h)
		       : refused(r, &h, url, name, report);
	}
	char *tree = fs_join(tmp, "tree");
	int g = mkdir(tree, 0700) < 0 ? err_sys("%s", tree) : 0;
	if (g == 0 && (unpack_archive(path, tree) < 0 || tree_normalise(tree) < 0 ||
		       tree_hash(tree, &h) < 0)) {
		say(report, "W %s (for %s): %s: refused, nothing stored", url, name, err_msg());
		g = 1;
	} else if (g == 0) {
		g = hash_eq(&h, &r->out.hash) ? store_adopt_tree(s, tree, &h)
		    : refused(r, &h, url, name, report);
	}
	free(tree);
	return g;
}

/* Try cache i: 0 a hit (stored), 1 a miss, -1 an error of the store. */
static int get_from(struct cache_set *cs, size_t i, struct store *s, const hash_t *plan,
		    const char *name, struct output *out, char **report)
{
	struct cache_rec r;
	int g = get_record(cs, i, plan, name, &r, report);
	if (g != 0)
		return 1;
	if (!cache_rec_trusted(&r, cs->trusted, cs->ntrusted)) {
		char *url = ac_url(&cs->v[i], plan);
		say(report, "N %s (for %s): signed by no key of trusted-keys: ignored", url, name);
		free(url);
		cache_rec_free(&r);
		return 1;
	}
	char *tmp = store_mktemp(s, "cache");
	if (!tmp) {
		cache_rec_free(&r);
		return -1;
	}
	char *path = fs_join(tmp, "content");
	/* A cache that failed or gave the wrong bytes is a miss; a store
	 * that cannot take them is an error. */
	int c = get_content(cs, i, &r, name, path, report), a = c == -2 ? -1 : 1;
	if (c == 0) {
		char *url = fs_fmt("%s/cas/%s", cs->v[i].url, r.sha256);
		a = adopt(s, &r, url, name, tmp, path, report);
		free(url);
	}
	if (a == 0)
		*out = r.out;
	fs_rm_rf(tmp);
	free(tmp);
	free(path);
	cache_rec_free(&r);
	return a;
}

int cache_offers(struct cache_set *cs, const hash_t *plan, const char *name, char **report)
{
	for (size_t i = 0; i < cs->n; i++) {
		struct cache_rec r;
		if (cs->v[i].dead || get_record(cs, i, plan, name, &r, report) != 0)
			continue;
		int t = cache_rec_trusted(&r, cs->trusted, cs->ntrusted);
		cache_rec_free(&r);
		if (t)
			return 1;
	}
	return 0;
}

int cache_get(struct cache_set *cs, struct store *s, const hash_t *plan, const char *name,
	      struct output *out, char **report)
{
	for (size_t i = 0; i < cs->n; i++) {
		if (cs->v[i].dead)
			continue;
		int g = get_from(cs, i, s, plan, name, out, report);
		if (g <= 0)
			return g;
	}
	return 1;
}

/* ---- push ---- */

/* PUT the file (or buffer) to url on cache i: 0, or -1 (dead, said). */
static int put(struct cache_set *cs, size_t i, const char *url, FILE *f, long long size,
	       char **report)
{
	char ebuf[CURL_ERROR_SIZE];
	CURL *c = fetch_curl(url, cs->timeout, 2 * cs->timeout, (60 + size / 65536) * 1000L, ebuf);
	if (!c) {
		dead(cs, i, err_msg(), report);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READDATA, f);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
	return perform(cs, i, c, url, ebuf, report) == 0 ? 0 : -1;
}

/* Does cache i have url?  1 yes, 0 no, -1 the cache failed. */
static int has(struct cache_set *cs, size_t i, const char *url, char **report)
{
	char ebuf[CURL_ERROR_SIZE];
	CURL *c = quick(cs, url, ebuf);
	if (!c) {
		dead(cs, i, err_msg(), report);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	int g = perform(cs, i, c, url, ebuf, report);
	return g < 0 ? -1 : !g;
}

/* The bytes that carry out, at a file: the blob itself, or the tree's
 * canonical archive written under tmp/ (*made set: the caller removes it).
 * Their SHA-256 and size go into r. */
static char *carrier(struct store *s, const struct output *out, struct cache_rec *r,
		     char **made)
{
	*made = NULL;
	char *path;
	if (out->kind == OUT_FILE) {
		path = store_blob_path(s, &out->hash);
	} else {
		if (!(*made = store_mktemp(s, "push")))
			return NULL;
		path = fs_join(*made, "tree.tar.zst");
		char *tree = store_tree_path(s, &out->hash);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		int w = fd < 0 ? err_sys("%s", path) : tree_write_tar(tree, fd);
		if (fd >= 0)
			close(fd);
		free(tree);
		if (w < 0) {
			free(path);
			return NULL;
		}
	}
	hash_t b2, sha;
	struct stat st;
	if (hash_file(path, &b2, &sha) < 0 || stat(path, &st) < 0) {
		err_sys("%s", path);
		free(path);
		return NULL;
	}
	hash_hex(&sha, r->sha256);
	r->size = st.st_size;
	return path;
}

/* Put our record on cache i: ours, or the one there with our signature
 * added when it names the same output.  The content must be there first.
 * 0, or -1: not put (said in *report). */
static int put_record(struct cache_set *cs, size_t i, const hash_t *plan, const char *name,
		      struct cache_rec *mine, char **report)
{
	struct cache_rec there;
	int g = get_record(cs, i, plan, name, &there, report);
	if (g < 0)
		return -1;
	struct cache_rec *r = mine;
	if (g == 0 && there.out.kind == mine->out.kind && hash_eq(&there.out.hash, &mine->out.hash)) {
		if (cache_rec_signed_by(&there, &cs->key.pub)) {
			cache_rec_free(&there);
			return 0;
		}
		r = &there;
	} else if (g == 0) {
		char *url = ac_url(&cs->v[i], plan);
		say(report, "W %s (for %s): the cache holds another output for this plan: not "
		    "replaced (is the build reproducible?  distill verify says)", url, name);
		free(url);
		cache_rec_free(&there);
		return -1;
	}
	char *cas = fs_fmt("%s/cas/%s", cs->v[i].url, r->sha256);
	int h = r == mine ? 0 : has(cs, i, cas, report);
	free(cas);
	if (h == 0 && r != mine) {
		/* The content the record there names is gone: ours instead. */
		cache_rec_free(&there);
		r = mine;
	}
	cache_rec_sign(r, &cs->key);
	size_t len;
	char *enc = cache_rec_encode(r, &len);
	FILE *f = fmemopen(enc, len, "r");
	char *url = ac_url(&cs->v[i], plan);
	int p = h < 0 ? -1 : put(cs, i, url, f, len, report);
	fclose(f);
	free(url);
	free(enc);
	if (r != mine)
		cache_rec_free(&there);
	return p;
}

/* Content, then record, to cache i: 0, or -1 (said in *report). */
static int put_to(struct cache_set *cs, size_t i, const hash_t *plan, const char *name,
		   struct cache_rec *r, const char *path, char **report)
{
	char *url = fs_fmt("%s/cas/%s", cs->v[i].url, r->sha256);
	int h = has(cs, i, url, report);
	if (h == 0) {
		FILE *f = fopen(path, "re");
		if (!f)
			say(report, "W %s: cannot read to upload it", path);
		else
			h = put(cs, i, url, f, r->size, report) == 0 ? 1 : -1;
		if (f)
			fclose(f);
	}
	free(url);
	return h == 1 ? put_record(cs, i, plan, name, r, report) : -1;
}

void cache_put(struct cache_set *cs, struct store *s, const hash_t *plan, const char *name,
	       const struct output *out, char **report)
{
	if (!cs->push || !cache_live(cs))
		return;
	struct cache_rec r = {.plan = *plan, .out = *out};
	char *made;
	char *path = carrier(s, out, &r, &made);
	if (!path) {
		say(report, "W cannot upload %s: %s", name, err_msg());
	} else {
		size_t done = 0;
		for (size_t i = 0; i < cs->n; i++)
			if (!cs->v[i].dead && put_to(cs, i, plan, name, &r, path, report) == 0)
				done++;
		if (done && cs->push == CACHE_PUSH_ALL)
			say(report, "I pushed %s", name);
	}
	if (made) {
		fs_rm_rf(made);
		free(made);
	}
	free(path);
	cache_rec_free(&r);
}

void cache_apply(struct cache_set *cs, const char *report, size_t len)
{
	for (const char *p = report, *e; p < report + len; p = e + 1) {
		e = memchr(p, '\n', report + len - p);
		if (!e)
			e = report + len;
		char *end;
		if (*p == 'D') {
			size_t i = strtoul(p + 1, &end, 10);
			if (i < cs->n && !cs->v[i].dead) {
				cs->v[i].dead = 1;
				status_say("cache %s: %.*s; not asked again in this run",
					   cs->v[i].url, (int)(e - end - 1), end + 1);
			}
		} else if (*p == 'W' || (*p == 'N' && cs->verbose)) {
			status_say("cache: %.*s", (int)(e - p - 2), p + 2);
		} else if (*p == 'I') {
			status_say("%.*s", (int)(e - p - 2), p + 2);
			cs->pushed++;
		}
	}
}
