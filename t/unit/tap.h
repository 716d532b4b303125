/* tap: a few macros that make a C unit test speak TAP to prove. */
#ifndef DISTILL_TAP_H
#define DISTILL_TAP_H
#include <stdio.h>
#include <string.h>
static int tap_n, tap_failed;
#define ok(cond, ...)                                                       \
	do {                                                                \
		int c_ = !!(cond);                                          \
		printf("%sok %d - ", c_ ? "" : "not ", ++tap_n);            \
		printf(__VA_ARGS__);                                        \
		printf("\n");                                               \
		if (!c_) {                                                  \
			tap_failed++;                                       \
			printf("#   failed at %s:%d\n", __FILE__, __LINE__);    \
		}                                                           \
	} while (0)
#define is_str(got, want, ...)                                              \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		ok(g_ && strcmp(g_, w_) == 0, __VA_ARGS__);                 \
		if (!g_ || strcmp(g_, w_))                                  \
			printf("#   got '%s'\n#   want '%s'\n", g_ ? g_ : "(null)", w_); \
	} while (0)
#define done_testing() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)
#endif
