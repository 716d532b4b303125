#define _GNU_SOURCE
#include "sign.h"
#include "err.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define KEY_MAGIC "distill-signing-key 1\n"
#define REC_MAGIC "distill-cache 1\n"

char *sign_config_dir(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && x[0] == '/')
		return fs_join(x, "distill");
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return fs_join(h, ".config/distill");
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return fs_join(pw->pw_dir, ".config/distill");
	err("no configuration directory: neither XDG_CONFIG_HOME nor HOME is an "
	    "absolute path, and uid %ld has no home directory", (long)geteuid());
	return NULL;
}

void sign_pub_text(const struct sign_pub *p, char *buf)
{
	memcpy(buf, "ed25519:", 8);
	sodium_bin2base64(buf + 8, SIGN_PUB_TEXT + 1 - 8, p->b, SIGN_PUB_LEN, B64);
}

/* base64url text of exactly n bytes (len characters) into out. */
static int from_b64(const char *s, size_t len, unsigned char *out, size_t n)
{
	size_t got;
	return sodium_base642bin(out, n, s, len, NULL, &got, NULL, B64) == 0 && got == n
	       ? 0 : -1;
}

/* "ed25519:" base64url of len characters at s. */
static int parse_pub(const char *s, size_t len, struct sign_pub *p)
{
	if (len <= 8 || memcmp(s, "ed25519:", 8) || from_b64(s + 8, len - 8, p->b, SIGN_PUB_LEN))
		return err("expected a public key, ed25519: and 43 characters of base64url");
	return 0;
}

int sign_load_key(const char *dir, struct sign_key *k)
{
	char *path = fs_join(dir, "signing-key"), *buf = NULL;
	size_t len;
	struct stat st;
	int r = -1;
	if (stat(path, &st) < 0) {
		r = errno == ENOENT ? 1 : err_sys("%s", path);
	} else if ((st.st_mode & 077) || st.st_uid != geteuid()) {
		err("%s: a secret key must be yours and readable by you alone (chmod 600 %s)",
		    path, path);
	} else if (fs_read_file(path, &buf, &len) == 0) {
		size_t m = strlen(KEY_MAGIC);
		if (len < m + 2 || memcmp(buf, KEY_MAGIC, m) || buf[len - 1] != '\n' ||
		    from_b64(buf + m, len - m - 1, k->sec, SIGN_SEC_LEN))
			err("%s: not a signing key (distill key generate writes one)", path);
		else
			r = 0;
		crypto_sign_ed25519_sk_to_pk(k->pub.b, k->sec);
	}
	if (buf)
		sodium_memzero(buf, len);
	free(buf);
	free(path);
	return r;
}

/* Append the line to trusted-keys of dir (created 0644). */
static int add_trusted(const char *dir, const char *line)
{
	char *path = fs_join(dir, "trusted-keys");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644), r = 0;
	if (fd < 0 || fs_write_all(fd, line, strlen(line)) < 0 || fsync(fd) < 0)
		r = err_sys("%s: cannot add the new public key", path);
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

int sign_generate(const char *dir, char **pubtext)
{
	struct sign_key k;
	char sec[sodium_base64_ENCODED_LEN(SIGN_SEC_LEN, B64)], pub[SIGN_PUB_TEXT + 1];
	if (fs_mkdir_p(dir, 0700) < 0)
		return -1;
	char *path = fs_join(dir, "signing-key"), *pubpath = fs_join(dir, "signing-key.pub");
	crypto_sign_keypair(k.pub.b, k.sec);
	sodium_bin2base64(sec, sizeof sec, k.sec, SIGN_SEC_LEN, B64);
	sign_pub_text(&k.pub, pub);
	char *text = fs_fmt(KEY_MAGIC "%s\n", sec), *publine = fs_fmt("%s\n", pub);
	int r = -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_sys("%s%s", path, errno == EEXIST ? ": there is a key already; remove it "
			"first to make a new one (what it signed is then trusted no more)" : "");
	} else if (fchmod(fd, 0600) < 0 || fs_write_all(fd, text, strlen(text)) < 0 ||
		   fsync(fd) < 0) {
		err_sys("%s: cannot write", path);
		unlink(path);
	} else if (fs_write_atomic(pubpath, publine, strlen(publine), 0644, 1) == 0 &&
		   add_trusted(dir, publine) == 0) {
		*pubtext = xstrdup(pub);
		r = 0;
	}
	if (fd >= 0)
		close(fd);
	sodium_memzero(&k, sizeof k);
	sodium_memzero(text, strlen(text));
	sodium_memzero(sec, sizeof sec);
	free(text);
	free(publine);
	free(path);
	free(pubpath);
	return r;
}

