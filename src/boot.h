/* boot: run a machine in QEMU on its serial console (distill boot).
 *
 * Owns the QEMU side of `distill boot`: the values of the command's own
 * options (--expect, --timeout, --forward, --net, --accel, --state), deciding whether KVM really
 * runs guests here (else TCG), making QEMU's command line, and running
 * QEMU: its console (the first serial port) is copied to an fd and, with
 * --expect, matched line by line against a POSIX extended regex until a
 * line matches, the timeout passes or QEMU exits; QEMU is killed when
 * distill stops waiting, and dies with distill.
 *
 * A disk is attached with snapshot=on: QEMU opens the image read-only and
 * keeps every write in a temporary overlay in $TMPDIR that it deletes, so
 * booting never changes an image (they are store blobs).  With --state
 * FILE the writes go to FILE instead, a qcow2 overlay whose backing file
 * is the image, made by qemu-img on first use and kept: the next boot of
 * the same image with the same FILE sees them.
 *
 * The caller owns the struct boot_spec strings.  boot_set_option fills a
 * zeroed struct boot_opts whose forwards and nets arrays are freed by boot_opts_free
 * (the strings are the caller's: argv's).  Nothing here prints: failures
 * are -1 (or a BOOT_EXIT_* status) with err_msg() saying why. */
#ifndef DISTILL_BOOT_H
#define DISTILL_BOOT_H

#include "exitcode.h"	/* BOOT_EXIT_TIMEOUT, BOOT_EXIT_QEMU */

#include <stddef.h>

struct boot_spec {
	const char *kernel;	/* a kernel for -kernel, or NULL */
	const char *initrd;	/* an initramfs for -initrd (needs kernel), or NULL */
	const char *disk;	/* a raw disk image, or NULL */
	const char *cmdline;	/* the kernel command line (with kernel), or NULL */
	int uefi;		/* 1: OVMF firmware (BOOT_OVMF); 0: QEMU's BIOS */
	const char *bios;	/* firmware for -bios (u-boot.bin), or NULL */
	const char *arch;	/* "x86_64" (NULL: the same) or "aarch64": QEMU's
				 * virt board, cortex-a57, always TCG */
	unsigned memory_mb;	/* guest memory in MiB; 0: 256 */
	const char *disk_if;	/* how the disk is attached: "virtio" (NULL: the
				 * same) or "nvme" (an NVMe controller, as EC2's
				 * Nitro machines have) */
};

/* Where Debian's ovmf package puts the UEFI firmware. */
#define BOOT_OVMF "/usr/share/ovmf/OVMF.fd"

struct boot_forward {
	unsigned host, guest;	/* TCP ports: 127.0.0.1:host -> guest */
};

struct boot_opts {
	const char *expect;	/* --expect REGEX (POSIX extended), or NULL */
	unsigned timeout;	/* --timeout SECONDS, 0: none */
	const char *accel;	/* --accel kvm|tcg, or NULL: boot_kvm_usable decides */
	const char *state;	/* --state FILE: keep the disk's writes there, or NULL */
	struct boot_forward *fwd;	/* --forward HOST:GUEST, nfwd of them */
	size_t nfwd;
	const char **nets;	/* --net OPTS: a NIC each on a QEMU user network
				 * with these -netdev user options; nnets */
	size_t nnets;
};

/* Set the option --NAME of distill boot to VALUE (the command line parses
 * them: main.c); --forward adds one forward each time.  -1 with err() on
 * a malformed value (bad regex, port, number) or an unknown NAME. */
int boot_set_option(struct boot_opts *o, const char *name, const char *value);
void boot_opts_free(struct boot_opts *o);

/* "qcow2" when the image PATH starts with qcow2's magic, else "raw";
 * NULL with err() when it cannot be read. */
const char *boot_disk_format(const char *path);

/* Make STATE a qcow2 overlay of the image DISK (an absolute path) with
 * QEMU_IMG (NULL: qemu-img on PATH) unless it exists; if it exists, check
 * that its backing file is DISK.  -1 with err() otherwise. */
int boot_state_prepare(const char *disk, const char *state, const char *qemu_img);

/* 1 when /dev/kvm can be opened, offers the CPU features of QEMU's default
 * CPU model and runs a few guest instructions to completion; else 0, with
 * err_msg() saying why (nested virtualisation often has KVM that creates
 * machines but cannot run a kernel). */
int boot_kvm_usable(void);

/* QEMU's argv (NULL-terminated, owned by the caller: boot_argv_free) for
 * SPEC with OPTS, accelerator ACCEL ("kvm" or "tcg"; an aarch64 machine
 * is always TCG).  NULL with err() when the spec is incomplete (no kernel
 * and no disk, initrd without kernel), its arch unknown, or UEFI firmware
 * is missing. */
char **boot_qemu_argv(const struct boot_spec *spec, const struct boot_opts *o,
		      const char *accel);
void boot_argv_free(char **argv);

/* Run QEMU (QEMU_BIN, found on PATH; NULL: argv[0]) with ARGV
 * (from boot_qemu_argv; argv[0] is replaced by QEMU_BIN).  Without
 * --expect and --timeout, QEMU has the terminal (Ctrl-A X quits).  Else
 * its console goes to OUT_FD as it comes, stdin is /dev/null, and the
 * result is 0 when a console line matches o->expect (or, without it, QEMU
 * exits 0), BOOT_EXIT_TIMEOUT or BOOT_EXIT_QEMU with err() saying what
 * happened; -1 with err() when QEMU cannot be started. */
int boot_run(const char *qemu_bin, char **argv, const struct boot_opts *o, int out_fd);

#endif
