;; libseccomp: the library that turns a list of syscall rules into a
;; seccomp BPF filter and loads it, 2.5.4: the static libseccomp.a,
;; seccomp.h and seccomp-syscalls.h, and libseccomp.pc.
;;
;; Source: libseccomp-2.5.4.tar.gz as upstream released it; Debian 12's
;; libseccomp_2.5.4.orig.tar.gz (source package libseccomp
;; 2.5.4-1+deb12u1, bookworm main) is that file (the sha256 below is in
;; Debian's signed Sources index; no repack suffix; upstream's detached
;; signature ships beside it as libseccomp_2.5.4.orig.tar.gz.asc).
;;
;; Debian's one patch of 2.5.4-1+deb12u1 is applied from its
;; debian.tar.xz (sha256
;; 665fc6ad1b9887207b0af1a293a2d7975e2df503a2618d1808b970081f9672f6 in
;; the same index; scripts/fill-mirror fetches it): the syscall table of
;; Linux 6.7-rc3 (cachestat, fchmodat2, map_shadow_stack, futex_wake,
;; futex_wait, futex_requeue).  It changes src/syscalls.csv, so the
;; gperf hash table the tarball ships (src/syscalls.perf.c) is made
;; again: src/arch-gperf-generate (a bash script busybox's sh runs as
;; well) and Debian 12's gperf 3.1-1 (amd64, bookworm main, pinned by
;; the sha256 of Debian's signed index in libseccomp-build-packages below
;; and in seed/SHA256SUMS; it runs at build time only, with the
;; libstdc++6 and libgcc-s1 of the seed).
;;
;; seccomp.h includes Linux's UAPI headers (asm/unistd.h, linux/audit.h):
;; a package that uses it has (pkg busybox)'s linux-uapi-headers in its
;; libs too.
;;
;; Not built: the tools (scmp_sys_resolver...), the tests, the Python
;; binding (off by default) and the manual pages.
(define-module (pkg libseccomp)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill seed)
  #:use-module (pkg busybox)
  #:export (libseccomp libseccomp-build-packages))

(define libseccomp-build-packages
  ;; (name version sha256 file), as seed-packages: Debian 12 (bookworm
  ;; main, amd64), by the sha256 of Debian's signed index.  Kept in step
  ;; with seed/SHA256SUMS.
  '(("gperf" "3.1-1"
     "874667dd12145497e8227e6652fab8463a896a272fc6626428690525db746959"
     "gperf_3.1-1_amd64.deb")
    ;; The C++ runtime gperf is linked with (the seed's own pins).
    ("libstdc++6" "12.2.0-14+deb12u1"
     "5cd3171216d4ab0fc911cfe9c35509bf2dd8f47761c43b7f6a4296701551a24d"
     "libstdc++6_12.2.0-14+deb12u1_amd64.deb")
    ("libgcc-s1" "12.2.0-14+deb12u1"
     "3016e62cb4b7cd8038822870601f5ed131befe942774d0f745622cc77d8a88f7"
     "libgcc-s1_12.2.0-14+deb12u1_amd64.deb")))

(define build-debs (pinned-debs libseccomp-build-packages))

(define (libseccomp-build-debs conf)
  (build-debs))

(define libseccomp
  (cmmi-package
   "libseccomp" "2.5.4"
   "https://github.com/seccomp/$name/releases/download/v$version/$name-$version.tar.gz"
   "sha256:d82902400405cf0068574ef3dc1fe5f5926207543ba1ae6f8e7a1576351dcbdb"
   license: "LGPL-2.1-only"
   ;; Linux's UAPI headers (linux/filter.h, asm/unistd.h...).
   libs: (list linux-uapi-headers)
   tools: (list libseccomp-build-debs)
   extra-src: (list (remote-archive
                     "mirror://debian/pool/main/libs/libseccomp/libseccomp_2.5.4-1+deb12u1.debian.tar.xz"
                     "sha256:665fc6ad1b9887207b0af1a293a2d7975e2df503a2618d1808b970081f9672f6"
                     #:path "/src"))
   prepare: `(,@(debian-patch-steps '("update_the_syscall_table_for_Linux_v6.7-rc3.patch"))
              if (cd src sh arch-gperf-generate syscalls.csv syscalls.perf.template)
              if (rm -f src/syscalls.perf.c))
   ;; The library alone (include/ holds only headers configure made).
   override-make: (list $make-overrides '-C 'src)
   override-install: '(-C src DESTDIR=/out install)
   cleanup: '(if (make -C include DESTDIR=/out install)
              make DESTDIR=/out install-pkgconfDATA)))
