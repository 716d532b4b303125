/* fetchmany: many sources fetched at once, each by fetch_source in a
 * child process (fetchmany.h). */
#include "fetchmany.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "err.h"
#include "fsutil.h"

/* One child at work: the item it fetches and what it printed so far. */
struct kid {
	pid_t pid;
	int fd;
	size_t item;
	char *host;
	char *out;
	size_t len, cap;
};

int fetchmany_jobs(long long *jobs)
{
	return fetch_env_number("DISTILL_FETCH_JOBS", UNIT_COUNT, 8, jobs);
}

/* "scheme://authority" of url (all of it when it has no "://"). */
static char *host_of(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return xstrdup(url);
	p += 3;
	return fs_fmt("%.*s", (int)(p - url + strcspn(p, "/?#")), url);
}

/* The host the item's first download goes to: that of the first mirror
 * that is a URL (mirrors are tried first), else of the item's URL. */
static char *first_host(const struct fetch_item *it, const struct fetch_opts *o)
{
	for (size_t i = 0; i < o->nmirrors; i++)
		if (strstr(o->mirrors[i], "://") && strncmp(o->mirrors[i], "file://", 7))
			return host_of(o->mirrors[i]);
	return host_of(it->url);
}

/* In the child: fetch it, its stderr going to fd; on failure the error
 * follows a NUL byte.  Never returns. */
static void child(struct store *s, const struct fetch_item *it, const struct fetch_opts *o,
		  int fd)
{
	if (dup2(fd, 2) < 0)
		_exit(2);
	close(fd);
	struct fetch_opts mine = *o;
	mine.extra = it->extra;
	mine.nextra = it->nextra;
	hash_t blob;
	if (fetch_source(s, it->url, &it->pin, &mine, &blob) == 0)
		_exit(0);
	fputc(0, stderr);
	fputs(err_msg(), stderr);
	fflush(stderr);
	_exit(1);
}

static int spawn(struct store *s, const struct fetch_item *items, size_t i,
		 const struct fetch_opts *o, char *host, struct kid *k)
{
	int p[2];
	if (pipe(p) < 0)
		return free(host), err_sys("fetching %s: a pipe", items[i].url);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		free(host);
		return err_sys("fetching %s: fork", items[i].url);
	}
	if (pid == 0) {
		close(p[0]);
		child(s, &items[i], o, p[1]);
	}
	close(p[1]);
	*k = (struct kid){.pid = pid, .fd = p[0], .item = i, .host = host};
	return 0;
}

/* k's output has ended: reap it; print what it said; on failure, keep
 * its error as errs[item]. */
static void reap(struct kid *k, const struct fetch_item *items, char **errs)
{
	int status;
	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	close(k->fd);
	size_t said = k->len;
	char *nul = k->len ? memchr(k->out, 0, k->len) : NULL;
	if (nul)
		said = nul - k->out;
	fwrite(k->out, 1, said, stderr);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (nul)
			errs[k->item] = fs_fmt("%.*s", (int)(k->len - said - 1), nul + 1);
		else if (WIFSIGNALED(status))
			errs[k->item] = fs_fmt("fetching %s: killed by signal %d", items[k->item].url,
					       WTERMSIG(status));
		else
			errs[k->item] = fs_fmt("fetching %s: it failed and said nothing",
					       items[k->item].url);
	}
	free(k->out);
	free(k->host);
}

/* Read what is there from k; 1 at its end. */
static int drain(struct kid *k)
{
	if (k->cap - k->len < 4096)
		k->out = xrealloc(k->out, k->cap = 2 * k->cap + 4096);
	ssize_t r = read(k->fd, k->out + k->len, k->cap - k->len - 1);
	if (r < 0)
		return errno != EINTR && errno != EAGAIN;
	k->len += r;
	return r == 0;
}

static size_t on_host(const struct kid *kids, size_t nk, const char *host)
{
	size_t c = 0;
	for (size_t i = 0; i < nk; i++)
		c += !strcmp(kids[i].host, host);
	return c;
}

int fetch_many(struct store *s, const struct fetch_item *items, size_t n,
	       const struct fetch_opts *o, int jobs, int per_host)
{
	char **errs = calloc(n ? n : 1, sizeof *errs);
	unsigned char *todo = calloc(n ? n : 1, 1);
	struct kid *kids = calloc(jobs, sizeof *kids);
	struct pollfd *pf = calloc(jobs, sizeof *pf);
	size_t nk = 0, left = 0;
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		hash_t blob;
		left += todo[i] = !fetch_have(s, &items[i].pin, &blob);
	}
	while (r == 0 && (left || nk)) {
		for (size_t i = 0; i < n && left && nk < (size_t)jobs; i++) {
			if (!todo[i])
				continue;
			char *host = first_host(&items[i], o);
			if (on_host(kids, nk, host) >= (size_t)per_host) {
				free(host);
				continue;
			}
			if (spawn(s, items, i, o, host, &kids[nk]) < 0) {
				r = -1;
				break;
			}
			nk++;
			todo[i] = 0;
			left--;
		}
		for (size_t i = 0; i < nk; i++)
			pf[i] = (struct pollfd){.fd = kids[i].fd, .events = POLLIN};
		if (nk && poll(pf, nk, -1) < 0 && errno != EINTR)
			r = err_sys("fetching sources: poll");
		for (size_t i = 0; i < nk; i++) {
			if (!pf[i].revents || !drain(&kids[i]))
				continue;
			reap(&kids[i], items, errs);
			kids[i] = kids[--nk];
			pf[i] = pf[nk];
			i--;
		}
	}
	/* After a failure to start one, the others still end. */
	for (size_t i = 0; i < nk; i++) {
		while (!drain(&kids[i]))
			;
		reap(&kids[i], items, errs);
	}
	for (size_t i = 0; i < n; i++) {
		if (errs[i] && r == 0)
			r = err("%s", errs[i]);
		free(errs[i]);
	}
	free(errs);
	free(todo);
	free(kids);
	free(pf);
	return r;
}
