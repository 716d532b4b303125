/* eta: the live line's words for the time left. */
#include "tap.h"
#include "eta.h"

#include <string.h>

static const char *text(const struct eta_plan *v, size_t n, int jobs)
{
	static char buf[64];
	eta_text(v, n, jobs, buf, sizeof buf);
	return buf;
}

int main(void)
{
	struct eta_plan none[] = {{-1, -1}, {-1, 3}};
	ok(!strcmp(text(none, 2, 1), ""), "no known duration: nothing");
	ok(!strcmp(text(none, 0, 1), ""), "nothing left: nothing");
	struct eta_plan all[] = {{100, -1}, {90, -1}};
	ok(!strcmp(text(all, 2, 1), "~3m10s left"), "every duration known: %s", text(all, 2, 1));
	ok(!strcmp(text(all, 2, 2), "~1m35s left"), "divided by the jobs: %s", text(all, 2, 2));
	struct eta_plan some[] = {{100, -1}, {-1, -1}, {90, -1}};
	ok(!strcmp(text(some, 3, 1), "~3m10s+ left"), "one unknown: a lower bound, %s",
	   text(some, 3, 1));
	struct eta_plan running[] = {{100, 40}, {10, 30}};
	ok(!strcmp(text(running, 2, 1), "~1m00s left"),
	   "running: known less elapsed, at least 0: %s", text(running, 2, 1));
	struct eta_plan long_[] = {{7300, -1}};
	ok(!strcmp(text(long_, 1, 1), "~2h01m left"), "hours: %s", text(long_, 1, 1));
	struct eta_plan short_[] = {{2.2, -1}};
	ok(!strcmp(text(short_, 1, 1), "~3s left"), "seconds, rounded up: %s", text(short_, 1, 1));
	return done_testing();
}
