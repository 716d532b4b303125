#define _GNU_SOURCE
#include "sched.h"
#include "build.h"
#include "err.h"
#include "eta.h"
#include "exitcode.h"
#include "fsutil.h"
#include "jobserver.h"
#include "pins.h"
#include "record.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A node's flags. */
enum {
	SN_VISITING = 1,	/* collect() is below it */
	SN_COLLECTED = 2,	/* in the run's dependency order */
	SN_AGAIN = 4,		/* a target of a rebuild: no cache hit */
	SN_LOCKWAIT = 8,	/* its pid and pipefd wait for its plan lock */
	SN_ASKING = 16,		/* its pid and pipefd ask the caches for it */
	SN_PUSHING = 32,	/* its pid and pipefd upload it to the caches */
	SN_ASKED = 64,		/* the caches were asked (and had it not) */
};

/* At most this many children ask caches at once: network waits, no slots. */
enum { ASK_MAX = 8 };

/* Nodes by dependency order, the first one first. */
struct heap {
	struct sched_node **v;
	size_t n, cap;
};

struct run {
	struct store *s;
	const struct sched_opts *o;
	struct sched_stats *st;
	struct jobserver js;
	struct sched_node **all;	/* topological order */
	size_t n, cap;
	struct sched_node **edges;	/* every node's users, one block */
	struct heap ready;	/* all dependencies done: resolve, look up */
	struct heap wants;	/* not cached: to build when a slot is free */
	struct heap ask;	/* not in the store: to ask the caches for */
	struct heap topush;	/* done: to upload to the caches */
	int asking;	/* children asking caches or pushing to them */
	struct sched_node **active;	/* with a pipefd: building or waiting */
	size_t nactive;
	int running, waiting, stop, done;
	int starved;	/* a ready build found no free slot this round */
	char *fatal;	/* why no build can work here (sandbox, full disk): stop */
	pid_t self;	/* the scheduler's pid, for its workers */
	int jobs;
	struct eta_plan *eta;	/* by node index: its name's last duration,
				 * since when it builds (status_elapsed) */
	struct sigaction old[3];	/* of stop_signals, before sched_run */
};

/* Signals that stop distill: its builds die first (die_with_workers). */
static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
static volatile sig_atomic_t caught;
static int sigpipe[2] = { -1, -1 };	/* the handler writes, poll() reads */

static void on_stop_signal(int sig)
{
	int e = errno;
	caught = sig;
	if (write(sigpipe[1], "", 1) < 0) {
		/* Full: poll() wakes anyway. */
	}
	errno = e;
}

/* Note the stop signals that are not ignored (nohup, a background job);
 * each one wakes poll() through the self-pipe. */
static int catch_stop_signals(struct run *r)
{
	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_sys("pipe");
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	caught = 0;
	for (int i = 0; i < 3; i++)
		if (sigaction(stop_signals[i], NULL, &r->old[i]) == 0 &&
		    r->old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	return 0;
}

/* In the scheduler (close_pipe) or in a child of it, which leaves the
 * pipe to the scheduler. */
static void restore_stop_signals(struct run *r, int close_pipe)
{
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &r->old[i], NULL);
	for (int i = 0; close_pipe && i < 2; i++) {
		close(sigpipe[i]);
		sigpipe[i] = -1;
	}
}

static void heap_push(struct heap *h, struct sched_node *n)
{
	if (h->n == h->cap)
		h->v = xrealloc(h->v, (h->cap = h->cap ? 2 * h->cap : 64) * sizeof *h->v);
	size_t i = h->n++;
	for (; i > 0 && h->v[(i - 1) / 2]->index > n->index; i = (i - 1) / 2)
		h->v[i] = h->v[(i - 1) / 2];
	h->v[i] = n;
}

static struct sched_node *heap_pop(struct heap *h)
{
	struct sched_node *top = h->v[0], *last = h->v[--h->n];
	size_t i = 0, c;
	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->v[c + 1]->index < h->v[c]->index)
			c++;
		if (last->index < h->v[c]->index)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	h->v[i] = last;
	return top;
}

static void active_add(struct run *r, struct sched_node *n)
{
	r->active[r->nactive++] = n;
}

static void active_remove(struct run *r, struct sched_node *n)
{
	for (size_t i = 0; i < r->nactive; i++)
		if (r->active[i] == n) {
			memmove(r->active + i, r->active + i + 1,
				(--r->nactive - i) * sizeof *r->active);
			return;
		}
}

/* A stop signal came: kill every worker (each sandbox dies with its worker,
 * by PR_SET_PDEATHSIG), reap them, and die of the same signal, so the
 * caller sees 128+signal.  Plan locks go with the process; what the
 * builds left in tmp/ is gc's. */
__attribute__((noreturn))
static void die_with_workers(struct run *r)
{
	int sig = caught;
	for (size_t i = 0; i < r->nactive; i++)
		kill(r->active[i]->pid, SIGKILL);
	for (size_t i = 0; i < r->nactive; i++)
		while (waitpid(r->active[i]->pid, NULL, 0) < 0 && errno == EINTR)
			;
	status_end();
	status_say("distill: stopped by signal %d; its builds are killed", sig);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(EXIT_SIGNAL + sig);
}

