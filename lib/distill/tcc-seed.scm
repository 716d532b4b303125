;;; (distill tcc-seed): the second, tiny seed and the stage 1 built from
;;; it, after ZilchOS's: Debian's tcc package, its libc (libc6) and
;;; busybox-static (the shell and tools the /build scripts of the first
;;; rounds run with: see docs/trust.md for why there is a shell), pinned by
;;; the sha256 of Debian's signed index.  No plan assembles them: each is
;;; an archive artifact unpacked at "/" of the first round.
;;;
;;;   tcc-round N PREV        musl 1.2.3, libtcc1 and tcc (Debian's
;;;                           0.9.27+git20200814 source) compiled by PREV's
;;;                           tcc (#f: the seed's) into a tree at "/"
;;;                           (usr/bin/tcc, usr/lib/tcc, musl's usr/lib and
;;;                           usr/include), all static; round N's tcc
;;;                           rebuilds the next
;;;   tcc-fixpoint A B        a plan that fails unless rounds A and B have
;;;                           the same output, byte for byte (ZilchOS's
;;;                           verify_tcc_stability)
;;;   tcc-make, tcc-busybox   static GNU make 4.3 and busybox 1.35.0 (a
;;;                           shell and the applets builds run) by a round
;;;   tcc-stage1              a round, make and busybox in one tree (busybox
;;;                           as /bin/sh): the hermetic stage 1, no gcc in it
;;;   stage1-hello/-zlib      hello 2.10 and zlib 1.2.13 built by stage 1
;;;                           alone, with CC='tcc -static'
;;;
;;; pkg/tcc-stage1.scm chains them and pins every output (`distill build
;;; tcc-stage1`).
;;; Each round links its tcc against musl's object files, not libc.a, so
;;; that no archive index is trusted (the seed's tcc -ar indexes no weak
;;; symbol); the tcc built is patched to index weak symbols, and archives
;;; the round's libraries.  Every round pins its output (output-hash:),
;;; which depends on nothing of the main seed.
(define-module (distill tcc-seed)
  #:use-module (distill plan)
  #:use-module (distill seed)
  #:use-module (distill toolchain)
  #:use-module (distill package)
  #:use-module (srfi srfi-1)
  #:export (tcc-seed-packages tcc-seed-artifacts tcc-source-pin
            tcc-round tcc-fixpoint tcc-make tcc-busybox tcc-stage1
            stage1-hello stage1-zlib))

(define tcc-seed-packages
  ;; The packages of the tcc seed that the main seed does not have (its
  ;; libc6 and busybox-static are shared).  Kept in step with
  ;; seed/SHA256SUMS (t/seed.t checks).
  '(("tcc" "0.9.27+git20200814.62c30a4a-1"
     "86f491f0deafd195ca7bd822aceb184cf8e44b86f79ea81b7a1874bc4e95867a"
     "tcc_0.9.27+git20200814.62c30a4a-1_amd64.deb")))

