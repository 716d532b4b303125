/* mirror: mirror://NAME/PATH URLs (see mirror.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "mirror.h"

static void add(char ***v, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && !strncmp((*v)[i], s, len))
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = strndup(s, len);
}

/* URI (LEN bytes) if it is a Debian archive: its path ends in /debian. */
static void add_if_debian(char ***v, size_t *n, const char *uri, size_t len)
{
	while (len > 0 && uri[len - 1] == '/')
		len--;
	const char *tail = "/debian";
	size_t tl = strlen(tail);
	if (len > tl && !strncmp(uri + len - tl, tail, tl) && memmem(uri, len, "://", 3))
		add(v, n, uri, len);
}

/* The next whitespace-separated word of *p, or NULL at the line's end. */
static const char *word(const char **p, size_t *len)
{
	*p += strspn(*p, " \t");
	*len = strcspn(*p, " \t\n");
	if (!*len)
		return NULL;
	const char *w = *p;
	*p += *len;
	return w;
}

/* One-line form: deb [options] URI suite components... */
static void parse_list(const char *text, char ***v, size_t *n)
{
	for (const char *line = text; *line;) {
		const char *p = line;
		const char *end = strchr(line, '\n');
		line = end ? end + 1 : line + strlen(line);
		size_t len;
		const char *w = word(&p, &len);
		if (!w || !((len == 3 && !strncmp(w, "deb", 3)) ||
			    (len == 7 && !strncmp(w, "deb-src", 7))))
			continue;
		w = word(&p, &len);
		if (w && *w == '[') {
			while (w && w[len - 1] != ']')
				w = word(&p, &len);
			w = w ? word(&p, &len) : NULL;
		}
		if (w)
			add_if_debian(v, n, w, len);
	}
}

/* The words of the line at p (up to its newline), each a Debian archive
 * or not, into v. */
static void add_words(const char *p, char ***v, size_t *n)
{
	size_t len;
	const char *w;
	while ((w = word(&p, &len)))
		add_if_debian(v, n, w, len);
}

/* deb822 form: stanzas of "Key: value" lines separated by blank lines; a
 * value goes on over the lines that start with a space or tab (folded:
 * URIs one a line), and "#" lines are comments.  Every URI of an enabled
 * deb or deb-src stanza, in order. */
static void parse_sources(const char *text, char ***v, size_t *n)
{
	char **uris = NULL;	/* the stanza's, until it is known enabled */
	size_t nuris = 0;
	int enabled = 1, deb = 0, in_uris = 0;
	for (const char *line = text;; line = strchr(line, '\n') + 1) {
		const char *end = strchr(line, '\n');
		int blank = line[strspn(line, " \t")] == '\n' || !*line;
		if (blank) {
			for (size_t i = 0; i < nuris; i++) {
				if (enabled && deb)
					add(v, n, uris[i], strlen(uris[i]));
				free(uris[i]);
			}
			free(uris);
			uris = NULL;
			nuris = 0;
			enabled = 1;
			deb = in_uris = 0;
		} else if (*line == '#') {
			/* a comment: the field it stands in goes on */
		} else if (*line == ' ' || *line == '\t') {
			if (in_uris)
				add_words(line, &uris, &nuris);
		} else if ((in_uris = !strncasecmp(line, "URIs:", 5))) {
			add_words(line + 5, &uris, &nuris);
		} else if (!strncasecmp(line, "Enabled:", 8)) {
			const char *p = line + 8;
			size_t len;
			const char *w = word(&p, &len);
			enabled = !(w && len == 2 && !strncasecmp(w, "no", 2));
		} else if (!strncasecmp(line, "Types:", 6)) {
			const char *p = line + 6;
			size_t len;
			const char *w;
			while ((w = word(&p, &len)))
				deb |= (len == 3 && !strncmp(w, "deb", 3)) ||
				       (len == 7 && !strncmp(w, "deb-src", 7));
		}
		if (!end)
			break;
	}
}

static void parse_file(const char *path, int deb822, char ***v, size_t *n)
{
	char *text = NULL;
	size_t len;
	if (fs_read_file(path, &text, &len) != 0)
		return;	/* missing or unreadable: nothing from it */
	char *t = fs_fmt("%s\n", text);	/* a last stanza ends too */
	if (deb822)
		parse_sources(t, v, n);
	else
		parse_list(t, v, n);
	free(t);
	free(text);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

char **mirror_apt_debian(const char *aptdir, size_t *n)
{
	char **v = NULL;
	*n = 0;
	char *main_list = fs_join(aptdir, "sources.list");
	parse_file(main_list, 0, &v, n);
	free(main_list);
	char *d = fs_join(aptdir, "sources.list.d");
	struct dirent **ents;
	int k = scandir(d, &ents, NULL, by_name);
	for (int i = 0; i < k; i++) {
		const char *name = ents[i]->d_name;
		size_t l = strlen(name);
		int list = l > 5 && !strcmp(name + l - 5, ".list");
		int sources = l > 8 && !strcmp(name + l - 8, ".sources");
		if (list || sources) {
			char *p = fs_join(d, name);
			parse_file(p, sources, &v, n);
			free(p);
		}
		free(ents[i]);
	}
	if (k >= 0)
		free(ents);
	free(d);
	return v;
}

char *mirror_variable(const char *url)
{
	const char *prefix = "mirror://";
	size_t pl = strlen(prefix);
	const char *slash = strncmp(url, prefix, pl) ? NULL : strchr(url + pl, '/');
	if (!slash || slash == url + pl)
		return NULL;
	char *var = fs_fmt("DISTILL_MIRROR_%.*s", (int)(slash - url - pl), url + pl);
	for (char *c = var; *c; c++)
		*c = *c == '-' ? '_' : toupper((unsigned char)*c);
	return var;
}

char **mirror_expand(const char *url, const char *aptdir, size_t *n)
{
	char *var = mirror_variable(url);
	char **bases = NULL;
	size_t nb = 0;
	if (var) {
		bases = fs_split_words(getenv(var), &nb);
		if (!nb && !strcmp(var, "DISTILL_MIRROR_DEBIAN")) {
			free(bases);
			bases = mirror_apt_debian(aptdir, &nb);
		}
	}
	free(var);
	if (!nb) {
		free(bases);
		char **v = xmalloc(sizeof *v);
		v[0] = xstrdup(url);
		*n = 1;
		return v;
	}
	const char *path = strchr(url + strlen("mirror://"), '/');
	for (size_t i = 0; i < nb; i++) {
		size_t l = strlen(bases[i]);
		while (l > 0 && bases[i][l - 1] == '/')
			l--;
		char *u = fs_fmt("%.*s%s", (int)l, bases[i], path);
		free(bases[i]);
		bases[i] = u;
	}
	*n = nb;
	return bases;
}
