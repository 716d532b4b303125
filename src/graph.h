/* graph: a run's plan graph in Graphviz's dot language.  A node per plan
 * (named by plan name and the first characters of its hash; a plan that
 * would be built is drawn bold, "(rebuilds)" when its hash waits for its
 * inputs), an edge from each input plan to the plan that uses it; a plan
 * made twice by a recipe is one node.  only_rebuilds: only the plans that
 * would be built, and the edges between them.  Reads the nodes of a dry
 * run (sched.h), writes to out, keeps nothing. */
#ifndef DISTILL_GRAPH_H
#define DISTILL_GRAPH_H

#include <stdbool.h>
#include <stdio.h>
#include "sched.h"

#define GRAPH_SHORT 8	/* characters of a plan hash in a node's label */

void graph_nodes(const struct sched_node *nodes, size_t n, bool only_rebuilds, FILE *out);

#endif