/* Depth-first walk from a target: dependencies land before dependents. */
static int collect(struct run *r, struct sched_node *n)
{
	if (n->flags & SN_COLLECTED)
		return 0;
	if (n->flags & SN_VISITING)
		return err("plan %s depends on itself", n->plan.name);
	n->flags |= SN_VISITING;
	for (size_t i = 0; i < n->ndeps; i++)
		if (collect(r, n->deps[i].node) < 0)
			return err_prefix("plan %s", n->plan.name);
	n->flags = SN_COLLECTED;
	n->state = NODE_PENDING;
	n->resolved = n->built = 0;
	n->cause = NULL;
	n->blocked = n->ndeps;
	n->nusers = 0;
	n->lockfd = n->pipefd = -1;
	n->js = (struct js_build){.rfd = -1, .wfd = -1, .nbr = -1, .nbw = -1};
	n->pid = 0;
	if (r->n == r->cap)
		r->all = xrealloc(r->all, (r->cap = r->cap ? 2 * r->cap : 64) * sizeof *r->all);
	n->index = r->n;
	r->all[r->n++] = n;
	return 0;
}

/* Give every node the list of nodes that wait for it. */
static void link_users(struct run *r)
{
	size_t total = 0;
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->all[i]->ndeps; j++, total++)
			r->all[i]->deps[j].node->nusers++;
	r->edges = xmalloc((total + 1) * sizeof *r->edges);
	struct sched_node **e = r->edges;
	for (size_t i = 0; i < r->n; i++) {
		r->all[i]->users = e;
		e += r->all[i]->nusers;
		r->all[i]->nusers = 0;
	}
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->all[i]->ndeps; j++) {
			struct sched_node *d = r->all[i]->deps[j].node;
			d->users[d->nusers++] = r->all[i];
		}
}

/* Node n is done, failed or skipped: its users have one dependency less
 * to wait for; those of a node that is not done are skipped. */
static void finished(struct run *r, struct sched_node *n)
{
	for (size_t i = 0; i < n->nusers; i++) {
		struct sched_node *u = n->users[i];
		u->blocked--;
		if (u->state != NODE_PENDING)
			continue;
		if (n->state != NODE_DONE) {
			u->state = NODE_SKIPPED;
			u->cause = n->state == NODE_FAILED ? n : n->cause;
			r->st->skipped++;
			r->done++;
			finished(r, u);
		} else if (u->blocked == 0) {
			heap_push(&r->ready, u);
		}
	}
}

static void input_copy(struct input *d, const struct input *s)
{
	*d = *s;
	d->basedir = xstrdup(s->basedir);
	d->art.path = xstrdup(s->art.path);
	d->art.target = s->art.target ? xstrdup(s->art.target) : NULL;
}

/* Fill the dependency inputs with the dependencies' outputs and hash. */
static void resolve(struct sched_node *n)
{
	struct plan *p = &n->res;
	p->name = xstrdup(n->plan.name);
	p->raw = n->plan.raw ? xstrdup(n->plan.raw) : NULL;
	p->nin = n->plan.nin;
	p->in = xmalloc(p->nin * sizeof *p->in);
	for (size_t i = 0; i < p->nin; i++)
		input_copy(&p->in[i], &n->plan.in[i]);
	for (size_t i = 0; i < n->ndeps; i++) {
		const struct sched_node *d = n->deps[i].node;
		plan_resolve_input(&p->in[n->deps[i].input].art, &d->out, d->plan.raw);
	}
	plan_canonicalise(p);
	plan_hash(p, &n->hash);
	n->resolved = 1;
}

/* Record n's resolved plan (rec/plan/), as show opens it: before it is
 * built, fetched, or listed by a dry run. */
static int put_plan(struct run *r, struct sched_node *n)
{
	size_t len;
	char *enc = plan_encode(&n->res, &len);
	int w = store_put_plan(r->s, &n->hash, enc, len);
	free(enc);
	return w;
}

/* Index n's build under its name (store_note_build): what log NAME, why
 * and gc's last builds find.  The index only finds plans, so a failure to
 * write it is said, not a failed build. */
static void note(struct run *r, struct sched_node *n, bool failed)
{
	if (!r->o->dry_run && store_note_build(r->s, n->plan.name, &n->hash, failed) < 0)
		status_say("warning: %s", err_msg());
}

/* No build can work here: start none, and end with msg (the first). */
static void set_fatal(struct run *r, const char *msg)
{
	if (!r->fatal)
		r->fatal = xstrdup(msg);
	r->stop = 1;
}

static void fail(struct run *r, struct sched_node *n, const char *msg)
{
	n->state = NODE_FAILED;
	n->errmsg = xstrdup(msg);
	r->st->failed++;
	r->done++;
	if (!r->o->keep_going)
		r->stop = 1;
	finished(r, n);
}

/* n's output is known, from the store or its build: does it match the
 * recipe's pin and the pins file's?  0 if so; else n failed (-1). */
