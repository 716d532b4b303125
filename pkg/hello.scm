;; GNU hello: the classic ./configure; make; make install package.
(define-module (pkg hello)
  #:use-module (distill package)
  #:export (hello))

(define hello
  (cmmi-package
   "hello" "2.10"
   "https://ftp.gnu.org/gnu/$name/$name-$version.tar.gz"
   ;; BLAKE2b-256 of hello-2.10.tar.gz
   ;; (sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b)
   "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk="
   license: "GPL-3.0-or-later"))
