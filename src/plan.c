#define _GNU_SOURCE
#include "plan.h"
#include "err.h"
#include "fsutil.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[ART_KINDS] = {
	[ART_FILE] = "file", [ART_DIR] = "dir", [ART_SYMLINK] = "symlink",
	[ART_ARCHIVE] = "archive", [ART_TREE] = "tree",
};

const char *art_kind_name(enum art_kind k)
{
	return kind_names[k];
}

int art_kind_parse(const char *name)
{
	for (int k = 0; k < ART_KINDS; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

const char *output_kind_name(int kind)
{
	return art_kind_name(kind == OUT_TREE ? ART_TREE : ART_FILE);
}

void plan_resolve_input(struct artifact *a, const struct output *out, const char *raw)
{
	a->hash = out->hash;
	free(a->path);
	if (out->kind == OUT_TREE) {
		a->kind = ART_TREE;
		a->path = xstrdup("/");
	} else {
		char *copy = xstrdup(raw);
		a->kind = ART_FILE;
		a->mode = 0644;
		a->path = fs_fmt("/%s", basename(copy));
		free(copy);
	}
}

/* A growable byte buffer for building encodings. */
struct buf {
	char *p;
	size_t n, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* ns(x): decimal length, ':', bytes. */
static void buf_ns(struct buf *b, const char *s)
{
	char len[24];
	size_t n = strlen(s);
	snprintf(len, sizeof len, "%zu:", n);
	buf_str(b, len);
	buf_add(b, s, n);
}

static void buf_hash(struct buf *b, const hash_t *h)
{
	char s[HASH_B64 + 1];
	hash_b64(h, s);
	buf_str(b, s);
}

static void buf_mode(struct buf *b, mode_t m)
{
	char s[8];
	snprintf(s, sizeof s, "%04o", (unsigned)(m & 07777));
	buf_str(b, s);
}

char *plan_normpath(const char *p)
{
	if (p[0] != '/') {
		err("'%s' is not an absolute path", p);
		return NULL;
	}
	char *out = xmalloc(strlen(p) + 2);
	size_t n = 0;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		const char *e = strchrnul(s, '/');
		size_t len = e - s;
		if (len == 0)
			break;
		if (len == 1 && s[0] == '.') {
			s = e;
			continue;
		}
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (n == 0) {
				free(out);
				err("'%s': '..' climbs above /", p);
				return NULL;
			}
			while (out[--n] != '/')
				;
			s = e;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
		s = e;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = 0;
	return out;
}

int plan_check_raw(const char *raw)
{
	char *norm = plan_normpath(raw);
	int same = norm && strcmp(norm, raw) == 0 && strcmp(raw, "/") != 0;
	free(norm);
	if (!same)
		return err("refusing the raw output path '%s': it must name a file under "
			   "/out by an absolute, normalised path (no '..', '.' or '//')", raw);
	return 0;
}

static void artifact_add(struct buf *b, const struct artifact *a)
{
	buf_str(b, art_kind_name(a->kind));
	buf_str(b, " ");
	buf_ns(b, a->path);
	switch (a->kind) {
	case ART_FILE:
		buf_str(b, " ");
		buf_mode(b, a->mode);
		buf_str(b, " ");
		buf_hash(b, &a->hash);
		break;
	case ART_DIR:
		buf_str(b, " ");
		buf_mode(b, a->mode);
		break;
	case ART_SYMLINK:
		buf_str(b, " ");
		buf_ns(b, a->target);
		break;
	case ART_ARCHIVE:
	case ART_TREE:
		buf_str(b, " ");
		buf_hash(b, &a->hash);
		break;
	}
}

char *artifact_encode(const struct artifact *a, size_t *len)
{
	struct buf b = {0};
	artifact_add(&b, a);
	if (len)
		*len = b.n;
	return b.p;
}

static void input_add(struct buf *b, const struct input *in)
{
	buf_str(b, "in ");
	buf_ns(b, in->basedir);
	buf_str(b, " ");
	artifact_add(b, &in->art);
	buf_str(b, "\n");
}

/* Inputs compare by their encoded lines, which is what "sorted bytewise"
 * in docs/formats.md means. */
static int input_cmp(const void *x, const void *y)
{
	struct buf a = {0}, b = {0};
	input_add(&a, x);
	input_add(&b, y);
	size_t n = a.n < b.n ? a.n : b.n;
	int c = memcmp(a.p, b.p, n);
	if (c == 0)
		c = (a.n > b.n) - (a.n < b.n);
	free(a.p);
	free(b.p);
	return c;
}

static void input_free(struct input *in)
{
	free(in->basedir);
	free(in->art.path);
	free(in->art.target);
}

void plan_canonicalise(struct plan *p)
{
	qsort(p->in, p->nin, sizeof *p->in, input_cmp);
	size_t w = 0;
	for (size_t r = 0; r < p->nin; r++) {
		if (w > 0 && input_cmp(&p->in[w - 1], &p->in[r]) == 0) {
			input_free(&p->in[r]);
			continue;
		}
		p->in[w++] = p->in[r];
	}
	p->nin = w;
}

char *plan_encode(const struct plan *p, size_t *len)
{
	struct buf b = {0};
	buf_str(&b, "distill-plan 1\nname ");
	buf_ns(&b, p->name);
	buf_str(&b, "\n");
	if (p->raw) {
		buf_str(&b, "raw ");
		buf_ns(&b, p->raw);
		buf_str(&b, "\n");
	}
	for (size_t i = 0; i < p->nin; i++)
		input_add(&b, &p->in[i]);
	if (len)
		*len = b.n;
	return b.p;
}

void plan_hash(const struct plan *p, hash_t *out)
{
	size_t n;
	char *e = plan_encode(p, &n);
	hash_buf(e, n, out);
	free(e);
}

void plan_free(struct plan *p)
{
	free(p->name);
	free(p->raw);
	for (size_t i = 0; i < p->nin; i++)
		input_free(&p->in[i]);
	free(p->in);
	memset(p, 0, sizeof *p);
}

int plan_has_build(const struct plan *p)
{
	for (size_t i = 0; i < p->nin; i++) {
		const struct input *in = &p->in[i];
		if (in->art.kind != ART_FILE || !(in->art.mode & 0111))
			continue;
		char *full = fs_join(in->basedir, in->art.path);
		int yes = strcmp(full, "/build") == 0;
		free(full);
		if (yes)
			return 1;
	}
	return 0;
}

/* A cursor over an encoding being decoded. */
struct cur {
	const char *p, *end;
};

static int lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

static char *get_ns(struct cur *c)
{
	size_t n = 0;
	const char *s = c->p;
	while (s < c->end && *s >= '0' && *s <= '9' && n < (1u << 30))
		n = n * 10 + (*s++ - '0');
	if (s == c->p || s >= c->end || *s != ':' || (size_t)(c->end - s - 1) < n)
		return NULL;
	s++;
	if (memchr(s, 0, n))
		return NULL;
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	c->p = s + n;
	return r;
}

static int get_hash(struct cur *c, hash_t *h)
{
	char s[HASH_B64 + 1];
	if (c->end - c->p < HASH_B64)
		return -1;
	memcpy(s, c->p, HASH_B64);
	s[HASH_B64] = 0;
	if (hash_parse(s, h) < 0)
		return -1;
	c->p += HASH_B64;
	return 0;
}

static int get_mode(struct cur *c, mode_t *m)
{
	if (c->end - c->p < 4)
		return -1;
	*m = 0;
	for (int i = 0; i < 4; i++) {
		if (c->p[i] < '0' || c->p[i] > '7')
			return -1;
		*m = *m * 8 + (c->p[i] - '0');
	}
	c->p += 4;
	return 0;
}

/* The kind's name and a space, where the cursor is: the kind, or -1. */
static int get_kind(struct cur *c)
{
	for (int k = 0; k < ART_KINDS; k++) {
		struct cur try = *c;
		if (lit(&try, art_kind_name(k)) == 0 && lit(&try, " ") == 0) {
			*c = try;
			return k;
		}
	}
	return -1;
}

static int get_artifact(struct cur *c, struct artifact *a)
{
	memset(a, 0, sizeof *a);
	int k = get_kind(c);
	if (k < 0 || !(a->path = get_ns(c)) || lit(c, " ") < 0)
		return -1;
	a->kind = k;
	switch (a->kind) {
	case ART_FILE:
		return get_mode(c, &a->mode) == 0 && lit(c, " ") == 0 &&
			       get_hash(c, &a->hash) == 0
			       ? 0 : -1;
	case ART_DIR:
		return get_mode(c, &a->mode);
	case ART_SYMLINK:
		return (a->target = get_ns(c)) ? 0 : -1;
	case ART_ARCHIVE:
	case ART_TREE:
		return get_hash(c, &a->hash);
	}
	return -1;
}

/* Is path what plan_normpath makes of it? */
static int is_normal(const char *path)
{
	char *n = plan_normpath(path);
	int yes = n && strcmp(n, path) == 0;
	free(n);
	return yes;
}

/* The first path of p (raw output, base directories, artifact paths) that
 * is not absolute and normalised, or NULL. */
static const char *non_normal(const struct plan *p)
{
	if (p->raw && !is_normal(p->raw))
		return p->raw;
	for (size_t i = 0; i < p->nin; i++) {
		if (!is_normal(p->in[i].basedir))
			return p->in[i].basedir;
		if (!is_normal(p->in[i].art.path))
			return p->in[i].art.path;
	}
	return NULL;
}

int plan_decode(const char *buf, size_t len, struct plan *p)
{
	struct cur c = {buf, buf + len};
	memset(p, 0, sizeof *p);
	size_t cap = 0;
	if (lit(&c, "distill-plan 1\nname ") < 0 || !(p->name = get_ns(&c)) ||
	    lit(&c, "\n") < 0)
		goto bad;
	if (lit(&c, "raw ") == 0 && (!(p->raw = get_ns(&c)) || lit(&c, "\n") < 0))
		goto bad;
	if (p->raw && plan_check_raw(p->raw) < 0) {
		plan_free(p);
		return -1;
	}
	while (c.p < c.end) {
		if (p->nin == cap)
			p->in = xrealloc(p->in, (cap = cap ? 2 * cap : 8) * sizeof *p->in);
		struct input *in = &p->in[p->nin];
		memset(in, 0, sizeof *in);
		p->nin++;
		if (lit(&c, "in ") < 0 || !(in->basedir = get_ns(&c)) ||
		    lit(&c, " ") < 0 || get_artifact(&c, &in->art) < 0 ||
		    lit(&c, "\n") < 0)
			goto bad;
	}
	const char *odd = non_normal(p);
	if (odd) {
		err("plan encoding with the path '%s', which is not absolute and "
		    "normalised (docs/formats.md): refused", odd);
		plan_free(p);
		return -1;
	}
	return 0;
bad:
	err("malformed plan encoding at byte %zu (expected distill-plan 1, "
	    "see docs/formats.md)", (size_t)(c.p - buf));
	plan_free(p);
	return -1;
}