(define tcc-seed-debs
  (pinned-debs (append tcc-seed-packages
                       (map (lambda (n) (assoc n seed-packages))
                            '("libc6" "busybox-static")))))

(define (tcc-seed-artifacts)
  "The tcc seed: Debian's tcc, libc6 and busybox-static, as archive
artifacts at \"/\" made by seed-deb."
  (tcc-seed-debs))

(define (tcc-seed-busybox)
  ;; The seed's busybox-static alone: the shell of the later rounds.
  (caddr (tcc-seed-artifacts)))

(define tcc-source-pin
  ;; Debian 12's orig tarball of tcc 0.9.27+git20200814.62c30a4a (a git
  ;; snapshot; upstream made no release of it), by the sha256 of Debian's
  ;; signed Sources index.  It has no top directory.
  '("tcc" "0.9.27+git20200814.62c30a4a"
    "d63c113bcdd657f51c8ee197a0b0a24203603313e19a52b5f678d40ab7f5df35"
    "mirror://debian/pool/main/t/tcc/tcc_0.9.27+git20200814.62c30a4a.orig.tar.bz2"))

(define (once make)
  ;; MAKE's artifact, made when first asked for: one artifact per pin.
  (let ((a #f)) (lambda () (unless a (set! a (make))) a)))

(define tcc-source
  (once (lambda ()
          (remote-archive (list-ref tcc-source-pin 3)
                          (string-append "sha256:" (list-ref tcc-source-pin 2))
                          #:path "/src/tcc"))))

(define musl-source (once (lambda () (apply (source-archive) musl-source-pin))))

(define (round-build cflags)
  ;; The /build of a round; CFLAGS are added to tcc.c's compile only.
  (string-append
   "#!/bin/busybox sh
# One round: musl, libtcc1 and tcc, compiled by the tcc on PATH (the seed's
# or the last round's), then tcc linked against musl's objects themselves
# (no archive index is trusted) and the libraries archived by the new tcc.
set -eu
mkdir /tmp/bin
/bin/busybox --install -s /tmp/bin
export PATH=/usr/bin:/tmp/bin
TCC=tcc
mkdir -p /tmp/musl /tmp/tcc
cp -r /src/musl-1.2.3/. /tmp/musl/
cp -r /src/tcc/. /tmp/tcc/
cd /tmp/musl
# tcc renames on alias attributes: emit the weak symbol in assembly
sed -i 's|^#define weak_alias(old, new) \\\\$|#define weak_alias(old, new) __asm__(\".weak \" #new \"\\\\n.set \" #new \", \" #old \"\\\\n\");\\n#define weak_alias_unused(old, new) \\\\|' src/include/features.h
# tcc has no register variables: load r10, r8, r9 in the asm
cat > arch/x86_64/syscall_arch.h <<'EOS'
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)
#define __sc(n, ...) { unsigned long ret; __asm__ __volatile__ (__VA_ARGS__); return ret; }
static __inline long __syscall0(long n)
__sc(n, \"syscall\" : \"=a\"(ret) : \"a\"(n) : \"rcx\", \"r11\", \"memory\")
static __inline long __syscall1(long n, long a1)
__sc(n, \"syscall\" : \"=a\"(ret) : \"a\"(n), \"D\"(a1) : \"rcx\", \"r11\", \"memory\")
static __inline long __syscall2(long n, long a1, long a2)
__sc(n, \"syscall\" : \"=a\"(ret) : \"a\"(n), \"D\"(a1), \"S\"(a2) : \"rcx\", \"r11\", \"memory\")
static __inline long __syscall3(long n, long a1, long a2, long a3)
__sc(n, \"syscall\" : \"=a\"(ret) : \"a\"(n), \"D\"(a1), \"S\"(a2), \"d\"(a3) : \"rcx\", \"r11\", \"memory\")
static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
__sc(n, \"mov %5, %%r10; syscall\" : \"=a\"(ret) : \"a\"(n), \"D\"(a1), \"S\"(a2), \"d\"(a3), \"m\"(a4) : \"rcx\", \"r11\", \"r10\", \"memory\")
static __inline long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
__sc(n, \"mov %5, %%r10; mov %6, %%r8; syscall\" : \"=a\"(ret) : \"a\"(n), \"D\"(a1), \"S\"(a2), \"d\"(a3), \"m\"(a4), \"m\"(a5) : \"rcx\", \"r11\", \"r10\", \"r8\", \"memory\")
static __inline long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
__sc(n, \"mov %5, %%r10; mov %6, %%r8; mov %7, %%r9; syscall\" : \"=a\"(ret) : \"a\"(n), \"D\"(a1), \"S\"(a2), \"d\"(a3), \"m\"(a4), \"m\"(a5), \"m\"(a6) : \"rcx\", \"r11\", \"r10\", \"r8\", \"r9\", \"memory\")
#define VDSO_USEFUL
#define VDSO_CGT_SYM \"__vdso_clock_gettime\"
#define VDSO_CGT_VER \"LINUX_2.6\"
#define VDSO_GETCPU_SYM \"__vdso_getcpu\"
#define VDSO_GETCPU_VER \"LINUX_2.6\"
#define IPC_64 0
EOS
# tcc's assembler knows no @PLT (and a static libc needs none)
sed -i 's/@PLT//' src/*/x86_64/*.s
# tcc takes a static const for no constant expression
sed -i 's/static const u128 threel =/const u128 threel =/' src/math/sqrtl.c
mkdir -p obj/include/bits obj/src/internal
sed -f tools/mkalltypes.sed arch/x86_64/bits/alltypes.h.in include/alltypes.h.in > obj/include/bits/alltypes.h
cp arch/x86_64/bits/syscall.h.in obj/include/bits/syscall.h
sed -n 's/__NR_/SYS_/p' arch/x86_64/bits/syscall.h.in >> obj/include/bits/syscall.h
echo '#define VERSION \"1.2.3\"' > obj/src/internal/version.h
CF=\"-nostdinc -std=c99 -D_XOPEN_SOURCE=700 -Iarch/x86_64 -Iarch/generic -Iobj/src/internal -Isrc/include -Isrc/internal -Iobj/include -Iinclude\"
mkdir -p o lib
# musl's Makefile: each src/* directory's *.c, less those its x86_64/
# directory replaces (by file name, any of .c .s .S)
# directory replaces (by file name, any of .c .s .S).  Left out, as tcc
# cannot compile them: complex numbers (tcc has no _Complex), and the
# x86_64 versions of math and fenv (x87 and SSE asm constraints tcc does
# not know), whose portable C versions are compiled instead.
for d in src/* src/malloc/mallocng crt; do
	[ -d $d ] || continue
	case $d in src/complex) continue ;; esac
	arch=$d/x86_64
	case $d in src/math|src/fenv) arch=/nonexistent ;; esac
	for f in $d/*.c $arch/*.[csS]; do
		[ -e $f ] || continue
		b=${f##*/}; b=${b%.*}
		case $f in
		*/x86_64/*) ;;
		*) ls $arch/$b.[csS] > /dev/null 2>&1 && continue ;;
		esac
		case $d in crt) o=lib/$b.o ;; *) o=o/$(echo ${d#src/} | tr / _)_$b.o ;; esac
		$TCC $CF -c -o $o $f
	done
done
M=/tmp/musl
INC=\"-nostdinc -I$M/include -I$M/arch/x86_64 -I$M/arch/generic -I$M/obj/include -I/tmp/tcc/include\"
cd /tmp/tcc
# tcc -ar indexes global symbols only: index weak ones too, or musl's
# weak definitions (weak_alias) are never found in libc.a
sed -i 's/|| sym->st_info == 0x12$/|| sym->st_info == 0x12 || sym->st_info == 0x20 || sym->st_info == 0x21 || sym->st_info == 0x22/' tcctools.c
grep -q 'st_info == 0x22' tcctools.c
# libtcc1.a (va_list.o) calls abort: in a static link, search libc.a
# again after it, as gcc's driver groups libc and libgcc
sed -i 's/^        tcc_add_support(s1, TCC_LIBTCC1);$/&\\n        if (s1->static_link) tcc_add_library_err(s1, \"c\");/' tccelf.c
grep -q 'if (s1->static_link) tcc_add_library_err' tccelf.c
cat > config.h <<'EOS'
#define TCC_VERSION \"0.9.27\"
#define CONFIG_TCCDIR \"/usr/lib/tcc\"
#define CONFIG_TCC_STATIC 1
#define TCC_MUSL 1
#define CONFIG_TCC_ELFINTERP \"/lib/ld-musl-x86_64.so.1\"
EOS
for f in libtcc1.c alloca86_64.S va_list.c dsohandle.c; do
	$TCC $INC -c -o lib/${f%.*}.o lib/$f
done
$TCC $INC " cflags
   " -c -o tcc.o tcc.c
$TCC -nostdlib -static -o tcc $M/lib/crt1.o $M/lib/crti.o tcc.o $M/o/*.o \\
	lib/libtcc1.o lib/alloca86_64.o lib/va_list.o lib/dsohandle.o $M/lib/crtn.o
mkdir -p /out/usr/bin /out/usr/lib/tcc/include /out/usr/include/bits
cp tcc /out/usr/bin/tcc
./tcc -ar rc /out/usr/lib/tcc/libtcc1.a lib/libtcc1.o lib/alloca86_64.o lib/va_list.o lib/dsohandle.o
cp include/*.h /out/usr/lib/tcc/include/
cd $M
./../tcc/tcc -ar rc /out/usr/lib/libc.a o/*.o
# musl's empty libraries (all is in libc.a), which tcc -ar cannot make
for l in m rt pthread crypt util xnet resolv dl; do printf '!<arch>\\n' > /out/usr/lib/lib$l.a; done
cp lib/*.o /out/usr/lib/
cp -r include/. /out/usr/include/
for b in arch/generic/bits arch/x86_64/bits obj/include/bits; do cp $b/*.h /out/usr/include/bits/; done
"))

(define* (tcc-round n prev #:key (cflags "") output-hash)
  "Round N: musl, libtcc1 and tcc built by the tcc of the round PREV (a
plan), or by the seed's when PREV is #f; a tree to use at \"/\".  CFLAGS
(default none) are added to tcc.c's compile: a perturbed round, for tests."
  (make-plan name: (string-append "tcc-" (number->string n) "-0.9.27")
             inputs: (append (if prev
                                 (list prev (tcc-seed-busybox))
                                 (tcc-seed-artifacts))
                             (list (musl-source) (tcc-source)
                                   (interned "/build" #o755 (round-build cflags))))
             output-hash: output-hash
             timeout: 1800
             license: "LGPL-2.1-or-later AND MIT"))

(define fixpoint-build
  "#!/bin/busybox sh
# /a and /b: two rounds' trees.  Each file's name, type, mode and size,
# then each file's bytes, must be the same; else say what differs and fail.
set -eu
bb=/bin/busybox
list() { (cd \"$1\" && $bb find . -exec $bb stat -c '%n %A %s' {} + | $bb sort); }
list /a > /tmp/a.list
list /b > /tmp/b.list
if ! $bb diff /tmp/a.list /tmp/b.list; then
	echo 'tcc-fixpoint: the two rounds differ in their files (above)' >&2
	exit 1
fi
if ! $bb diff -r /a /b; then
	echo 'tcc-fixpoint: the two rounds differ in content (above): tcc does not rebuild itself bit for bit' >&2
	exit 1
fi
$bb mkdir -p /out
$bb cp /tmp/a.list /out/files
")

(define* (tcc-fixpoint a b #:key output-hash)
  "A plan that succeeds only when the rounds A and B (plans) have the same
output, byte for byte: that tcc rebuilt itself bit-identically.  Its output
lists the files of the round."
  (make-plan name: "tcc-fixpoint"
             inputs: (list (tcc-seed-busybox)
                           (make-input basedir: "/a" link: a)
                           (make-input basedir: "/b" link: b)
                           (interned "/build" #o755 fixpoint-build))
             output-hash: output-hash
             timeout: 300
             license: "LGPL-2.1-or-later AND MIT"))

(define make-source
  ;; Debian 12's make-dfsg_4.3.orig.tar.gz, the pin of (pkg make), whose
  ;; comment says why it is a plain file unpacked in the build.
  (once (lambda ()
          (remote-file "https://ftp.gnu.org/gnu/make/make-4.3.tar.gz"
                       "Mh9g8OC8t0QVLwIpqkg0GctvpRLtrs9VbYY9P6yk4fo="
                       "/src/make-4.3.tar.gz" #o644))))

(define (make-config-sed)
  ;; (pkg make)'s config.h for musl, as a sed script: the recipe's module
  ;; resolved when a plan is made, never when the library loads (no module
  ;; of lib/distill imports a recipe, docs/architecture.md).
  (string-join (filter (lambda (x) (not (equal? x "-e")))
                       ((module-ref (resolve-interface '(pkg make)) '$config-h-sed)
                        (default-config 'x86_64)))
               "\n" 'suffix))

(define* (tcc-make tcc #:key output-hash)
  "GNU make 4.3, static, compiled by the round TCC (a plan) in one tcc run,
with (pkg make)'s config.h; its tree holds usr/bin/make."
  (make-plan name: "tcc-make-4.3"
             inputs: (list tcc (tcc-seed-busybox) (make-source)
                           (interned "/src/make-config.sed" #o644 (make-config-sed))
                           (interned "/build" #o755 "#!/bin/busybox sh
set -eu
mkdir /tmp/bin
/bin/busybox --install -s /tmp/bin
export PATH=/usr/bin:/tmp/bin
cd /tmp
tar -xzf /src/make-4.3.tar.gz
cd make-dfsg-4.3
sed -f /src/make-config.sed src/config.h.in > src/config.h
cp lib/glob.in.h lib/glob.h
cp lib/fnmatch.in.h lib/fnmatch.h
# Basic.mk's sources for a POSIX system, compiled in one tcc run
tcc -static -DHAVE_CONFIG_H -Isrc -Ilib -DLIBDIR='\"/usr/lib\"' \\
	-DINCLUDEDIR='\"/usr/include\"' -DLOCALEDIR='\"/usr/share\"' -o make \\
	src/ar.c src/arscan.c src/commands.c src/default.c src/dir.c \\
	src/expand.c src/file.c src/function.c src/getopt.c src/getopt1.c \\
	src/guile.c src/hash.c src/implicit.c src/job.c src/load.c \\
	src/loadapi.c src/main.c src/misc.c src/output.c src/read.c \\
	src/remake.c src/rule.c src/signame.c src/strcache.c src/variable.c \\
	src/version.c src/vpath.c src/remote-stub.c src/posixos.c \\
	lib/fnmatch.c lib/glob.c
mkdir -p /out/usr/bin
cp make /out/usr/bin/make
"))
             output-hash: output-hash
             timeout: 900
             license: "GPL-3.0-or-later"))

(define busybox-applets
  ;; The Kconfig symbols turned on over allnoconfig: a shell and the tools
  ;; configure scripts and makefiles run.  Left out: the archivers (tcc
  ;; lays out busybox's packed structs otherwise: BUILD_BUG_ON fails).
  "BUSYBOX FEATURE_INSTALLER STATIC LONG_OPTS SHOW_USAGE FEATURE_VERBOSE_USAGE
ASH SH_IS_ASH ASH_OPTIMIZE_FOR_SIZE ASH_ALIAS ASH_GETOPTS ASH_ECHO ASH_PRINTF
ASH_TEST ASH_BASH_COMPAT ASH_CMDCMD ASH_EXPAND_PRMT SHELL_ASH FEATURE_SH_MATH
FEATURE_SH_MATH_64 FEATURE_SH_EXTRA_QUIET
AWK FEATURE_AWK_LIBM BASENAME CAT CHMOD CMP CP CUT DATE DIFF DIRNAME ECHO
FEATURE_FANCY_ECHO ENV EXPR EXPR_MATH_SUPPORT_64 FALSE TRUE
FIND FEATURE_FIND_PRINT0 FEATURE_FIND_MTIME FEATURE_FIND_PERM FEATURE_FIND_TYPE
FEATURE_FIND_XDEV FEATURE_FIND_MAXDEPTH FEATURE_FIND_NEWER FEATURE_FIND_EXEC
FEATURE_FIND_EXEC_PLUS FEATURE_FIND_NOT FEATURE_FIND_PAREN FEATURE_FIND_SIZE
FEATURE_FIND_PRUNE FEATURE_FIND_DELETE FEATURE_FIND_PATH FEATURE_FIND_REGEX
FEATURE_FIND_LINKS
GREP EGREP FGREP FEATURE_GREP_CONTEXT HEAD FEATURE_FANCY_HEAD TAIL
FEATURE_FANCY_TAIL INSTALL FEATURE_INSTALL_LONG_OPTIONS LN LS
FEATURE_LS_FILETYPES FEATURE_LS_FOLLOWLINKS FEATURE_LS_RECURSIVE
FEATURE_LS_SORTFILES FEATURE_LS_TIMESTAMPS
MKDIR MKTEMP MV OD PRINTF PWD RM RMDIR SED SLEEP SORT FEATURE_SORT_BIG TEE
TEST TEST1 TEST2 FEATURE_TEST_64 TOUCH TR UNAME UNIQ WC XARGS
FEATURE_XARGS_SUPPORT_CONFIRMATION FEATURE_XARGS_SUPPORT_QUOTES
FEATURE_XARGS_SUPPORT_TERMOPT FEATURE_XARGS_SUPPORT_ZERO_TERM
CHOWN CHGRP SYNC STAT NPROC SEQ YES SHA256SUM MD5SUM STRINGS ID WHOAMI
REALPATH READLINK FEATURE_READLINK_FOLLOW TAC REV HOSTNAME TIMEOUT PATCH
")

(define busybox-source
  ;; busybox-1.35.0.tar.bz2, the pin of (pkg busybox).
  (once (lambda ()
          (remote-archive
           "https://busybox.net/downloads/busybox-1.35.0.tar.bz2"
           "sha256:faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694"
           #:path "/src"))))

(define* (tcc-busybox tcc make #:key output-hash)
  "busybox 1.35.0, static, compiled by the round TCC with MAKE (plans):
its shell and the applets of busybox-applets, as bin/busybox."
  (make-plan name: "tcc-busybox-1.35.0"
             inputs: (list tcc make (tcc-seed-busybox)
                           (interned-symlink "/bin/sh" "busybox")
                           (busybox-source)
                           (interned "/src/busybox.applets" #o644 busybox-applets)
                           (interned "/build" #o755 "#!/bin/busybox sh
set -eu
mkdir -p /tmp/bin
/bin/busybox --install -s /tmp/bin
export PATH=/usr/bin:/tmp/bin
cp -r /src/busybox-1.35.0 /tmp/busybox
cd /tmp/busybox
# tcc takes -MD -MF, not -Wp,-MD,FILE
sed -i \"s/-Wp,-MD,\\$(depfile)/-MD -MF \\$(depfile)/\" scripts/Makefile.host scripts/Makefile.lib Makefile
# tcc takes no parenthesized string as an array initializer
sed -i 's/^#define N_(text) (text)$/#define N_(text) text/' scripts/kconfig/lkc.h
# tcc -ar makes no empty archive: write one for an empty built-in.o
sed -i 's/rm -f \\$@; \\$(AR) rcs \\$@)$/rm -f $@; printf \"!<arch>\\\\\\\\n\" > $@)/' scripts/Makefile.build
sed -i 's/^cmd_link_l_target = rm -f \\$@; \\$(AR) \\$(EXTRA_ARFLAGS) rcs \\$@ \\$(lib-y)$/cmd_link_l_target = rm -f $@; $(if $(strip $(lib-y)),$(AR) rcs $@ $(lib-y),printf \"!<arch>\\\\\\\\n\" > $@)/' scripts/Makefile.build
[ $(grep -c 'printf \"!<arch>' scripts/Makefile.build) = 2 ]
# tcc's linker has no --start-group: link with the libraries twice
cat > scripts/trylink <<'EOS'
#!/bin/sh
set -e
$2 -static -o \"$1\" $5 $6 $6
EOS
make HOSTCC=\"tcc -static\" CC=\"tcc -static\" allnoconfig > /dev/null
# the applets and features a configure script and make need
for c in $(cat /src/busybox.applets); do
	sed -i \"s/^# CONFIG_$c is not set$/CONFIG_$c=y/\" .config
done
yes '' | make HOSTCC=\"tcc -static\" CC=\"tcc -static\" oldconfig > /dev/null
make HOSTCC=\"tcc -static\" CC=\"tcc -static\" AR=\"tcc -ar\" LD=\"tcc\" -j2 busybox_unstripped
mkdir -p /out/bin
cp busybox_unstripped /out/bin/busybox
"))
             output-hash: output-hash
             timeout: 1800
             license: "GPL-2.0-only"))

(define* (tcc-stage1 tcc make busybox fixpoint #:key output-hash)
  "Stage 1: the trees of the round TCC, MAKE and BUSYBOX (plans) in one,
with busybox as /bin/sh and every applet: a hermetic tree to use at \"/\"
that holds no gcc-built file, whose C compiler is `tcc -static`.  FIXPOINT
(a tcc-fixpoint plan) is an input, not copied: no stage 1 without it."
  (make-plan name: "tcc-stage1-0.9.27"
             inputs: (list (tcc-seed-busybox)
                           (make-input basedir: "/in/fixpoint" link: fixpoint)
                           (make-input basedir: "/in/tcc" link: tcc)
                           (make-input basedir: "/in/make" link: make)
                           (make-input basedir: "/in/busybox" link: busybox)
                           (interned "/build" #o755 "#!/bin/busybox sh
# stage 1: the last round's tcc and musl, make and busybox (as /bin/sh and
# every applet) in one tree
set -eu
bb=/bin/busybox
for d in /in/tcc /in/make /in/busybox; do $bb cp -a $d/. /out/; done
$bb mkdir -p /out/usr/bin
for a in $(/out/bin/busybox --list); do
	[ -e /out/bin/$a ] || [ -e /out/usr/bin/$a ] || $bb ln -s busybox /out/bin/$a
done
"))
             output-hash: output-hash
             timeout: 300
             license: "LGPL-2.1-or-later AND MIT AND GPL-3.0-or-later AND GPL-2.0-only"))

(define hello-source
  ;; hello-2.10.tar.gz, the pin of (pkg hello).
  (once (lambda ()
          (remote-archive "https://ftp.gnu.org/gnu/hello/hello-2.10.tar.gz"
                          "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk="
                          #:path "/src"))))

(define zlib-source
  ;; Debian's zlib_1.2.13.dfsg.orig.tar.bz2, the pin of (pkg zlib).
  (once (lambda ()
          (remote-archive "https://zlib.net/fossils/zlib-1.2.13.tar.gz"
                          "6cKAI3gT2SoGM763MwNfvN5hR_h1iUJnqoZO_9R1-98="
                          #:path "/src"))))

(define (stage1-plan stage1 name license source build output-hash)
  ;; The plan NAME whose /build (shell, BUILD) runs on STAGE1's tree alone,
  ;; with SOURCE at /src.
  (make-plan name: name
             inputs: (list stage1 source (interned "/build" #o755 build))
             output-hash: output-hash
             timeout: 900
             license: license))

(define* (stage1-hello stage1 #:key output-hash)
  "GNU hello 2.10 built by STAGE1 alone (configure, make, make install)."
  (stage1-plan stage1 "stage1-hello-2.10" "GPL-3.0-or-later" (hello-source)
               "#!/bin/sh
set -eu
mkdir /tmp/build
cd /tmp/build
# LD: gettext's macros look for a linker; tcc is its own
# tcc -ar takes r, c, s and v only (no u); tcc needs no ranlib
/src/hello-2.10/configure CC='tcc -static' LD=tcc AR='tcc -ar' RANLIB=true \\
	--prefix=/usr --disable-nls
make ARFLAGS=rc
make DESTDIR=/out install
/out/usr/bin/hello > /out/ran-inside
"
               output-hash))

(define* (stage1-zlib stage1 #:key output-hash)
  "zlib 1.2.13 (static libz.a and its headers) built by STAGE1 alone."
  (stage1-plan stage1 "stage1-zlib-1.2.13" "Zlib" (zlib-source)
               "#!/bin/sh
set -eu
cp -r /src/zlib-1.2.13.dfsg /tmp/zlib
cd /tmp/zlib
CC='tcc -static' AR='tcc -ar' RANLIB=true ./configure --static --prefix=/usr
make libz.a
make DESTDIR=/out install
"
               output-hash))
