;; GNU make, built without configure.
(define-module (pkg make)
  #:use-module (distill package)
  #:use-module (distill plan)
  #:use-module (srfi srfi-1)
  #:export (make $config-h-sed))

;; config.h for musl 1.2.3 on Linux: what make's configure finds there.
;; Left out on purpose: HAVE_POSIX_SPAWN (make 4.3 then runs commands
;; through fork and exec, and needs no gnulib findprog), MAKE_LOAD and
;; HAVE_GUILE (no dlopen and no Guile in a static make), ENABLE_NLS.
;; musl's glob has no GNU extensions, so gnulib's glob and fnmatch are
;; compiled in, as configure would decide.
(define config-h
  '((HAVE_ALLOCA . 1) (HAVE_ALLOCA_H . 1) (HAVE_ATEXIT . 1)
    (HAVE_CLOCK_GETTIME . 1) (HAVE_DECL_BSD_SIGNAL . 1)
    (HAVE_DECL_DLERROR . 0) (HAVE_DECL_DLOPEN . 0) (HAVE_DECL_DLSYM . 0)
    (HAVE_DECL_GETDTABLESIZE . 1) (HAVE_DECL_STRERROR_R . 1)
    (HAVE_DECL_SYS_SIGLIST . 0) (HAVE_DECL__SYS_SIGLIST . 0)
    (HAVE_DECL___SYS_SIGLIST . 0) (HAVE_DIRENT_H . 1) (HAVE_DUP . 1)
    (HAVE_DUP2 . 1) (HAVE_FCNTL . 1) (HAVE_FCNTL_H . 1) (HAVE_FDOPEN . 1)
    (HAVE_FORK . 1) (HAVE_GETCWD . 1) (HAVE_GETDTABLESIZE . 1)
    (HAVE_GETGROUPS . 1) (HAVE_GETRLIMIT . 1) (HAVE_GETTIMEOFDAY . 1)
    (HAVE_INTTYPES_H . 1) (HAVE_ISATTY . 1) (HAVE_LIMITS_H . 1)
    (HAVE_LOCALE_H . 1) (HAVE_LONG_LONG_INT . 1) (HAVE_LSTAT . 1)
    (HAVE_MALLOC_POSIX . 1) (HAVE_MEMORY_H . 1) (HAVE_MEMRCHR . 1)
    (HAVE_MKSTEMP . 1) (HAVE_MKTEMP . 1) (HAVE_PIPE . 1) (HAVE_PSELECT . 1)
    (HAVE_READLINK . 1) (HAVE_REALPATH . 1) (HAVE_SA_RESTART . 1)
    (HAVE_SETEGID . 1) (HAVE_SETEUID . 1) (HAVE_SETLINEBUF . 1)
    (HAVE_SETREGID . 1) (HAVE_SETREUID . 1) (HAVE_SETRLIMIT . 1)
    (HAVE_SETVBUF . 1) (HAVE_SIGACTION . 1) (HAVE_SPAWN_H . 1)
    (HAVE_STDINT_H . 1) (HAVE_STDLIB_H . 1) (HAVE_STPCPY . 1)
    (HAVE_STRCASECMP . 1) (HAVE_STRCOLL . 1) (HAVE_STRDUP . 1)
    (HAVE_STRERROR_R . 1) (HAVE_STRINGS_H . 1) (HAVE_STRING_H . 1)
    (HAVE_STRNCASECMP . 1) (HAVE_STRNDUP . 1) (HAVE_STRSIGNAL . 1)
    (HAVE_STRUCT_DIRENT_D_TYPE . 1) (HAVE_SYMLINK . 1) (HAVE_SYS_FILE_H . 1)
    (HAVE_SYS_PARAM_H . 1) (HAVE_SYS_RESOURCE_H . 1) (HAVE_SYS_SELECT_H . 1)
    (HAVE_SYS_STAT_H . 1) (HAVE_SYS_TIMEB_H . 1) (HAVE_SYS_TIME_H . 1)
    (HAVE_SYS_TYPES_H . 1) (HAVE_SYS_WAIT_H . 1) (HAVE_TTYNAME . 1)
    (HAVE_UINTMAX_T . 1) (HAVE_UMASK . 1) (HAVE_UNISTD_H . 1)
    (HAVE_UNSIGNED_LONG_LONG_INT . 1) (HAVE_VFORK . 1) (HAVE_WAIT3 . 1)
    (HAVE_WAITPID . 1) (HAVE_WCHAR_H . 1) (HAVE_WCHAR_T . 1) (HAVE_WINT_T . 1)
    (HAVE_WORKING_FORK . 1) (HAVE_WORKING_VFORK . 1) (HAVE__BOOL . 1)
    (FILE_TIMESTAMP_HI_RES . 1) (ST_MTIM_NSEC . "st_mtim.tv_nsec")
    (MAKE_JOBSERVER . 1) (MAKE_SYMLINKS . 1)
    (PACKAGE . "\"make\"") (PACKAGE_BUGREPORT . "\"bug-make@gnu.org\"")
    (PACKAGE_NAME . "\"GNU make\"") (PACKAGE_STRING . "\"GNU make 4.3\"")
    (PACKAGE_TARNAME . "\"make\"")
    (PACKAGE_URL . "\"http://www.gnu.org/software/make/\"")
    (PACKAGE_VERSION . "\"4.3\"") (VERSION . "\"4.3\"")
    (PATH_SEPARATOR_CHAR . "':'") (RETSIGTYPE . "void") (SCCS_GET . "\"get\"")
    (STDC_HEADERS . 1) (TIME_WITH_SYS_TIME . 1)
    ;; AC_USE_SYSTEM_EXTENSIONS (written "# undef" in config.h.in)
    (_ALL_SOURCE . 1) (_GNU_SOURCE . 1) (_POSIX_PTHREAD_SEMANTICS . 1)
    (_TANDEM_SOURCE . 1) (__EXTENSIONS__ . 1)))

