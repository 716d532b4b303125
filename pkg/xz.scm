;; xz: the xz and lzma compressor and liblzma (static, with its headers).
(define-module (pkg xz)
  #:use-module (distill package)
  #:export (xz))

(define xz
  (cmmi-package
   "xz" "5.4.1"
   "https://tukaani.org/$name/$name-$version.tar.xz"
   ;; xz-5.4.1.tar.xz as upstream published it, sha256
   ;; 5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5;
   ;; Debian 12's xz-utils_5.4.1.orig.tar.xz is the same file.
   "sha256:5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5"
   license: "LicenseRef-xz-public-domain AND LGPL-2.1-or-later AND GPL-2.0-or-later"
   ;; xz and liblzma only: no xzdec/lzmadec, lzmainfo, shell scripts
   ;; (xzgrep...), lzma* compatibility links or documentation.
   extra-configure: '(--disable-xzdec --disable-lzmadec --disable-lzmainfo
                      --disable-lzma-links --disable-scripts --disable-doc)))
