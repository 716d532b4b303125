/* sandbox: real builds in the real sandbox, with the host's static busybox
 * as the only tool.  Layers: a bottom one with busybox, and per build a top
 * one holding /build. */
#define _GNU_SOURCE
#include "sandbox.h"
#include "err.h"
#include "fsutil.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *base, *bottom;
static int nbuild;

static const char *const applets[] = {
	"sh", "cat", "echo", "ls", "sleep", "wc", "id", "hostname", "nc", "env",
	"sort", "touch", "mkdir", "rm", "head", "grep", "tr", "printf", "kill",
	"stat", "pwd", "ip", "test",
};

static void put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *p = fs_join(dir, name);
	if (fs_write_atomic(p, text, strlen(text), mode, 0) < 0)
		printf("# %s\n", err_msg());
	free(p);
}

static char *slurp(const char *path)
{
	char *buf;
	size_t len;
	return fs_read_file(path, &buf, &len) == 0 ? buf : xstrdup("(missing)");
}

static void make_bottom(void)
{
	bottom = fs_join(base, "bottom");
	char *bin = fs_join(bottom, "bin");
	char *bb = fs_join(bin, "busybox");
	if (fs_mkdir_p(bin, 0755) < 0 || fs_copy_file("/bin/busybox", bb, 0755) < 0)
		printf("# %s\n", err_msg());
	for (size_t i = 0; i < sizeof applets / sizeof *applets; i++) {
		char *l = fs_join(bin, applets[i]);
		if (symlink("busybox", l) < 0)
			printf("# symlink %s: %s\n", l, strerror(errno));
		free(l);
	}
	put(bottom, "shared", "bottom\n", 0644);
	put(bottom, "bottom-only", "from the bottom layer\n", 0644);
	free(bb);
	free(bin);
}

/* One build: its own top layer with /build, scratch, out and log file. */
struct build {
	const char *layers[2];
	struct sandbox_spec spec;
	struct sandbox_result res;
	char *top, *scratch, *out, *log;
	int rc;
};

static void prep(struct build *b, const char *script)
{
	int n = ++nbuild;
	memset(b, 0, sizeof *b);
	b->top = fs_fmt("%s/top%d", base, n);
	b->scratch = fs_fmt("%s/scratch%d", base, n);
	b->out = fs_fmt("%s/out%d", base, n);
	b->log = fs_fmt("%s/log%d", base, n);
	mkdir(b->top, 0755);
	mkdir(b->scratch, 0755);
	mkdir(b->out, 0755);
	char *text = fs_fmt("#!/bin/sh\n%s\n", script);
	put(b->top, "build", text, 0755);
	put(b->top, "shared", "top\n", 0644);
	free(text);
	b->layers[0] = b->top;
	b->layers[1] = bottom;
	b->spec.layers = b->layers;
	b->spec.nlayers = 2;
	b->spec.scratch = b->scratch;
	b->spec.out = b->out;
	b->spec.log_fd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	b->spec.js_read = b->spec.js_write = -1;
}

/* Run it; the log's text (malloc'd). */
static char *go(struct build *b)
{
	b->rc = sandbox_run(&b->spec, &b->res);
	if (b->rc < 0)
		printf("# sandbox_run: %s\n", err_msg());
	close(b->spec.log_fd);
	return slurp(b->log);
}

static void done(struct build *b)
{
	free(b->top);
	free(b->scratch);
	free(b->out);
	free(b->log);
}

/* Run a script; its log, or "(failed)". */
static char *sh(const char *script, int *status)
{
	struct build b;
	prep(&b, script);
	char *log = go(&b);
	*status = b.rc == 0 ? b.res.status : -1;
	if (b.rc < 0) {
		free(log);
		log = xstrdup("(failed)");
	}
	done(&b);
	return log;
}

