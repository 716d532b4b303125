#define _GNU_SOURCE
#include "fetch.h"
#include "mirror.h"
#include "err.h"
#include "fsutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A sha256 pin's blob is what its rec/sha256 record names; a malformed
 * record is no answer (fetching writes it again). */
int fetch_have(struct store *s, const pin_t *pin, hash_t *blob)
{
	if (pin->kind == PIN_BLAKE2B) {
		*blob = pin->h;
		return store_has_blob(s, blob);
	}
	return store_get_sha256(s, &pin->h, blob) == 0 && store_has_blob(s, blob);
}

/* What one download may take: at most cap bytes, within timeout
 * seconds.  known: cap is the pinned content's size, recorded when it
 * was fetched before (rec/size/<pin>), so one byte more is not it. */
struct limits {
	long long cap;
	int known;
	long timeout;
};

/* One download in progress: the temp file and the running hashes. */
struct sink {
	int fd;
	const struct limits *lim;
	int over;	/* more than lim->cap arrived */
	hash_ctx b2;
	crypto_hash_sha256_state sha;
	long long bytes;
	int failed;	/* a write to the temp file failed (errno kept) */
	int werr;
	const char *name;	/* for the progress line */
	int tty;
	time_t last;
};

static void sink_init(struct sink *k, int fd, const char *name, const struct limits *lim)
{
	memset(k, 0, sizeof *k);
	k->fd = fd;
	k->lim = lim;
	k->name = name;
	k->tty = isatty(2);
	hash_init(&k->b2);
	crypto_hash_sha256_init(&k->sha);
}

static int sink_add(struct sink *k, const void *p, size_t n)
{
	if ((long long)n > k->lim->cap - k->bytes) {
		k->over = 1;
		return -1;
	}
	if (fs_write_all(k->fd, p, n) < 0) {
		k->failed = 1;
		k->werr = errno;
		return -1;
	}
	hash_update(&k->b2, p, n);
	crypto_hash_sha256_update(&k->sha, p, n);
	k->bytes += n;
	return 0;
}

static int too_big(const char *what, const struct limits *l)
{
	if (l->known)
		return err("%s: more than %lld bytes, the size of the pinned content when it "
			   "was fetched before: stopped; this is not it (check the URL and the mirrors)",
			   what, l->cap);
	return err("%s: more than %lld bytes, the most a download may be: stopped; "
		   "if it really is that large, set DISTILL_FETCH_MAX_SIZE higher", what, l->cap);
}

/* Why sink_add refused. */
static int sink_error(const struct sink *k, const char *what)
{
	if (k->over)
		return too_big(what, k->lim);
	errno = k->werr;
	return err_sys("cannot write the download of %s (is the disk full?)", what);
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	return sink_add(arg, p, size * n) < 0 ? 0 : size * n;
}

/* A stop signal (SIGINT, SIGTERM, SIGHUP) that came during a download:
 * the transfer ends at the next progress call, the progress line is
 * cleared, and the process dies of the signal as it would have. */
static volatile sig_atomic_t stop_signal;
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
enum { NSTOP = sizeof stop_signals / sizeof *stop_signals };

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Catch the stop signals that are not ignored, keeping their actions in
 * old. */
static void catch_stops(struct sigaction old[NSTOP])
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NSTOP; i++)
		if (sigaction(stop_signals[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
}

/* Put old back; then die of a stop signal that came meanwhile. */
static void release_stops(const struct sigaction old[NSTOP])
{
	for (int i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &old[i], NULL);
	if (stop_signal) {
		fflush(stderr);
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
}

static int on_progress(void *arg, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
	(void)ut;
	(void)un;
	struct sink *k = arg;
	if (stop_signal)
		return 1;	/* ends the transfer */
	time_t t = time(NULL);
	if (k->tty && total > (1 << 20) && t != k->last) {
		k->last = t;
		fprintf(stderr, "\r\033[Kfetching %s: %.1f/%.1f MiB", k->name,
			now / 1048576.0, total / 1048576.0);
	}
	return 0;
}

/* Copy a local file into the sink; 1 if it does not exist.  Only a
 * regular file: a FIFO (or a device) put in a mirror would never end. */
static int from_file(const char *path, struct sink *k)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : err_sys("%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, 0) < 0) {
		close(fd);
		return err("%s: not a regular file: a source must be one", path);
	}
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return err_sys("%s: cannot read", path);
		}
		if (sink_add(k, buf, n) < 0) {
			close(fd);
			return sink_error(k, path);
		}
	}
	close(fd);
	return 0;
}

