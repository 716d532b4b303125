/* boot: option parsing, QEMU's command line, and the console watcher run
 * against a stand-in for QEMU (a shell script printing lines). */
#define _GNU_SOURCE
#include "boot.h"
#include "err.h"
#include "fsutil.h"
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Options NAME VALUE ... set one after the other on a zeroed o; the
 * first failure's result. */
static int parse(struct boot_opts *o, int n, ...)
{
	va_list ap;
	int r = 0;
	memset(o, 0, sizeof *o);
	va_start(ap, n);
	for (int i = 0; i < n && r == 0; i++) {
		const char *name = va_arg(ap, const char *);
		r = boot_set_option(o, name, va_arg(ap, const char *));
	}
	va_end(ap);
	return r;
}

/* ARGV joined with spaces. */
static char *joined(char **argv)
{
	char *s = xstrdup("");
	for (char **p = argv; *p; p++) {
		char *t = fs_fmt("%s%s%s", s, *s ? " " : "", *p);
		free(s);
		s = t;
	}
	return s;
}

static char *fake_qemu(const char *dir, const char *name, const char *body)
{
	char *p = fs_join(dir, name);
	char *text = fs_fmt("#!/bin/sh\n%s", body);
	fs_write_atomic(p, text, strlen(text), 0755, 0);
	free(text);
	return p;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	struct boot_opts o;

	/* Option values (where they stand on the command line is main.c's). */
	ok(parse(&o, 4, "expect", "^OK$", "timeout", "30", "forward", "8080:80", "forward",
		 "2222:22") == 0, "options parse");
	is_str(o.expect, "^OK$", "--expect");
	ok(o.timeout == 30, "--timeout 30");
	ok(o.nfwd == 2 && o.fwd[0].host == 8080 && o.fwd[0].guest == 80 &&
	   o.fwd[1].host == 2222 && o.fwd[1].guest == 22, "two --forward");
	boot_opts_free(&o);
	ok(parse(&o, 2, "accel", "tcg", "state", "var.qcow2") == 0 && o.accel &&
	   !strcmp(o.accel, "tcg") && !strcmp(o.state, "var.qcow2"), "--accel, --state");
	boot_opts_free(&o);
	ok(parse(&o, 1, "forward", "80") < 0 && strstr(err_msg(), "HOSTPORT:GUESTPORT"),
	   "--forward without a colon: %s", err_msg());
	boot_opts_free(&o);
	ok(parse(&o, 1, "forward", "80:70000") < 0, "a port above 65535 is refused");
	boot_opts_free(&o);
	ok(parse(&o, 1, "expect", "(") < 0 && strstr(err_msg(), "--expect"),
	   "a bad regex is refused: %s", err_msg());
	boot_opts_free(&o);
	ok(parse(&o, 1, "timeout", "0") < 0, "--timeout 0 is refused");
	boot_opts_free(&o);
	ok(parse(&o, 1, "accel", "hvf") < 0, "--accel only kvm or tcg");
	boot_opts_free(&o);
	ok(parse(&o, 1, "state", "") < 0, "--state needs a file name");
	boot_opts_free(&o);
	ok(parse(&o, 1, "net", "") < 0 && strstr(err_msg(), "-netdev user options"),
	   "--net needs options: %s", err_msg());
	boot_opts_free(&o);
	ok(parse(&o, 1, "net", "net=10.9.0.0/24,id=x") < 0 && strstr(err_msg(), "id="),
	   "--net may not name the network's id: %s", err_msg());
	boot_opts_free(&o);
	ok(parse(&o, 1, "bogus", "x") < 0, "an unknown option");
	boot_opts_free(&o);

	/* QEMU's command line.  Disks: a raw one whose name has a comma, a
	 * qcow2 one (its magic), and a qcow2 --state file whose header names
	 * its backing image. */
	char tmp[] = "/tmp/boot-unit.XXXXXX";
	if (!mkdtemp(tmp))
		return 1;
	char *raw = fs_fmt("%s/a,b", tmp), *qcow = fs_fmt("%s/d.qcow2", tmp);
	char *state = fs_fmt("%s/state.qcow2", tmp);
	unsigned char hdr[256] = {'Q', 'F', 'I', 0xfb, 0, 0, 0, 3};
	hdr[15] = 104;			/* backing file name at offset 104 */
	hdr[19] = (unsigned char)strlen(raw);	/* and its length */
	memcpy(hdr + 104, raw, strlen(raw));
	if (fs_write_atomic(raw, "raw disk", 8, 0644, 0) < 0 ||
	    fs_write_atomic(qcow, hdr, 8, 0644, 0) < 0 ||
	    fs_write_atomic(state, hdr, sizeof hdr, 0644, 0) < 0)
		return 1;
	parse(&o, 2, "forward", "8080:80", "forward", "2222:22");
	struct boot_spec s = {.kernel = "/s/k", .initrd = "/s/i", .disk = raw,
			      .cmdline = "console=ttyS0 quiet"};
	char **argv = boot_qemu_argv(&s, &o, "tcg");
	char *line = argv ? joined(argv) : NULL;
	char *want = fs_fmt("-drive file=%s/a,,b,format=raw,if=virtio,snapshot=on", tmp);
	ok(line && strstr(line, "-accel tcg -m 256 "), "TCG and default memory: %s", line);
	ok(line && strstr(line, "-kernel /s/k -initrd /s/i -append console=ttyS0 quiet"),
	   "kernel, initrd, command line");
	ok(line && strstr(line, want), "the disk is raw, on a snapshot, its comma doubled");
	free(want);
	ok(line && strstr(line, "-netdev user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80,"
				"hostfwd=tcp:127.0.0.1:2222-:22"),
	   "forwards listen on the loopback only");
	ok(line && strstr(line, "-no-reboot") && strstr(line, "-serial mon:stdio") &&
	   !strstr(line, "-bios"), "no reboot, serial console, default BIOS");
	ok(line && !strstr(line, "net1"), "no --net: one NIC");
	free(line);
	boot_argv_free(argv);
	boot_opts_free(&o);
	parse(&o, 2, "net", "net=169.254.0.0/16,guestfwd=tcp:169.254.169.254:80-cmd:srv a,,b",
	      "net", "net=10.9.0.0/24");
	argv = boot_qemu_argv(&s, &o, "tcg");
	line = argv ? joined(argv) : NULL;
	ok(line && strstr(line, "-device virtio-net-pci,netdev=net0,romfile= "
				"-netdev user,id=net1,net=169.254.0.0/16,"
				"guestfwd=tcp:169.254.169.254:80-cmd:srv a,,b "
				"-device virtio-net-pci,netdev=net1,romfile= "
				"-netdev user,id=net2,net=10.9.0.0/24 "
				"-device virtio-net-pci,netdev=net2,romfile="),
	   "each --net is a NIC after net0's, on a user network with its options: %s", line);
	free(line);
	boot_argv_free(argv);
	struct boot_spec bare = {.initrd = "/s/i"};
	ok(!boot_qemu_argv(&bare, &o, "tcg") && strstr(err_msg(), "kernel"),
	   "an initrd alone is refused: %s", err_msg());
	struct boot_spec disk = {.disk = qcow, .memory_mb = 1024};
	argv = boot_qemu_argv(&disk, &o, "kvm");
	line = argv ? joined(argv) : NULL;
	ok(line && strstr(line, "-accel kvm -m 1024 ") && !strstr(line, "-kernel") &&
	   !strstr(line, "-append"), "a disk alone: no -kernel, no -append");
	ok(line && strstr(line, "format=qcow2,if=virtio,snapshot=on"),
	   "a disk with qcow2's magic is attached as qcow2");
	free(line);
	boot_argv_free(argv);
	/* An aarch64 machine: QEMU's virt board, u-boot as its firmware,
	 * emulated even when KVM was chosen (KVM runs x86_64 guests here). */
	struct boot_spec arm = {.disk = qcow, .arch = "aarch64", .bios = "/s/u-boot.bin"};
	argv = boot_qemu_argv(&arm, &o, "kvm");
	line = argv ? joined(argv) : NULL;
	ok(line && !strncmp(line, "qemu-system-aarch64 -machine virt -cpu cortex-a57 -accel tcg ",
			    strlen("qemu-system-aarch64 -machine virt -cpu cortex-a57 -accel tcg ")),
	   "aarch64: qemu-system-aarch64, virt, cortex-a57, TCG: %s", line);
	ok(line && strstr(line, "-bios /s/u-boot.bin") && strstr(line, "if=virtio"),
	   "aarch64: u-boot is the firmware, the disk is virtio");
	free(line);
	boot_argv_free(argv);
	/* An NVMe disk, as EC2's Nitro machines have: the drive on no bus,
	 * an NVMe controller's namespace. */
	struct boot_spec nvme = {.disk = qcow, .disk_if = "nvme"};
	argv = boot_qemu_argv(&nvme, &o, "tcg");
	line = argv ? joined(argv) : NULL;
	ok(line && strstr(line, "format=qcow2,if=none,id=disk0,snapshot=on "
				"-device nvme,serial=distill-disk0,drive=disk0") &&
	   !strstr(line, "if=virtio"), "disk_if nvme: the disk is an NVMe controller's: %s", line);
	free(line);
	boot_argv_free(argv);
	struct boot_spec scsi = {.disk = qcow, .disk_if = "scsi"};
	ok(!boot_qemu_argv(&scsi, &o, "tcg") && strstr(err_msg(), "virtio or nvme, not scsi"),
	   "a disk interface distill does not attach is refused: %s", err_msg());
	struct boot_spec sparc = {.disk = qcow, .arch = "sparc"};
	ok(!boot_qemu_argv(&sparc, &o, "tcg") && strstr(err_msg(), "not sparc"),
	   "an architecture distill cannot boot is refused: %s", err_msg());
	struct boot_spec gone = {.disk = "/nonexistent/disk.img"};
	ok(!boot_qemu_argv(&gone, &o, "tcg") && strstr(err_msg(), "/nonexistent/disk.img"),
	   "a disk that cannot be read is an error naming it: %s", err_msg());
	boot_opts_free(&o);

	/* --state: the overlay, used as it is; one of another image refused. */
	ok(parse(&o, 1, "state", state) == 0 && o.state == state, "--state FILE");
	ok(boot_state_prepare(raw, state, NULL) == 0, "the state file of this image is used");
	ok(boot_state_prepare(qcow, state, NULL) < 0 && strstr(err_msg(), "another image"),
	   "the state file of another image is refused: %s", err_msg());
	ok(boot_state_prepare(raw, raw, NULL) < 0 && strstr(err_msg(), "not a qcow2 image"),
	   "a state file that is not qcow2 is refused: %s", err_msg());
	s.disk = raw;
	argv = boot_qemu_argv(&s, &o, "tcg");
	line = argv ? joined(argv) : NULL;
	ok(line && strstr(line, "format=qcow2,if=virtio") && !strstr(line, "snapshot=on") &&
	   !strstr(line, "a,,b"), "with --state, QEMU writes to the state file, not the image");
	free(line);
	boot_argv_free(argv);
	s.disk_if = "nvme";
	argv = boot_qemu_argv(&s, &o, "tcg");
	line = argv ? joined(argv) : NULL;
	ok(line && strstr(line, "format=qcow2,if=none,id=disk0 -device nvme,") &&
	   !strstr(line, "snapshot=on"), "with --state, an NVMe disk is the state file too");
	free(line);
	boot_argv_free(argv);
	boot_opts_free(&o);
	fs_rm_rf(tmp);
	free(raw);
	free(qcow);
	free(state);

	/* boot_kvm_usable answers, with a reason when it says no. */
	int kvm = boot_kvm_usable();
	ok(kvm == 1 || (kvm == 0 && *err_msg()), "KVM usable: %d (%s)", kvm, kvm ? "" : err_msg());

	/* The watcher, against stand-ins for QEMU. */
	char tmpl[] = "/tmp/boot-unit.XXXXXX";
	char *dir = mkdtemp(tmpl);
	char *out = fs_join(dir, "console");
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *args[] = {"qemu", "-x", NULL};
	char *pidfile = fs_join(dir, "pid");
	char *body = fs_fmt("echo $$ > %s\nprintf 'booting\\r\\nDISTILL OK here\\r\\n'\n"
			    "exec sleep 30\n", pidfile);
	char *q1 = fake_qemu(dir, "q1", body);
	free(body);
	struct boot_opts w = {.expect = "DISTILL OK", .timeout = 20};
	double t0 = now();
	ok(boot_run(q1, args, &w, fd) == 0 && now() - t0 < 25,
	   "a matching line: 0 at once, not when QEMU ends 30 s later (%.1f s)", now() - t0);
	char *pidtext = NULL;
	size_t n;
	pid_t pid = fs_read_file(pidfile, &pidtext, &n) == 0 ? atoi(pidtext) : 0;
	free(pidtext);
	ok(pid > 0 && kill(pid, 0) < 0, "QEMU was killed after the match");
	char *console = NULL;
	fs_read_file(out, &console, &n);
	ok(console && strstr(console, "booting\r\nDISTILL OK here\r\n"),
	   "the console was copied as it came");
	free(console);

	w.expect = "^DISTILL OK here$";
	w.timeout = 5;
	ok(boot_run(q1, args, &w, fd) == 0, "lines are matched without their \\r\\n");
	w.expect = "^NEVER";
	w.timeout = 1;
	t0 = now();
	ok(boot_run(q1, args, &w, fd) == BOOT_EXIT_TIMEOUT && now() - t0 < 25,
	   "no match: BOOT_EXIT_TIMEOUT after the timeout (%.1f s): %s", now() - t0, err_msg());
	char *q2 = fake_qemu(dir, "q2", "printf 'last line, no end'\n");
	w.expect = "no end$";
	w.timeout = 20;
	ok(boot_run(q2, args, &w, fd) == 0, "a last line without its newline still matches");
	char *q3 = fake_qemu(dir, "q3", "echo hello; exit 3\n");
	w.expect = "bye";
	ok(boot_run(q3, args, &w, fd) == BOOT_EXIT_QEMU && strstr(err_msg(), "status 3"),
	   "QEMU exits first: BOOT_EXIT_QEMU: %s", err_msg());
	w.expect = NULL;
	ok(boot_run(q3, args, &w, fd) == BOOT_EXIT_QEMU, "without --expect, a failing QEMU");
	char *q4 = fake_qemu(dir, "q4", "echo hello\n");
	ok(boot_run(q4, args, &w, fd) == 0, "without --expect, QEMU exiting 0 is success");
	char *missing = fs_join(dir, "no-such-qemu");
	ok(boot_run(missing, args, &w, fd) < 0 && strstr(err_msg(), "qemu-system-x86"),
	   "no QEMU: -1 and what to install: %s", err_msg());

	close(fd);
	fs_rm_rf(dir);
	free(out);
	free(pidfile);
	free(q1);
	free(q2);
	free(q3);
	free(q4);
	free(missing);
	return done_testing();
}