static int check_output(struct run *r, struct sched_node *n)
{
	char *msg = NULL;
	if (n->has_expect && (n->expect.kind != n->out.kind ||
			      !hash_eq(&n->expect.hash, &n->out.hash))) {
		char a[HASH_B64 + 1], b[HASH_B64 + 1], ph[HASH_B64 + 1];
		hash_b64(&n->expect.hash, a);
		hash_b64(&n->out.hash, b);
		hash_b64(&n->hash, ph);
		msg = fs_fmt("plan %s: the recipe pins its output %s, the store holds %s "
			     "from an earlier build of this plan (distill show %s)",
			     n->plan.name, a, b, ph);
	} else if (!r->o->pins || pins_check(r->o->pins, n->plan.name, &n->hash, &n->out, &msg) >= 0) {
		return 0;
	}
	status_say("error: %s", msg);
	note(r, n, true);
	fail(r, n, msg);
	free(msg);
	return -1;
}

static void push(struct run *r, struct sched_node *n);

/* Is there an output record whose tree or blob is in the store?  Then the
 * node is done (0).  1: build it (saying why when a record's output is
 * missing and say is set); -1: error. */
static int try_cached(struct run *r, struct sched_node *n, int say)
{
	int g = store_get_out(r->s, &n->hash, &n->out);
	if (g != 0)
		return g;
	if (!(n->out.kind == OUT_TREE ? store_has_tree(r->s, &n->out.hash)
				      : store_has_blob(r->s, &n->out.hash))) {
		char hb[HASH_B64 + 1];
		hash_b64(&n->out.hash, hb);
		if (say)
			status_say("%s: the recorded output %s %s is not in the store: building it again",
				   n->plan.name, n->out.kind == OUT_TREE ? "tree" : "blob", hb);
		return 1;
	}
	if (check_output(r, n) < 0)
		return 0;
	n->state = NODE_DONE;
	r->st->cached++;
	r->done++;
	note(r, n, false);
	finished(r, n);
	if (r->o->caches && r->o->caches->push == CACHE_PUSH_ALL)
		push(r, n);
	return 0;
}

/* Node n could not go ahead for an error of distill itself (err() set). */
static void node_error(struct run *r, struct sched_node *n)
{
	if (err_disk_full(store_dir(r->s))) {
		set_fatal(r, err_msg());
	} else {
		fail(r, n, err_msg());
		status_say("error: %s", err_msg());
	}
}

/* Print the last lines of a failed build's log. */
static void show_log_tail(struct run *r, struct sched_node *n)
{
	int fd = memfd_create("log", MFD_CLOEXEC);
	if (fd < 0 || store_cat_log(r->s, &n->hash, fd) != 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = len > 0 ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (buf != MAP_FAILED) {
		off_t start = len;
		int lines = 0;
		while (start > 0 && lines <= 20)
			if (buf[--start] == '\n' && start != len - 1)
				lines++;
		if (start > 0)
			start++;
		char hb[HASH_B64 + 1];
		hash_b64(&n->hash, hb);
		status_say("--- last lines of the log of %s ---\n%.*s%s--- all of it: distill log %s",
			   n->plan.name, (int)(len - start), buf + start,
			   buf[len - 1] == '\n' ? "" : "\n", hb);
		munmap(buf, len);
	}
	close(fd);
}

/* The child: build and report on the pipe, then _exit. */
static void worker(struct run *r, struct sched_node *n, int wfd)
{
	hash_t *deps = xmalloc((n->ndeps + 1) * sizeof *deps);
	for (size_t i = 0; i < n->ndeps; i++)
		deps[i] = n->deps[i].node->hash;
	struct build_opts bo = {
		.timeout = n->timeout,
		.js_read = n->js.rfd,
		.js_write = n->js.wfd,
		.makeflags = n->js.makeflags,
		.deps = deps,
		.ndeps = n->ndeps,
		.expect = n->has_expect ? &n->expect : NULL,
		.stream = r->o->verbose,
		.vary = r->o->vary,
		.store_view = r->o->store_view,
	};
	struct output out;
	char *msg;
	size_t len;
	int b = build_plan(r->s, &n->res, &n->hash, &bo, &out);
	if (b == 0) {
		char *enc = output_encode(&out, &len);
		msg = fs_fmt("O%s", enc);
		free(enc);
	} else {
		msg = fs_fmt("%c%s", b == BUILD_NO_SANDBOX ? 'S' : b == BUILD_NO_SPACE ? 'N' : 'F',
			     err_msg());
	}
	fs_write_all(wfd, msg, strlen(msg));
	_exit(0);
}

/* Fork a child that runs fn(r, n, wfd), reporting on wfd, which the
 * scheduler reads as n->pipefd.  The child (and so a worker's sandbox)
 * dies with the scheduler, even if that already happened. */
static int spawn(struct run *r, struct sched_node *n,
		 void (*fn)(struct run *, struct sched_node *, int))
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys("pipe");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_sys("fork");
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != r->self)
			_exit(1);
		close(p[0]);
		restore_stop_signals(r, 0);
		/* flock locks belong to open files, which fork shares: a child
		 * holding other plans' lock fds would keep them locked after the
		 * scheduler lets them go (a lock waiter for the second copy of a
		 * plan would then wait on itself for ever). */
		for (size_t i = 0; i < r->n; i++)
			if (r->all[i] != n && r->all[i]->lockfd >= 0)
				close(r->all[i]->lockfd);
		fn(r, n, p[1]);
		_exit(0);
	}
	close(p[1]);
	n->pid = pid;
	n->pipefd = p[0];
	active_add(r, n);
	return 0;
}

