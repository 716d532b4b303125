;; Linux 6.1, built from source with the checked-in x86_64 config
;; linux/config-static: a small kernel for QEMU with everything built in
;; (no modules): virtio (pci, blk, net, console, rng), the 8250 serial
;; console, initramfs (plain, gzip, xz, zstd), devtmpfs, tmpfs, ext4 (which
;; also mounts ext2), squashfs (xz, zstd), vfat (codepage 437, iso8859-1),
;; MBR and GPT partitions, EFI with the EFI stub (OVMF can run the bzImage
;; as an EFI application), ACPI (power button, poweroff), the CMOS RTC,
;; UNIX, IPv4, IPv6 and packet sockets, and what a small userland needs
;; (SysV IPC, futex, epoll, signalfd, timerfd, eventfd, inotify, file
;; locks, POSIX timers, Unix98 ptys, seccomp).  No debug info, BTF, module
;; signing, certificates or IKHEADERS; no CPU mitigations (the kernel runs
;; in a VM).  Its built-in command line is console=ttyS0 (the boot
;; loader's is added after it), so the console is the serial port even
;; when OVMF starts the bzImage with no command line.  The config is a
;; whole .config, made by `make ARCH=x86_64 allnoconfig' with the options
;; named here as KCONFIG_ALLCONFIG (CPU_MITIGATIONS and X86_KERNEL_IBT
;; off, UNWINDER_GUESS, KERNEL_GZIP, CC_OPTIMIZE_FOR_PERFORMANCE, NR_CPUS
;; 8), then `make olddefconfig', with the gcc-12 and binutils 2.40 of
;; Debian 12 that the seed has: the build copies it in, runs olddefconfig
;; and fails unless that changed nothing, so the file is the whole truth
;; about what is built.
;;
;; linux-static is a package (a procedure of a config, as every pkg/
;; recipe): ((expander (default-config 'x86_64)) linux-static) is the plan,
;; whose raw output is the bzImage, for (boot-spec kernel: ...) of
;; (distill boot).  It is x86_64 only, and only (distill base)'s seed
;; tree is its toolchain: the kernel is freestanding, so the seed's
;; native glibc gcc-12 and binutils compile both the kernel (CC) and
;; Kbuild's own programs (HOSTCC); musl is not needed.
;;
;; Where the tools come from:
;;   gcc-12, binutils, make, busybox   the seed tree ((distill base)).
;;       busybox provides sh, sed, awk, grep, bc (kernel/time's
;;       timeconst.h), gzip (-n -9, the bzImage's compressor), date and
;;       the rest.
;;   flex, bison, m4                   Debian 12 .debs (bookworm main),
;;       for Kconfig's parser and lexer; bison runs m4.
;;   libelf1, libelf-dev               Debian 12 .debs (bookworm main):
;;       on x86_64, Linux 6.1 always builds and runs objtool (x86_64
;;       selects HAVE_OBJTOOL, which selects HAVE_UACCESS_VALIDATION and
;;       HAVE_STATIC_CALL_INLINE, which select OBJTOOL, whatever the
;;       unwinder or mitigations), and objtool links libelf.  The seed has
;;       the zlib1g it needs at run time.
;; The .debs are pinned by the sha256 of Debian's signed index in
;; linux-build-packages below and in seed/SHA256SUMS, downloaded by
;; scripts/fetch-seed and read through (distill seed)'s seed-deb.  No perl,
;; python or openssl is needed (no certificates, no module signing).
;;
;; Reproducible: a fixed KBUILD_BUILD_TIMESTAMP, USER, HOST and VERSION
;; (uname -v is "#1 SMP 1970-01-01 00:00:00"), an empty LOCALVERSION and no
;; LOCALVERSION_AUTO (uname -r is 6.1.176), TZ=UTC and LC_ALL=C.  The
;; timestamp is written as busybox's date -d reads it: usr/gen_initramfs.sh
;; takes the built-in initramfs's mtimes from `date -d
;; "$KBUILD_BUILD_TIMESTAMP"' and falls back to the current time when
;; date cannot parse it (as with "Thu Jan  1 00:00:00 UTC 1970").  The
;; build-id is a hash of the content; the source tree is at the same path
;; in every build.
(define-module (pkg linux)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill seed)
  #:use-module (distill base)
  #:use-module (ice-9 match)
  #:export (linux-static linux/config-static linux-version linux-build-packages
            linux-build-debs))

(define linux-version "6.1.176")

(define linux-source
  ;; Upstream's URL, but NOT upstream's bytes: the pin is Debian 12's
  ;; repack, linux_6.1.176.orig.tar.xz of the source package linux
  ;; 6.1.176-1 (bookworm main; sha256
  ;; 9aad4025973feea3f0d978e82ab7db97d8d5ce3f59fcc6b1f316153d66e3a504,
  ;; from Debian's signed Sources index).  Debian makes its orig tarball
  ;; itself (debian/bin/genorig.py), leaving out the Files-Excluded of
  ;; debian/copyright (a few non-free drivers and documents, among them
  ;; drivers/video/fbdev/nvidia and riva, drivers/net/appletalk/cops*),
  ;; so it is not kernel.org's linux-6.1.176.tar.xz.  Its top directory is
  ;; linux-6.1.176 and its Makefile has no EXTRAVERSION.  Debian's patches
  ;; (the .debian.tar.xz) are not applied.  The source comes from a mirror
  ;; that holds Debian's file under this pin, its BLAKE2b-256
  ;; (scripts/fill-mirror).
  (remote-archive
   "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.176.tar.xz"
   "AM6cL2Ra02d0YCQVzEitWKdOuxnw8hOc3gU-wOn7d1s="))

(define linux-build-packages
  ;; (name version sha256 file), as seed-packages: Debian 12 (bookworm
  ;; main, amd64) packages, by the sha256 of Debian's signed index.  Kept
  ;; in step with seed/SHA256SUMS.
  '(("flex" "2.6.4-8.2"
     "da3fd55dbb6aff4f7b3187580813e0ef707d0c596402e37c8fd144df60003636"
     "flex_2.6.4-8.2_amd64.deb")
    ("bison" "2:3.8.2+dfsg-1+b1"
     "a414afd7519c53bfa33415ba5b951bc8b4906877004c49723ffda50a6033c3e8"
     "bison_3.8.2+dfsg-1+b1_amd64.deb")
    ("m4" "1.4.19-3"
     "b2dd7bfca426712416e651bb5ff6dabe7d05e4caebbac61d714dbe261b31e4c3"
     "m4_1.4.19-3_amd64.deb")
    ("libelf1" "0.188-2.1"
     "619add379c606b3ac6c1a175853b918e6939598a83d8ebadf3bdfd50d10b3c8c"
     "libelf1_0.188-2.1_amd64.deb")
    ("libelf-dev" "0.188-2.1"
     "79cb66b55021bd0130308369524bac5240d0b5463cb252cd44be6a1500fdebec"
     "libelf-dev_0.188-2.1_amd64.deb")))

(define build-debs (pinned-debs linux-build-packages))

(define (linux-build-debs conf)
  (build-debs))

(define kbuild-args
  ;; Everything make needs on its command line, for both steps.  ar by
  ;; its full name: the seed's /bin/sh is busybox, which runs its own
  ;; applets first (its ar only extracts), and make runs a command through
  ;; the shell whenever it has `&&' or a redirection.
  '(ARCH=x86_64 LOCALVERSION= AR=x86_64-linux-gnu-ar HOSTAR=x86_64-linux-gnu-ar))

(define (kernel-package label config-path)
  "Linux built from the whole .config CONFIG-PATH (found as bind finds
files), as the plan LABEL: for x86_64 only (the configs are x86_64's); for
another host, a recipe error rather than an x86 kernel or a failure deep
in Kbuild."
  (let ((pkg
          (package-template
           #:license "GPL-2.0-only WITH Linux-syscall-note"
           #:label label
           ;; The config is looked up when the package is configured, not when
           ;; the module loads, so importing (pkg linux) needs no linux/ beside it.
           #:src (list linux-source
                       (lambda (conf) (bind config-path "/src/config-static")))
           #:tools (list linux-build-debs)
           #:dir (string-append "/linux-" linux-version)
           #:env `((TZ . UTC) (LC_ALL . C)
                   (KBUILD_BUILD_TIMESTAMP . "1970-01-01 00:00:00")
                   (KBUILD_BUILD_USER . distill) (KBUILD_BUILD_HOST . distill)
                   (KBUILD_BUILD_VERSION . 1))
           #:raw-output "/bzImage"
           #:build `(if (cp /src/config-static .config)
                     if (make ,@kbuild-args olddefconfig)
                     ;; The checked-in config must be complete: olddefconfig, run
                     ;; with this toolchain, leaves it as it is.
                     if (diff -u /src/config-static .config)
                     if (make ,@kbuild-args bzImage)
                     cp arch/x86/boot/bzImage /out/bzImage))))
    (lambda (conf)
      (unless (eq? ($arch conf) 'x86_64)
        (recipe-error 'linux-static "~a builds only for x86_64 (its config, ~a, is x86_64's), not ~a"
                      (list label config-path ($arch conf))))
      pkg)))

(define linux-static
  (kernel-package (string-append "linux-static-" linux-version) "linux/config-static"))

(define* (linux/config-static name config-path #:key install dtb)
  "Upstream's linux/config-static: the kernel package named
linux-VERSION-NAME built from CONFIG-PATH (a whole x86_64 .config, found as
bind finds files; linux/config-static is this project's), whose raw output
is the bzImage.  INSTALL (upstream's installkernel script) and DTB (device
trees, for arm boards) are for platforms this project cannot build yet:
given, they are an error."
  (when (or install dtb)
    (recipe-error 'linux/config-static "install: and dtb: are not supported yet (x86_64 only: the bzImage is the output), not ~s and ~s"
                  (list install dtb)))
  (kernel-package (string-append "linux-" linux-version "-" name) config-path))
