#define _GNU_SOURCE
#include "record.h"
#include "err.h"
#include "fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rec_kind_names[REC_NKINDS] = {
	[REC_PLAN] = "plan", [REC_OUT] = "out", [REC_META] = "meta",
	[REC_UNPACKED] = "unpacked", [REC_ORIGIN] = "origin",
	[REC_SHA256] = "sha256", [REC_SIZE] = "size", [REC_NAME] = "name",
};

bool rec_key(const char *name, size_t len, hash_t *h)
{
	char b[HASH_B64 + 1], again[HASH_B64 + 1];
	if (len != HASH_B64)
		return false;
	memcpy(b, name, HASH_B64);
	b[HASH_B64] = 0;
	if (hash_parse(b, h) < 0)
		return false;
	hash_b64(h, again);
	return memcmp(again, name, HASH_B64) == 0;
}

size_t rec_hash_encode(const hash_t *h, char buf[REC_HASH_LEN + 1])
{
	hash_b64(h, buf);
	buf[HASH_B64] = '\n';
	buf[REC_HASH_LEN] = 0;
	return REC_HASH_LEN;
}

int rec_hash_decode(const char *buf, size_t len, hash_t *h)
{
	if (len != REC_HASH_LEN || buf[HASH_B64] != '\n' || !rec_key(buf, HASH_B64, h))
		return err("expected one hash and a newline");
	return 0;
}

#define OUT_HEAD "distill-out 1\n"

char *output_encode(const struct output *o, size_t *len)
{
	char b[HASH_B64 + 1];
	hash_b64(&o->hash, b);
	char *t = fs_fmt(OUT_HEAD "%s %s\n", output_kind_name(o->kind), b);
	if (len)
		*len = strlen(t);
	return t;
}

int output_decode(const char *buf, size_t len, struct output *o)
{
	const size_t head = strlen(OUT_HEAD);
	if (len < head || memcmp(buf, OUT_HEAD, head))
		goto bad;
	const char *k = buf + head;
	const int kinds[] = { OUT_TREE, OUT_FILE };
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		const char *name = output_kind_name(kinds[i]);
		size_t n = strlen(name);
		if (len == head + n + 1 + HASH_B64 + 1 && !memcmp(k, name, n) && k[n] == ' ' &&
		    rec_key(k + n + 1, HASH_B64, &o->hash) && buf[len - 1] == '\n') {
			o->kind = kinds[i];
			return 0;
		}
	}
bad:
	return err("malformed output record (expected distill-out 1)");
}

char *rec_meta_encode(const struct rec_meta *m, size_t *len)
{
	char *t = fs_fmt("distill-meta 1\nstarted %lld\nseconds %.3f\n", m->started,
			 m->seconds);
	for (size_t i = 0; i < m->ndeps; i++) {
		char b[HASH_B64 + 1];
		hash_b64(&m->deps[i], b);
		char *n = fs_fmt("%sdep %s\n", t, b);
		free(t);
		t = n;
	}
	if (len)
		*len = strlen(t);
	return t;
}

/* The line at *p (without its newline) if there is one; advances *p. */
static char *next_line(char **p)
{
	char *l = *p, *nl = strchr(l, '\n');
	if (!nl)
		return NULL;
	*nl = 0;
	*p = nl + 1;
	return l;
}

/* At least one digit, and nothing else. */
static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The lines of copy (a writable copy of the record) into m. */
static bool meta_lines(char *copy, struct rec_meta *m)
{
	char *p = copy, *l, *end;
	if (!(l = next_line(&p)) || strcmp(l, "distill-meta 1"))
		return false;
	if (!(l = next_line(&p)) || strncmp(l, "started ", 8) ||
	    !digits(l + 8 + (l[8] == '-')))
		return false;
	errno = 0;
	m->started = strtoll(l + 8, &end, 10);
	if (errno)
		return false;
	if (!(l = next_line(&p)) || strncmp(l, "seconds ", 8))
		return false;
	char *dot = strchr(l + 8, '.');
	if (!dot)
		return false;
	*dot = 0;
	if (!digits(l + 8) || !digits(dot + 1))
		return false;
	*dot = '.';
	m->seconds = strtod(l + 8, NULL);
	hash_t *deps = NULL;
	bool ok = true;
	while (ok && (l = next_line(&p))) {
		deps = xrealloc(deps, (m->ndeps + 1) * sizeof *deps);
		ok = !strncmp(l, "dep ", 4) && rec_key(l + 4, strlen(l + 4), &deps[m->ndeps++]);
	}
	m->deps = deps;
	return ok && *p == 0;
}