/* One line of trusted-keys (len bytes, no newline): a key, or nothing. */
static int trusted_line(const char *l, size_t len, struct sign_pub **keys, size_t *n)
{
	while (len && (*l == ' ' || *l == '\t'))
		l++, len--;
	if (!len || *l == '#')
		return 0;
	size_t w = strcspn(l, " \t#");
	if (w > len)
		w = len;
	*keys = xrealloc(*keys, (*n + 1) * sizeof **keys);
	return parse_pub(l, w, &(*keys)[(*n)++]);
}

int sign_load_trusted(const char *dir, struct sign_pub **keys, size_t *n)
{
	char *path = fs_join(dir, "trusted-keys"), *buf = NULL;
	size_t len;
	struct stat st;
	int r = 0;
	*keys = NULL;
	*n = 0;
	if (stat(path, &st) < 0) {
		r = errno == ENOENT ? 0 : err_sys("%s", path);
	} else if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022)) {
		r = err("%s: another user can write it, and so choose whom you trust: "
			"make it yours, not group- or world-writable (chmod go-w)", path);
	} else if ((r = fs_read_file(path, &buf, &len)) == 0) {
		size_t lineno = 1;
		for (char *p = buf, *e; r == 0 && p < buf + len; p = e + 1, lineno++) {
			e = memchr(p, '\n', buf + len - p);
			if (!e)
				e = buf + len;
			r = trusted_line(p, e - p, keys, n);
		}
		if (r < 0)
			err_prefix("%s:%zu", path, lineno - 1);
	}
	free(buf);
	free(path);
	return r;
}

/* The signed part: the first three lines. */
static char *claim(const struct cache_rec *r)
{
	char ph[HASH_B64 + 1], oh[HASH_B64 + 1];
	hash_b64(&r->plan, ph);
	hash_b64(&r->out.hash, oh);
	return fs_fmt(REC_MAGIC "plan %s\n%s %s\n", ph, output_kind_name(r->out.kind), oh);
}

char *cache_rec_encode(const struct cache_rec *r, size_t *len)
{
	char *c = claim(r);
	char *t = fs_fmt("%scas %s %lld\n", c, r->sha256, r->size);
	free(c);
	for (size_t i = 0; i < r->nsigs; i++) {
		char pub[SIGN_PUB_TEXT + 1], sig[sodium_base64_ENCODED_LEN(SIGN_SIG_LEN, B64)];
		sign_pub_text(&r->sigs[i].by, pub);
		sodium_bin2base64(sig, sizeof sig, r->sigs[i].b, SIGN_SIG_LEN, B64);
		char *n = fs_fmt("%ssig %s %s\n", t, pub, sig);
		free(t);
		t = n;
	}
	*len = strlen(t);
	return t;
}

/* The next line of buf (from *p), NUL-terminated in line; -1 at the end. */
static int next_line(const char *buf, size_t len, size_t *p, char *line, size_t size)
{
	const char *e = memchr(buf + *p, '\n', len - *p);
	if (*p >= len || !e || (size_t)(e - buf - *p) >= size)
		return -1;
	size_t n = e - buf - *p;
	memcpy(line, buf + *p, n);
	line[n] = 0;
	*p += n + 1;
	return memchr(line, 0, n) ? -1 : 0;
}