static int transient(CURLcode c, long http)
{
	return c == CURLE_COULDNT_CONNECT || c == CURLE_OPERATION_TIMEDOUT ||
	       c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR ||
	       c == CURLE_PARTIAL_FILE || c == CURLE_GOT_NOTHING ||
	       (c == CURLE_HTTP_RETURNED_ERROR && (http >= 500 || http == 429));
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

CURL *fetch_curl(const char *url, long connect_s, long stall_s, long timeout_ms,
		 char ebuf[CURL_ERROR_SIZE])
{
	static int ready;
	if (!ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			err("libcurl failed to initialise");
			return NULL;
		}
		ready = 1;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		err("libcurl failed to start");
		return NULL;
	}
	*ebuf = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp,ftps");
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_s);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "distill");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	return c;
}

/* Download url into the sink (truncated and reset between tries), all
 * tries within the sink's deadline; 1 if the server says it has no such
 * file. */
static int from_url(const char *url, struct sink *k, int offline)
{
	if (!strncmp(url, "file://", 7))
		return from_file(url + 7, k);
	char *var = mirror_variable(url);
	if (var) {
		/* mirror_expand found no base URL for it. */
		err("%s: no base URL known for its mirror: set %s to the archive's base URLs%s",
		    url, var, strcmp(var, "DISTILL_MIRROR_DEBIAN") ? ""
		    : ", or add a Debian archive to apt's sources");
		free(var);
		return -1;
	}
	if (offline)
		return err("%s: not fetched: --offline opens no connection", url);
	int tries = 3, r = -1;
	double end = now() + k->lim->timeout;
	for (int t = 1; t <= tries; t++) {
		if (ftruncate(k->fd, 0) < 0 || lseek(k->fd, 0, SEEK_SET) < 0)
			return err_sys("cannot reset the download of %s", url);
		sink_init(k, k->fd, k->name, k->lim);
		double left = end - now();
		if (left <= 0)
			break;
		char ebuf[CURL_ERROR_SIZE];
		CURL *c = fetch_curl(url, 20, 30, (long)(left * 1000) + 1, ebuf);
		if (!c)
			return -1;
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k->lim->cap);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, k);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		struct sigaction old[NSTOP];
		catch_stops(old);
		CURLcode cc = curl_easy_perform(c);
		long http = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
		curl_easy_cleanup(c);
		if (k->tty && k->last)
			fputs("\r\033[K", stderr);
		release_stops(old);
		if (cc == CURLE_OK)
			return 0;
		if (k->failed || k->over)
			return sink_error(k, url);
		if (cc == CURLE_FILESIZE_EXCEEDED)
			return too_big(url, k->lim);
		if (cc == CURLE_OPERATION_TIMEDOUT && now() >= end)
			break;
		if (cc == CURLE_HTTP_RETURNED_ERROR && (http == 404 || http == 410))
			return 1;
		if (cc == CURLE_REMOTE_FILE_NOT_FOUND)
			return 1;
		r = err("%s: %s", url, *ebuf ? ebuf : curl_easy_strerror(cc));
		if (!transient(cc, http) || t == tries)
			break;
		sleep(t); /* back off: 1 s, then 2 s */
	}
	if (now() >= end)
		r = err("%s: not done after %ld s, the deadline of a download: stopped; "
			"if the server is only slow, set DISTILL_FETCH_TIMEOUT (seconds) higher",
			url, k->lim->timeout);
	return r;
}

