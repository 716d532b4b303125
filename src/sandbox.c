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
#include <grp.h>
#include <linux/keyctl.h>
#include <time.h>
#include <unistd.h>

/* overlayfs refuses deeper stacks (OVL_MAX_STACK). */
#define MAX_LAYERS 500
/* Exit code of a sandbox process that failed before /build ran; the
 * message in the error pipe is what tells the parent, not this code. */
#define SETUP_FAILED 127
/* Who builds run as, outside, when distill runs as root and root has no
 * subordinate ids in /etc/subuid and /etc/subgid: an id no account or
 * container range uses (above systemd's, below 2^31). */
#define BUILD_ID 2147418112UL
/* Where setup failed: the first byte of the error pipe's message. */
#define STAGE_NS 'n'
#define STAGE_ROOT 'o'
#define STAGE_SETUP 's'

/* Everything the child needs, computed before clone: the child may come
 * from a multi-threaded process, so it must not allocate. */
struct job {
	const struct sandbox_spec *spec;
	const char *root, *upper, *work;
	const char *lower;	/* as root: mountpoints of the idmapped layers */
	/* Child: O_PATH fds of the layers (spec order) and of upper and work,
	 * opened in the sandbox's own mount namespace (the array is the
	 * parent's allocation). */
	int *layer_fds, upper_fd, work_fd;
	/* As root: the user namespace (0 -> the build id) that pid 1 enters
	 * once everything is mounted, and that idmaps the layers; else -1,
	 * and pid 1 maps itself with uid_map/gid_map. */
	int userns;
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

/* "/proc/self/fd/N": how the child names what the parent opened, so that
 * no host path reaches the overlay's options in /proc/self/mountinfo and
 * no directory on the way to a layer needs to be searchable. */
static const char *fd_path(char buf[32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* As root: layer i as a detached mount whose owners are shifted into the
 * build's user namespace (files owned by the store's owner appear owned
 * by root inside), attached on lower/i; its fd replaces layer_fds[i]. */
static void idmap_layer(struct job *j, int dir, size_t i)
{
	char name[32];
	snprintf(name, sizeof name, "%zu", i);
	if (mkdirat(dir, name, 0755) < 0)
		die(j, "cannot create %s/%s", j->lower, name);
	int t = open_tree(j->layer_fds[i], "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct mount_attr a = {
		.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV,
		.userns_fd = j->userns,
	};
	if (t < 0 || mount_setattr(t, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
		die(j, "cannot map the owners of layer %s into the build's user "
		       "namespace (the store's file system must support idmapped "
		       "mounts to build as root; or run distill as an ordinary user)",
		    j->spec->layers[i]);
	if (move_mount(t, "", dir, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die(j, "cannot attach layer %s", j->spec->layers[i]);
	close(j->layer_fds[i]);
	j->layer_fds[i] = t;
}

/* The root: an overlay of the layers (first added = top) over a writable
 * upper directory.  The new mount API takes one layer per call, so the
 * one-page limit of the old option string does not apply. */
static void mount_root(struct job *j)
{
	const struct sandbox_spec *s = j->spec;
	char log[512], path[32];
	for (size_t i = 0; i < s->nlayers; i++)
		if ((j->layer_fds[i] = open(s->layers[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			die(j, "cannot mount the overlay root: layer %s", s->layers[i]);
	if ((j->upper_fd = open(j->upper, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (j->work_fd = open(j->work, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(j, "cannot open %s and %s", j->upper, j->work);
	if (j->userns >= 0 && !(s->vary && s->vary->plain_layers)) {
		int dir = open(j->lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			die(j, "cannot open %s", j->lower);
		for (size_t i = 0; i < s->nlayers; i++)
			idmap_layer(j, dir, i);
		close(dir);
	}
	int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		die(j, "cannot use overlayfs (fsopen)");
	for (size_t i = 0; i < s->nlayers; i++)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+",
			     fd_path(path, j->layer_fds[i]), 0) < 0)
			die(j, "cannot mount the overlay root: layer %s%s", s->layers[i],
			    fs_log(fs, log, sizeof log));
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", fd_path(path, j->upper_fd), 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", fd_path(path, j->work_fd), 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die(j, "cannot mount the overlay root on %s (upper %s/upper)%s", j->root,
		    s->scratch, fs_log(fs, log, sizeof log));
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

/* Make the mount at path (relative to cwd) read-only, keeping its other
 * flags (which a user namespace may not clear). */
static void read_only(const struct job *j, const char *path)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(AT_FDCWD, path, 0, &a, sizeof a) < 0)
		die(j, "cannot make /%s read-only", path);
}

/* A fresh /proc whose parts that write host or kernel state (sysctls,
 * sysrq, irq affinity, bus and fs settings) are read-only binds. */
static void mount_proc(const struct job *j)
{
	static const char *const ro[] = {
		"proc/sys", "proc/sysrq-trigger", "proc/irq", "proc/bus", "proc/fs",
	};
	mountpoint(j, "proc", 1);
	do_mount(j, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	for (size_t i = 0; i < sizeof ro / sizeof *ro; i++) {
		if (access(ro[i], F_OK) < 0)
			continue;
		do_mount(j, ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL);
		read_only(j, ro[i]);
	}
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
		read_only(j, dst);
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

/* As root: become uid and gid 0 of the build's user namespace, which maps
 * them to the unprivileged build ids; no supplementary group is kept.
 * The mount, network, uts and pid namespaces stay owned by the host's
 * user namespace, so the build cannot change its mounts or host name. */
static void enter_userns(const struct job *j)
{
	if (setgroups(0, NULL) < 0)
		die(j, "cannot drop supplementary groups");
	if (syscall(SYS_setns, j->userns, CLONE_NEWUSER) < 0)
		die(j, "cannot enter the build's user namespace");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die(j, "cannot become root of the build's user namespace");
	close(j->userns);
}

/* Overwrite the caller's environment strings in pid 1's copy of memory. */
static void wipe_environ(void)
{
	extern char **environ;
	for (char **e = environ; e && *e; e++)
		memset(*e, 0, strlen(*e));
}

/* Die with the parent: PR_SET_PDEATHSIG, and if the parent died before it
 * took effect, the error pipe has lost its only reader.  (getppid() cannot
 * tell: the parent is outside pid 1's pid namespace.) */
static void die_with_parent(const struct job *j)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die(j, "prctl(PR_SET_PDEATHSIG)");
	struct pollfd p = { .fd = j->errfd, .events = POLLOUT };
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
		_exit(SETUP_FAILED);
}

/* Let the build run on the first n CPUs it may use now (nproc says n). */
static void limit_cpus(const struct job *j, int n)
{
	/* Raw syscalls and a mask of our own: <sched.h> is shadowed (above). */
	unsigned long now[16] = {0}, keep[16] = {0};
	const int bits = 8 * sizeof *now;
	if (syscall(SYS_sched_getaffinity, 0, sizeof now, now) < 0)
		die(j, "sched_getaffinity");
	for (int c = 0; c < 16 * bits && n > 0; c++)
		if (now[c / bits] & 1UL << c % bits) {
			keep[c / bits] |= 1UL << c % bits;
			n--;
		}
	if (syscall(SYS_sched_setaffinity, 0, sizeof keep, keep) < 0)
		die(j, "cannot limit the build to fewer CPUs");
}

/* pid 1 of the sandbox.  Runs in the fresh namespaces right after clone. */
__attribute__((noreturn))
static void init_main(struct job *j)
{
	const struct sandbox_spec *s = j->spec;

	j->stage = STAGE_NS;
	if (j->userns < 0) {
		write_proc(j, "/proc/self/setgroups", "deny");
		write_proc(j, "/proc/self/uid_map", j->uid_map);
		write_proc(j, "/proc/self/gid_map", j->gid_map);
	}
	die_with_parent(j);
	j->stage = STAGE_SETUP;
	/* Not readable or traceable by the build: /proc/1 (environ, fds,
	 * memory) of a non-dumpable process is out of its reach. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		die(j, "prctl(PR_SET_DUMPABLE)");
	wipe_environ();

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die(j, "cannot make / private");
	j->stage = STAGE_ROOT;
	mount_root(j);
	j->stage = STAGE_SETUP;
	if (chdir(j->root) < 0)
		die(j, "cannot enter %s", j->root);
	mountpoint(j, "out", 1);
	do_mount(j, s->out, "out", NULL, MS_BIND, NULL);
	mount_proc(j);
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
	if (j->userns >= 0)
		enter_userns(j);
	/* Again: a change of credentials clears it. */
	die_with_parent(j);
	set_fds(j);
	/* A session keyring of its own: none of the caller's keys. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		die(j, "cannot create a session keyring");
	if (j->probe)
		_exit(0);

	umask(s->vary ? s->vary->umask : 022);
	if (s->vary && s->vary->cpus > 0)
		limit_cpus(j, s->vary->cpus);
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
	/* Only the build's own copy (closed when /build starts) may report
	 * that /build could not run; nothing the build does can write here. */
	close(j->errfd);
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w == build)
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (w < 0 && errno != EINTR)
			_exit(SETUP_FAILED);
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

/* The indices in base_env of what a vary changes. */
enum { ENV_LC = 3, ENV_TZ = 4 };
static const char *const base_env[] = {
	"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/tmp", "TMPDIR=/tmp",
	"LC_ALL=C.UTF-8", "TZ=UTC", "SOURCE_DATE_EPOCH=0",
};

/* root's first subordinate id in file (/etc/subuid or /etc/subgid, lines
 * "user:first:count"), else BUILD_ID. */
static unsigned long sub_id(const char *file)
{
	unsigned long id = BUILD_ID;
	FILE *f = fopen(file, "re");
	char line[256];
	while (f && fgets(line, sizeof line, f)) {
		char *first = strchr(line, ':');
		if (!first || (strncmp(line, "root:", 5) && strncmp(line, "0:", 2)))
			continue;
		char *end;
		unsigned long v = strtoul(first + 1, &end, 10);
		if (end != first + 1 && *end == ':' && v != 0) {
			id = v;
			break;
		}
	}
	if (f)
		fclose(f);
	return id;
}

unsigned long sandbox_build_uid(const struct sandbox_vary *vary)
{
	return sub_id("/etc/subuid") + (vary ? vary->id_shift : 0);
}

unsigned long sandbox_build_gid(const struct sandbox_vary *vary)
{
	return sub_id("/etc/subgid") + (vary ? vary->id_shift : 0);
}

/* 1 if id is mapped in this process's user namespace (map: uid_map or
 * gid_map under /proc/self). */
static int id_mapped(const char *map, unsigned long id)
{
	FILE *f = fopen(map, "re");
	unsigned long in, out, count;
	int r = 0;
	while (f && !r && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
		r = id >= in && id - in < count;
	if (f)
		fclose(f);
	return r;
}

/* A user namespace mapping 0 to uid and gid, as an fd: made by a child
 * that only waits while its maps are written, then exits. */
static int make_userns(unsigned long uid, unsigned long gid)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys("sandbox: pipe");
	pid_t pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		char c;
		close(p[1]);
		ssize_t n = read(p[0], &c, 1);
		_exit(n < 0);
	}
	close(p[0]);
	int fd = -1;
	if (pid < 0) {
		err_sys("sandbox: the kernel refused to create a user namespace");
	} else {
		char path[64], map[64];
		const char *const files[] = { "setgroups", "uid_map", "gid_map" };
		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, files[i]);
			snprintf(map, sizeof map, i == 0 ? "deny" : "0 %lu 1\n", i == 1 ? uid : gid);
			int f = open(path, O_WRONLY | O_CLOEXEC);
			int w = f >= 0 && fs_write_all(f, map, strlen(map)) == 0;
			if (f >= 0)
				close(f);
			if (!w) {
				err_sys("sandbox: cannot write %s", path);
				goto reap;
			}
		}
		snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err_sys("sandbox: %s", path);
	}
reap:
	close(p[1]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

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
	struct job j = { .spec = spec, .probe = probe, .userns = -1 };
	char *dirs[4] = { fs_join(spec->scratch, "upper"), fs_join(spec->scratch, "work"),
			  fs_join(spec->scratch, "root"), fs_join(spec->scratch, "lower") };
	char *envp[sizeof base_env / sizeof *base_env + 2], *mf = NULL, *tz = NULL, *lc = NULL;
	int r = -1, fds[2] = { -1, -1 };
	size_t n = 0;
	j.layer_fds = xmalloc(spec->nlayers * sizeof *j.layer_fds);

	*stage = STAGE_SETUP;
	unsigned long uid = sandbox_build_uid(spec->vary), gid = sandbox_build_gid(spec->vary);
	int as_root = geteuid() == 0 && id_mapped("/proc/self/uid_map", uid) &&
		      id_mapped("/proc/self/gid_map", gid);
	for (int i = 0; i < 4; i++)
		if ((i < 3 || as_root) && mkdir(dirs[i], 0755) < 0) {
			err_sys("sandbox: %s: cannot create", dirs[i]);
			goto out;
		}
	if (as_root) {
		const char *mine[] = { dirs[0], dirs[1], spec->out };
		for (int i = 0; i < 3; i++)
			if (chown(mine[i], uid, gid) < 0) {
				err_sys("sandbox: %s: cannot give it to the build user %lu", mine[i], uid);
				goto out;
			}
		if ((j.userns = make_userns(uid, gid)) < 0) {
			*stage = STAGE_NS;
			goto out;
		}
	}
	j.upper = dirs[0];
	j.work = dirs[1];
	j.root = dirs[2];
	j.lower = dirs[3];
	for (; n < sizeof base_env / sizeof *base_env; n++)
		envp[n] = (char *)base_env[n];
	if (spec->vary) {
		envp[ENV_LC] = lc = fs_fmt("LC_ALL=%s", spec->vary->locale);
		envp[ENV_TZ] = tz = fs_fmt("TZ=%s", spec->vary->tz);
	}
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
	long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
		     CLONE_NEWUTS | CLONE_NEWCGROUP | (as_root ? 0 : CLONE_NEWUSER);
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
		goto out;
	}
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	res->timed_out = timed_out;
	res->seconds = end - start;
	r = 0;
out:
	if (r < 0 && spec->log_fd >= 0) {
		char *line = fs_fmt("distill: %s\n", err_msg());
		fs_write_all(spec->log_fd, line, strlen(line));
		free(line);
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(j.layer_fds);
	if (j.userns >= 0)
		close(j.userns);
	for (int i = 0; i < 4; i++)
		free(dirs[i]);
	free(mf);
	free(tz);
	free(lc);
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
