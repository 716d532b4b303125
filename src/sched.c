#define _GNU_SOURCE
#include "sched.h"
#include "build.h"
#include "err.h"
#include "fsutil.h"
#include "jobserver.h"
#include "record.h"
#include "sandbox.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct run {
	struct store *s;
	const struct sched_opts *o;
	struct sched_stats *st;
	struct jobserver js;
	struct sched_node **all;	/* topological order */
	size_t n, cap;
	int running, stop, done;
	int starved;	/* a ready build found no free slot this round */
	char *fatal;	/* why no build can work here (sandbox, full disk): stop */
	pid_t self;	/* the scheduler's pid, for its workers */
	struct sigaction old[3];	/* of stop_signals, before sched_run */
};

/* Signals that stop distill: its builds die first (die_with_workers). */
static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
static volatile sig_atomic_t caught;

static void on_stop_signal(int sig)
{
	caught = sig;
}

/* Note the stop signals that are not ignored (nohup, a background job);
 * no SA_RESTART, so poll() returns at once. */
static void catch_stop_signals(struct run *r)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	caught = 0;
	for (int i = 0; i < 3; i++)
		if (sigaction(stop_signals[i], NULL, &r->old[i]) == 0 &&
		    r->old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
}

static void restore_stop_signals(struct run *r)
{
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &r->old[i], NULL);
}

/* A stop signal came: kill every worker (each sandbox dies with its worker,
 * by PR_SET_PDEATHSIG), reap them, and die of the same signal, so the
 * caller sees 128+signal.  Plan locks go with the process; what the
 * builds left in tmp/ is gc's. */
__attribute__((noreturn))
static void die_with_workers(struct run *r)
{
	int sig = caught;
	for (size_t i = 0; i < r->n; i++)
		if (r->all[i]->pipefd >= 0)
			kill(r->all[i]->pid, SIGKILL);
	for (size_t i = 0; i < r->n; i++)
		if (r->all[i]->pipefd >= 0)
			while (waitpid(r->all[i]->pid, NULL, 0) < 0 && errno == EINTR)
				;
	status_end();
	status_say("distill: stopped by signal %d; its builds are killed", sig);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

/* Depth-first walk from a target: dependencies land before dependents. */
static int collect(struct run *r, struct sched_node *n)
{
	if (n->mark == 2)
		return 0;
	if (n->mark == 1)
		return err("plan %s depends on itself", n->plan.name);
	n->mark = 1;
	for (size_t i = 0; i < n->ndeps; i++)
		if (collect(r, n->deps[i].node) < 0)
			return err_prefix("plan %s", n->plan.name);
	n->mark = 2;
	n->state = NODE_PENDING;
	n->resolved = n->waiting = n->built = 0;
	n->lockfd = n->pipefd = -1;
	n->js = (struct js_build){.rfd = -1, .wfd = -1, .nbr = -1, .nbw = -1};
	n->pid = 0;
	if (r->n == r->cap)
		r->all = xrealloc(r->all, (r->cap = r->cap ? 2 * r->cap : 64) * sizeof *r->all);
	r->all[r->n++] = n;
	return 0;
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
		struct artifact *a = &p->in[n->deps[i].input].art;
		const struct sched_node *d = n->deps[i].node;
		a->hash = d->out.hash;
		free(a->path);
		if (d->out.kind == OUT_TREE) {
			a->kind = ART_TREE;
			a->path = xstrdup("/");
		} else {
			char *raw = xstrdup(d->plan.raw);
			a->kind = ART_FILE;
			a->mode = 0644;
			a->path = fs_fmt("/%s", basename(raw));
			free(raw);
		}
	}
	plan_canonicalise(p);
	plan_hash(p, &n->hash);
	n->resolved = 1;
}

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
	n->state = NODE_DONE;
	r->st->cached++;
	r->done++;
	return 0;
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

