// toml: TOML files parsed by tomlplusplus (header-only, TOML 1.0.0) into
// the plain C tree of src/toml.h.  No exception leaves this file: a parse
// error becomes err()'s message, an allocation failure too.
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_FORMATTERS 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

extern "C" {
#include "err.h"
#include "toml.h"
}

namespace {

char *dup_bytes(const std::string &s)
{
	char *p = static_cast<char *>(std::malloc(s.size() + 1));
	if (!p)
		throw std::bad_alloc();
	std::memcpy(p, s.data(), s.size());
	p[s.size()] = 0;
	return p;
}

template <typename T> std::string text_of(const T &v)
{
	std::ostringstream o;
	o << v;
	return o.str();
}

void fill(struct toml_node *out, const toml::node &n);

void fill_date_time(struct toml_node *out, const toml::date_time &dt)
{
	out->kind = dt.offset ? TOML_DATETIME : TOML_DATETIME_LOCAL;
	std::string s = text_of(dt);
	out->len = s.size();
	out->str = dup_bytes(s);
}

void fill_children(struct toml_node *out, size_t n)
{
	out->n = n;
	out->items = static_cast<struct toml_node *>(std::calloc(n ? n : 1, sizeof *out->items));
	if (!out->items)
		throw std::bad_alloc();
}

void fill(struct toml_node *out, const toml::node &n)
{
	out->line = n.source().begin.line;
	out->col = n.source().begin.column;
	if (auto t = n.as_table()) {
		out->kind = TOML_TABLE;
		fill_children(out, t->size());
		size_t i = 0;
		for (auto &&[k, v] : *t) {
			struct toml_node *c = &out->items[i++];
			std::string key(k.str());
			c->keylen = key.size();
			c->key = dup_bytes(key);
			fill(c, v);
		}
	} else if (auto a = n.as_array()) {
		out->kind = TOML_ARRAY;
		fill_children(out, a->size());
		for (size_t i = 0; i < a->size(); i++)
			fill(&out->items[i], (*a)[i]);
	} else if (auto s = n.as_string()) {
		out->kind = TOML_STRING;
		out->len = s->get().size();
		out->str = dup_bytes(s->get());
	} else if (auto v = n.as_integer()) {
		out->kind = TOML_INTEGER;
		out->integer = v->get();
	} else if (auto f = n.as_floating_point()) {
		out->kind = TOML_FLOAT;
		out->real = f->get();
	} else if (auto b = n.as_boolean()) {
		out->kind = TOML_BOOL;
		out->integer = b->get();
	} else if (auto d = n.as_date()) {
		out->kind = TOML_DATE_LOCAL;
		std::string s = text_of(d->get());
		out->len = s.size();
		out->str = dup_bytes(s);
	} else if (auto tm = n.as_time()) {
		out->kind = TOML_TIME_LOCAL;
		std::string s = text_of(tm->get());
		out->len = s.size();
		out->str = dup_bytes(s);
	} else if (auto dt = n.as_date_time()) {
		fill_date_time(out, dt->get());
	}
}

void free_children(struct toml_node *t)
{
	for (size_t i = 0; i < t->n; i++)
		free_children(&t->items[i]);
	std::free(t->items);
	std::free(t->key);
	std::free(t->str);
}

int read_whole(const char *path, std::string &text)
{
	std::FILE *f = std::fopen(path, "rb");
	if (!f)
		return err_sys("cannot read %s", path);
	char buf[65536];
	size_t got;
	while ((got = std::fread(buf, 1, sizeof buf, f)) > 0)
		text.append(buf, got);
	int bad = std::ferror(f);
	std::fclose(f);
	if (bad) {
		errno = EIO;
		return err_sys("cannot read %s", path);
	}
	return 0;
}

} // namespace

extern "C" struct toml_node *toml_parse_file(const char *path)
{
	struct toml_node *root = nullptr;
	try {
		std::string text;
		if (read_whole(path, text) < 0)
			return nullptr;
		toml::parse_result r = toml::parse(text, std::string_view(path));
		if (!r) {
			const toml::parse_error &e = r.error();
			std::string what(e.description());
			for (char &c : what)
				if (c == '\n')
					c = ' ';
			err("%s:%u:%u: %s", path, e.source().begin.line,
			    e.source().begin.column, what.c_str());
			return nullptr;
		}
		root = static_cast<struct toml_node *>(std::calloc(1, sizeof *root));
		if (!root)
			throw std::bad_alloc();
		fill(root, r.table());
		if (!root->line) {
			root->line = 1;
			root->col = 1;
		}
		return root;
	} catch (const std::bad_alloc &) {
		toml_free(root);
		err("%s: out of memory while reading it", path);
		return nullptr;
	}
}

extern "C" void toml_free(struct toml_node *t)
{
	if (!t)
		return;
	free_children(t);
	std::free(t);
}
