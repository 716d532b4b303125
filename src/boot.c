#define _GNU_SOURCE
#include "boot.h"
#include "err.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A number from 1 to max, all of s. */
static int parse_num(const char *s, unsigned max, unsigned *v)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || n < 1 || n > max)
		return -1;
	*v = n;
	return 0;
}

static int parse_forward(const char *s, struct boot_forward *f)
{
	const char *colon = strchr(s, ':');
	if (!colon)
		return err("--forward %s: expected HOSTPORT:GUESTPORT, e.g. 8080:80", s);
	char *host = strndup(s, colon - s);
	int r = parse_num(host, 65535, &f->host);
	free(host);
	if (r < 0 || parse_num(colon + 1, 65535, &f->guest) < 0)
		return err("--forward %s: ports are numbers from 1 to 65535", s);
	return 0;
}

/* The options of a --net user network: not empty, and no id= (the
 * network's id is distill's, net1, net2...). */
static int parse_net(const char *s)
{
	if (!*s)
		return err("--net needs QEMU's -netdev user options, e.g. net=169.254.0.0/16");
	if (!strncmp(s, "id=", 3) || strstr(s, ",id="))
		return err("--net %s: the network's id= is distill's (net1, net2...): leave it out", s);
	return 0;
}

int boot_set_option(struct boot_opts *o, const char *name, const char *v)
{
	if (!strcmp(name, "expect")) {
		regex_t re;
		int rc = regcomp(&re, v, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char m[200];
			regerror(rc, &re, m, sizeof m);
			return err("--expect '%s': %s", v, m);
		}
		regfree(&re);
		o->expect = v;
	} else if (!strcmp(name, "timeout")) {
		if (parse_num(v, 86400 * 7, &o->timeout) < 0)
			return err("--timeout '%s': expected seconds, from 1 to 604800", v);
	} else if (!strcmp(name, "forward")) {
		o->fwd = xrealloc(o->fwd, (o->nfwd + 1) * sizeof *o->fwd);
		if (parse_forward(v, &o->fwd[o->nfwd]) < 0)
			return -1;
		o->nfwd++;
	} else if (!strcmp(name, "accel")) {
		if (strcmp(v, "kvm") && strcmp(v, "tcg"))
			return err("--accel '%s': expected kvm or tcg", v);
		o->accel = v;
	} else if (!strcmp(name, "net")) {
		if (parse_net(v) < 0)
			return -1;
		o->nets = xrealloc(o->nets, (o->nnets + 1) * sizeof *o->nets);
		o->nets[o->nnets++] = v;
	} else if (!strcmp(name, "state")) {
		if (!*v)
			return err("--state needs a file name");
		o->state = v;
	} else {
		return err("unknown option '--%s' for distill boot", name);
	}
	return 0;
}

void boot_opts_free(struct boot_opts *o)
{
	free(o->fwd);
	o->fwd = NULL;
	o->nfwd = 0;
	free(o->nets);
	o->nets = NULL;
	o->nnets = 0;
}

/* QEMU's default CPU model (qemu64) needs SSE3 and CMPXCHG16B besides the
 * baseline; a KVM that does not offer them cannot run its guests. */
static int kvm_has_cpu_features(int kvm)
{
	int n = 256;
	struct kvm_cpuid2 *c = xmalloc(sizeof *c + n * sizeof *c->entries);
	memset(c, 0, sizeof *c + n * sizeof *c->entries);
	c->nent = n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return err_sys("KVM_GET_SUPPORTED_CPUID on /dev/kvm");
	}
	uint32_t ecx = 0;
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			ecx = c->entries[i].ecx;
	free(c);
	const uint32_t need = 1u << 0 | 1u << 13;	/* SSE3, CX16 */
	if ((ecx & need) != need)
		return err("KVM does not offer SSE3 and CMPXCHG16B to guests "
			   "(CPUID 1 ECX is %#x): a nested hypervisor without the "
			   "host's CPU features, on which guests hang", ecx);
	return 0;
}