/* Copy tmp into fd (a file of ours at dst), readable by its owner only. */
static int copy_into(const char *tmp, int fd, const char *dst)
{
	int in = open(tmp, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return err_sys("%s: cannot open", tmp);
	int r = fs_copy_fd(in, fd, tmp, dst, NULL, NULL);
	close(in);
	if (r == 0 && fchmod(fd, 0600) < 0)
		r = err_sys("%s: chmod", dst);
	return r;
}

/* Keep a mismatching download (tmp, mode 0600) aside, outside the store,
 * at $TMPDIR/distill-mismatch-<hash>, owner-only.  $TMPDIR may be shared:
 * what another user put at that name (a file, a symlink) is neither
 * followed nor replaced; the download goes to a fresh name beside it.  A
 * file of ours there already holds these bytes (its name is their hash). */
static char *set_aside(const char *tmp, const hash_t *got)
{
	char hb[HASH_B64 + 1];
	hash_b64(got, hb);
	const char *dir = getenv("TMPDIR");
	char *dst = fs_fmt("%s/distill-mismatch-%s", dir && *dir ? dir : "/tmp", hb);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
		return dst;
	/* Another file system (or one without RENAME_NOREPLACE): copy. */
	int fd = errno == EEXIST ? -1
		 : open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		struct stat st;
		if (lstat(dst, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
			return dst;
		char *fresh = fs_fmt("%s.XXXXXX", dst);
		free(dst);
		dst = fresh;
		fd = mkostemp(dst, O_CLOEXEC);
	}
	if (fd < 0 || copy_into(tmp, fd, dst) < 0) {
		if (fd >= 0) {
			close(fd);
			unlink(dst);
		}
		free(dst);
		return NULL;
	}
	close(fd);
	return dst;
}

static int record(struct store *s, const char *url, const pin_t *pin, const hash_t *b2,
		  long long size)
{
	if (store_put_origin(s, b2, url) < 0 || store_put_size(s, &pin->h, size) < 0)
		return -1;
	return pin->kind == PIN_SHA256 ? store_put_sha256(s, &pin->h, b2) : 0;
}

/* Try one candidate.  0 stored, 1 not there, 2 mismatch (reported in
 * *why), -1 error (err set). */
static int try_one(struct store *s, const char *cand, const char *url, const pin_t *pin,
		   const struct fetch_opts *o, const struct limits *lim, const char *tmp,
		   hash_t *blob, char **why)
{
	/* Owner-only whatever the umask: the source may be a private file,
	 * and a mismatch is moved aside as it is. */
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		if (fd >= 0)
			close(fd);
		return err_sys("%s", tmp);
	}
	struct sink k;
	const char *slash = strrchr(url, '/');
	sink_init(&k, fd, slash ? slash + 1 : url, lim);
	/* A candidate without a scheme is a file name, relative to the
	 * current directory unless absolute (DISTILL_MIRRORS=. is a
	 * directory, not a host). */
	int r = !strstr(cand, "://") ? from_file(cand, &k) : from_url(cand, &k, o->offline);
	if (r == 0 && fsync(fd) < 0)
		r = err_sys("%s: fsync", tmp);
	close(fd);
	if (r != 0)
		return r;
	hash_t b2, sha;
	hash_final(&k.b2, &b2);
	crypto_hash_sha256_final(&k.sha, sha.b);
	if (!pin_matches(pin, &b2, &sha)) {
		char want[80], got[HASH_B64 + 1], gotsha[80];
		pin_format(pin, want);
		hash_b64(&b2, got);
		pin_format(&(pin_t){.kind = PIN_SHA256, .h = sha}, gotsha);
		char *kept = set_aside(tmp, &b2);
		*why = fs_fmt("%s (for %s): pin %s, but what arrived is %s (%s), "
			      "%lld bytes; kept at %s; nothing was stored",
			      cand, url, want, got, gotsha, k.bytes, kept ? kept : "(nowhere)");
		free(kept);
		return 2;
	}
	if (store_adopt_blob(s, tmp, &b2) < 0 || record(s, url, pin, &b2, k.bytes) < 0)
		return -1;
	*blob = b2;
	return 0;
}

static char *last_part(const char *url)
{
	const char *q = strpbrk(url, "?#");
	size_t n = q ? (size_t)(q - url) : strlen(url);
	const char *slash = memrchr(url, '/', n);
	const char *b = slash ? slash + 1 : url;
	return strndup(b, n - (b - url));
}

int fetch_env_number(const char *name, enum fetch_unit unit, long long def, long long *out)
{
	const char *v = getenv(name), *units = "KMGT", *u;
	*out = def;
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (unit == UNIT_BYTES && *end && (u = strchr(units, *end))) {
		int shift = 10 * (u - units + 1);
		n = n > LLONG_MAX >> shift ? -1 : n << shift;
		end++;
	}
	if (errno || end == v || *end || n <= 0)
		return err("%s=%s: expected %s", name, v,
			   unit == UNIT_BYTES ? "a number of bytes, or of K, M, G or T (KiB...)"
			   : unit == UNIT_SECONDS ? "a number of seconds" : "a positive whole number");
	*out = n;
	return 0;
}

/* The cap: the known size exactly, else $DISTILL_FETCH_MAX_SIZE or 8 GiB.
 * The deadline: $DISTILL_FETCH_TIMEOUT, else an hour, or for a known
 * size 5 minutes and a second per 64 KiB. */
static int limits_for(struct store *s, const pin_t *pin, struct limits *l)
{
	long long size, t;
	/* Recorded by an earlier fetch; a malformed record is none (this
	 * fetch writes it again). */
	l->known = store_get_size(s, &pin->h, &size) == 0;
	if (!l->known && fetch_env_number("DISTILL_FETCH_MAX_SIZE", UNIT_BYTES, 8LL << 30, &size) < 0)
		return -1;
	if (fetch_env_number("DISTILL_FETCH_TIMEOUT", UNIT_SECONDS, l->known ? 300 + size / 65536 : 3600, &t) < 0)
		return -1;
	l->cap = size;
	l->timeout = t > LONG_MAX / 1000 ? LONG_MAX / 1000 : t;
	return 0;
}

int fetch_source(struct store *s, const char *url, const pin_t *pin,
		 const struct fetch_opts *o, hash_t *blob)
{
	if (fetch_have(s, pin, blob))
		return 0;
	struct limits lim;
	if (limits_for(s, pin, &lim) < 0)
		return -1;
	char pintext[80];
	pin_format(pin, pintext);
	char *base = last_part(url);
	/* Candidates: mirrors by pin and by name, extra URLs, the origin (a
	 * mirror:// URL on each of its mirror's base URLs). */
	size_t norigin;
	char **origin = mirror_expand(url, "/etc/apt", &norigin);
	size_t nc = 0, cap = 2 * o->nmirrors + o->nextra + norigin;
	char **cands = xmalloc(cap * sizeof *cands);
	for (size_t i = 0; i < o->nmirrors; i++) {
		cands[nc++] = fs_join(o->mirrors[i], pintext);
		if (*base)
			cands[nc++] = fs_join(o->mirrors[i], base);
	}
	for (size_t i = 0; i < o->nextra; i++)
		cands[nc++] = xstrdup(o->extra[i]);
	for (size_t i = 0; i < norigin; i++)
		cands[nc++] = origin[i];
	free(origin);
	free(base);

	char *dir = store_mktemp(s, "fetch");
	if (!dir) {
		fs_free_words(cands, nc);
		return -1;
	}
	char *tmp = fs_join(dir, "download");
	char *tried = xstrdup("");
	int r = -1, any_mismatch = 0, full = 0;
	for (size_t i = 0; i < nc; i++) {
		char *why = NULL;
		int t = try_one(s, cands[i], url, pin, o, &lim, tmp, blob, &why);
		full = t < 0 && err_no_space();
		if (t == 0 || full) {
			r = t; /* a full disk: no other candidate fits either */
			break;
		}
		char *line = t == 1 ? fs_fmt("%s: not there", cands[i])
			     : t == 2 ? why : xstrdup(err_msg());
		if (t == 2) {
			any_mismatch = 1;
			fprintf(stderr, "distill: warning: %s\n", line);
		}
		char *n = fs_fmt("%s\n  %s", tried, line);
		free(tried);
		free(line);
		tried = n;
	}
	if (r < 0 && !full)
		err("cannot fetch %s (pin %s)%s:%s", url, pintext,
		    any_mismatch ? ": content did not match its pin" : "", tried);
	free(tried);
	fs_rm_rf(dir);
	free(dir);
	free(tmp);
	fs_free_words(cands, nc);
	return r;
}
