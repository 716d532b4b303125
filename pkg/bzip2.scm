;; bzip2: the compressor and libbz2 (static).
(define-module (pkg bzip2)
  #:use-module (distill package)
  #:export (bzip2))

(define bzip2
  (cc-package
   "bzip2" "1.0.8"
   "https://sourceware.org/pub/$name/$name-$version.tar.gz"
   ;; bzip2-1.0.8.tar.gz, sha256
   ;; ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269 as
   ;; upstream publishes it; Debian 12's bzip2_1.0.8.orig.tar.gz is the
   ;; same file.
   "pZGXjBOF4VYQnwdDp2UYObANElrjShQaRbMDj5yef1A="
   license: "bzip2-1.0.6"
   ;; No configure: the Makefile takes the C environment as arguments.
   ;; Its own install target copies the program three times and makes
   ;; links naming /out, so the files are installed here.
   build: `(if (make ,$make-overrides ,$cc-env
                     ,(lambda (conf)
                        (string-append "CFLAGS=" (spaced ($CFLAGS conf))
                                       " -D_FILE_OFFSET_BITS=64"))
                     bzip2 bzip2recover libbz2.a)
            if (mkdir -p /out/usr/bin /out/usr/lib /out/usr/include)
            if (cp bzip2 bzip2recover bzgrep bzmore bzdiff /out/usr/bin/)
            if (cp libbz2.a /out/usr/lib/)
            if (cp bzlib.h /out/usr/include/)
            if (ln -s bzip2 /out/usr/bin/bunzip2)
            if (ln -s bzip2 /out/usr/bin/bzcat)
            if (ln -s bzgrep /out/usr/bin/bzegrep)
            if (ln -s bzgrep /out/usr/bin/bzfgrep)
            if (ln -s bzmore /out/usr/bin/bzless)
            if (ln -s bzdiff /out/usr/bin/bzcmp)
            ,$strip-cmd)))