static int start(struct run *r, struct sched_node *n)
{
	char hb[HASH_B64 + 1];
	hash_b64(&n->hash, hb);
	if (put_plan(r, n) < 0)
		return -1;
	if (!r->o->quiet)
		status_say("building %s %s", n->plan.name, hb);
	if (spawn(r, n, worker) < 0)
		return -1;
	r->eta[n->index].elapsed = status_elapsed();
	js_build_handed(&n->js);
	r->running++;
	return 0;
}

/* Read what the child of n reported on its pipe into buf (up to EOF),
 * reap it, and take it off the active list. */
static size_t reap(struct run *r, struct sched_node *n, char *buf, size_t size,
		   int *status)
{
	size_t len = 0;
	ssize_t k;
	while (len < size - 1 && (k = read(n->pipefd, buf + len, size - 1 - len)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += k;
	}
	buf[len] = 0;
	while (waitpid(n->pid, status, 0) < 0 && errno == EINTR)
		;
	close(n->pipefd);
	n->pipefd = -1;
	active_remove(r, n);
	return len;
}

/* ---- remote caches (cache.h) ---- */

/* The records of a plan whose output came from a cache, as a build
 * writes them (build.c): the plan, its facts, and last the output. */
static int record_fetched(struct run *r, struct sched_node *n, const struct output *out,
			  double t0)
{
	int w = put_plan(r, n);
	hash_t *deps = xmalloc((n->ndeps + 1) * sizeof *deps);
	for (size_t i = 0; i < n->ndeps; i++)
		deps[i] = n->deps[i].node->hash;
	struct rec_meta m = {.started = time(NULL), .seconds = status_elapsed() - t0,
			     .deps = deps, .ndeps = n->ndeps};
	if (w == 0)
		w = store_put_meta(r->s, &n->hash, &m);
	free(deps);
	return w < 0 ? -1 : store_put_out(r->s, &n->hash, out);
}

/* The child that asks the caches for n, holding n's lock (busy: another
 * process builds it, so a miss here).  Reports "H" KIND " " HASH (a hit,
 * stored and recorded), "M" (a miss) or "E" MESSAGE, a NUL, and what
 * cache_get reported. */
static void asker(struct run *r, struct sched_node *n, int wfd)
{
	char *report = NULL, *head, hb[HASH_B64 + 1];
	struct output out;
	double t0 = status_elapsed();
	int lock = store_lock_plan(r->s, &n->hash, 0), g = lock == -2 ? 1 : -1;
	if (lock >= 0 && store_get_out(r->s, &n->hash, &out) == 0 &&
	    (out.kind == OUT_TREE ? store_has_tree(r->s, &out.hash) : store_has_blob(r->s, &out.hash)))
		g = 0; /* another process made it meanwhile */
	else if (lock >= 0 && (g = cache_get(r->o->caches, r->s, &n->hash, n->plan.name,
					      &out, &report)) == 0)
		g = record_fetched(r, n, &out, t0);
	hash_b64(&out.hash, hb);
	head = g == 0 ? fs_fmt("H%s %s", output_kind_name(out.kind), hb)
	       : g == 1 ? xstrdup("M") : fs_fmt("E%s", err_msg());
	fs_write_all(wfd, head, strlen(head) + 1);
	if (report)
		fs_write_all(wfd, report, strlen(report));
}

/* Start the askers that may run. */
static void start_asking(struct run *r)
{
	while (r->ask.n > 0 && r->asking < ASK_MAX && !r->stop) {
		struct sched_node *n = heap_pop(&r->ask);
		n->flags |= SN_ASKED;
		if (!cache_live(r->o->caches)) {
			heap_push(&r->wants, n);
		} else if (spawn(r, n, asker) < 0) {
			node_error(r, n);
		} else {
			n->flags |= SN_ASKING;
			r->asking++;
		}
	}
}

/* Read a cache child's report: its head (NUL-terminated) in buf, the
 * rest handed to cache_apply.  Returns the head's length, 0 if none. */
static size_t cache_report(struct run *r, struct sched_node *n, char *buf, size_t size)
{
	int status;
	size_t len = reap(r, n, buf, size, &status), head = strnlen(buf, len);
	r->asking--;
	n->flags &= ~(SN_ASKING | SN_PUSHING);
	if (head < len)
		cache_apply(r->o->caches, buf + head + 1, len - head - 1);
	return len ? head : 0;
}

/* An asker ended: a hit is done, a miss wants a build. */
static void asked(struct run *r, struct sched_node *n)
{
	char buf[65536], kind[8], hb[HASH_B64 + 1];
	size_t head = cache_report(r, n, buf, sizeof buf);
	buf[head] = 0;
	if (head && buf[0] == 'E') {
		err("plan %s: %s", n->plan.name, buf + 1);
		node_error(r, n);
	} else if (head && buf[0] == 'H' && sscanf(buf + 1, "%7s %44s", kind, hb) == 2 &&
		   hash_parse(hb, &n->out.hash) == 0) {
		n->out.kind = strcmp(kind, "tree") ? OUT_FILE : OUT_TREE;
		n->state = NODE_DONE;
		r->st->cached++;
		r->st->fetched++;
		r->done++;
		status_say("fetched %s -> %s from a cache", n->plan.name, hb);
		finished(r, n);
	} else {
		heap_push(&r->wants, n);
	}
}

/* The child that uploads n's output to the caches. */
static void pusher(struct run *r, struct sched_node *n, int wfd)
{
	char *report = NULL;
	cache_put(r->o->caches, r->s, &n->hash, n->plan.name, &n->out, &report);
	fs_write_all(wfd, "", 1);
	if (report)
		fs_write_all(wfd, report, strlen(report));
}

/* n is done: upload it, in a child, while the run goes on. */
static void push(struct run *r, struct sched_node *n)
{
	struct cache_set *cs = r->o->caches;
	if (cs && cs->push && !r->o->dry_run) {
		heap_push(&r->topush, n);
		cs->queued++;
	}
}

/* Start the uploads that may run. */
static void start_pushing(struct run *r)
{
	while (r->topush.n > 0 && r->asking < ASK_MAX && !r->stop && cache_live(r->o->caches)) {
		struct sched_node *n = heap_pop(&r->topush);
		if (spawn(r, n, pusher) < 0) {
			status_say("cache: cannot upload %s: %s", n->plan.name, err_msg());
			continue;
		}
		n->flags |= SN_PUSHING;
		r->asking++;
	}
}

static void pushed(struct run *r, struct sched_node *n)
{
	char buf[65536];
	cache_report(r, n, buf, sizeof buf);
}

/* A worker ended: read its report. */
static void finish(struct run *r, struct sched_node *n)
{
	char buf[8192];
	int status;
	size_t len = reap(r, n, buf, sizeof buf, &status);
	r->running--;
	js_build_close(&r->js, &n->js);
	store_unlock_plan(n->lockfd);
	n->lockfd = -1;
	if (len > 0 && buf[0] == 'O' && output_decode(buf + 1, len - 1, &n->out) == 0) {
		if (check_output(r, n) < 0)
			return;
		n->state = NODE_DONE;
		n->built = 1;
		r->st->built++;
		r->done++;
		char hb[HASH_B64 + 1];
		hash_b64(&n->out.hash, hb);
		if (!r->o->quiet)
			status_say("built %s -> %s", n->plan.name, hb);
		note(r, n, false);
		finished(r, n);
		push(r, n);
		return;
	}
	if (len == 0)
		snprintf(buf, sizeof buf, "Fplan %s: the build worker died (status %d)",
			 n->plan.name, status);
	/* The store's disk is full, or this kernel refuses the sandbox: no
	 * build can work here. */
	if (buf[0] == 'N' || buf[0] == 'S') {
		set_fatal(r, buf + 1);
		return;
	}
	status_say("error: %s", buf + 1);
	note(r, n, true);
	fail(r, n, buf + 1);
	show_log_tail(r, n);
}

/* Dry run: has a node with n's hash (the same plan, made twice by the
 * recipe) been listed already? */
static int dry_listed(struct run *r, struct sched_node *n)
{
	for (size_t i = 0; i < r->n; i++) {
		struct sched_node *o = r->all[i];
		if (o != n && o->state == NODE_SKIPPED && o->resolved &&
		    hash_eq(&o->hash, &n->hash))
			return 1;
	}
	return 0;
}

/* Dry run: would n come from a cache?  Asked in this process, so a dead
 * cache is asked once. */
static int dry_offered(struct run *r, struct sched_node *n)
{
	struct cache_set *cs = r->o->caches;
	if (!cs || !cache_live(cs) || (r->o->rebuild && (n->flags & SN_AGAIN)))
		return 0;
	char *report = NULL;
	int was[cs->n];
	for (size_t i = 0; i < cs->n; i++)
		was[i] = cs->v[i].dead;
	int o = cache_offers(cs, &n->hash, n->plan.name, &report);
	if (report) {
		/* Those it found dead are marked already: cache_apply says them. */
		for (size_t i = 0; i < cs->n; i++)
			cs->v[i].dead = was[i];
		cache_apply(cs, report, strlen(report));
		free(report);
	}
	return o;
}

/* Dry run, one pass in dependency order: print the hash of each plan
 * that would be built (each hash once), recording its plan for show;
 * then the names of those whose hash waits for such a plan's output or
 * for a source not fetched, as "(after its inputs) NAME", each name
 * once.  Nothing starts, nothing is fetched; the plan records are all
 * that is written. */
static void dry_run(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct sched_node *n = r->all[i];
		int ready = n->state == NODE_PENDING && !n->unknown;
		for (size_t j = 0; ready && j < n->ndeps; j++)
			ready = n->deps[j].node->state == NODE_DONE;
		if (!ready)
			continue;
		resolve(n);
		int c = r->o->rebuild && (n->flags & SN_AGAIN) ? 1 : try_cached(r, n, 1);
		if (c < 0) {
			node_error(r, n);
		} else if (c > 0) {
			char hb[HASH_B64 + 1];
			hash_b64(&n->hash, hb);
			if (!dry_listed(r, n) && !r->o->dry_silent) {
				if (put_plan(r, n) < 0)
					status_say("warning: %s", err_msg());
				printf("%s %s%s\n", hb, n->plan.name,
				       dry_offered(r, n) ? " (from a cache)" : "");
			}
			n->state = NODE_SKIPPED;
			r->done++;
		}
	}
	for (size_t i = 0; i < r->n; i++) {
		struct sched_node *n = r->all[i];
		if (n->state != NODE_PENDING)
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = r->all[j]->state == NODE_PENDING &&
			       !strcmp(r->all[j]->plan.name, n->plan.name);
		if (!seen && !r->o->dry_silent)
			printf("(after its inputs) %s\n", n->plan.name);
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->all[i]->state == NODE_PENDING)
			r->all[i]->state = NODE_SKIPPED;
}

