;;; (distill autotools): autoconf, automake and libtool from Debian 12,
;;; for sources that come without a configure script (a git tag's
;;; archive, as some of Debian's orig tarballs are) and must be
;;; bootstrapped with `autoreconf -fi' before cmmi-package's configure:
;;; such a package lists autoreconf-tools among its tools and runs
;;; autoreconf (an execline step) as its prepare:.
;;;
;;; autotools-build-packages pins autoconf, automake, libtool and
;;; autotools-dev (config.guess and config.sub, which libtoolize links
;;; to), Architecture: all, by the sha256 of Debian's signed index, as
;;; seed-packages are (kept in step with seed/SHA256SUMS; t/seed.t
;;; checks).  They run on perl and m4: (pkg openssl)'s
;;; openssl-build-packages (perl-base, perl-modules-5.36...) and the m4 of
;;; (pkg linux)'s linux-build-packages, looked up when first needed so
;;; that this module loads without pkg/.  They only run at build time:
;;; nothing they install reaches an output.
(define-module (distill autotools)
  #:use-module (distill seed)
  #:use-module (srfi srfi-1)
  #:export (autotools-build-packages autoreconf-tools autoreconf))

(define autotools-build-packages
  ;; (name version sha256 file), as seed-packages: bookworm main.
  '(("autoconf" "2.71-3"
     "7d798ed8c21fc7387127de1dfdb4640003d8ba033ae5a1ff29559610cbd0c323"
     "autoconf_2.71-3_all.deb")
    ("automake" "1:1.16.5-1.3"
     "f9a5758d87b5389bf2dbb00cc9c48e0cf59bb0ac842c5ce25d41e4bfa3f2f962"
     "automake_1%3a1.16.5-1.3_all.deb")
    ("libtool" "2.4.7-7~deb12u1"
     "1c2e74f06b1d5d9a2c75e04ce87a99a8633058684439504ae8d715a4a088926c"
     "libtool_2.4.7-7~deb12u1_all.deb")
    ("autotools-dev" "20220109.1"
     "4d66dcb9c312566f1ca8d46ef0fb06fa4d4786c20b072c81f9d313b64ef981d0"
     "autotools-dev_20220109.1_all.deb")))

(define (table module name)
  (module-ref (resolve-interface module) name))

(define debs
  ;; One pinned-debs for the whole set, made when first asked for.
  (delay
    (pinned-debs
     (append (table '(pkg openssl) 'openssl-build-packages)
             (filter (lambda (p) (string=? (car p) "m4"))
                     (table '(pkg linux) 'linux-build-packages))
             autotools-build-packages))))

(define autoreconf
  ;; `autoreconf -fi' as a step of an execline build script (a prepare:).
  ;; Debian's aclocal and automake are links that update-alternatives
  ;; makes when the package is installed, which unpacking does not do:
  ;; autoreconf is told their versioned names.  LC_ALL=C: the sandbox has
  ;; no locales, and perl warns of each it is told of.
  '(export ACLOCAL aclocal-1.16 export AUTOMAKE automake-1.16 export LC_ALL C
    autoreconf -fi))

(define (autoreconf-tools conf)
  "The tools a package lists to run `autoreconf -fi' in its build: perl,
m4, autoconf, automake, libtool and autotools-dev, Debian's, at /."
  ((force debs)))