(define ($config-h-sed conf)
  ;; sed arguments turning src/config.h.in into config.h, as config.status
  ;; does: each chosen #undef becomes a #define, the others a comment.
  (append
   (append-map (lambda (p)
                 (let ((name (symbol->string (car p)))
                       (value (let ((v (cdr p))) (if (number? v) (number->string v) v))))
                   (list "-e" (string-append "s|^#\\( *\\)undef " name "$|#\\1define "
                                             name " " value "|"))))
               (cons (cons 'MAKE_HOST (string-append "\"" (symbol->string ($triple conf)) "\""))
                     config-h))
   '("-e" "s|^# *undef .*|/* & */|")))

(define make
  (cc-package
   "make" "4.3"
   #f                     ; no URL template: the source is the file below
   ;; Upstream's URL, but NOT upstream's bytes: the pin is Debian 12's
   ;; repack, make-dfsg_4.3.orig.tar.gz of the source package make-dfsg
   ;; 4.3-4.1 (sha256
   ;; be4c17542578824e745f83bcd2a9ba264206187247cb6a5f5df99b0a9d1f9047,
   ;; from Debian's signed Sources index).  Upstream's make-4.3.tar.gz has
   ;; sha256 e05fdde47c5f7ca45cb697e973894ff4f5d79e13b750ed57d7b66d8defc78e19
   ;; and does not match this pin.  The repack's top directory is
   ;; make-dfsg-4.3; it has no doc/ (the GFDL manual) and none of the
   ;; generated files of a release: no configure, Makefile.in, aclocal.m4
   ;; or mk/Posix.mk.  With no autotools in the seed, config.h is written
   ;; here and upstream's Basic.mk (its makefile for systems without
   ;; configure) is run by the seed's make.  The source comes from a mirror
   ;; that holds Debian's file under this pin (scripts/fill-mirror).
   ;; Its directories are setgid (mode 2755), which distill refuses to
   ;; unpack, so the tarball is a plain file that busybox tar unpacks in
   ;; the build.
   (remote-file "https://ftp.gnu.org/gnu/make/make-4.3.tar.gz"
                "Mh9g8OC8t0QVLwIpqkg0GctvpRLtrs9VbYY9P6yk4fo="
                "/src/make-4.3.tar.gz" #o644)
   license: "GPL-3.0-or-later"
   dir: "/tmp"
   build: `(if (tar -xzf /src/make-4.3.tar.gz)
            cd make-dfsg-4.3
            if (redirfd -w 1 src/config.h sed ,$config-h-sed src/config.h.in)
            if (make -f Basic.mk
                     ,(lambda (conf) (string-append "CC=" ($CC conf)))
                     ,(lambda (conf) (string-append "CFLAGS=" (spaced ($CFLAGS conf))))
                     ,(lambda (conf) (string-append "LDFLAGS=" (spaced ($LDFLAGS conf))))
                     "prog_SOURCES=$(make_SOURCES) $(remote_SOURCES) $(posix_SOURCES) $(glob_SOURCES)"
                     "BUILT_SOURCES=lib/glob.h lib/fnmatch.h"
                     PREFIX=/usr)
            if (mkdir -p /out/usr/bin /out/usr/include)
            if (cp make /out/usr/bin/make)
            if (cp src/gnumake.h /out/usr/include/gnumake.h)
            ,$strip-cmd)))