/* The child that waits for n's plan lock, which another distill process
 * holds: it blocks in flock until the lock is free, then exits (dropping
 * it again), which wakes the scheduler's poll(); the scheduler then tries
 * the lock itself.  An error goes on the pipe. */
static void lock_waiter(struct run *r, struct sched_node *n, int wfd)
{
	if (store_lock_plan(r->s, &n->hash, 1) < 0)
		fs_write_all(wfd, err_msg(), strlen(err_msg()));
}

static int wait_for_lock(struct run *r, struct sched_node *n)
{
	if (spawn(r, n, lock_waiter) < 0)
		return -1;
	char hb[HASH_B64 + 1];
	hash_b64(&n->hash, hb);
	status_say("waiting for another distill building %s (lock %s/locks/%s)",
		   n->plan.name, store_dir(r->s), hb);
	n->flags |= SN_LOCKWAIT;
	r->waiting++;
	return 0;
}

/* The lock n waited for was free: try it again (or its error). */
static void lock_freed(struct run *r, struct sched_node *n)
{
	char buf[4096];
	int status;
	size_t len = reap(r, n, buf, sizeof buf, &status);
	n->flags &= ~SN_LOCKWAIT;
	r->waiting--;
	if (len > 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err("plan %s: waiting for its lock: %s", n->plan.name,
		    len > 0 ? buf : "the waiting process died");
		node_error(r, n);
		return;
	}
	heap_push(&r->wants, n);
}

