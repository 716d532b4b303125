;; curl: curl 7.88.1, the static libcurl (libcurl.a, its headers,
;; libcurl.pc and curl-config) and the curl program, static, with TLS by
;; OpenSSL (pkg/openssl.scm) and content decoding by zlib (pkg/zlib.scm)
;; and zstd (pkg/zstd.scm).
;;
;; Source: curl-7.88.1.tar.gz as upstream released it; Debian 12's
;; curl_7.88.1.orig.tar.gz (source package curl 7.88.1-10+deb12u15,
;; bookworm main) is that file (the sha256 below is in Debian's signed
;; Sources index; no repack suffix; upstream's detached signature ships
;; beside it as curl_7.88.1.orig.tar.gz.asc).
;;
;; Debian's patches of 7.88.1-10+deb12u15 are applied, in its series'
;; order, from its debian.tar.xz (sha256
;; 961b78bc48492c5693e4decb352ddd176f343260a8956f48b2887874048ef23b in
;; the same index; scripts/fill-mirror fetches it): the CVE fixes of
;; 8.0.1 to 8.16.0 and later (CVE-2023-27533 ... CVE-2026-7168), the
;; regression fixes of CVE-2023-27534, the unix socket, IPv6 LDAP URL and
;; chunked-trailer leak fixes, the curl-config fixes (no build
;; directories, no LDFLAGS in --static-libs), and those for its test
;; suite.  Left out are the six for Debian's own build system, which
;; touch only ltmain.sh, configure.ac or Makefile.am (curl's configure
;; is AM_MAINTAINER_MODE, so those files are never turned into configure
;; or Makefile.in here): 04_workaround_as_needed_bug (shared linking),
;; 08_enable-zsh (zsh completion, made with perl), the MIT Kerberos
;; (GSS-API) link flags and the OpenLDAP check (neither is built), and
;; 90_gnutls and 99_nss (the library names of Debian's other flavours).
;;
;; CA certificates: the default CA file is
;; /etc/ssl/certs/ca-certificates.crt, the bundle pkg/ca-certs.scm
;; installs (--with-ca-bundle); no CA directory (that package makes no
;; hash links).  --cacert and CURL_CA_BUNDLE still choose another.
;;
;; Left out, since no package here gives them: libpsl (no public-suffix
;; check of cookie domains), nghttp2 (no HTTP/2), ngtcp2/nghttp3/quiche
;; (no HTTP/3), libssh2 and libssh (no SCP/SFTP), brotli, libidn2 (no
;; IDN host names), librtmp, libgsasl, GSS-API, and LDAP (off).  Not
;; built: the built-in manual (--disable-manual: `curl --manual' says it
;; is not there; `curl --help' stays), the tests, the examples and the
;; zsh and fish completions.  Installed: lib/, src/, include/, curl-config,
;; libcurl.pc and libcurl.m4 (no man pages).
(define-module (pkg curl)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (pkg openssl)
  #:use-module (pkg zlib)
  #:use-module (pkg zstd)
  #:export (curl))

(define debian-patches
  ;; debian/patches/series of 7.88.1-10+deb12u15, less the six named
  ;; above.
  '("11_omit-directories-from-config.patch"
    "Remove-curl-s-LDFLAGS-from-curl-config-static-libs.patch"
    "Use-correct-path-when-loading-libnss-pem-ckbi-.so.patch"
    "fix-unix-domain-socket.patch"
    "openldap-create-ldap-URLs-correctly-for-IPv6-addresses.patch"
    "large-time-testable-feature.patch" "dont-stop-stunnel-before-retry.patch"
    "CVE-2023-27533.patch" "CVE-2023-27534.patch" "CVE-2023-27538.patch"
    "CVE-2023-27535.patch" "CVE-2023-27536.patch" "CVE-2023-27537.patch"
    "CVE-2023-28319.patch" "CVE-2023-28320.patch" "CVE-2023-28320-1.patch"
    "CVE-2023-28321.patch" "CVE-2023-28322.patch" "CVE-2023-32001.patch"
    "CVE-2023-38039.patch" "CVE-2023-38545.patch" "CVE-2023-38546.patch"
    "CVE-2023-46218.patch" "CVE-2023-46219.patch" "CVE-2024-2004.patch"
    "CVE-2024-2398.patch" "CVE-2024-7264-0.patch" "CVE-2024-7264-1.patch"
    "CVE-2024-8096.patch" "CVE-2024-9681-0.patch" "CVE-2024-9681-1.patch"
    "url-use-same-credentials-on-redirect.patch" "CVE-2024-11053.patch"
    "CVE-2025-0167.patch" "CVE-2025-10148.patch" "CVE-2025-14524.patch"
    "CVE-2025-14819.patch" "CVE-2026-3783.patch" "CVE-2026-3784.patch"
    "CVE-2026-5773.patch" "CVE-2026-7168.patch"
    "runtests.pl-Increase-variance-of-random-seed-used-for-tes.patch"
    "fix-CVE-2023-27534-regression-1.patch" "fix-CVE-2023-27534-regression-2.patch"
    "0001-http_chunks-reset-the-trailer-to-avoid-memory-leak.patch"))

(define curl
  (cmmi-package
   "curl" "7.88.1"
   "https://curl.se/download/$name-$version.tar.gz"
   "sha256:cdb38b72e36bc5d33d5b8810f8018ece1baa29a8f215b4495e495ded82bbf3c7"
   license: "curl"
   libs: (list openssl zlib zstd)
   extra-src: (list (remote-archive
                     "mirror://debian/pool/main/c/curl/curl_7.88.1-10+deb12u15.debian.tar.xz"
                     "sha256:961b78bc48492c5693e4decb352ddd176f343260a8956f48b2887874048ef23b"
                     #:path "/src"))
   prepare: (debian-patch-steps debian-patches)
   extra-configure: '(--with-openssl --with-zlib --with-zstd
                      --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt
                      --without-ca-path --without-libpsl --without-nghttp2
                      --without-ngtcp2 --without-nghttp3 --without-quiche
                      --without-msh3 --without-libssh2 --without-libssh
                      --without-wolfssh --without-brotli --without-libidn2
                      --without-librtmp --without-libgsasl --without-hyper
                      --without-gssapi --disable-ldap --disable-ldaps
                      --disable-manual)))
