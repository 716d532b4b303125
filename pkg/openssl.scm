;; openssl: OpenSSL 3.0's libcrypto and libssl (static, with their
;; headers and pkg-config files), the openssl program and /etc/ssl
;; (openssl.cnf, ct_log_list.cnf and the empty certs/ and private/).
;;
;; Source: openssl-3.0.20.tar.gz, the upstream version of Debian 12's
;; source package openssl 3.0.20-1~deb12u2 as bookworm main lists it (the
;; security suite has newer ones, but drops each old one within weeks).
;; Debian's openssl_3.0.20.orig.tar.gz (sha256 below, from Debian's
;; signed Sources index) is upstream's file: its top directory is
;; openssl-3.0.20 and upstream's detached signature, which Debian ships
;; as openssl_3.0.20.orig.tar.gz.asc, verifies over it with gpgv and the
;; key Debian keeps in debian/upstream/signing-key.asc (OpenSSL
;; <openssl@openssl.org>, BA5473A2B0587B07FB27CF2D216094DFD0CB81EF).
;; Debian's patches are not applied.
;;
;; OpenSSL's build is Perl: Configure, and the scripts make runs to turn
;; the .in templates and the perlasm into headers and assembly.  The seed
;; has no perl, so the build uses Debian 12's (bookworm main, amd64)
;; perl-base, libperl5.36 and perl-modules-5.36 (Configure needs
;; File::Spec::Functions and IPC::Cmd, which perl-base lacks) and the
;; libcrypt1 perl is linked with, pinned by the sha256 of Debian's signed
;; index in openssl-build-packages below and in seed/SHA256SUMS, and read
;; through (distill seed)'s seed-deb (as pkg/linux.scm does its flex and
;; bison).  Perl only runs at build time: nothing installed needs it
;; (c_rehash and the misc/ scripts, which are Perl, are removed).
;;
;; Configure is OpenSSL's own (not autoconf): target linux-x86_64,
;; linux-aarch64 or linux-ppc64le (the host's; each keeps its assembly,
;; which the cross binutils assemble: ppc64le needs no no-asm) with the
;; toolchain's CC, CFLAGS, LDFLAGS, AR, ARFLAGS and RANLIB from the
;; environment, --prefix=/usr --openssldir=/etc/ssl --libdir=lib, and:
;;   no-shared     static libraries only
;;   no-module     no loadable modules: the legacy provider (MD4, RC4...)
;;                 is built into libcrypto instead of legacy.so, which a
;;                 static program could not load anyway
;;   no-dso        no dlopen() support (musl's static dlopen always fails),
;;                 hence no dynamic engines
;;   no-afalgeng   no AF_ALG engine (kernel crypto offload, an engine
;;                 nothing here loads); left to itself, Configure turns it
;;                 on or off from the build machine's `uname -r': not
;;                 reproducible
;;   no-tests      the test programs are neither built nor run
;; Linux's UAPI headers (pkg/busybox.scm's linux-uapi-headers, Linux 6.1)
;; are in the sysroot: crypto/mem_sec.c includes <linux/mman.h>.
;; The async API stays: on musl, which has no makecontext, OpenSSL picks
;; its null implementation by itself (crypto/async/arch/async_posix.h), so
;; no-async is not needed.
;; Installed are the programs, libraries and headers (install_sw) and the
;; configuration directory (install_ssldirs): no documentation.
;;
;; Reproducible: `openssl version -b' says "built on: Thu Jan  1 00:00:00
;; 1970 UTC", since util/mkbuildinf.pl takes the date from
;; SOURCE_DATE_EPOCH, which distill's sandbox sets to 0; the compiler
;; flags `openssl version -f' prints are the config's, and the build
;; directory is the same in every build.
(define-module (pkg openssl)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill seed)
  #:use-module (pkg busybox)
  #:use-module (ice-9 match)
  #:export (openssl openssl-build-packages))

(define openssl-build-packages
  ;; (name version sha256 file), as seed-packages: Debian 12 (bookworm
  ;; main) packages, by the sha256 of Debian's signed index.  Kept in step
  ;; with seed/SHA256SUMS.
  '(("perl-base" "5.36.0-7+deb12u3"
     "8ec874926e211807cde71e1b0a2311d2534ab3539dffcb2c8553633f542efc1a"
     "perl-base_5.36.0-7+deb12u3_amd64.deb")
    ("libperl5.36" "5.36.0-7+deb12u3"
     "591903643119c7e1735011369287976eccab1d79b1d2f210760e2138d0a3aa46"
     "libperl5.36_5.36.0-7+deb12u3_amd64.deb")
    ("perl-modules-5.36" "5.36.0-7+deb12u3"
     "3d237ccb1ea32727b6573d43c67d78337aa928a81148d36cef54b369a07c240a"
     "perl-modules-5.36_5.36.0-7+deb12u3_all.deb")
    ("libcrypt1" "1:4.4.33-2"
     "f5f60a5cdfd4e4eaa9438ade5078a57741a7a78d659fcb0c701204f523e8bd29"
     "libcrypt1_1%3a4.4.33-2_amd64.deb")))

(define build-debs (pinned-debs openssl-build-packages))

(define (openssl-build-debs conf)
  (build-debs))

(define ($openssl-target conf)
  ;; OpenSSL's name for the host: its Configure target.
  (match ($arch conf)
    ('x86_64 'linux-x86_64)
    ('aarch64 'linux-aarch64)
    ('ppc64le 'linux-ppc64le)
    (arch (recipe-error 'openssl "no OpenSSL Configure target known for ~a" (list arch)))))

(define openssl
  (cc-package
   "openssl" "3.0.20"
   "https://www.openssl.org/source/$name-$version.tar.gz"
   "sha256:c80a01dfc70ece4dc21168932c37739042d404d46ccc81a5986dd75314ecda6f"
   license: "Apache-2.0"
   tools: (list openssl-build-debs)
   ;; crypto/mem_sec.c includes <linux/mman.h> (mlock2's MLOCK_ONFAULT).
   libs: (list linux-uapi-headers)
   env: (list $cc-env)
   build: `(if (perl Configure ,$openssl-target
                     --prefix=/usr --openssldir=/etc/ssl --libdir=lib
                     no-shared no-module no-dso no-afalgeng no-tests)
            if (make)
            if (make DESTDIR=/out install_sw install_ssldirs)
            ;; Perl scripts, the pristine copies of the .cnf files, and
            ;; the empty engines-3 and ossl-modules (nothing to load).
            if (rm -rf /out/usr/bin/c_rehash /out/etc/ssl/misc
                       /out/etc/ssl/openssl.cnf.dist /out/etc/ssl/ct_log_list.cnf.dist
                       /out/usr/lib/engines-3 /out/usr/lib/ossl-modules)
            ,$strip-cmd)))
