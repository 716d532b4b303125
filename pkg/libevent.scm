;; libevent: event notification (epoll, timers, signals), buffered I/O,
;; DNS, HTTP: the static libraries libevent.a, libevent_core.a,
;; libevent_extra.a and libevent_pthreads.a with their headers and
;; pkg-config files.
;;
;; Source: libevent-2.1.12-stable.tar.gz as upstream released it; Debian
;; 12's libevent_2.1.12-stable.orig.tar.gz (source package libevent
;; 2.1.12-stable-8) is that file (the sha256 below is in Debian's signed
;; Sources index; no repack suffix).
;;
;; Without OpenSSL (no libevent_openssl.a: a package that wants it can
;; have one built with pkg/openssl.scm); no samples, no regression tests,
;; and not event_rpcgen.py (a Python script).
(define-module (pkg libevent)
  #:use-module (distill package)
  #:export (libevent))

(define libevent
  (cmmi-package
   "libevent" "2.1.12"
   "https://github.com/$name/$name/releases/download/release-$version-stable/$name-$version-stable.tar.gz"
   "sha256:92e6de1be9ec176428fd2367677e61ceffc2ee1cb119035037a27d346b0403bb"
   license: "BSD-3-Clause"
   dir: "libevent-2.1.12-stable"
   extra-configure: '(--disable-openssl --disable-samples --disable-libevent-regress)
   cleanup: '(rm -rf /out/usr/bin)))