static void check(const char *script, const char *want, const char *name)
{
	int st;
	char *log = sh(script, &st);
	is_str(log, want, "%s", name);
	ok(st == 0, "%s: status 0 (got %d)", name, st);
	free(log);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void test_basics(void)
{
	struct build b;
	prep(&b, "echo hello > /out/result\ncat /shared /bottom-only");
	char *log = go(&b);
	ok(b.rc == 0 && b.res.status == 0 && !b.res.timed_out, "trivial build succeeds");
	is_str(log, "top\nfrom the bottom layer\n", "top layer wins, both layers merge");
	char *p = fs_join(b.out, "result"), *r = slurp(p);
	is_str(r, "hello\n", "a file written to /out appears in spec->out");
	ok(b.res.seconds > 0 && b.res.seconds < 60, "wall time measured (%.4f s)", b.res.seconds);
	free(p);
	free(r);
	free(log);
	done(&b);

	int st;
	free(sh("exit 42", &st));
	ok(st == 42, "exit status propagates (got %d)", st);
	free(sh("kill -9 $$", &st));
	ok(st == 128 + 9, "death by signal is 128+signal (got %d)", st);
}

static void test_identity(void)
{
	check("id -u; id -g; hostname; echo $$; pwd; umask", "0\n0\ndistill\n2\n/\n0022\n",
	      "uid 0, gid 0, hostname distill, /build is pid 2, cwd /, umask 022");
	check("env | sort",
	      "HOME=/tmp\nLC_ALL=C.UTF-8\nPATH=/usr/bin:/bin:/usr/sbin:/sbin\n"
	      "PWD=/\nSHLVL=1\nSOURCE_DATE_EPOCH=0\nTMPDIR=/tmp\nTZ=UTC\n",
	      "environment is exactly the documented set (plus the shell's PWD, SHLVL)");
	check("ls /dev; stat -c %a /tmp /dev/shm; head -c 5 /dev/zero | wc -c; echo x > /dev/null && echo null-ok",
	      "fd\nfull\nnull\nrandom\nshm\nstderr\nstdin\nstdout\nurandom\nzero\n1777\n1777\n5\nnull-ok\n",
	      "minimal /dev, tmpfs /tmp and /dev/shm");
	check("cat < /dev/stdin; echo to-stderr >&2", "to-stderr\n", "stdin is /dev/null, stderr goes to the log");
}

static void test_isolation(void)
{
	/* The glob is expanded by the shell itself, with no child running, so
	   exactly init and the shell are there; a pipeline would race. */
	char *script = fs_fmt("cd /proc && echo [0-9]*; grep -c '^PPid:.0' /proc/1/status; "
			      "test -e /proc/%d && echo host-visible; true", (int)getpid());
	check(script, "1 2\n1\n", "/proc shows only the sandbox (init and the shell)");
	free(script);

	char *secret = fs_join(base, "secret");
	put(base, "secret", "host secret\n", 0644);
	script = fs_fmt("cat %s /etc/hostname 2>/dev/null; echo rc=$?; ls /home /root /usr 2>&1 | wc -l", secret);
	check(script, "rc=1\n3\n", "host files are not visible");
	free(script);
	free(secret);

	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	ok(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4) == 0 &&
	   getsockname(l, (struct sockaddr *)&a, &al) == 0, "host listener on 127.0.0.1");
	script = fs_fmt("echo hi | nc 127.0.0.1 %d 2>/dev/null; echo rc=$?; "
			"ip -o link | wc -l; ip link show lo | grep -c LOOPBACK,UP", ntohs(a.sin_port));
	check(script, "rc=1\n1\n1\n", "only loopback, up; the host's 127.0.0.1 is unreachable");
	free(script);
	int c = accept(l, NULL, NULL);
	ok(c < 0 && errno == EAGAIN, "the host listener saw no connection");
	close(l);
}

static void test_layers_untouched(void)
{
	struct build b;
	prep(&b, "echo changed > /shared; echo changed > /bottom-only; rm /bin/sleep; "
		 "mkdir /newdir; cat /shared; test -e /bin/sleep || echo gone");
	char *log = go(&b);
	is_str(log, "changed\ngone\n", "the root is writable inside");
	char *p = fs_join(b.top, "shared"), *s = slurp(p);
	is_str(s, "top\n", "top layer on the host unchanged");
	free(p);
	free(s);
	p = fs_join(bottom, "bottom-only");
	s = slurp(p);
	is_str(s, "from the bottom layer\n", "bottom layer on the host unchanged");
	free(p);
	free(s);
	p = fs_join(bottom, "bin/sleep");
	struct stat st;
	ok(lstat(p, &st) == 0, "a file deleted inside is still in the layer");
	free(p);
	p = fs_join(b.scratch, "upper/shared");
	ok(access(p, F_OK) == 0, "changes land in scratch/upper");
	free(p);
	free(log);
	done(&b);
}

