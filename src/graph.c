#define _GNU_SOURCE
#include "graph.h"
#include "fsutil.h"

#include <stdlib.h>
#include <string.h>

/* A node's dot id: its plan hash, or while it has none its name. */
static char *node_id(const struct sched_node *x)
{
	char hb[HASH_B64 + 1];
	if (!x->resolved)
		return fs_fmt("%s (after its inputs)", x->plan.name);
	hash_b64(&x->hash, hb);
	return xstrdup(hb);
}

/* s as a dot string: quoted, with " and \ escaped. */
static void put_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static bool rebuilds(const struct sched_node *x)
{
	return x->state != NODE_DONE;
}

/* Has an earlier node the same id?  (A plan made twice is one node.) */
static bool seen_before(const struct sched_node *nodes, size_t i, const char *id)
{
	bool seen = false;
	for (size_t j = 0; j < i && !seen; j++) {
		char *o = node_id(&nodes[j]);
		seen = !strcmp(o, id);
		free(o);
	}
	return seen;
}

static void put_node(const struct sched_node *x, const char *id, FILE *out)
{
	fputs("  ", out);
	put_quoted(out, id);
	fputs(" [label=", out);
	/* Two lines: dot's \n in a label, after the quoted name. */
	char *label = x->resolved ? fs_fmt("%.*s", GRAPH_SHORT, id) : xstrdup("(rebuilds)");
	put_quoted(out, x->plan.name);
	fputs(" + \"\\n\" + ", out);
	put_quoted(out, label);
	fputs(rebuilds(x) ? ", style=bold, color=red];\n" : "];\n", out);
	free(label);
}

/* The edges into x, each once (a plan used at two places is one edge). */
static void put_edges(const struct sched_node *x, const char *id, bool only_rebuilds,
		      FILE *out)
{
	for (size_t d = 0; d < x->ndeps; d++) {
		const struct sched_node *dn = x->deps[d].node;
		if (only_rebuilds && !rebuilds(dn))
			continue;
		char *from = node_id(dn);
		bool dup = false;
		for (size_t e = 0; e < d && !dup; e++) {
			char *o = node_id(x->deps[e].node);
			dup = !strcmp(o, from);
			free(o);
		}
		if (!dup) {
			fputs("  ", out);
			put_quoted(out, from);
			fputs(" -> ", out);
			put_quoted(out, id);
			fputs(";\n", out);
		}
		free(from);
	}
}

void graph_nodes(const struct sched_node *nodes, size_t n, bool only_rebuilds, FILE *out)
{
	fputs("digraph distill {\n  node [shape=box];\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct sched_node *x = &nodes[i];
		char *id = node_id(x);
		if ((!only_rebuilds || rebuilds(x)) && !seen_before(nodes, i, id)) {
			put_node(x, id, out);
			put_edges(x, id, only_rebuilds, out);
		}
		free(id);
	}
	fputs("}\n", out);
}