/* The ready nodes: resolved, and done from the cache or wanting a build. */
static void settle(struct run *r)
{
	while (r->ready.n > 0) {
		struct sched_node *n = heap_pop(&r->ready);
		resolve(n);
		int c = r->o->rebuild && (n->flags & SN_AGAIN) ? 1 : try_cached(r, n, 1);
		if (c < 0)
			node_error(r, n);
		else if (c > 0 && r->o->caches && cache_live(r->o->caches) &&
			 !(r->o->rebuild && (n->flags & SN_AGAIN)))
			heap_push(&r->ask, n);
		else if (c > 0)
			heap_push(&r->wants, n);
	}
}

/* Start node n, which has its plan lock, unless the lock's previous holder
 * built it meanwhile.  0, or -1 (not started, err() set). */
static int launch(struct run *r, struct sched_node *n)
{
	/* It may have finished while we waited for the lock. */
	int c = r->o->rebuild && (n->flags & SN_AGAIN) ? 1 : try_cached(r, n, 0);
	if (c > 0 && js_build_open(&r->js, &n->js) == 1 && start(r, n) == 0)
		return 0;
	/* Not started: give back the slot and the lock. */
	store_unlock_plan(n->lockfd);
	n->lockfd = -1;
	js_build_close(&r->js, &n->js);
	return c > 0 ? -1 : c;
}

/* Start what wants a build, first in dependency order first, while slots
 * are free; a plan locked by another process waits for its lock. */
static void start_wanted(struct run *r)
{
	while (r->wants.n > 0 && !r->stop) {
		if (js_free(&r->js) < 1) {
			r->starved = 1;
			return;
		}
		struct sched_node *n = heap_pop(&r->wants);
		n->lockfd = store_lock_plan(r->s, &n->hash, 0);
		int c = n->lockfd == -2 ? wait_for_lock(r, n)
			: n->lockfd < 0 ? -1 : launch(r, n);
		if (n->lockfd == -2)
			n->lockfd = -1;
		if (c < 0)
			node_error(r, n);
	}
}

