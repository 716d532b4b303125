#define _GNU_SOURCE
#include "sandbox.h"

#include "err.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <linux/sched.h> /* CLONE_*: <sched.h> is shadowed by src/sched.h under -Isrc */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* overlayfs refuses deeper stacks (OVL_MAX_STACK). */
#define MAX_LAYERS 500
/* Exit code of a sandbox process that failed before /build ran; the
 * message in the error pipe is what tells the parent, not this code. */
#define SETUP_FAILED 127
/* Where setup failed: the first byte of the error pipe's message. */
#define STAGE_NS 'n'
#define STAGE_ROOT 'o'
#define STAGE_SETUP 's'

/* Everything the child needs, computed before clone: the child may come
 * from a multi-threaded process, so it must not allocate. */
struct job {
	const struct sandbox_spec *spec;
	const char *root, *upper, *work;
	char uid_map[32], gid_map[32];
	char *const *envp;
	int errfd;
	int probe;	/* preflight: set everything up, then exit 0 */
	char stage;	/* child: STAGE_* of the step in progress */
};

/* Child side: report a setup failure through the error pipe and die. */
__attribute__((noreturn, format(printf, 2, 3)))
static void die(const struct job *j, const char *fmt, ...)
{
	int e = errno;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	buf[0] = j->stage;
	int n = vsnprintf(buf + 1, sizeof buf - 1, fmt, ap) + 1;
	va_end(ap);
	if (n < 1)
		n = 1;
	if ((size_t)n < sizeof buf && e)
		n += snprintf(buf + n, sizeof buf - n, ": %s", strerror(e));
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	ssize_t w = write(j->errfd, buf, n);	/* nothing more to do if it fails */
	(void)w;
	_exit(SETUP_FAILED);
}

static void write_proc(const struct job *j, const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die(j, "cannot write %s", path);
	close(fd);
}

/* The overlay driver's own explanation of a failed fsconfig, read from
 * the fs context log ("e overlayfs: ...\n"), as " [overlayfs: ...]", or "". */
static const char *fs_log(int fs, char *buf, size_t size)
{
	int e = errno;
	ssize_t n = read(fs, buf + 1, size - 3);
	errno = e;
	while (n > 0 && buf[n] == '\n')
		n--;
	if (n <= 2)
		return "";
	buf[1] = ' ';
	buf[2] = '[';
	buf[n + 1] = ']';
	buf[n + 2] = 0;
	return buf + 1;
}

/* The root: an overlay of the layers (first added = top) over a writable
 * upper directory.  The new mount API takes one layer per call, so the
 * one-page limit of the old option string does not apply. */