static int start(struct run *r, struct sched_node *n)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys("pipe");
	char hb[HASH_B64 + 1];
	hash_b64(&n->hash, hb);
	char *enc;
	size_t len;
	enc = plan_encode(&n->res, &len);
	int w = store_put_plan(r->s, &n->hash, enc, len);
	free(enc);
	if (w < 0)
		return -1;
	status_say("building %s %s", n->plan.name, hb);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return err_sys("fork");
	if (pid == 0) {
		/* The worker, and so its sandbox, dies with the scheduler,
		 * even if that already happened. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != r->self)
			_exit(1);
		close(p[0]);
		restore_stop_signals(r);
		worker(r, n, p[1]);
	}
	close(p[1]);
	js_build_handed(&n->js);
	n->pid = pid;
	n->pipefd = p[0];
	r->running++;
	return 0;
}

/* A worker ended: read its report. */
static void finish(struct run *r, struct sched_node *n)
{
	char buf[8192];
	size_t len = 0;
	ssize_t k;
	while (len < sizeof buf - 1 &&
	       (k = read(n->pipefd, buf + len, sizeof buf - 1 - len)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += k;
	}
	buf[len] = 0;
	int status;
	while (waitpid(n->pid, &status, 0) < 0 && errno == EINTR)
		;
	close(n->pipefd);
	n->pipefd = -1;
	r->running--;
	js_build_close(&r->js, &n->js);
	store_unlock_plan(n->lockfd);
	n->lockfd = -1;
	if (len > 0 && buf[0] == 'O' && output_decode(buf + 1, len - 1, &n->out) == 0) {
		n->state = NODE_DONE;
		n->built = 1;
		r->st->built++;
		r->done++;
		char hb[HASH_B64 + 1];
		hash_b64(&n->out.hash, hb);
		status_say("built %s -> %s", n->plan.name, hb);
		return;
	}
	if (len == 0)
		snprintf(buf, sizeof buf, "Fplan %s: the build worker died (status %d)",
			 n->plan.name, status);
	/* The store's disk is full: no build can work until space is freed. */
	if (buf[0] == 'N') {
		set_fatal(r, buf + 1);
		return;
	}
	/* The sandbox could not be set up: is it this kernel?  Then say why
	 * and how to allow it, and stop (no build can work here). */
	if (buf[0] == 'S') {
		char *tmp = fs_join(store_dir(r->s), "tmp");
		int pf = sandbox_preflight(tmp);
		free(tmp);
		if (pf < 0) {
			set_fatal(r, err_msg());
			return;
		}
	}
	status_say("error: %s", buf + 1);
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

/* Can node n go ahead?  Start it, finish it from the cache, or leave it. */
static int step(struct run *r, struct sched_node *n)
{
	for (size_t i = 0; i < n->ndeps; i++) {
		int ds = n->deps[i].node->state;
		/* A dry run lists what waits on what it would build last
		 * (dry_dependents). */
		if (ds == NODE_SKIPPED && r->o->dry_run)
			return 0;
		if (ds == NODE_FAILED || ds == NODE_SKIPPED) {
			n->state = NODE_SKIPPED;
			r->st->skipped++;
			r->done++;
			return 0;
		}
		if (ds != NODE_DONE)
			return 0;
	}
	if (!n->resolved) {
		resolve(n);
		if (!(r->o->rebuild && n->mark == 3)) {
			int c = try_cached(r, n, 1);
			if (c <= 0)
				return c;
		}
	}
	if (r->o->dry_run) {
		char hb[HASH_B64 + 1];
		hash_b64(&n->hash, hb);
		if (!dry_listed(r, n))
			printf("%s %s\n", hb, n->plan.name);
		n->state = NODE_SKIPPED;
		r->done++;
		return 0;
	}
	if (r->stop)
		return 0;
	if (js_free(&r->js) < 1) {
		r->starved = 1;
		return 0;
	}
	int c = 1;
	if (n->lockfd < 0) {
		n->lockfd = store_lock_plan(r->s, &n->hash, 0);
		if (n->lockfd == -2) {
			/* Another distill process is building it: wait for it. */
			n->waiting = 1;
			c = 0;
		} else if (n->lockfd < 0) {
			c = -1;
		} else {
			n->waiting = 0;
			/* It may have finished while we waited for the lock. */
			if (!(r->o->rebuild && n->mark == 3))
				c = try_cached(r, n, 0);
		}
	}
	if (c > 0 && js_build_open(&r->js, &n->js) == 1 && start(r, n) == 0)
		return 0;
	/* Not started: give back the slot and the lock. */
	if (n->lockfd >= 0)
		store_unlock_plan(n->lockfd);
	n->lockfd = -1;
	js_build_close(&r->js, &n->js);
	return c > 0 ? -1 : c;
}

/* Dry run: dependents of what would be built cannot be hashed yet, so
 * they are listed by name, each name once. */
static void dry_dependents(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct sched_node *n = r->all[i];
		if (n->state != NODE_PENDING)
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = r->all[j]->state == NODE_PENDING &&
			       !strcmp(r->all[j]->plan.name, n->plan.name);
		if (!seen)
			printf("(after its inputs) %s\n", n->plan.name);
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->all[i]->state == NODE_PENDING)
			r->all[i]->state = NODE_SKIPPED;
}

/* Slots no ready build waits for go to the running builds, as tokens in
 * their jobservers, round-robin; when a ready build waits for a slot, the
 * tokens still unused in those jobservers come back.  1 if some came back
 * (the ready builds may start now). */
static int balance(struct run *r)
{
	int before = js_free(&r->js), lent = 1;
	for (size_t i = 0; r->starved && i < r->n; i++)
		js_reclaim(&r->js, &r->all[i]->js);
	if (r->starved)
		return js_free(&r->js) > before;
	while (lent && js_free(&r->js) > 0) {
		lent = 0;
		for (size_t i = 0; i < r->n; i++)
			lent |= js_lend(&r->js, &r->all[i]->js);
	}
	return 0;
}

static void live_line(struct run *r)
{
	char names[400] = "";
	for (size_t i = 0; i < r->n; i++) {
		struct sched_node *n = r->all[i];
		if (n->pipefd < 0)
			continue;
		size_t l = strlen(names);
		snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", n->plan.name);
	}
	status_update(r->done, names);
}

int sched_run(struct store *s, struct sched_node **targets, size_t nt,
	      const struct sched_opts *o, struct sched_stats *st)
{
	struct run r = {.s = s, .o = o, .st = st};
	memset(st, 0, sizeof *st);
	for (size_t i = 0; i < nt; i++)
		if (collect(&r, targets[i]) < 0)
			goto error;
	for (size_t i = 0; i < nt; i++)
		targets[i]->mark = 3; /* "again" rebuilds the targets only */
	st->total = r.n;
	int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	js_init(&r.js, jobs);
	status_begin(r.n, o->quiet || o->dry_run);
	r.self = getpid();
	catch_stop_signals(&r);
	for (;;) {
		if (caught)
			die_with_workers(&r);
		int progress = 0;
		r.starved = 0;
		for (size_t i = 0; i < r.n; i++) {
			struct sched_node *n = r.all[i];
			if (n->state != NODE_PENDING || n->pipefd >= 0)
				continue;
			int before = r.done + r.running;
			if (step(&r, n) < 0) {
				if (err_disk_full(store_dir(s))) {
					set_fatal(&r, err_msg());
				} else {
					fail(&r, n, err_msg());
					status_say("error: %s", err_msg());
				}
			}
			progress |= r.done + r.running != before;
		}
		if (balance(&r))
			continue;
		if (r.fatal && r.running == 0)
			break;
		if (r.running == 0) {
			int waiting = 0;
			for (size_t i = 0; i < r.n; i++)
				waiting |= r.all[i]->state == NODE_PENDING && r.all[i]->waiting;
			if (!progress && !waiting)
				break;
			if (progress)
				continue;
		}
		live_line(&r);
		struct pollfd *pf = xmalloc((r.running + 1) * sizeof *pf);
		struct sched_node **who = xmalloc((r.running + 1) * sizeof *who);
		int np = 0;
		for (size_t i = 0; i < r.n; i++)
			if (r.all[i]->pipefd >= 0) {
				pf[np].fd = r.all[i]->pipefd;
				pf[np].events = POLLIN;
				who[np++] = r.all[i];
			}
		int k = poll(pf, np, 200);
		for (int i = 0; k > 0 && i < np; i++)
			if (pf[i].revents)
				finish(&r, who[i]);
		free(pf);
		free(who);
	}
	restore_stop_signals(&r);
	if (o->dry_run)
		dry_dependents(&r);
	status_end();
	if (r.fatal) {
		err("%s", r.fatal);
		free(r.fatal);
		goto error;
	}
	for (size_t i = 0; i < r.n; i++)
		r.all[i]->mark = 0;
	free(r.all);
	for (size_t i = 0; i < nt; i++)
		if (targets[i]->state != NODE_DONE && !o->dry_run)
			return 1;
	return st->failed ? 1 : 0;
error:
	for (size_t i = 0; i < r.n; i++)
		r.all[i]->mark = 0;
	free(r.all);
	return -1;
}

void sched_node_clear(struct sched_node *n)
{
	if (n->resolved)
		plan_free(&n->res);
	n->resolved = 0;
	free(n->errmsg);
	n->errmsg = NULL;
}