/* Run "mov al, 0x42; out 0x10, al; hlt" in real mode in a new machine. */
static int kvm_run_probe(int kvm)
{
	static const unsigned char code[] = {0xb0, 0x42, 0xe6, 0x10, 0xf4};
	int vm = -1, cpu = -1, r = -1;
	long page = sysconf(_SC_PAGESIZE);
	void *mem = MAP_FAILED, *runmem = MAP_FAILED;
	int runsz = 0;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		err_sys("KVM_CREATE_VM on /dev/kvm");
		goto out;
	}
	mem = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		err_sys("mmap for a KVM probe");
		goto out;
	}
	memcpy(mem, code, sizeof code);
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0x1000, .memory_size = page,
		.userspace_addr = (uintptr_t)mem,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {.rip = 0x1000, .rflags = 2};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ||
	    (cpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 ||
	    (runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0 ||
	    ioctl(cpu, KVM_GET_SREGS, &sregs) < 0) {
		err_sys("setting up a KVM probe machine");
		goto out;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	runmem = mmap(NULL, runsz, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	if (runmem == MAP_FAILED || ioctl(cpu, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(cpu, KVM_SET_REGS, &regs) < 0) {
		err_sys("setting up a KVM probe machine");
		goto out;
	}
	struct kvm_run *run = runmem;
	int saw_out = 0;
	for (int step = 0; step < 4; step++) {
		if (ioctl(cpu, KVM_RUN, 0) < 0) {
			err_sys("KVM_RUN of a probe machine");
			goto out;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x10 &&
		    ((unsigned char *)run)[run->io.data_offset] == 0x42) {
			saw_out = 1;
		} else if (run->exit_reason == KVM_EXIT_HLT && saw_out) {
			r = 0;
			goto out;
		} else {
			break;
		}
	}
	err("a KVM probe machine did not run its instructions (exit reason %u)",
	    run->exit_reason);
out:
	if (runmem != MAP_FAILED)
		munmap(runmem, runsz);
	if (mem != MAP_FAILED)
		munmap(mem, page);
	if (cpu >= 0)
		close(cpu);
	if (vm >= 0)
		close(vm);
	return r;
}

int boot_kvm_usable(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		err_sys("cannot open /dev/kvm");
		return 0;
	}
	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	int r = api != KVM_API_VERSION
			? err("/dev/kvm speaks KVM API %d, not %d", api, KVM_API_VERSION)
			: kvm_has_cpu_features(kvm) < 0 ? -1 : kvm_run_probe(kvm);
	close(kvm);
	return r == 0;
}

struct args {
	char **v;
	size_t n;
};

static void add(struct args *a, char *s)
{
	a->v = xrealloc(a->v, (a->n + 2) * sizeof *a->v);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* Read N bytes at OFFSET of PATH into BUF; -1 with err() when it cannot. */
static int read_at(const char *path, off_t offset, void *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys("cannot open %s", path);
	ssize_t r = pread(fd, buf, n, offset);
	int e = errno;
	close(fd);
	if (r < 0) {
		errno = e;
		return err_sys("cannot read %s", path);
	}
	if ((size_t)r != n)
		return err("%s is too short to be a disk image", path);
	return 0;
}

static const unsigned char qcow2_magic[4] = {'Q', 'F', 'I', 0xfb};

const char *boot_disk_format(const char *path)
{
	unsigned char m[4];
	if (read_at(path, 0, m, sizeof m) < 0)
		return NULL;
	return memcmp(m, qcow2_magic, 4) ? "raw" : "qcow2";
}

/* The backing file named in the header of the qcow2 image PATH (malloc'd),
 * or NULL with err(): not qcow2, or no backing file. */
static char *qcow2_backing(const char *path)
{
	unsigned char h[20];
	const char *fmt = boot_disk_format(path);
	if (!fmt)
		return NULL;
	if (strcmp(fmt, "qcow2")) {
		err("%s is not a qcow2 image", path);
		return NULL;
	}
	if (read_at(path, 0, h, sizeof h) < 0)
		return NULL;
	uint64_t off = 0;
	uint32_t len = 0;
	for (int i = 8; i < 16; i++)
		off = off << 8 | h[i];
	for (int i = 16; i < 20; i++)
		len = len << 8 | h[i];
	if (!off || !len || len > 4096) {
		err("%s has no backing image", path);
		return NULL;
	}
	char *name = xmalloc(len + 1);
	if (read_at(path, (off_t)off, name, len) < 0) {
		free(name);
		return NULL;
	}
	name[len] = 0;
	return name;
}

int boot_state_prepare(const char *disk, const char *state, const char *qemu_img)
{
	if (access(state, F_OK) == 0) {
		char *backing = qcow2_backing(state);
		if (!backing) {
			/* err_msg() is the buffer err() writes: copy it first. */
			char *why = xstrdup(err_msg());
			err("--state %s: %s; give another file, or remove it to start afresh",
			    state, why);
			free(why);
			return -1;
		}
		int same = !strcmp(backing, disk);
		if (!same) {
			err("--state %s holds the writes of another image (%s), not of %s: "
			    "give another file, or remove it to start afresh", state, backing, disk);
			free(backing);
			return -1;
		}
		free(backing);
		return 0;
	}
	if (errno != ENOENT)
		return err_sys("--state %s", state);
	const char *fmt = boot_disk_format(disk);
	if (!fmt)
		return -1;
	const char *img = qemu_img ? qemu_img : "qemu-img";
	pid_t pid = fork();
	if (pid < 0)
		return err_sys("cannot fork");
	if (pid == 0) {
		execlp(img, img, "create", "-q", "-f", "qcow2", "-F", fmt, "-b", disk,
		       state, (char *)NULL);
		fprintf(stderr, "distill: cannot run %s: %s (install qemu-utils: scripts/setup-debian)\n",
			img, strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_sys("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return err("--state %s: %s create failed", state, img);
	return 0;
}

/* QEMU's -drive and -netdev options separate with commas; a comma in a
 * value is written twice. */
static char *commas(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += *p == ',' ? 2 : 1;
	char *r = xmalloc(n + 1), *q = r;
	for (const char *p = s; *p; p++) {
		*q++ = *p;
		if (*p == ',')
			*q++ = ',';
	}
	*q = 0;
	return r;
}

/* The disk's -drive DRIVE (its file and format; taken), then MORE, on the
 * spec's interface: virtio's, or an NVMe controller's namespace. */
static void add_disk(struct args *a, const struct boot_spec *s, char *drive,
		     const char *more)
{
	add(a, xstrdup("-drive"));
	if (s->disk_if && !strcmp(s->disk_if, "nvme")) {
		add(a, fs_fmt("%s,if=none,id=disk0%s", drive, more));
		add(a, xstrdup("-device"));
		add(a, xstrdup("nvme,serial=distill-disk0,drive=disk0"));
	} else {
		add(a, fs_fmt("%s,if=virtio%s", drive, more));
	}
	free(drive);
}

char **boot_qemu_argv(const struct boot_spec *s, const struct boot_opts *o,
		      const char *accel)
{
	if (!s->kernel && !s->disk) {
		err("a boot needs a kernel or a disk image");
		return NULL;
	}
	if (s->initrd && !s->kernel) {
		err("an initrd is booted with a kernel: the boot spec has none");
		return NULL;
	}
	if (s->uefi && access(BOOT_OVMF, R_OK) < 0) {
		err_sys("UEFI firmware %s", BOOT_OVMF);
		err_prefix("cannot boot with UEFI (install Debian's ovmf package)");
		return NULL;
	}
	if (s->disk_if && strcmp(s->disk_if, "virtio") && strcmp(s->disk_if, "nvme")) {
		err("a disk is attached by virtio or nvme, not %s", s->disk_if);
		return NULL;
	}
	int arm = s->arch && !strcmp(s->arch, "aarch64");
	if (s->arch && !arm && strcmp(s->arch, "x86_64")) {
		err("distill boot runs x86_64 and aarch64 machines, not %s", s->arch);
		return NULL;
	}
	struct args a = {0};
	add(&a, fs_fmt("qemu-system-%s", arm ? "aarch64" : "x86_64"));
	if (arm) {
		/* QEMU's virt board with a Cortex-A57, always emulated. */
		add(&a, xstrdup("-machine"));
		add(&a, xstrdup("virt"));
		add(&a, xstrdup("-cpu"));
		add(&a, xstrdup("cortex-a57"));
	}
	add(&a, xstrdup("-accel"));
	add(&a, xstrdup(arm ? "tcg" : accel));
	add(&a, xstrdup("-m"));
	add(&a, fs_fmt("%u", s->memory_mb ? s->memory_mb : 256));
	/* No default devices (VGA, a NIC with a PXE ROM): only the serial
	 * console on stdio, multiplexed with the monitor (Ctrl-A C, Ctrl-A X). */
	add(&a, xstrdup("-nodefaults"));
	add(&a, xstrdup("-nographic"));
	add(&a, xstrdup("-serial"));
	add(&a, xstrdup("mon:stdio"));
	add(&a, xstrdup("-no-reboot"));
	if (s->uefi || s->bios) {
		add(&a, xstrdup("-bios"));
		add(&a, xstrdup(s->bios ? s->bios : BOOT_OVMF));
	}
	if (s->kernel) {
		add(&a, xstrdup("-kernel"));
		add(&a, xstrdup(s->kernel));
		if (s->initrd) {
			add(&a, xstrdup("-initrd"));
			add(&a, xstrdup(s->initrd));
		}
		if (s->cmdline) {
			add(&a, xstrdup("-append"));
			add(&a, xstrdup(s->cmdline));
		}
	}
	if (s->disk && o->state) {
		/* The overlay boot_state_prepare made: written, kept. */
		char *f = commas(o->state);
		add_disk(&a, s, fs_fmt("file=%s,format=qcow2", f), "");
		free(f);
	} else if (s->disk) {
		const char *fmt = boot_disk_format(s->disk);
		if (!fmt) {
			boot_argv_free(a.v);
			return NULL;
		}
		char *f = commas(s->disk);
		add_disk(&a, s, fs_fmt("file=%s,format=%s", f, fmt), ",snapshot=on");
		free(f);
	}
	/* User-mode networking; forwards listen on the loopback only. */
	char *net = xstrdup("user,id=net0");
	for (size_t i = 0; i < o->nfwd; i++) {
		char *more = fs_fmt("%s,hostfwd=tcp:127.0.0.1:%u-:%u", net,
				    o->fwd[i].host, o->fwd[i].guest);
		free(net);
		net = more;
	}
	add(&a, xstrdup("-netdev"));
	add(&a, net);
	add(&a, xstrdup("-device"));
	add(&a, xstrdup("virtio-net-pci,netdev=net0,romfile="));
	/* --net: a NIC each, after net0's (eth1, eth2... in the guest). */
	for (size_t i = 0; i < o->nnets; i++) {
		add(&a, xstrdup("-netdev"));
		add(&a, fs_fmt("user,id=net%zu,%s", i + 1, o->nets[i]));
		add(&a, xstrdup("-device"));
		add(&a, fs_fmt("virtio-net-pci,netdev=net%zu,romfile=", i + 1));
	}
	return a.v;
}

void boot_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

static void describe_exit(int st, char *buf, size_t n)
{
	if (st >= 0 && WIFEXITED(st))
		snprintf(buf, n, "status %d", WEXITSTATUS(st));
	else if (st >= 0 && WIFSIGNALED(st))
		snprintf(buf, n, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, n, "unknown status");
}

/* 0 when QEMU exited 0, else BOOT_EXIT_QEMU with the message. */
static int exit_result(int st)
{
	if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char how[64];
	describe_exit(st, how, sizeof how);
	err("QEMU exited with %s", how);
	return BOOT_EXIT_QEMU;
}

/* Does the console line LINE (without its end) match? */
static int line_matches(regex_t *re, char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	char c = line[len];
	line[len] = 0;
	int m = regexec(re, line, 0, NULL, 0) == 0;
	line[len] = c;
	return m;
}

/* Read the console until a line matches, the deadline passes or EOF. */
static int watch(pid_t pid, int fd, const struct boot_opts *o, int out_fd)
{
	regex_t re;
	int have_re = 0;
	if (o->expect) {
		if (regcomp(&re, o->expect, REG_EXTENDED | REG_NOSUB))
			return err("--expect '%s' is not a regex", o->expect);
		have_re = 1;
	}
	double deadline = o->timeout ? now() + o->timeout : 0;
	size_t cap = 65536, len = 0;
	char *line = xmalloc(cap + 1);
	char buf[4096];
	int result = -2;	/* -2: still watching */
	while (result == -2) {
		int ms = -1;
		if (deadline) {
			double left = deadline - now();
			ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			result = err_sys("poll on QEMU's console");
			break;
		}
		if (n == 0) {
			result = BOOT_EXIT_TIMEOUT;
			if (o->expect)
				err("no console line matched '%s' within %u seconds; QEMU was killed",
				    o->expect, o->timeout);
			else
				err("the machine still ran after %u seconds; QEMU was killed",
				    o->timeout);
			break;
		}
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* EOF: QEMU is gone; its last line may have no end */
			if (have_re && len && line_matches(&re, line, len))
				result = 0;
			break;
		}
		fs_write_all(out_fd, buf, r);
		for (ssize_t i = 0; i < r && result == -2; i++) {
			if (buf[i] != '\n' && len < cap) {
				line[len++] = buf[i];
				continue;
			}
			if (have_re && line_matches(&re, line, len))
				result = 0;
			len = buf[i] == '\n' ? 0 : (line[0] = buf[i], 1);
		}
	}
	free(line);
	if (have_re)
		regfree(&re);
	if (result != -2)
		kill(pid, SIGKILL);
	int st = wait_status(pid);
	if (result != -2)
		return result;
	char how[64];
	describe_exit(st, how, sizeof how);
	if (o->expect) {
		err("QEMU exited (%s) before a console line matched '%s'", how, o->expect);
		return BOOT_EXIT_QEMU;
	}
	return exit_result(st);
}

int boot_run(const char *qemu_bin, char **argv, const struct boot_opts *o, int out_fd)
{
	const char *bin = qemu_bin ? qemu_bin : argv[0];
	int watching = o->expect || o->timeout;
	int console[2] = {-1, -1}, report[2];
	if (pipe2(report, O_CLOEXEC) < 0 || (watching && pipe2(console, O_CLOEXEC) < 0))
		return err_sys("pipe for QEMU");
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		err_sys("fork for QEMU");
		close(report[0]);
		close(report[1]);
		if (watching) {
			close(console[0]);
			close(console[1]);
		}
		return -1;
	}
	if (pid == 0) {
		/* QEMU dies with distill, whatever kills it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		if (watching) {
			int null = open("/dev/null", O_RDONLY);
			if (null < 0 || dup2(null, 0) < 0 || dup2(console[1], 1) < 0)
				goto fail;
		}
		argv[0] = (char *)bin;
		execvp(bin, argv);
	fail:;
		int e = errno;
		if (write(report[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(report[1]);
	if (watching)
		close(console[1]);
	int e = 0;
	ssize_t got;
	while ((got = read(report[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (got == (ssize_t)sizeof e) {
		wait_status(pid);
		if (watching)
			close(console[0]);
		errno = e;
		err_sys("cannot run %s", bin);
		return err_prefix("distill boot runs QEMU (install Debian's qemu-system-x86, "
				  "and qemu-system-arm for aarch64: scripts/setup-debian)");
	}
	if (!watching)
		return exit_result(wait_status(pid));
	int r = watch(pid, console[0], o, out_fd);
	close(console[0]);
	return r;
}
