/* pins: the pins file (pins.h has the form and who owns what). */
#define _GNU_SOURCE
#include "pins.h"
#include "err.h"
#include "fsutil.h"

#include <stdlib.h>
#include <string.h>

static const char magic[] = "distill-pins 1\n";

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pin *)a)->name, ((const struct pin *)b)->name);
}

static int kind_of(const char *word, size_t len)
{
	for (int k = OUT_TREE; k <= OUT_FILE; k++)
		if (strlen(output_kind_name(k)) == len && !memcmp(word, output_kind_name(k), len))
			return k;
	return -1;
}

/* One line, "NAME KIND OUTPUT PLAN", into *pin (its name malloc'd). */
static int parse_line(char *line, struct pin *pin)
{
	char *f[4];
	size_t nf = 0;
	for (char *s = line; nf < 4; nf++) {
		f[nf] = s;
		s = strchr(s, ' ');
		if (!s)
			break;
		*s++ = 0;
	}
	if (nf != 3 || !*f[0])
		return err("expected NAME KIND OUTPUT-HASH PLAN-HASH");
	int k = kind_of(f[1], strlen(f[1]));
	if (k < 0)
		return err("'%s' is no output kind (tree or file)", f[1]);
	if (hash_parse(f[2], &pin->out.hash) < 0 || hash_parse(f[3], &pin->plan) < 0)
		return -1;
	pin->out.kind = k;
	pin->name = xstrdup(f[0]);
	return 0;
}

static int parse(char *buf, size_t len, struct pins *p)
{
	if (len < sizeof magic - 1 || memcmp(buf, magic, sizeof magic - 1))
		return err("expected distill-pins 1 on its first line (distill pin writes it)");
	if (len && buf[len - 1] != '\n')
		return err("the last line has no newline");
	size_t lineno = 1;
	for (char *s = buf + sizeof magic - 1; *s; lineno++) {
		char *nl = strchr(s, '\n');
		*nl = 0;
		if (p->n == p->cap)
			p->v = xrealloc(p->v, (p->cap = p->cap ? 2 * p->cap : 64) * sizeof *p->v);
		if (parse_line(s, &p->v[p->n]) < 0) {
			err_prefix("line %zu", lineno + 1);
			return -1;
		}
		if (p->n > 0 && strcmp(p->v[p->n - 1].name, p->v[p->n].name) >= 0) {
			free(p->v[p->n].name);
			return err("line %zu: '%s' is out of order or pinned twice (one line a name, "
				   "sorted)", lineno + 1, s);
		}
		p->n++;
		s = nl + 1;
	}
	return 0;
}

int pins_load(const char *path, struct pins *p)
{
	memset(p, 0, sizeof *p);
	char *buf;
	size_t len;
	int r = fs_read_file(path, &buf, &len);
	if (r != 0) {
		if (r > 0)
			err("no such file (distill pin TARGET --pins %s writes it)", path);
		err_prefix("pins file %s", path);
		return -1;
	}
	p->path = xstrdup(path);
	r = strlen(buf) == len ? parse(buf, len, p) : err("a NUL byte");
	free(buf);
	if (r < 0) {
		err_prefix("pins file %s", path);
		pins_free(p);
	}
	return r;
}

void pins_free(struct pins *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].name);
	free(p->v);
	free(p->path);
	memset(p, 0, sizeof *p);
}

const struct pin *pins_find(const struct pins *p, const char *name)
{
	struct pin key = {.name = (char *)name};
	return bsearch(&key, p->v, p->n, sizeof *p->v, by_name);
}

int pins_check(const struct pins *p, const char *name, const hash_t *plan,
	       const struct output *out, char **msg)
{
	const struct pin *pin = pins_find(p, name);
	if (!pin)
		return 0;
	if (pin->out.kind == out->kind && hash_eq(&pin->out.hash, &out->hash))
		return 1;
	char want[HASH_B64 + 1], got[HASH_B64 + 1], ph[HASH_B64 + 1];
	hash_b64(&pin->out.hash, want);
	hash_b64(&out->hash, got);
	hash_b64(plan, ph);
	int same = hash_eq(&pin->plan, plan);
	*msg = fs_fmt("plan %s: %s pins its output %s %s, this plan gave %s %s; %s "
		      "(distill show %s); if the change is meant, run distill pin again",
		      name, p->path, output_kind_name(pin->out.kind), want,
		      output_kind_name(out->kind), got,
		      same ? "it is the plan that was pinned, so its build is not reproducible"
			   : "the plan changed since it was pinned", ph);
	return -1;
}

void pins_add(struct pins *p, const char *name, const hash_t *plan,
	      const struct output *out)
{
	if (p->n == p->cap)
		p->v = xrealloc(p->v, (p->cap = p->cap ? 2 * p->cap : 64) * sizeof *p->v);
	p->v[p->n++] = (struct pin){.name = xstrdup(name), .out = *out, .plan = *plan};
}

int pins_write(const char *path, struct pins *p)
{
	struct pin *v = p->v;
	size_t nv = p->n;
	qsort(v, nv, sizeof *v, by_name);
	size_t cap = sizeof magic + nv * (2 * HASH_B64 + 16), len = 0;
	char *buf = xmalloc(cap);
	memcpy(buf, magic, sizeof magic - 1);
	len = sizeof magic - 1;
	int r = 0;
	for (size_t i = 0; i < nv && r == 0; i++) {
		if (strpbrk(v[i].name, " \n") || !*v[i].name) {
			r = err("plan '%s': a name to pin has no space or newline", v[i].name);
			break;
		}
		if (i > 0 && !strcmp(v[i - 1].name, v[i].name)) {
			if (v[i - 1].out.kind != v[i].out.kind ||
			    !hash_eq(&v[i - 1].out.hash, &v[i].out.hash)) {
				char a[HASH_B64 + 1], b[HASH_B64 + 1];
				hash_b64(&v[i - 1].plan, a);
				hash_b64(&v[i].plan, b);
				r = err("two plans named %s (%s and %s) give different outputs: "
					"a name pins one output; name them apart", v[i].name, a, b);
			}
			continue;
		}
		char out[HASH_B64 + 1], plan[HASH_B64 + 1];
		hash_b64(&v[i].out.hash, out);
		hash_b64(&v[i].plan, plan);
		size_t need = strlen(v[i].name) + strlen(out) + strlen(plan) + 8;
		if (len + need + 1 > cap)
			buf = xrealloc(buf, cap = 2 * cap + need);
		len += sprintf(buf + len, "%s %s %s %s\n", v[i].name,
			       output_kind_name(v[i].out.kind), out, plan);
	}
	if (r == 0 && fs_write_atomic(path, buf, len, 0644, 1) < 0)
		r = -1;
	if (r < 0)
		err_prefix("pins file %s", path);
	free(buf);
	return r;
}