int rec_meta_decode(const char *buf, size_t len, struct rec_meta *m)
{
	*m = (struct rec_meta){ 0, 0, NULL, 0 };
	char *copy = strndup(buf, len);
	if (!copy)
		abort();
	bool ok = strlen(copy) == len && meta_lines(copy, m);
	free(copy);
	if (ok)
		return 0;
	rec_meta_free(m);
	return err("malformed build facts (expected distill-meta 1, see docs/formats.md)");
}

void rec_meta_free(struct rec_meta *m)
{
	free((hash_t *)m->deps);
	m->deps = NULL;
	m->ndeps = 0;
}

size_t rec_size_encode(long long size, char buf[REC_SIZE_MAX])
{
	return (size_t)snprintf(buf, REC_SIZE_MAX, "%lld\n", size);
}

int rec_size_decode(const char *buf, size_t len, long long *size)
{
	size_t n = 0;
	while (n < len && isdigit((unsigned char)buf[n]))
		n++;
	char *end;
	errno = 0;
	if (n == 0 || n + 1 != len || buf[n] != '\n' ||
	    (*size = strtoll(buf, &end, 10), errno))
		return err("expected a size in bytes and a newline");
	return 0;
}

int rec_origin_check(const char *buf, size_t len)
{
	if (len == 0 || strnlen(buf, len) != len)
		return err("expected where the blob came from (a file name or URL)");
	return 0;
}

#define NAME_HEAD "distill-name 1\nname "

char *rec_name_encode(const struct rec_name *r, size_t *len)
{
	char *t = fs_fmt(NAME_HEAD "%s\n", r->name);
	for (size_t i = 0; i < r->n; i++) {
		char b[HASH_B64 + 1];
		hash_b64(&r->v[i].plan, b);
		char *n = fs_fmt("%s%s %lld %s\n", t, r->v[i].failed ? "failed" : "built",
				 r->v[i].when, b);
		free(t);
		t = n;
	}
	if (len)
		*len = strlen(t);
	return t;
}

/* One "built|failed TIME HASH" line into b. */
static bool build_line(const char *l, struct rec_build *b)
{
	const char *sp = strchr(l, ' ');
	if (!sp)
		return false;
	size_t k = sp - l;
	if (k == 5 && !memcmp(l, "built", 5))
		b->failed = false;
	else if (k == 6 && !memcmp(l, "failed", 6))
		b->failed = true;
	else
		return false;
	const char *t = sp + 1, *sp2 = strchr(t, ' ');
	if (!sp2 || sp2 == t)
		return false;
	char num[24];
	if ((size_t)(sp2 - t) >= sizeof num)
		return false;
	memcpy(num, t, sp2 - t);
	num[sp2 - t] = 0;
	if (!digits(num))
		return false;
	b->when = strtoll(num, NULL, 10);
	return rec_key(sp2 + 1, strlen(sp2 + 1), &b->plan);
}

int rec_name_decode(const char *buf, size_t len, struct rec_name *r)
{
	*r = (struct rec_name){ 0 };
	const size_t head = strlen(NAME_HEAD);
	char *copy = strndup(buf, len), *p, *l;
	if (!copy)
		abort();
	bool ok = strlen(copy) == len && len > head && !memcmp(copy, NAME_HEAD, head);
	p = copy + (ok ? head : 0);
	if (ok && (ok = (l = next_line(&p)) && *l))
		r->name = xstrdup(l);
	while (ok && (l = next_line(&p)) && (ok = r->n < REC_NAME_MAX)) {
		r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
		ok = build_line(l, &r->v[r->n++]);
	}
	ok = ok && *p == 0;
	free(copy);
	if (ok)
		return 0;
	rec_name_free(r);
	return err("malformed builds of a name (expected distill-name 1, see docs/formats.md)");
}

bool rec_name_push(struct rec_name *r, const struct rec_build *b)
{
	if (r->n && hash_eq(&r->v[0].plan, &b->plan) && r->v[0].failed == b->failed)
		return false;
	size_t j = 0;
	for (size_t i = 0; i < r->n; i++)
		if (!hash_eq(&r->v[i].plan, &b->plan))
			r->v[j++] = r->v[i];
	if (j == REC_NAME_MAX)
		j--;
	r->v = xrealloc(r->v, (j + 1) * sizeof *r->v);
	memmove(r->v + 1, r->v, j * sizeof *r->v);
	r->v[0] = *b;
	r->n = j + 1;
	return true;
}

void rec_name_free(struct rec_name *r)
{
	free(r->name);
	free(r->v);
	*r = (struct rec_name){ 0 };
}

void rec_name_key(const char *name, hash_t *key)
{
	hash_buf(name, strlen(name), key);
}
