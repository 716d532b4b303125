/* toml-decode FILE: the TOML file as toml-test's JSON encoding on stdout
 * (tables as objects, arrays as arrays, each value {"type": T, "value":
 * TEXT}); a refused file: its error on stderr, exit 1.  t/toml-suite.py
 * runs the TOML 1.0.0 conformance suite through it (src/toml.cc). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "err.h"
#include "toml.h"

static void put_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_float(double d)
{
	if (isnan(d))
		fputs("nan", stdout);
	else if (isinf(d))
		fputs(d < 0 ? "-inf" : "inf", stdout);
	else
		printf("%.17g", d);
}

static const char *const type_names[] = {
	[TOML_STRING] = "string", [TOML_INTEGER] = "integer",
	[TOML_FLOAT] = "float", [TOML_BOOL] = "bool",
	[TOML_DATETIME] = "datetime", [TOML_DATETIME_LOCAL] = "datetime-local",
	[TOML_DATE_LOCAL] = "date-local", [TOML_TIME_LOCAL] = "time-local",
};

static void put_node(const struct toml_node *t)
{
	if (t->kind == TOML_TABLE || t->kind == TOML_ARRAY) {
		putchar(t->kind == TOML_TABLE ? '{' : '[');
		for (size_t i = 0; i < t->n; i++) {
			if (i)
				putchar(',');
			if (t->kind == TOML_TABLE) {
				put_string(t->items[i].key, t->items[i].keylen);
				putchar(':');
			}
			put_node(&t->items[i]);
		}
		putchar(t->kind == TOML_TABLE ? '}' : ']');
		return;
	}
	printf("{\"type\":\"%s\",\"value\":", type_names[t->kind]);
	if (t->kind == TOML_INTEGER)
		printf("\"%" PRId64 "\"", t->integer);
	else if (t->kind == TOML_FLOAT) {
		putchar('"');
		put_float(t->real);
		putchar('"');
	} else if (t->kind == TOML_BOOL)
		fputs(t->integer ? "\"true\"" : "\"false\"", stdout);
	else
		put_string(t->str, t->len);
	putchar('}');
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: toml-decode FILE\n");
		return 2;
	}
	struct toml_node *t = toml_parse_file(argv[1]);
	if (!t) {
		fprintf(stderr, "%s\n", err_msg());
		return 1;
	}
	put_node(t);
	putchar('\n');
	toml_free(t);
	return 0;
}
