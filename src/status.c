#define _GNU_SOURCE
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int tty, total, quiet, shown;
static struct timespec t0;

double status_elapsed(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
}

void status_begin(int n, int q)
{
	total = n;
	quiet = q;
	tty = isatty(2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
}

static void clear(void)
{
	if (shown) {
		fputs("\r\033[K", stderr);
		shown = 0;
	}
}

void status_update(int done, const char *building)
{
	if (!tty || quiet)
		return;
	struct winsize ws;
	int cols = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
	char line[512];
	int n = snprintf(line, sizeof line, "[%d/%d %.1fs] %s%s", done, total,
			 status_elapsed(), *building ? "building " : "", building);
	if (n >= cols && cols > 4 && cols < (int)sizeof line) {
		line[cols - 4] = 0;
		strcat(line, "...");
	}
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	shown = 1;
}

void status_say(const char *fmt, ...)
{
	clear();
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void status_end(void)
{
	clear();
	fflush(stderr);
}