static int decode_sig(const char *line, struct cache_rec *r)
{
	const char *sp = strchr(line + 4, ' ');
	struct sign_sig s;
	if (strncmp(line, "sig ", 4) || !sp || parse_pub(line + 4, sp - line - 4, &s.by) < 0 ||
	    from_b64(sp + 1, strlen(sp + 1), s.b, SIGN_SIG_LEN) < 0)
		return -1;
	r->sigs = xrealloc(r->sigs, (r->nsigs + 1) * sizeof *r->sigs);
	r->sigs[r->nsigs++] = s;
	return 0;
}

int cache_rec_decode(const char *buf, size_t len, struct cache_rec *r)
{
	char l[256], kind[8], h1[HASH_B64 + 1], h2[HASH_B64 + 1];
	size_t p = 0;
	int end = 0;
	memset(r, 0, sizeof *r);
	if (len < strlen(REC_MAGIC) || memcmp(buf, REC_MAGIC, strlen(REC_MAGIC)))
		return err("not a distill cache record (no \"distill-cache 1\" line)");
	p = strlen(REC_MAGIC);
	if (next_line(buf, len, &p, l, sizeof l) < 0 || sscanf(l, "plan %44s%n", h1, &end) != 1 ||
	    l[end] || hash_parse(h1, &r->plan) < 0 ||
	    next_line(buf, len, &p, l, sizeof l) < 0 || sscanf(l, "%7s %44s%n", kind, h2, &end) != 2 ||
	    l[end] || (strcmp(kind, "tree") && strcmp(kind, "file")) ||
	    hash_parse(h2, &r->out.hash) < 0 ||
	    next_line(buf, len, &p, l, sizeof l) < 0 ||
	    sscanf(l, "cas %64[0-9a-f] %lld%n", r->sha256, &r->size, &end) != 2 || l[end] ||
	    strlen(r->sha256) != 64 || r->size < 0)
		return err("a malformed cache record: expected plan, tree or file, and cas lines");
	r->out.kind = strcmp(kind, "tree") ? OUT_FILE : OUT_TREE;
	while (p < len)
		if (next_line(buf, len, &p, l, sizeof l) < 0 || decode_sig(l, r) < 0) {
			cache_rec_free(r);
			return err("a malformed cache record: a bad sig line");
		}
	return 0;
}

void cache_rec_free(struct cache_rec *r)
{
	free(r->sigs);
	r->sigs = NULL;
	r->nsigs = 0;
}

static int verify(const struct cache_rec *r, const struct sign_sig *s)
{
	char *c = claim(r);
	int ok = crypto_sign_verify_detached(s->b, (const unsigned char *)c, strlen(c),
					     s->by.b) == 0;
	free(c);
	return ok;
}

void cache_rec_sign(struct cache_rec *r, const struct sign_key *k)
{
	struct sign_sig s = {.by = k->pub};
	char *c = claim(r);
	crypto_sign_detached(s.b, NULL, (const unsigned char *)c, strlen(c), k->sec);
	free(c);
	for (size_t i = 0; i < r->nsigs; i++)
		if (!memcmp(&r->sigs[i].by, &k->pub, sizeof k->pub)) {
			r->sigs[i] = s;
			return;
		}
	r->sigs = xrealloc(r->sigs, (r->nsigs + 1) * sizeof *r->sigs);
	r->sigs[r->nsigs++] = s;
}

int cache_rec_signed_by(const struct cache_rec *r, const struct sign_pub *k)
{
	for (size_t i = 0; i < r->nsigs; i++)
		if (!memcmp(&r->sigs[i].by, k, sizeof *k) && verify(r, &r->sigs[i]))
			return 1;
	return 0;
}

int cache_rec_trusted(const struct cache_rec *r, const struct sign_pub *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cache_rec_signed_by(r, &keys[i]))
			return 1;
	return 0;
}
