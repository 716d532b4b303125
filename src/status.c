#define _GNU_SOURCE
#include "status.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

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

void status_update(int done, const char *building, const char *eta)
{
	if (!tty || quiet)
		return;
	struct winsize ws;
	int cols = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
	char line[512];
	int n = snprintf(line, sizeof line, "[%d/%d %.1fs%s%s] %s%s", done, total,
			 status_elapsed(), *eta ? ", " : "", eta, *building ? "building " : "",
			 building);
	if (n >= cols && cols > 4 && cols < (int)sizeof line) {
		line[cols - 4] = 0;
		strcat(line, "...");
	}
	fputs("\r\033[K", stderr);
	status_escape(stderr, line, strlen(line));
	fflush(stderr);
	shown = 1;
}

/* Bytes of the printable character at p, or 0: escape p[0]. */
static size_t printable(const char *p, size_t n, locale_t utf8)
{
	unsigned char c = *p;
	if (c < 0x80)
		return c >= 0x20 && c != 0x7f ? 1 : c == '\n' || c == '\t';
	if (!utf8)
		return 0;
	locale_t old = uselocale(utf8);
	mbstate_t st = {0};
	wchar_t w;
	size_t k = mbrtowc(&w, p, n, &st);
	uselocale(old);
	return k > n || (w >= 0x80 && w < 0xa0) ? 0 : k;
}

void status_escape(FILE *f, const char *p, size_t n)
{
	static locale_t utf8;
	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", 0);
	while (n > 0) {
		size_t k = printable(p, n, utf8);
		if (k)
			fwrite(p, 1, k, f);
		else
			fprintf(f, "\\x%02x", (unsigned char)*p);
		k += !k;
		p += k;
		n -= k;
	}
}

void status_say(const char *fmt, ...)
{
	clear();
	va_list ap;
	va_start(ap, fmt);
	char *msg;
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		status_escape(stderr, msg, n);
		free(msg);
	}
	fputc('\n', stderr);
	fflush(stderr);
}

void status_end(void)
{
	clear();
	fflush(stderr);
}
