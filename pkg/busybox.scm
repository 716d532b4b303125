;; busybox 1.35.0, static, in two configs checked in under pkg/busybox/:
;;
;;   busybox-core  core.config: ash as sh and the utilities builds need
;;                 (coreutils, find, grep, sed, awk, diff, patch, tar and
;;                 the gzip/bzip2/xz decompressors...); no applet needs
;;                 Linux's headers
;;   busybox-full  full.config: core.config plus what a running system
;;                 needs (init, getty, login, mount, mdev, syslogd, klogd,
;;                 ifconfig, ip, route, udhcpc, ping, ps, vi, modprobe,
;;                 runit's runsv, runsvdir, sv, svlogd and chpst, which
;;                 (distill service) supervises with, acpid, crond
;;                 (svc/cron.scm; no sendmail, no crontab: the crontabs
;;                 are the image's)...), built against Linux's UAPI
;;                 headers
;;
;; Both configs are whole .config files (made from `make allnoconfig',
;; the applets listed turned on and every other option at its Kconfig
;; default), so the build copies one in and runs make: no oldconfig, no
;; questions.  Neither has setuid support (CONFIG_FEATURE_SUID is off).
;; CONFIG_STATIC is on and the toolchain's CFLAGS ask for static-pie:
;; the binary is static-pie, with no program interpreter.
;; Each applet is a symbolic link to /bin/busybox at its usual place.
(define-module (pkg busybox)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill execline)
  #:use-module (distill seed)
  #:use-module (distill base)
  #:use-module (srfi srfi-1)
  #:export (busybox/config busybox-core busybox-full linux-uapi-headers))

(define linux-uapi-headers-x86_64
  ;; Linux 6.1's UAPI headers (linux/, asm/, asm-generic/...) as the seed's
  ;; linux-libc-dev ships them (made by the kernel's `make
  ;; headers_install'), copied from the seed tree for the host's sysroot:
  ;; asm/ moves from Debian's multiarch directory to usr/include.
  (let ((version (cadr (find (lambda (p) (string=? (car p) "linux-libc-dev"))
                             seed-packages))))
    (package-template
     #:license "GPL-2.0-only WITH Linux-syscall-note"
     #:label (string-append "linux-uapi-headers-" version)
     #:tools (list (lambda (conf) (seed-tree)))
     #:dir "/usr/include"
     #:build '(if (mkdir -p /out/usr/include)
                  if (cp -a asm-generic linux misc mtd rdma sound video xen /out/usr/include/)
                  cp -a x86_64-linux-gnu/asm /out/usr/include/asm))))

(define (linux-uapi-headers/cross arch)
  ;; The same headers for a cross target, from Debian's
  ;; linux-libc-dev-*-cross (cross-linux-headers of (distill seed)), which
  ;; keeps them all, asm/ too, under /usr/GNU-TRIPLE/include.
  (let* ((v+deb (cross-linux-headers arch))
         (gnu (if (eq? arch 'ppc64le) "powerpc64le-linux-gnu"
                  (string-append (symbol->string arch) "-linux-gnu"))))
    (package-template
     #:label (string-append "linux-uapi-headers-" (symbol->string arch) "-" (car v+deb))
     #:tools (list (lambda (conf) (seed-tree)))
     #:src (list (cdr v+deb))
     #:dir (string-append "/usr/" gnu "/include")
     #:build '(if (mkdir -p /out/usr/include)
                  cp -a asm asm-generic linux misc mtd rdma sound video xen /out/usr/include/))))

(define linux-uapi-headers
  ;; Linux's UAPI headers for the host config's architecture.
  (let ((cross (map (lambda (e) (cons (car e) (linux-uapi-headers/cross (car e))))
                    cross-linux-headers-packages)))
    (lambda (conf)
      (let ((arch ($arch conf)))
        (cond ((eq? arch 'x86_64) linux-uapi-headers-x86_64)
              ((assq arch cross) => cdr)
              (else (recipe-error 'linux-uapi-headers
                                  "no Linux headers for ~a: (distill seed) pins them for x86_64 and ~a"
                                  (list arch (map car cross)))))))))

(define busybox-source
  ;; One artifact for both configs: (distill plan) fetches each pin once
  ;; and gives the hash only to the first artifact holding it, so a
  ;; second artifact with the same pin would stay unresolved.
  ;; busybox-1.35.0.tar.bz2 as upstream published it (its .sha256), sha256
  ;; faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694;
  ;; Debian 12's busybox_1.35.0.orig.tar.bz2 is the same file.
  (remote-archive
   "https://busybox.net/downloads/busybox-1.35.0.tar.bz2"
   "sha256:faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694"))

(define* (busybox/config config-file extra-libs #:key (name "busybox") (patches '()))
  "busybox built with CONFIG-FILE (a .config, found as bind finds files),
EXTRA-LIBS in the sysroot and PATCHES (files found so) applied; the plan
is named NAME-1.35.0."
  (cc-package
   name "1.35.0" #f busybox-source
   license: "GPL-2.0-only"
   dir: "busybox-1.35.0"
   patches: (map (lambda (f i) (bind f (string-append "/src/patch-" (number->string i) ".patch")))
                 patches (iota (length patches)))
   extra-src: (list (bind config-file "/src/busybox.config"))
   libs: extra-libs
   ;; Kbuild compiles its own tools (fixdep, conf...) with HOSTCC.
   use-native-cc: #t
   ;; No build date in the banner.
   env: '((KCONFIG_NOTIMESTAMP . 1))
   build: `(if (cp /src/busybox.config .config)
            if (make V=1 ,(elconc 'CROSS_COMPILE= $cross-compile)
                     ;; CFLAGS reach the final link too; Kbuild's
                     ;; LDFLAGS are for `ld -r', not for the compiler.
                     ,(el= 'CONFIG_EXTRA_CFLAGS= $CFLAGS)
                     ,$cc-env/for-kbuild
                     busybox)
            ;; Not in the same make: in parallel, busybox.links would not
            ;; wait for the config step to write include/autoconf.h.
            if (make busybox.links)
            if (mkdir -p /out/bin /out/sbin /out/usr/bin /out/usr/sbin)
            if (cp busybox /out/bin/busybox)
            redirfd -r 0 busybox.links
            forstdin -o 0 link
            importas -u link link
            ln -s /bin/busybox /out${link})))

(define busybox-core
  (busybox/config "pkg/busybox/core.config" '() #:name "busybox-core"))

(define busybox-full
  ;; runsvdir-rescan.patch: runsvdir looks for new services every second,
  ;; not every five (a longrun rc.start links waited up to 5 s for it).
  (busybox/config "pkg/busybox/full.config" (list linux-uapi-headers)
                  #:name "busybox-full" #:patches '("pkg/busybox/runsvdir-rescan.patch")))
