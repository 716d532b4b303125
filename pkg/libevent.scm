;; libevent: event notification (epoll, timers, signals), buffered I/O,
;; DNS, HTTP: the static libraries libevent.a, libevent_core.a,
;; libevent_extra.a and libevent_pthreads.a with their headers and
;; pkg-config files.
;;
;; Source: libevent-2.1.12-stable.tar.gz as upstream released it; Debian
;; 12's libevent_2.1.12-stable.orig.tar.gz (source package libevent
;; 2.1.12-stable-8) is that file (the sha256 below is in Debian's signed
;; Sources index; no repack suffix).  Debian's security fixes of
;; 2.1.12-stable-8+deb12u1 (CVE-2026-63379, -63381 to -63385, -63387 and
;; -63388: buffers, evdns, HTTP, event tagging) are applied, in its
;; series' order, from its debian.tar.xz (sha256
;; 0c721f8a55e6a9e225f62f151f477675ed901400b56003bb424ef2eea74f370d in
;; the same index; scripts/fill-mirror fetches it); not its two others,
;; for its own build (libtool's -no-undefined) and for glibc's arc4random.
;;
;; Without OpenSSL (no libevent_openssl.a: a package that wants it can
;; have one built with pkg/openssl.scm); no samples, no regression tests,
;; and not event_rpcgen.py (a Python script).
(define-module (pkg libevent)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (srfi srfi-1)
  #:export (libevent))

(define debian-patches
  ;; debian/patches/series of 2.1.12-stable-8+deb12u1, its CVE fixes.
  '("CVE-2026-63382.patch" "CVE-2026-63379.patch" "CVE-2026-63381.patch"
    "CVE-2026-63383.patch" "CVE-2026-63384.patch" "CVE-2026-63385.patch"
    "CVE-2026-63387.patch" "CVE-2026-63388.patch"))

(define libevent
  (cmmi-package
   "libevent" "2.1.12"
   "https://github.com/$name/$name/releases/download/release-$version-stable/$name-$version-stable.tar.gz"
   "sha256:92e6de1be9ec176428fd2367677e61ceffc2ee1cb119035037a27d346b0403bb"
   license: "BSD-3-Clause"
   dir: "libevent-2.1.12-stable"
   ;; On Debian's security archive: mirror://debian-security is
   ;; $DISTILL_MIRROR_DEBIAN_SECURITY, when no mirror directory has it.
   extra-src: (list (remote-archive
                     "mirror://debian-security/pool/updates/main/libe/libevent/libevent_2.1.12-stable-8+deb12u1.debian.tar.xz"
                     "sha256:0c721f8a55e6a9e225f62f151f477675ed901400b56003bb424ef2eea74f370d"
                     #:path "/src"))
   prepare: (debian-patch-steps debian-patches)
   extra-configure: '(--disable-openssl --disable-samples --disable-libevent-regress)
   cleanup: '(rm -rf /out/usr/bin)))