static void mount_root(const struct job *j)
{
	const struct sandbox_spec *s = j->spec;
	char log[512];
	int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		die(j, "cannot use overlayfs (fsopen)");
	for (size_t i = 0; i < s->nlayers; i++)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", s->layers[i], 0) < 0)
			die(j, "cannot mount the overlay root: layer %s%s", s->layers[i],
			    fs_log(fs, log, sizeof log));
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", j->upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", j->work, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die(j, "cannot mount the overlay root on %s (upper %s)%s", j->root,
		    j->upper, fs_log(fs, log, sizeof log));
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die(j, "cannot mount the overlay root on %s%s", j->root,
		    fs_log(fs, log, sizeof log));
	if (move_mount(mnt, "", AT_FDCWD, j->root, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die(j, "cannot attach the overlay root on %s", j->root);
	close(mnt);
	close(fs);
}

/* Mountpoint inside the new root (cwd); it may come from a layer. */
static void mountpoint(const struct job *j, const char *path, int dir)
{
	if (dir) {
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			die(j, "cannot create /%s in the sandbox root", path);
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die(j, "cannot create /%s in the sandbox root", path);
	close(fd);
}

static void do_mount(const struct job *j, const char *src, const char *dst,
		     const char *type, unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die(j, "cannot mount %s on /%s", type ? type : src, dst);
}

static void mount_dev(const struct job *j)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom" };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "dev/fd" }, { "/proc/self/fd/0", "dev/stdin" },
		{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
	};
	char src[32], dst[32];
	mountpoint(j, "dev", 1);
	do_mount(j, "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k");
	for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
		snprintf(src, sizeof src, "/dev/%s", nodes[i]);
		snprintf(dst, sizeof dst, "dev/%s", nodes[i]);
		mountpoint(j, dst, 0);
		do_mount(j, src, dst, NULL, MS_BIND, NULL);
	}
	for (size_t i = 0; i < sizeof links / sizeof *links; i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die(j, "cannot create /%s", links[i][1]);
	mountpoint(j, "dev/shm", 1);
	do_mount(j, "tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

static void loopback_up(const struct job *j)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die(j, "cannot open a socket to bring up lo");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die(j, "cannot read the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die(j, "cannot bring up lo");
	close(s);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* stdin /dev/null, stdout and stderr the log; every other fd closed but
 * the error pipe (close-on-exec) and the jobserver (inherited by /build). */
static void set_fds(const struct job *j)
{
	const struct sandbox_spec *s = j->spec;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		die(j, "cannot open /dev/null");
	int log = s->log_fd >= 0 ? s->log_fd : null;
	if (dup2(log, 1) < 0 || dup2(log, 2) < 0 || dup2(null, 0) < 0)
		die(j, "cannot set up stdio");
	int keep[3] = { j->errfd, s->js_read, s->js_write }, lo = 3;
	qsort(keep, 3, sizeof *keep, cmp_int);
	for (int i = 0; i < 3; i++) {
		if (keep[i] < lo)
			continue;
		if (keep[i] > lo && close_range(lo, keep[i] - 1, 0) < 0)
			die(j, "cannot close inherited fds");
		lo = keep[i] + 1;
	}
	if (close_range(lo, ~0U, 0) < 0)
		die(j, "cannot close inherited fds");
	for (int i = 0; i < 3; i++)
		if (keep[i] >= 0 && keep[i] != j->errfd && fcntl(keep[i], F_SETFD, 0) < 0)
			die(j, "jobserver fd %d", keep[i]);
}

/* pid 1 of the sandbox.  Runs in the fresh namespaces right after clone. */
__attribute__((noreturn))
static void init_main(struct job *j)
{
	const struct sandbox_spec *s = j->spec;

	j->stage = STAGE_NS;
	write_proc(j, "/proc/self/setgroups", "deny");
	write_proc(j, "/proc/self/uid_map", j->uid_map);
	write_proc(j, "/proc/self/gid_map", j->gid_map);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die(j, "prctl(PR_SET_PDEATHSIG)");
	j->stage = STAGE_SETUP;
	set_fds(j);

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die(j, "cannot make / private");
	j->stage = STAGE_ROOT;
	mount_root(j);
	j->stage = STAGE_SETUP;
	if (chdir(j->root) < 0)
		die(j, "cannot enter %s", j->root);
	mountpoint(j, "out", 1);
	do_mount(j, s->out, "out", NULL, MS_BIND, NULL);
	mountpoint(j, "proc", 1);
	do_mount(j, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mountpoint(j, "tmp", 1);
	do_mount(j, "tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mount_dev(j);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die(j, "cannot pivot_root into %s", j->root);
	if (umount2(".", MNT_DETACH) < 0)
		die(j, "cannot detach the host root");
	if (chdir("/") < 0)
		die(j, "cannot chdir to /");

	loopback_up(j);
	if (sethostname("distill", 7) < 0 || setdomainname("distill", 7) < 0)
		die(j, "cannot set the host name");
	if (j->probe)
		_exit(0);

	umask(022);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die(j, "prctl(PR_SET_NO_NEW_PRIVS)");
	/* Nothing ignored or blocked by the caller leaks into the build. */
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);

	pid_t build = fork();
	if (build < 0)
		die(j, "cannot fork /build");
	if (build == 0) {
		char *const argv[] = { "/build", NULL };
		execve("/build", argv, j->envp);
		die(j, "cannot run /build");
	}
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w == build)
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (w < 0 && errno != EINTR)
			die(j, "init: waitpid");
	}
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Wait for init, killing it at the deadline; its status in *st.  An
 * error here still reaps init. */
static int wait_init(pid_t pid, unsigned timeout, double start, int *st, int *timed_out)
{
	int r = 0;
	*timed_out = 0;
	if (timeout) {
		int pfd = syscall(SYS_pidfd_open, pid, 0);
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		if (pfd < 0)
			r = err_sys("sandbox: pidfd_open");
		while (pfd >= 0) {
			double left = start + timeout - now();
			int n = left > 0 ? poll(&p, 1, (int)(left * 1000) + 1) : 0;
			if (n > 0)
				break;
			if (n == 0) {
				*timed_out = 1;
				break;
			}
			if (errno != EINTR) {
				r = err_sys("sandbox: poll");
				break;
			}
		}
		if (r < 0 || *timed_out)
			kill(pid, SIGKILL);
		if (pfd >= 0)
			close(pfd);
	}
	while (waitpid(pid, st, 0) < 0)
		if (errno != EINTR)
			return err_sys("sandbox: waitpid");
	return r;
}

static const char *const base_env[] = {
	"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/tmp", "TMPDIR=/tmp",
	"LC_ALL=C.UTF-8", "TZ=UTC", "SOURCE_DATE_EPOCH=0",
};

/* Run one sandbox (or, with probe, only set one up).  On failure *stage
 * says where: STAGE_NS (namespaces refused), STAGE_ROOT (overlay root),
 * STAGE_SETUP (anything else). */
static int run_job(const struct sandbox_spec *spec, int probe,
		   struct sandbox_result *res, char *stage)
{
	if (spec->nlayers == 0)
		return err("sandbox: no input layers");
	if (spec->nlayers > MAX_LAYERS)
		return err("sandbox: %zu input layers; overlayfs stacks at most %d",
			   spec->nlayers, MAX_LAYERS);
	struct job j = { .spec = spec, .probe = probe };
	char *dirs[3] = { fs_join(spec->scratch, "upper"), fs_join(spec->scratch, "work"),
			  fs_join(spec->scratch, "root") };
	char *envp[sizeof base_env / sizeof *base_env + 2], *mf = NULL;
	int r = -1, fds[2] = { -1, -1 };
	size_t n = 0;

	*stage = STAGE_SETUP;
	for (int i = 0; i < 3; i++)
		if (mkdir(dirs[i], 0755) < 0) {
			err_sys("sandbox: %s: cannot create", dirs[i]);
			goto out;
		}
	j.upper = dirs[0];
	j.work = dirs[1];
	j.root = dirs[2];
	for (; n < sizeof base_env / sizeof *base_env; n++)
		envp[n] = (char *)base_env[n];
	if (spec->js_read >= 0 && spec->makeflags)
		envp[n++] = mf = fs_fmt("MAKEFLAGS=%s", spec->makeflags);
	envp[n] = NULL;
	j.envp = envp;
	snprintf(j.uid_map, sizeof j.uid_map, "0 %u 1\n", (unsigned)getuid());
	snprintf(j.gid_map, sizeof j.gid_map, "0 %u 1\n", (unsigned)getgid());
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_sys("sandbox: pipe");
		goto out;
	}
	j.errfd = fds[1];

	double start = now();
	long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
		     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	/* Raw clone: fork-like, and the child is pid 1 of its namespace. */
	pid_t pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0 && errno == EINVAL)
		pid = syscall(SYS_clone, (flags & ~CLONE_NEWCGROUP) | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		close(fds[0]);
		init_main(&j);
	}
	close(fds[1]);
	fds[1] = -1;
	if (pid < 0) {
		*stage = STAGE_NS;
		err_sys("sandbox: the kernel refused to create user, mount and pid namespaces");
		goto out;
	}
	int st, timed_out;
	if (wait_init(pid, spec->timeout, start, &st, &timed_out) < 0)
		goto out;
	double end = now();

	char msg[1100];
	ssize_t m = read(fds[0], msg, sizeof msg - 1);
	if (m > 1) {
		msg[m] = 0;
		*stage = msg[0];
		err("sandbox: %s", msg + 1);
		if (spec->log_fd >= 0) {
			char *line = fs_fmt("distill: %s\n", err_msg());
			fs_write_all(spec->log_fd, line, strlen(line));
			free(line);
		}
		goto out;
	}
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	res->timed_out = timed_out;
	res->seconds = end - start;
	r = 0;
out:
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int i = 0; i < 3; i++)
		free(dirs[i]);
	free(mf);
	return r;
}

int sandbox_run(const struct sandbox_spec *spec, struct sandbox_result *res)
{
	char stage;
	return run_job(spec, 0, res, &stage);
}

/* 1 if the sysctl file exists and holds exactly value. */
static int sysctl_is(const char *path, const char *value)
{
	char *buf;
	size_t len;
	if (fs_read_file(path, &buf, &len) != 0)
		return 0;
	int r = strtol(buf, NULL, 10) == strtol(value, NULL, 10);
	free(buf);
	return r;
}

/* Why the kernel may refuse user namespaces, and the fix. */
static const char *userns_hint(void)
{
	if (sysctl_is("/proc/sys/kernel/unprivileged_userns_clone", "0"))
		return "unprivileged user namespaces are disabled "
		       "(kernel.unprivileged_userns_clone = 0); as root, run "
		       "`sysctl -w kernel.unprivileged_userns_clone=1` and put "
		       "`kernel.unprivileged_userns_clone = 1` in /etc/sysctl.d/ to keep it";
	if (sysctl_is("/proc/sys/user/max_user_namespaces", "0"))
		return "user namespaces are disabled (user.max_user_namespaces = 0); "
		       "as root, run `sysctl -w user.max_user_namespaces=10000` and put "
		       "`user.max_user_namespaces = 10000` in /etc/sysctl.d/ to keep it";
	if (sysctl_is("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"))
		return "AppArmor restricts unprivileged user namespaces "
		       "(kernel.apparmor_restrict_unprivileged_userns = 1); as root, run "
		       "`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (and put "
		       "it in /etc/sysctl.d/), or give distill an AppArmor profile "
		       "with the `userns,` rule";
	return NULL;
}

int sandbox_preflight(const char *scratch_parent)
{
	static int passed;
	if (passed)
		return 0;
	char *tmp = fs_join(scratch_parent, ".sandbox-preflight-XXXXXX");
	if (!mkdtemp(tmp)) {
		err_sys("sandbox preflight: %s: cannot create", tmp);
		free(tmp);
		return -1;
	}
	char *layer = fs_join(tmp, "layer"), *scratch = fs_join(tmp, "scratch"),
	     *out = fs_join(tmp, "out");
	const char *layers[] = { layer };
	struct sandbox_spec spec = {
		.layers = layers, .nlayers = 1, .scratch = scratch, .out = out,
		.log_fd = -1, .js_read = -1, .js_write = -1,
	};
	struct sandbox_result res;
	char stage = STAGE_SETUP;
	int r = -1;
	if (mkdir(layer, 0755) < 0 || mkdir(scratch, 0755) < 0 || mkdir(out, 0755) < 0)
		err_sys("sandbox preflight: cannot create directories in %s", tmp);
	else if (run_job(&spec, 1, &res, &stage) < 0)
		;
	else if (res.status != 0)
		err("sandbox preflight: the probe sandbox ended with status %d", res.status);
	else
		r = 0;
	if (r < 0) {
		const char *hint = userns_hint();
		if (!hint && stage == STAGE_NS)
			hint = "the kernel refused: a container's seccomp policy or a "
			       "security module may forbid user namespaces; run distill "
			       "where unprivileged user namespaces are allowed";
		if (!hint && stage == STAGE_ROOT)
			hint = "distill needs overlayfs in a user namespace with "
			       "'lowerdir+' (Linux 6.8 or later), and the store on a "
			       "filesystem overlayfs accepts as upper layer (ext4, xfs, "
			       "btrfs, tmpfs; not NFS or another overlay)";
		char *m = xstrdup(err_msg());
		if (hint)
			err("%s; %s", m, hint);
		free(m);
	}
	if (fs_rm_rf(tmp) < 0 && r == 0)
		r = -1;
	free(layer);
	free(scratch);
	free(out);
	free(tmp);
	passed = r == 0;
	return r;
}
