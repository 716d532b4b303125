#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char msg[4096];
static _Thread_local int no_space; /* 1: ENOSPC/EDQUOT; 2: and told so */

int err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	no_space = 0;
	return -1;
}

int err_sys(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, ": %s", strerror(e));
	no_space = e == ENOSPC || e == EDQUOT;
	errno = e;
	return -1;
}

int err_prefix(const char *fmt, ...)
{
	char old[sizeof msg];
	memcpy(old, msg, sizeof msg);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n + 3 < sizeof msg)
		snprintf(msg + n, sizeof msg - n, ": %.*s", (int)(sizeof msg - n - 3), old);
	return -1;
}

const char *err_msg(void)
{
	return msg;
}

int err_no_space(void)
{
	return no_space != 0;
}

int err_disk_full(const char *dir)
{
	if (no_space == 1)
		err_prefix("the store's file system is full (%s): free space there, or use "
			   "--store DIR on another file system, and run the command again", dir);
	if (no_space)
		no_space = 2;
	return no_space != 0;
}