/* Slots no ready build waits for go to the running builds, as tokens in
 * their jobservers, round-robin; when a ready build waits for a slot, the
 * tokens still unused in those jobservers come back.  1 if some came back
 * (the ready builds may start now). */
static int balance(struct run *r)
{
	int before = js_free(&r->js), lent = 1;
	for (size_t i = 0; r->starved && i < r->nactive; i++)
		js_reclaim(&r->js, &r->active[i]->js);
	if (r->starved)
		return js_free(&r->js) > before;
	while (lent && js_free(&r->js) > 0) {
		lent = 0;
		for (size_t i = 0; i < r->nactive; i++)
			lent |= js_lend(&r->js, &r->active[i]->js);
	}
	return 0;
}

/* Sleep until a worker reports, a lock is freed or a stop signal comes. */
static int wait_events(struct run *r)
{
	struct pollfd *pf = xmalloc((r->nactive + 1) * sizeof *pf);
	struct sched_node **who = xmalloc((r->nactive + 1) * sizeof *who);
	size_t np = r->nactive;
	pf[0] = (struct pollfd){.fd = sigpipe[0], .events = POLLIN};
	for (size_t i = 0; i < np; i++) {
		who[i] = r->active[i];
		pf[i + 1] = (struct pollfd){.fd = who[i]->pipefd, .events = POLLIN};
	}
	int k = poll(pf, np + 1, -1);
	if (k < 0 && errno != EINTR) {
		free(pf);
		free(who);
		return err_sys("poll");
	}
	/* On a stop signal, a worker or waiter that died of it (Ctrl-C
	 * reaches the whole process group) is no failure to report. */
	for (size_t i = 0; k > 0 && !caught && i < np; i++)
		if (pf[i + 1].revents)
			(who[i]->flags & SN_LOCKWAIT ? lock_freed
			 : who[i]->flags & SN_ASKING ? asked
			 : who[i]->flags & SN_PUSHING ? pushed : finish)(r, who[i]);
	free(pf);
	free(who);
	return 0;
}

/* Kill and reap the lock waiters: nothing more will start. */
static void stop_waiting(struct run *r)
{
	for (size_t i = r->nactive; i-- > 0;) {
		struct sched_node *n = r->active[i];
		if (!(n->flags & SN_LOCKWAIT))
			continue;
		kill(n->pid, SIGKILL);
		char buf[1];
		int status;
		reap(r, n, buf, sizeof buf, &status);
		n->flags &= ~SN_LOCKWAIT;
		r->waiting--;
	}
}

/* Seconds of the last successful build of a plan named name, or -1. */
static double last_seconds(struct store *s, const char *name)
{
	struct rec_name rn;
	double sec = -1;
	if (store_get_name(s, name, &rn) != 0)
		return sec;
	for (size_t i = 0; i < rn.n; i++) {
		struct rec_meta m;
		if (rn.v[i].failed || store_get_meta(s, &rn.v[i].plan, &m) != 0)
			continue;
		sec = m.seconds;
		rec_meta_free(&m);
		break;
	}
	rec_name_free(&rn);
	return sec;
}

/* Each node's known duration, before anything starts. */
static void eta_init(struct run *r)
{
	r->eta = xmalloc((r->n + 1) * sizeof *r->eta);
	for (size_t i = 0; i < r->n; i++)
		r->eta[i] = (struct eta_plan){last_seconds(r->s, r->all[i]->plan.name), -1};
}

/* The live line's estimate of the time left (eta.h), of the plans not
 * finished yet. */
static const char *eta_left(struct run *r)
{
	static char text[64];
	struct eta_plan *v = xmalloc((r->n + 1) * sizeof *v);
	size_t k = 0;
	double now = status_elapsed();
	for (size_t i = 0; i < r->n; i++) {
		if (r->all[i]->state != NODE_PENDING)
			continue;
		v[k] = r->eta[i];
		if (v[k].elapsed >= 0)
			v[k].elapsed = now - v[k].elapsed;
		k++;
	}
	eta_text(v, k, r->jobs, text, sizeof text);
	free(v);
	return text;
}

static void live_line(struct run *r)
{
	char names[400] = "";
	for (size_t i = 0; i < r->nactive; i++) {
		struct sched_node *n = r->active[i];
		if (n->flags & (SN_LOCKWAIT | SN_PUSHING))
			continue;
		size_t l = strlen(names);
		snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", n->plan.name);
	}
	status_update(r->done, names, eta_left(r));
}

/* With a pins file, each plan whose name it lacks fails before anything
 * starts: its output could not be checked. */
static void unpinned(struct run *r)
{
	for (size_t i = 0; r->o->pins && i < r->n; i++) {
		struct sched_node *n = r->all[i];
		if (n->state != NODE_PENDING || pins_find(r->o->pins, n->plan.name))
			continue;
		char *msg = fs_fmt("plan %s is not in the pins file %s (distill pin writes it)",
				   n->plan.name, r->o->pins->path);
		status_say("error: %s", msg);
		fail(r, n, msg);
		free(msg);
	}
}

