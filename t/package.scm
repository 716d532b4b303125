;; Tests for (distill hash), the plan encoding of (distill plan), and the
;; packages and configs of (distill package).  t/package.t runs this with
;; -n (so build-plans! only computes hashes, in C) and a scratch store.
(use-modules (distill tap)
             (distill core)
             (distill hash)
             (distill plan)
             (distill package)
             (distill text)
             (pkg hello)
             (rnrs bytevectors)
             (rnrs io ports)
             (srfi srfi-1))

(test-begin)

(define (error-text thunk)
  "The message of the error THUNK raises, or #f."
  (catch #t
    (lambda () (thunk) #f)
    (lambda (key who fmt args . rest)
      (apply format #f fmt (if (list? args) args '())))))

(define (blob-text a)
  "The text of artifact A: its interned contents, not yet in the store, or
the stored blob."
  (if (artifact-contents a)
      (utf8->string (artifact-contents a))
      (call-with-input-file (%store-path 'blob (artifact-hash a)) get-string-all)))

(define (contains? s sub) (and (string-contains s sub) #t))

;;; (distill hash)

(is zero-hash "DldRwCblQ7Loqy6wYJnaodHl30d3j3eH-qtFzfEv46g=" "zero-hash is BLAKE2b-256 of nothing")
(is (hash-string "abc") "vd2BPGNCOXIxce8_7phXm5SWTjuxyz5CcmLIwGjVIxk=" "hash-string of abc")
(is (hash-bytevector (string->utf8 "abc")) (hash-string "abc") "hash-bytevector agrees")
(is (hash-of "a" (string->utf8 "b") (open-input-string "c")) (hash-string "abc")
    "hash-of concatenates strings, bytevectors and ports")
(is (with-output-to-hash (lambda () (display "ab") (write 'c))) (hash-string "abc")
    "with-output-to-hash hashes what the thunk prints")
(is (with-output-to-hash (lambda () (display "é"))) (hash-bytevector #vu8(195 169))
    "with-output-to-hash hashes UTF-8")
(let ((file (string-append (dirname (dirname (%store-path 'blob zero-hash))) "/tmp/hash-test")))
  (unless (file-exists? (dirname file)) (mkdir (dirname file)))
  (call-with-output-file file (lambda (p) (display "abc" p)))
  (is (hash-file file) (hash-string "abc") "hash-file")
  (is (hash-file/sha256 file)
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
      "hash-file/sha256")
  (delete-file file)
  (is (hash-file file) #f "hash-file of a missing file is #f"))
(let ((out (open-output-string)))
  (is (copy-port+hash (open-bytevector-input-port (string->utf8 "abc")) out)
      (hash-string "abc") "copy-port+hash")
  (is (get-output-string out) "abc" "copy-port+hash copies"))
(is (map pin-kind (list "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk="
                        "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkl="
                        "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk"
                        "ZUP9kHtqE+hw6LGcHA05VKATTCBvTfdBjIszfKzthkk="
                        "sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b"
                        "sha256:31e066"))
    '(blake2b #f #f #f sha256 #f)
    "pin-kind accepts only well-formed pins")

;;; The plan encoding, byte for byte (docs/formats.md)

(define build (interned "/build" #o755 "#!/bin/sh\n"))
(define tool (interned "/bin/tool" #o644 (lambda () (display "tool"))))
(define lib (interned "/usr/lib/libé.a" #o600 "lib"))
(define src (remote-file "https://example.org/src.c" (hash-string "tool") "/src/a.c" #o644))

(is (blob-text tool) "tool" "interned takes a thunk writing the contents")

(define small
  (make-plan name: "smäll" raw-output: "/out.img"
             inputs: (list tool build
                           (interned-dir "/tmp" #o1777)
                           (interned-symlink "/bin/sh" "tool")
                           (make-input basedir: "/sysroot/x" link: lib)
                           src
                           build)))      ; a duplicate: encoded once

(is (utf8->string (plan->encoding small))
    (string-append
     "distill-plan 1\n"
     "name 6:smäll\n"
     "raw 8:/out.img\n"
     "in 10:/sysroot/x file 16:/usr/lib/libé.a 0600 " (hash-string "lib") "\n"
     "in 1:/ dir 4:/tmp 1777\n"
     "in 1:/ file 6:/build 0755 " (hash-string "#!/bin/sh\n") "\n"
     "in 1:/ file 8:/src/a.c 0644 " (hash-string "tool") "\n"
     "in 1:/ file 9:/bin/tool 0644 " (hash-string "tool") "\n"
     "in 1:/ symlink 7:/bin/sh 4:tool\n")
    "plan->encoding: header, byte lengths, octal modes, lines sorted bytewise, no duplicates")
(is (plan-encoding-hash small) (hash-bytevector (plan->encoding small))
    "plan-encoding-hash is BLAKE2b-256 of the encoding")
(is (plan-encoding-hash small) "I5gBr-gdeJ2e8_l5SboR05Cqn_VYR1_nygLPPvJqiW4=" "the small plan's hash is stable")

(define dependent
  (make-plan name: "dependent" inputs: (list build (make-input basedir: "/x" link: small))))
(is (plan->encoding dependent) #f "a plan whose dependency is not built has no encoding yet")

(when (%dry-run?)
  (build-plans! (list small))
  (is (plan-hash small) (plan-encoding-hash small)
      "the scheduler hashes the plan to the same value (distill -n)"))

;; load-plan reads an encoding back from the store's rec/plan/
(let* ((h (plan-encoding-hash small))
       (store (dirname (dirname (%store-path 'blob h))))
       (file (string-append store "/rec/plan/" h)))
  (unless (file-exists? (dirname file))
    (mkdir (string-append store "/rec"))
    (mkdir (dirname file)))
  (call-with-output-file file (lambda (p) (put-bytevector p (plan->encoding small)))
    #:binary #t)
  (let ((back (load-plan h)))
    (is (plan-encoding-hash back) h "load-plan gives back the same plan")
    (is (plan-raw-output back) "/out.img" "load-plan keeps the raw output")
    (let ((formats '()))
      (for-each-anchor (lambda (a) (set! formats (cons (artifact-format a) formats)))
                       (list back))
      (is (length formats) 6 "for-each-anchor visits each artifact once")
      (ok (member #(symlink "/bin/sh" "tool") formats) "artifact-format of a symlink")
      (ok (member #(dir "/tmp" #o1777) formats) "artifact-format of a directory")))
  (delete-file file))

(is (artifact-extra src) '(remote . "https://example.org/src.c") "artifact-extra of a remote file")
(is (artifact-extra (remote-archive "https://example.org/a.tar.gz" zero-hash))
    "https://example.org/a.tar.gz" "artifact-extra of a remote archive")
(is (artifact-path (update-path src "/src/b.c")) "/src/b.c" "update-path moves an artifact")
(is (artifact-hash (update-path src "/src/b.c")) (artifact-hash src) "update-path keeps the content")
(is (update-path "not an artifact" "/x") #f "update-path of a non-artifact is #f")
(is (short-hash zero-hash) "DldRwC" "short-hash")
(let ((live (live-artifact-hashes (list small))))
  (ok (and (hash-ref live (hash-string "lib")) (hash-ref live (hash-string "tool"))
           (not (hash-ref live zero-hash)))
      "live-artifact-hashes holds the content a plan needs"))

;;; Configs

(define bld (default-config 'x86_64 build: #f))
(define native (default-config 'x86_64 build: bld))
(define cross (default-config 'aarch64 build: bld))

(is (list (config-arch cross) ($triple cross) ($sysroot cross) ($build-triple cross))
    '(aarch64 aarch64-linux-musl "/sysroot/aarch64-linux-musl" x86_64-linux-musl)
    "a cross config: arch, triple, sysroot, build triple")
(is (list ($CC cross) ($AR cross) ($build-CC cross) ($cross-compile cross))
    '("aarch64-linux-musl-gcc" "aarch64-linux-musl-ar" "gcc" "aarch64-linux-musl-")
    "host tools are the triple's, build tools the build machine's")
(ok (member "--sysroot=/sysroot/aarch64-linux-musl" ($CFLAGS cross)) "CFLAGS name the host sysroot")
(ok (and ($native? bld) (not ($native? cross)) (eq? ($build cross) bld) (eq? ($leaf cross) bld))
    "$native?, $build and $leaf")
(is (cc-env->alist ($make-overrides cross))
    '((AR . "aarch64-linux-musl-ar") (ARFLAGS . "-Dcr") (NM . "aarch64-linux-musl-nm")
      (RANLIB . "aarch64-linux-musl-ranlib") (STRIP . "aarch64-linux-musl-strip")
      (READELF . "aarch64-linux-musl-readelf") (OBJCOPY . "aarch64-linux-musl-objcopy"))
    "$make-overrides")
(is (cc-env-ref ($cc-env/for-build cross) 'CC_FOR_BUILD) "gcc" "$cc-env/for-build")
(is (cc-env-ref ($cc-env/for-kbuild cross) 'HOSTCFLAGS) '(-fPIE -static-pie -pipe -O2)
    "$cc-env/for-kbuild")
(ok (contains? (or (error-text (lambda () (default-config 'x86_64 extra-cflags: '(-march=native)))) "")
               "-march=native breaks reproducibility")
    "default-config refuses -march=native")
(ok (contains? (or (error-text (lambda () (default-config 'vax))) "") "unknown architecture vax")
    "default-config refuses an unknown architecture")

;;; Config expansion

(is (expand-datum cross `(a ,$triple (b ,(lambda (c) (lambda (c) (list $arch "x")))) ,(lambda (c) '())))
    '(a aarch64-linux-musl (b aarch64 "x"))
    "expand-datum calls procedures until none is left and splices lists")
(is (expand-datum cross `(make ,$make-overrides))
    '(make "AR=aarch64-linux-musl-ar" "ARFLAGS=-Dcr" "NM=aarch64-linux-musl-nm"
           "RANLIB=aarch64-linux-musl-ranlib" "STRIP=aarch64-linux-musl-strip"
           "READELF=aarch64-linux-musl-readelf" "OBJCOPY=aarch64-linux-musl-objcopy")
    "a C environment expands to KEY=value words")
(is (exports->script cross `((CC_FOR_BUILD ,$build-CC ,$build-CFLAGS) #f (X . 1)) '(true))
    '(export "CC_FOR_BUILD" "gcc -fPIE -static-pie -pipe -O2" export "X" "1" true)
    "exports->script")
(is (url-translate "https://ftp.gnu.org/gnu/$name/$name-$version.tar.gz" "hello" "2.10")
    "https://ftp.gnu.org/gnu/hello/hello-2.10.tar.gz" "url-translate")

;;; Packages: toolchain hooks filled with small real artifacts

(ok (contains? (or (error-text (lambda () ((expander native) hello))) "")
               "no toolchain configured for x86_64-linux-musl yet")
    "without a toolchain, expanding a package says so")

(define (toolchain conf)
  (let ((t (symbol->string ($triple conf))))
    (make-cc-toolchain
     tools: (list (interned (string-append "/usr/bin/" t "-gcc") #o755 "#!/bin/sh\n"))
     libc: (list (interned "/usr/lib/libc.a" #o644 (string-append "libc for " t "\n"))))))

(define (base-tools conf)
  (list (interned "/bin/execlineb" #o755 "execline\n")))

(define (with-toolchain thunk)
  (parameterize ((base-tools-hook base-tools)
                 (cc-toolchain-hook toolchain)
                 (native-toolchain-hook toolchain))
    (thunk)))

(define (inputs-at plan basedir)
  (filter-map (lambda (i)
                (let ((in (if (input? i) i (make-input link: i))))
                  (and (string=? (input-basedir in) basedir) (input-link in))))
              (plan-inputs plan)))

(define (script-of plan)
  (blob-text (find (lambda (a) (and (artifact? a) (string=? (artifact-path a) "/build")))
                   (plan-inputs plan))))

(define hello-native (with-toolchain (lambda () ((expander native) hello))))
(define hello-again
  (with-toolchain (lambda () ((expander (default-config 'x86_64 build: (default-config 'x86_64 build: #f)))
                              hello))))

(ok (plan? hello-native) "hello expands to a plan")
(is (plan-name hello-native) "hello-2.10" "its name")
(ok (not (eq? hello-native hello-again)) "a second expansion makes a second plan")
(is (plan-encoding-hash hello-again) (plan-encoding-hash hello-native)
    "with the same hash")
(is (plan-encoding-hash hello-native) "sTTn0cS72Z1en-kDOhBcsK2ZCnmjc-zHCG9_PIaVElE="
    "the hash of hello's plan is stable across runs and machines")
(ok (contains? (utf8->string (plan->encoding hello-native))
               "in 1:/ archive 1:/ ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk=\n")
    "the source is the archive pinned by its BLAKE2b hash")
(is (artifact-source (find (lambda (a) (eq? (artifact-kind a) 'archive)) (inputs-at hello-native "/")))
    "https://ftp.gnu.org/gnu/hello/hello-2.10.tar.gz" "its URL is kept for fetching")
(is (with-toolchain (lambda () ((expander native) hello))) hello-native
    "a package is expanded once per config")

(let ((s (script-of hello-native)))
  (ok (string-prefix? "#!/bin/execlineb -P\ncd hello-2.10\nexport CC x86_64-linux-musl-gcc\n" s)
      "the build script is execline: cd, then the C environment")
  (ok (contains? s "./configure --disable-shared --enable-static --disable-nls --prefix=/usr --sysconfdir=/etc --build x86_64-linux-musl --host x86_64-linux-musl\n")
      "configure gets --build and --host")
  (ok (contains? s "make AR=x86_64-linux-musl-ar ARFLAGS=-Dcr") "make gets the overrides")
  (ok (contains? s "make DESTDIR=/out install") "make install into /out")
  (ok (contains? s "find /out -type f -perm -o+x -exec x86_64-linux-musl-strip \"{}\" ;")
      "binaries are stripped with the host's strip"))

;; One definition, two configs: native x86_64 and cross aarch64.
(define m4
  (package-template
   label: "m4" build: '(true)
   src: (list (lambda (conf) (interned "/m4-arch" #o644 (symbol->string ($arch conf)))))))
(define zlib
  (cc-package "zlib" "1.2.11" #f (interned "/zlib-src" #o644 "zlib")
              build: '(true)))
(define pkg
  (cmmi-package "demo" "1.0" "https://example.org/$name-$version.tar.gz"
                "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk="
                tools: (list m4) libs: (list zlib)
                env: `((CC_FOR_BUILD . ,$build-CC))
                extra-configure: '(--with-x)))

(define demo-native (with-toolchain (lambda () ((expander native) pkg))))
(define demo-cross (with-toolchain (lambda () ((expander cross) pkg))))

(define hello-cross (with-toolchain (lambda () ((expander cross) hello))))
(ok (not (equal? (plan-encoding-hash hello-native) (plan-encoding-hash hello-cross)))
    "native and cross expansions are different plans")
(is (plan-encoding-hash hello-cross) "7HzslPgHDmoyZFRO8rfvThHnb5oGnwU4YAwL2M9kunk=" "the cross plan's hash is stable")
(is (plan->encoding demo-cross) #f
    "a plan needing other plans is hashed once they are built")
(let ((sn (script-of demo-native)) (sc (script-of demo-cross)))
  (ok (and (contains? sn "export CC x86_64-linux-musl-gcc\n")
           (contains? sc "export CC aarch64-linux-musl-gcc\n"))
      "each exports its host's compiler")
  (ok (contains? sc "export CFLAGS \"--sysroot=/sysroot/aarch64-linux-musl -fPIE")
      "the cross CFLAGS use the aarch64 sysroot")
  (ok (and (contains? sc "--build x86_64-linux-musl --host aarch64-linux-musl --with-x\n")
           (contains? sn "--build x86_64-linux-musl --host x86_64-linux-musl --with-x\n"))
      "configure: --build is the build machine, --host the target")
  (ok (contains? sc "export CC_FOR_BUILD gcc\n") "env: values are expanded for the config"))

(define (names xs) (map (lambda (x) (if (plan? x) (plan-name x) (artifact-path x))) xs))

(let ((root (inputs-at demo-cross "/"))
      (sysroot (inputs-at demo-cross "/sysroot/aarch64-linux-musl")))
  (ok (member "/usr/bin/aarch64-linux-musl-gcc" (names root))
      "the cross compiler is a tool at /")
  (is (map blob-text (filter artifact? sysroot)) '("libc for aarch64-linux-musl\n")
      "the aarch64 libc is in /sysroot/aarch64-linux-musl")
  (is (filter-map (lambda (x) (and (plan? x) (plan-name x))) sysroot) '("zlib-1.2.11")
      "libs: are in the host's sysroot")
  (let ((m4-plan (find (lambda (x) (and (plan? x) (string=? (plan-name x) "m4"))) root)))
    (ok m4-plan "tools: are at /")
    (is (blob-text (find (lambda (a) (and (artifact? a) (string=? (artifact-path a) "/m4-arch")))
                         (inputs-at m4-plan "/")))
        "x86_64" "tools: are built for the build machine"))
  (ok (null? (inputs-at demo-cross "/sysroot/x86_64-linux-musl"))
      "nothing of the build machine goes in a sysroot"))
(let ((zlib-cross (find plan? (inputs-at demo-cross "/sysroot/aarch64-linux-musl"))))
  (is (map blob-text (filter artifact? (inputs-at zlib-cross "/sysroot/aarch64-linux-musl")))
      '("libc for aarch64-linux-musl\n") "a library is built against the host's libc"))

;; subpackages
(define zlib-libs (with-toolchain (lambda () ((expander cross) (libs zlib)))))
(is (plan-name zlib-libs) "lib-zlib-1.2.11" "libs names its subpackage")
(let ((s (script-of zlib-libs)))
  (ok (and (string-prefix? "#!/bin/execlineb -P\ncd /sysroot/aarch64-linux-musl\n" s)
           (contains? s "test -d usr/lib")
           (contains? s "cp -a usr/include /out/usr/include"))
      "a subpackage copies the chosen directories of its package's output"))

;; patches
(let* ((dir (dirname (dirname (%store-path 'blob zero-hash))))
       (patch (string-append dir "/tmp/fix.patch")))
  (call-with-output-file patch (lambda (p) (display "--- a\n+++ b\n" p)))
  (let* ((ps (patchfiles* patch))
         (patched (with-toolchain
                   (lambda ()
                     ((expander native)
                      (cmmi-package "p" "1" #f (interned "/p-1/configure" #o755 "")
                                    patches: ps))))))
    (is (map artifact-path ps) '("/src/patch-0.patch") "patchfiles* places patches under /src")
    (ok (contains? (script-of patched) "cd p-1\nif {\n\tpatch -p1 -i /src/patch-0.patch\n}\n")
        "patches are applied first"))
  (delete-file patch))
(ok (contains? (or (error-text (lambda () (bind "no/such.patch" "/x"))) "") "cannot find no/such.patch")
    "bind says when a file cannot be found")

(ok (contains? (or (error-text (lambda () (cmmi-package "x" "1" "https://e/x.tgz" "sha256:12"))) "")
               "malformed pin \"sha256:12\"")
    "a malformed pin is refused when the package is defined")
;; The pin syntax is C's (pin_parse): a BLAKE2b pin whose last character
;; carries bits beyond 32 bytes is no pin, and never was to the fetcher.
(ok (contains? (or (error-text (lambda () (remote-file "https://e/x" "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkl=" "/x" #o644))) "")
               "malformed pin")
    "remote-file refuses a pin that pin-kind refuses")
(ok (contains? (or (error-text (lambda () (remote-archive "https://e/x" (string-append "sha256:" (make-string 64 #\A))))) "")
               "malformed pin")
    "a sha256 pin is lower-case hex")

;; load-plan refuses what is not a plan encoding, naming it
(let* ((h (hash-string "not a plan"))
       (store (dirname (dirname (%store-path 'blob h))))
       (file (string-append store "/rec/plan/" h)))
  (call-with-output-file file (lambda (p) (display "distill-plan 1\nname 3:abc\nin 1:/ dir 4:/tmp\n" p)))
  (ok (contains? (or (error-text (lambda () (load-plan h))) "") "malformed plan encoding")
      "load-plan refuses a malformed encoding")
  (call-with-output-file file (lambda (p) (display "distill-plan 1\nname 1:x\nin 1:/ dir 10:/usr//bin/ 0755\n" p)))
  (ok (contains? (or (error-text (lambda () (load-plan h))) "") "normalised")
      "load-plan refuses a path that is not normalised")
  (delete-file file))

;; license: and output-hash: reach the plan; an output-hash alist pins
;; only the arches it names.
(define h1 "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk=")
(define h2 "7HzslPgHDmoyZFRO8rfvThHnb5oGnwU4YAwL2M9kunk=")
(define (pinned . kw)
  (apply cmmi-package "pinned" "1.0" #f (interned "/pinned-1.0/configure" #o755 "") kw))
(let ((one (with-toolchain (lambda () ((expander native) (pinned license: "GPL-3.0-or-later"
                                                                  output-hash: h1)))))
      (per-arch (pinned output-hash: `((x86_64 . ,h1) (aarch64 . ,h2))))
      (ppc (default-config 'ppc64le build: bld)))
  (is (plan-license one) "GPL-3.0-or-later" "cmmi-package's license: is the plan's")
  (is (plan-output-hash one) h1 "and its output-hash: pins the plan's output")
  (is (plan-output-hash (with-toolchain (lambda () ((expander cross) per-arch)))) h2
      "an output-hash: alist pins each arch's own output")
  (is (plan-output-hash (with-toolchain (lambda () ((expander ppc) per-arch)))) #f
      "and none for an arch it does not name")
  (let ((bare (lambda kw
                (with-toolchain
                 (lambda ()
                   ((expander native) (apply package-template label: "bare" build: '(true) kw)))))))
    (ok (and (plan-encoding-hash (bare))
             (equal? (plan-encoding-hash (bare license: "MIT" output-hash: h1))
                     (plan-encoding-hash (bare))))
        "neither changes the plan's hash"))
  (ok (contains? (or (error-text (lambda () (with-toolchain (lambda () ((expander native) (pinned output-hash: 42))))))
                     "")
                 "output-hash: must be a hash, an alist")
      "an output-hash: of another kind is a recipe error"))

(test-end)
