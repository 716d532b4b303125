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
;;;
;;; Each round links its tcc against musl's object files, not libc.a, so
;;; that no archive index is trusted (the seed's tcc -ar indexes no weak
;;; symbol); the tcc built is patched to index weak symbols, and archives
;;; the round's libraries.  Every round pins its output (output-hash:),
;;; which depends on nothing of the main seed.
(define-module (distill tcc-seed)
  #:use-module (distill plan)
  #:use-module (distill seed)
  #:use-module (distill toolchain)
  #:export (tcc-seed-packages tcc-seed-artifacts tcc-source-pin
            tcc-round tcc-fixpoint))

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

(define (tcc-source)
  (remote-archive (list-ref tcc-source-pin 3)
                  (string-append "sha256:" (list-ref tcc-source-pin 2))
                  #:path "/src/tcc"))

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
                             (list (apply (source-archive) musl-source-pin)
                                   (tcc-source)
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
