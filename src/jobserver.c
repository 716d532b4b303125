#define _GNU_SOURCE
#include "jobserver.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int js_init(struct jobserver *js, int jobs)
{
	int p[2];
	js->jobs = jobs < 1 ? 1 : jobs;
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys("jobserver pipe");
	js->rfd = p[0];
	js->wfd = p[1];
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", js->rfd);
	js->nbfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (js->nbfd < 0) {
		err_sys("jobserver: %s (is /proc mounted?)", path);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	js_reset(js);
	snprintf(js->makeflags, sizeof js->makeflags, " -j%d --jobserver-auth=%d,%d",
		 js->jobs, js->rfd, js->wfd);
	return 0;
}

int js_take(struct jobserver *js)
{
	char c;
	for (;;) {
		ssize_t n = read(js->nbfd, &c, 1);
		if (n == 1)
			return 1;
		if (n < 0 && errno == EINTR)
			continue;
		return 0;
	}
}

void js_give(struct jobserver *js)
{
	while (write(js->wfd, "+", 1) < 0 && errno == EINTR)
		;
}

void js_reset(struct jobserver *js)
{
	while (js_take(js))
		;
	for (int i = 1; i < js->jobs; i++)
		js_give(js);
}

void js_close(struct jobserver *js)
{
	close(js->rfd);
	close(js->wfd);
	close(js->nbfd);
}