static void test_kill_all(void)
{
	/* The background job keeps the log pipe open while it lives: EOF soon
	 * after sandbox_run returns means it was killed. */
	struct build b;
	int p[2];
	prep(&b, "sleep 1000 & echo started");
	close(b.spec.log_fd);
	ok(pipe2(p, O_CLOEXEC) == 0, "log pipe");
	b.spec.log_fd = p[1];
	double t0 = now();
	b.rc = sandbox_run(&b.spec, &b.res);
	close(p[1]);
	ok(b.rc == 0 && b.res.status == 0, "build with a background job returns");
	char buf[64];
	size_t n = 0;
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	ssize_t r = 1;
	while (r > 0 && poll(&pf, 1, 2000) == 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	/* Bounds are far from the job's 1000 s, so load on the machine cannot
	   make them fail; they tell "killed" from "waited for". */
	ok(r == 0 && now() - t0 < 30, "background process dead when the build ends (log EOF, %.1f s)",
	   now() - t0);
	is_str(buf, "started\n", "its output reached the log");
	close(p[0]);
	done(&b);
}

static void test_timeout(void)
{
	struct build b;
	prep(&b, "sleep 100");
	b.spec.timeout = 1;
	free(go(&b));
	ok(b.rc == 0 && b.res.timed_out == 1, "timeout reported");
	ok(b.res.seconds > 0.9 && b.res.seconds < 50, "killed after the 1 s timeout, not the 100 s sleep (%.3f s)",
	   b.res.seconds);
	ok(b.res.status == 128 + 9, "status is 128+SIGKILL (%d)", b.res.status);
	done(&b);

	prep(&b, "echo quick");
	b.spec.timeout = 10;
	char *log = go(&b);
	ok(b.rc == 0 && !b.res.timed_out && b.res.status == 0, "a quick build under a timeout is not killed");
	is_str(log, "quick\n", "its output");
	free(log);
	done(&b);
}

static void test_jobserver(void)
{
	struct build b;
	int js[2];
	prep(&b, "printf + >&8; test -e /proc/$$/fd/7 && echo read-open; "
		 "test -e /proc/$$/fd/9 || echo other-closed; echo \"$MAKEFLAGS\"");
	ok(pipe(js) == 0 && dup2(js[0], 7) == 7 && dup2(js[1], 8) == 8, "jobserver pipe on fds 7, 8");
	close(js[0]);
	close(js[1]);
	int leak = open("/dev/null", O_RDONLY);
	ok(dup2(leak, 9) == 9, "a stray inheritable fd 9");
	close(leak);
	fcntl(7, F_SETFD, FD_CLOEXEC);
	fcntl(8, F_SETFD, FD_CLOEXEC);
	b.spec.js_read = 7;
	b.spec.js_write = 8;
	b.spec.makeflags = " -j2 --jobserver-auth=7,8";
	char *log = go(&b);
	is_str(log, "read-open\nother-closed\n -j2 --jobserver-auth=7,8\n",
	       "jobserver fds inherited, other fds closed, MAKEFLAGS set");
	char c = 0;
	ok(read(7, &c, 1) == 1 && c == '+', "token written by the build reached the jobserver");
	close(7);
	close(8);
	close(9);
	free(log);
	done(&b);
}

static void test_failures(void)
{
	struct build b;
	prep(&b, "true");
	b.layers[1] = "/nonexistent/layer";
	char *log = go(&b);
	ok(b.rc == -1 && strstr(err_msg(), "/nonexistent/layer"), "a missing layer is an error naming it");
	ok(strstr(log, "/nonexistent/layer") != NULL, "and the log says so too");
	free(log);
	done(&b);

	prep(&b, "true");
	char *build = fs_join(b.top, "build");
	unlink(build);
	free(build);
	log = go(&b);
	ok(b.rc == -1 && strstr(err_msg(), "/build"), "no /build is an error (%s)", err_msg());
	free(log);
	done(&b);

	const char *many[501];
	for (int i = 0; i < 501; i++)
		many[i] = bottom;
	prep(&b, "true");
	b.spec.layers = many;
	b.spec.nlayers = 501;
	log = go(&b);
	ok(b.rc == -1 && strstr(err_msg(), "at most 500"), "too many layers is a clear error");
	free(log);
	done(&b);

	/* 200 layers with long names: far over one page of mount options. */
	const char *deep[200];
	char *deepdirs[200];
	prep(&b, "echo deep");
	deep[0] = b.top;
	deep[199] = bottom;
	for (int i = 1; i < 199; i++) {
		deepdirs[i] = fs_fmt("%s/a-layer-with-a-rather-long-directory-name-%03d", base, i);
		mkdir(deepdirs[i], 0755);
		deep[i] = deepdirs[i];
	}
	b.spec.layers = deep;
	b.spec.nlayers = 200;
	log = go(&b);
	is_str(log, "deep\n", "200 layers with long paths mount");
	free(log);
	done(&b);
	for (int i = 1; i < 199; i++)
		free(deepdirs[i]);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	base = fs_fmt("%s/sandbox-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base)) {
		printf("Bail out! mkdtemp %s: %s\n", base, strerror(errno));
		return 1;
	}
	int pf = sandbox_preflight(base);
	ok(pf == 0, "preflight passes%s%s", pf ? ": " : "", pf ? err_msg() : "");
	ok(sandbox_preflight(base) == 0, "preflight again (cached)");
	make_bottom();
	test_basics();
	test_identity();
	test_isolation();
	test_layers_untouched();
	test_kill_all();
	test_timeout();
	test_jobserver();
	test_failures();
	fs_rm_rf(base);
	free(base);
	free(bottom);
	return done_testing();
}
