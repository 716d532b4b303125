;; wget: GNU Wget 1.21.3, static, with TLS by OpenSSL (pkg/openssl.scm)
;; and gzip decoding by zlib (pkg/zlib.scm): /usr/bin/wget and /etc/wgetrc.
;;
;; Source: wget-1.21.3.tar.gz as GNU released it, the upstream version of
;; Debian 12's source package wget 1.21.3-1+deb12u1 (bookworm main):
;; Debian's wget_1.21.3.orig.tar.gz is that file (the sha256 below is in
;; Debian's signed Sources index, and upstream's detached signature,
;; which Debian ships as wget_1.21.3.orig.tar.gz.asc, verifies over it
;; with gpgv and the key in Debian's debian/upstream/signing-key.asc:
;; Darshit Shah, 6B98F637D879C5236E277C5C64FF90AAE8C70AF9).
;; One patch of Debian's is applied, CVE-2024-38428.patch (upstream's
;; commit ed0c7c7e "Properly re-implement userinfo parsing (rfc2396)":
;; a URL such as http://a;b@host/ named the wrong host), held below as
;; text since this module owns no patch file; Debian's other patches
;; (documentation, and passive FTP in the sample wgetrc) are not.
;;
;; What a small system does not need is off: no libpsl (wget's built-in
;; cookie domain checks instead), no PCRE or PCRE2 (--accept-regex
;; keeps POSIX regular expressions), no IRI/IDN (libidn2, libunistring,
;; iconv), no NLS; metalink (and with it gpgme) and c-ares are off by
;; default and stay off; --without-libuuid makes WARC ids with wget's own
;; generator (musl has no uuid.h).  NTLM, digest authentication, IPv6
;; and HSTS stay.  No pkg-config in the sandbox: configure finds zlib
;; with AC_CHECK_LIB, and OpenSSL through OPENSSL_CFLAGS and OPENSSL_LIBS
;; (-lssl -lcrypto, in the sysroot).
;;
;; CA certificates: wget calls OpenSSL's SSL_CTX_set_default_verify_paths,
;; which with pkg/openssl.scm's --openssldir=/etc/ssl reads
;; /etc/ssl/cert.pem and /etc/ssl/certs (the link and the directory
;; pkg/ca-certs.scm installs), and /etc/wgetrc (upstream's
;; doc/sample.wgetrc, every line a comment) gets
;;   ca_certificate = /etc/ssl/certs/ca-certificates.crt
;; so that the bundle is the default CA file by name.  Only src/ is
;; installed: no info manual or man page.
(define-module (pkg wget)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (pkg openssl)
  #:use-module (pkg zlib)
  #:export (wget))

(define cve-2024-38428
  ;; debian/patches/CVE-2024-38428.patch of wget 1.21.3-1+deb12u1, its
  ;; diff only.
  (interned "/src/patch-0.patch" #o644
"diff --git a/src/url.c b/src/url.c
index 69e948b..07c3bc8 100644
--- a/src/url.c
+++ b/src/url.c
@@ -41,6 +41,7 @@ as that of the covered work.  */
 #include \"url.h\"
 #include \"host.h\"  /* for is_valid_ipv6_address */
 #include \"c-strcase.h\"
+#include \"c-ctype.h\"
 
 #ifdef HAVE_ICONV
 # include <iconv.h>
@@ -526,12 +527,39 @@ scheme_leading_string (enum url_scheme scheme)
 static const char *
 url_skip_credentials (const char *url)
 {
-  /* Look for '@' that comes before terminators, such as '/', '?',
-     '#', or ';'.  */
-  const char *p = (const char *)strpbrk (url, \"@/?#;\");
-  if (!p || *p != '@')
-    return url;
-  return p + 1;
+  /*
+   * This whole file implements https://www.rfc-editor.org/rfc/rfc2396 .
+   * RFC 2396 is outdated since 2005 and needs a rewrite or a thorough re-visit.
+   *
+   * The RFC says
+   * server        = [ [ userinfo \"@\" ] hostport ]
+   * userinfo      = *( unreserved | escaped | \";\" | \":\" | \"&\" | \"=\" | \"+\" | \"$\" | \",\" )
+   * unreserved    = alphanum | mark
+   * mark          = \"-\" | \"_\" | \".\" | \"!\" | \"~\" | \"*\" | \"'\" | \"(\" | \")\"
+   */
+  static const char *allowed = \"-_.!~*'();:&=+$,\";
+
+  for (const char *p = url; *p; p++)
+    {
+      if (c_isalnum(*p))
+        continue;
+
+      if (strchr(allowed, *p))
+        continue;
+
+      if (*p == '%' && c_isxdigit(p[1]) && c_isxdigit(p[2]))
+        {
+          p += 2;
+          continue;
+        }
+
+      if (*p == '@')
+        return p + 1;
+
+      break;
+    }
+
+  return url;
 }
 
 /* Parse credentials contained in [BEG, END).  The region is expected
"))

(define wget
  (cmmi-package
   "wget" "1.21.3"
   "https://ftp.gnu.org/gnu/$name/$name-$version.tar.gz"
   "sha256:5726bb8bc5ca0f6dc7110f6416e4bb7019e2d2ff5bf93d1ca2ffcc6656f220e5"
   license: "GPL-3.0-or-later"
   patches: (list cve-2024-38428)
   libs: (list openssl zlib)
   ;; configure asks pkg-config for OpenSSL and fails without it, unless
   ;; these are set; -DHAVE_LIBSSL is what configure adds itself.
   env: '((OPENSSL_CFLAGS . "-DHAVE_LIBSSL") (OPENSSL_LIBS . "-lssl -lcrypto"))
   extra-configure: '(--with-ssl=openssl --with-zlib --without-libpsl
                      --disable-pcre --disable-pcre2 --disable-iri
                      --without-libuuid --without-metalink --without-cares
                      --disable-rpath)
   override-install: '(-C src DESTDIR=/out install)
   cleanup: '(if (mkdir -p /out/etc)
              if (cp doc/sample.wgetrc /out/etc/wgetrc)
              redirfd -a 1 /out/etc/wgetrc
              echo "ca_certificate = /etc/ssl/certs/ca-certificates.crt")))
