#include "eta.h"

#include <math.h>
#include <stdio.h>

void eta_text(const struct eta_plan *v, size_t n, int jobs, char *buf, size_t size)
{
	double sum = 0;
	size_t known = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].known < 0)
			continue;
		double left = v[i].known - (v[i].elapsed > 0 ? v[i].elapsed : 0);
		sum += left > 0 ? left : 0;
		known++;
	}
	if (!known) {
		snprintf(buf, size, "%s", "");
		return;
	}
	long s = (long)ceil(sum / (jobs > 0 ? jobs : 1));
	const char *more = known < n ? "+" : "";
	if (s >= 3600)
		snprintf(buf, size, "~%ldh%02ldm%s left", s / 3600, s / 60 % 60, more);
	else if (s >= 60)
		snprintf(buf, size, "~%ldm%02lds%s left", s / 60, s % 60, more);
	else
		snprintf(buf, size, "~%lds%s left", s, more);
}
