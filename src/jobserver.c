#define _GNU_SOURCE
#include "jobserver.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

void js_init(struct jobserver *js, int jobs)
{
	js->jobs = jobs < 1 ? 1 : jobs;
	js->busy = 0;
}

int js_free(const struct jobserver *js)
{
	return js->jobs - js->busy;
}

/* Another open file description of fd, non-blocking, for the scheduler. */
static int reopen_nb(int fd, int mode)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int r = open(path, mode | O_NONBLOCK | O_CLOEXEC);
	if (r < 0)
		err_sys("jobserver: %s (is /proc mounted?)", path);
	return r;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int js_build_open(struct jobserver *js, struct js_build *b)
{
	int p[2];
	b->rfd = b->wfd = b->nbr = b->nbw = -1;
	b->lent = 0;
	if (js_free(js) < 1)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys("jobserver pipe");
	b->rfd = p[0];
	b->wfd = p[1];
	if ((b->nbr = reopen_nb(b->rfd, O_RDONLY)) < 0 ||
	    (b->nbw = reopen_nb(b->wfd, O_WRONLY)) < 0) {
		js_build_handed(b);
		close_fd(&b->nbr);
		return -1;
	}
	snprintf(b->makeflags, sizeof b->makeflags, " -j%d --jobserver-auth=%d,%d",
		 js->jobs, b->rfd, b->wfd);
	js->busy++;
	return 1;
}

void js_build_handed(struct js_build *b)
{
	close_fd(&b->rfd);
	close_fd(&b->wfd);
}

void js_build_close(struct jobserver *js, struct js_build *b)
{
	if (b->nbr < 0)
		return;
	js_build_handed(b);
	close_fd(&b->nbr);
	close_fd(&b->nbw);
	js->busy -= 1 + b->lent;
	b->lent = 0;
}

int js_lend(struct jobserver *js, struct js_build *b)
{
	if (b->nbw < 0 || js_free(js) < 1)
		return 0;
	ssize_t n;
	while ((n = write(b->nbw, "+", 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return 0;
	b->lent++;
	js->busy++;
	return 1;
}

void js_reclaim(struct jobserver *js, struct js_build *b)
{
	char c;
	while (b->nbr >= 0 && b->lent > 0) {
		ssize_t n = read(b->nbr, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			return;
		b->lent--;
		js->busy--;
	}
}