/* Build until nothing more can start or finish. */
static int run_builds(struct run *r)
{
	unpinned(r);
	for (size_t i = 0; i < r->n; i++)
		if (r->all[i]->blocked == 0 && r->all[i]->state == NODE_PENDING)
			heap_push(&r->ready, r->all[i]);
	for (;;) {
		if (caught)
			die_with_workers(r);
		r->starved = 0;
		settle(r);
		start_asking(r);
		start_pushing(r);
		start_wanted(r);
		/* A plan found in the store once its lock was ours made others
		 * ready; slots that came back may start what wants them. */
		if (r->ready.n > 0 || balance(r))
			continue;
		if (r->running == 0 && r->asking == 0 && (r->stop || r->waiting == 0) &&
		    (r->stop || (r->ask.n == 0 && (r->topush.n == 0 || !cache_live(r->o->caches))))) {
			stop_waiting(r);
			return 0;
		}
		live_line(r);
		if (wait_events(r) < 0)
			return -1;
	}
}


/* The names of the nodes in state, comma-separated, each once, with the
 * failed input each skipped one waited on (malloc'd). */
static char *names_in(struct run *r, unsigned state)
{
	char *list = xstrdup("");
	for (size_t i = 0; i < r->n; i++) {
		struct sched_node *n = r->all[i];
		int seen = n->state != state;
		for (size_t j = 0; j < i && !seen; j++)
			seen = r->all[j]->state == state &&
			       !strcmp(r->all[j]->plan.name, n->plan.name);
		if (seen)
			continue;
		char *l = state == NODE_SKIPPED && n->cause
			? fs_fmt("%s%s%s (waited on %s)", list, *list ? ", " : "",
				 n->plan.name, n->cause->plan.name)
			: fs_fmt("%s%s%s", list, *list ? ", " : "", n->plan.name);
		free(list);
		list = l;
	}
	return list;
}

/* The last lines of a run with -k or a failure: what became of its plans. */
static void summary(struct run *r)
{
	const struct sched_stats *st = r->st;
	int left = st->total - st->built - st->cached - st->failed - st->skipped;
	char *more = left > 0 ? fs_fmt(", %d not started (-k builds them)", left) : xstrdup("");
	status_say("summary: %d built, %d cached, %d failed, %d skipped%s", st->built,
		   st->cached, st->failed, st->skipped, more);
	free(more);
	static const unsigned named[] = { NODE_FAILED, NODE_SKIPPED };
	for (size_t k = 0; k < 2; k++) {
		char *l = names_in(r, named[k]);
		if (*l)
			status_say("%s: %s", named[k] == NODE_FAILED ? "failed" : "skipped", l);
		free(l);
	}
}

/* What sched_run leaves behind; 0 if every target is done. */
static int run_end(struct run *r, struct sched_node **targets, size_t nt)
{
	for (size_t i = 0; i < r->n; i++) {
		r->all[i]->flags = 0;
		r->all[i]->users = NULL;
		r->all[i]->nusers = 0;
	}
	free(r->all);
	free(r->edges);
	free(r->ready.v);
	free(r->wants.v);
	free(r->ask.v);
	free(r->topush.v);
	free(r->active);
	free(r->eta);
	int missed = 0;
	for (size_t i = 0; i < nt; i++)
		missed |= targets[i]->state != NODE_DONE;
	return missed;
}

int sched_run(struct store *s, struct sched_node **targets, size_t nt,
	      const struct sched_opts *o, struct sched_stats *st)
{
	struct run r = {.s = s, .o = o, .st = st};
	memset(st, 0, sizeof *st);
	for (size_t i = 0; i < nt; i++)
		if (collect(&r, targets[i]) < 0) {
			run_end(&r, targets, nt);
			return -1;
		}
	for (size_t i = 0; i < nt; i++)
		targets[i]->flags |= SN_AGAIN; /* "again" rebuilds the targets only */
	link_users(&r);
	st->total = r.n;
	int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	js_init(&r.js, jobs);
	r.jobs = jobs;
	r.active = xmalloc((r.n + 1) * sizeof *r.active);
	r.self = getpid();
	int b = 0;
	if (o->dry_run) {
		status_begin(r.n, 1);
		dry_run(&r);
	} else {
		status_begin(r.n, o->quiet);
		eta_init(&r);
		b = catch_stop_signals(&r);
		if (b == 0) {
			b = run_builds(&r);
			restore_stop_signals(&r, 1);
		}
	}
	status_end();
	if (!o->dry_run && !r.fatal && b == 0 && (o->keep_going || st->failed || st->skipped))
		summary(&r);
	if (r.fatal) {
		err("%s", r.fatal);
		free(r.fatal);
		b = -1;
	}
	int missed = run_end(&r, targets, nt);
	if (b < 0)
		return -1;
	return (missed && !o->dry_run) || st->failed ? 1 : 0;
}

void sched_node_clear(struct sched_node *n)
{
	if (n->resolved)
		plan_free(&n->res);
	n->resolved = 0;
	free(n->errmsg);
	n->errmsg = NULL;
}
