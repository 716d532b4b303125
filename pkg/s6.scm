;; s6: the programs of the s6 supervision backend ((distill service)'s
;; s6-backend): s6-svscan, s6-supervise, s6-log, s6-svc, s6-svwait,
;; s6-svstat... and execline (execlineb and its programs, for services
;; whose scripts are execline data), with the libraries they run with
;; (skalibs, libs6, libexecline) and glibc's loader and libc.  s6-runtime
;; is their tree for a system's root; s6-supervisor is the backend a
;; system names in make-system's supervisor: to run its services on s6.
;;
;; Source: Debian 12's binary packages (bookworm main), not built from
;; source: skarnet's source tarballs of s6, execline and skalibs cannot
;; be had here, while Debian's .debs can, pinned by the sha256 of
;; Debian's signed index like the seed (s6-packages below and
;; seed/SHA256SUMS; scripts/fetch-seed puts them in seed/debs).  execline,
;; libexecline2.9, libskarnet2.13, libc6 and busybox-static (the /build's
;; shell) are the seed's own pins.  So an image on this backend carries
;; Debian's glibc: a system that wants none keeps the default busybox
;; runit backend.  s6-rc is in no Debian 12 package; (distill service)
;; orders the services itself (docs/systems.md).  Of the packages'
;; documentation only their copyright files are kept, under
;; /usr/share/doc/PACKAGE: the licences of the binaries the image carries.
(define-module (pkg s6)
  #:use-module (distill plan)
  #:use-module (distill seed)
  #:use-module (distill service)
  #:use-module (srfi srfi-1)
  #:export (s6-packages s6-runtime s6-supervisor))

(define s6-packages
  ;; (name version sha256 file), as seed-packages: Debian 12 (bookworm
  ;; main), by the sha256 of Debian's signed index.  Kept in step with
  ;; seed/SHA256SUMS (t/seed.t checks).
  '(("s6" "2.11.3.2-1"
     "80f48e657e09bd0d7f4a3440957dd3171084e005a90ced037d8426a2e5cf0f8f"
     "s6_2.11.3.2-1_amd64.deb")
    ("libs6-2.11" "2.11.3.2-1"
     "ff9d295f153348b3f2190b00358e019d1d2ca1d23d2270afaaec9ba94d88e67f"
     "libs6-2.11_2.11.3.2-1_amd64.deb")))

(define s6-seed-packages
  ;; The seed's packages the programs run with (and the /build's shell).
  '("busybox-static" "execline" "libexecline2.9" "libskarnet2.13" "libc6"))

(define debs
  (pinned-debs (append s6-packages
                       (filter (lambda (p) (member (car p) s6-seed-packages))
                               seed-packages))))

(define build
  ;; Only the programs and what they load, and each package's copyright
  ;; file: no other documentation, no development files, nothing else of
  ;; glibc.  Every program must find
  ;; its libraries in the tree (ld.so --list says "not found" otherwise).
  "#!/bin/busybox sh
set -eu
bb=/bin/busybox
cd /out
$bb mkdir -p bin usr/bin usr/lib/execline lib64 lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu
$bb cp -a /usr/bin/s6-* /usr/bin/execlineb usr/bin/
$bb cp -a /usr/lib/execline/bin usr/lib/execline/
$bb cp -a /usr/lib/x86_64-linux-gnu/libskarnet.so.* /usr/lib/x86_64-linux-gnu/libs6.so.* \\
	/usr/lib/x86_64-linux-gnu/libexecline.so.* usr/lib/x86_64-linux-gnu/
$bb cp -a /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6 lib/x86_64-linux-gnu/
# Each shipped package's copyright file: the licences of these binaries.
for p in s6 libs6-2.11 execline libexecline2.9 libskarnet2.13 libc6; do
	$bb mkdir -p usr/share/doc/$p
	$bb cp /usr/share/doc/$p/copyright usr/share/doc/$p/
done
$bb ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2
# Where execline scripts (#!/bin/execlineb -P) look for it; Debian's
# /usr/bin/execlineb puts /usr/lib/execline/bin on PATH.
$bb ln -s /usr/bin/execlineb bin/execlineb
for p in usr/bin/s6-* usr/lib/execline/bin/*; do
	if /lib64/ld-linux-x86-64.so.2 --list \"$p\" | $bb grep -q 'not found'; then
		echo \"s6-runtime: $p needs a library the tree lacks:\" >&2
		/lib64/ld-linux-x86-64.so.2 --list \"$p\" >&2
		exit 1
	fi
done
")

(define s6-runtime
  ;; A package (a procedure of the config, which it does not need: the
  ;; programs are x86_64's), so that the .debs are read through seed-deb
  ;; when the system is made; one plan while seed-deb gives the same debs.
  (let ((memo #f))
    (lambda (conf)
      (let ((d (debs)))
        (unless (and memo (eq? (car memo) d))
          (set! memo (cons d (make-plan name: "s6-runtime"
                                        ;; s6, execline, skalibs; glibc
                                        license: "ISC AND LGPL-2.1-or-later"
                                        inputs: (cons (interned "/build" #o755 build) d)))))
        (cdr memo)))))

(define s6-supervisor
  ;; make-system's supervisor: for services run by s6 (s6-svscan under
  ;; busybox init), with execline for scripts written as execline data.
  (s6-backend (list s6-runtime)))
