;;; (distill seed): the binary seed, the only prebuilt programs a build
;;; may use.  It is a pinned set of Debian 12 (amd64) packages, pinned by
;;; the sha256 of Debian's signed index (docs/seed.md says why each one is
;;; here), and seed-plan, which assembles them into one root file system
;;; tree (debs-plan, which (distill imagetools) uses too): gcc-12, binutils, glibc, GNU make, busybox (as /bin/sh and every
;;; applet nothing else provides) and execline.  Later plans take that tree
;;; as their input at "/" and run a `#!/bin/sh` /build.
;;;
;;; How a package becomes an artifact is decided in one place, the
;;; seed-deb parameter: a procedure of (name version sha256 file) that
;;; returns an archive artifact unpacked at "/".  The default reads
;;; FILE from seed-directory (seed/debs of this checkout, filled by
;;; scripts/fetch-seed) and checks its sha256; a fetcher can replace it.
(define-module (distill seed)
  #:use-module (distill core)
  #:use-module (distill plan)
  #:export (seed-packages seed-directory seed-deb local-seed-deb pinned-debs
            seed-artifacts seed-plan debs-plan
            cross-seed-packages cross-seed-artifacts
            cross-linux-headers-packages cross-linux-headers))

(define seed-packages
  ;; (name version sha256 file): the Debian 12 packages of the seed, by the
  ;; sha256 of Debian's signed index; file is the basename of the pool file.
  ;; Kept in step with seed/SHA256SUMS (t/seed.t checks).
  '(("busybox-static" "1:1.35.0-4+deb12u1+b1"
     "3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744"
     "busybox-static_1.35.0-4+deb12u1+b1_amd64.deb")
    ("execline" "2.9.3.0-1"
     "2e10c94a9d5b80d660aa728b9ac8012f898dd4d319270776f9cb9383dcaf3d56"
     "execline_2.9.3.0-1_amd64.deb")
    ("libexecline2.9" "2.9.3.0-1"
     "c47b9704a2079b09a5f0b51b254329f110997fc1256054b7b95bc12e95c8d7b8"
     "libexecline2.9_2.9.3.0-1_amd64.deb")
    ("libskarnet2.13" "2.13.1.1-1"
     "30d292d91933d8bb4413ca2ca3bd4b6ffbf82854e1de7483b69c91a18dfe90b1"
     "libskarnet2.13_2.13.1.1-1_amd64.deb")
    ("make" "4.3-4.1"
     "a1a83af8cbd854af887b72ad196b1f4af58387815e21ced1000253a116a46e2a"
     "make_4.3-4.1_amd64.deb")
    ("libc6" "2.36-9+deb12u14"
     "ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf"
     "libc6_2.36-9+deb12u14_amd64.deb")
    ("libgcc-s1" "12.2.0-14+deb12u1"
     "3016e62cb4b7cd8038822870601f5ed131befe942774d0f745622cc77d8a88f7"
     "libgcc-s1_12.2.0-14+deb12u1_amd64.deb")
    ("libc6-dev" "2.36-9+deb12u14"
     "0218fc2befcd784c1b0c6292c0a137ce89fad054efaa579ad083bee0f2c01aae"
     "libc6-dev_2.36-9+deb12u14_amd64.deb")
    ("linux-libc-dev" "6.1.176-1"
     "8bb258735b9dffbb111da778ebdd024750878e435ffd9dfcadcb6762ede6b4cf"
     "linux-libc-dev_6.1.176-1_amd64.deb")
    ("gcc-12" "12.2.0-14+deb12u1"
     "b46f33cc2ec245e435e043807038cecf4b201ef004800e9dfc1455240360e49d"
     "gcc-12_12.2.0-14+deb12u1_amd64.deb")
    ("gcc-12-base" "12.2.0-14+deb12u1"
     "1896a2aacf4ad681ff5eacc24a5b0ca4d5d9c9b9c9e4b6de5197bc1e116ea619"
     "gcc-12-base_12.2.0-14+deb12u1_amd64.deb")
    ("cpp-12" "12.2.0-14+deb12u1"
     "fedbb98e877adde83c983c6071537ea25ac52b277ac6e4637d85025949ca1454"
     "cpp-12_12.2.0-14+deb12u1_amd64.deb")
    ("libgcc-12-dev" "12.2.0-14+deb12u1"
     "d720259380a84f2ffc6fe516eff5cbe9c8a005138e8d6a5748747ba4b3404a82"
     "libgcc-12-dev_12.2.0-14+deb12u1_amd64.deb")
    ("libgmp10" "2:6.2.1+dfsg1-1.1"
     "187aedef2ed763f425c1e523753b9719677633c7eede660401739e9c893482bd"
     "libgmp10_6.2.1+dfsg1-1.1_amd64.deb")
    ("libmpfr6" "4.2.0-1"
     "37b7a2b4e78890b6a074777f27b96c84f58e81558ba08410c2b6c0ca4a4ad77b"
     "libmpfr6_4.2.0-1_amd64.deb")
    ("libmpc3" "1.3.1-1"
     "d7f79544790e44f9b0c8cb9034a18c58d37f8702a15f32539050718679e52f80"
     "libmpc3_1.3.1-1_amd64.deb")
    ("libisl23" "0.25-1.1"
     "ebff0b2f8b220c74224197523019366e97ee4770d464bebc48e4865114e4da0e"
     "libisl23_0.25-1.1_amd64.deb")
    ("zlib1g" "1:1.2.13.dfsg-1"
     "d7dd1d1411fedf27f5e27650a6eff20ef294077b568f4c8c5e51466dc7c08ce4"
     "zlib1g_1.2.13.dfsg-1_amd64.deb")
    ("libzstd1" "1.5.4+dfsg2-5"
     "6315b5ac38b724a710fb96bf1042019398cb656718b1522279a5185ed39318fa"
     "libzstd1_1.5.4+dfsg2-5_amd64.deb")
    ("binutils" "2.40-2"
     "83c3e20b53e1fbd84d764c3ba27d26a0376e361ae5d7fb37120196934dd87424"
     "binutils_2.40-2_amd64.deb")
    ("binutils-x86-64-linux-gnu" "2.40-2"
     "2d7ea8a570d768224d7f2424abbe6f373d2154865a1fa7f56c80d43ecf492521"
     "binutils-x86-64-linux-gnu_2.40-2_amd64.deb")
    ("libbinutils" "2.40-2"
     "fcf55b99e5f8a78f3c8ce9b6957f1024f394cf20c196b100d308a57e43547710"
     "libbinutils_2.40-2_amd64.deb")
    ("binutils-common" "2.40-2"
     "ab314134f43a0891a48f69a9bc33d825da748fa5e0ba2bebb7a5c491b026f1a0"
     "binutils-common_2.40-2_amd64.deb")
    ("libctf0" "2.40-2"
     "3fb7b6f326be3fae4a87a3d33b9269bd06c1e4346a24bd737f265067e3b7427f"
     "libctf0_2.40-2_amd64.deb")
    ("libctf-nobfd0" "2.40-2"
     "ef1dfcf22de41ea90ebd3d505447ccccd999e96b85aa777a1d7d981dc3b347aa"
     "libctf-nobfd0_2.40-2_amd64.deb")
    ("libjansson4" "2.14-2"
     "3fc9742f9f1a37bcb9931df6074b4d1483419ef832ad5349f47323e75fc27864"
     "libjansson4_2.14-2_amd64.deb")))

(define cross-seed-packages
  ;; (arch (name version sha256 file) ...): for each architecture other
  ;; than x86_64, Debian 12's cross compiler to it (x86_64 programs that
  ;; target glibc; (distill toolchain) wraps them for musl) and its
  ;; binutils, laid over the seed tree.  A build for x86_64 alone needs
  ;; none of them.  gcc-12's other dependencies (its libraries, libgcc-s1,
  ;; libzstd1...) are the seed's own; libgcc-12-dev-*-cross gives libgcc.a,
  ;; crtbegin*.o and gcc's headers for the target.  Kept in step with
  ;; seed/SHA256SUMS (t/seed.t checks).
  '((aarch64
     ("gcc-12-aarch64-linux-gnu" "12.2.0-14cross1"
      "43747bbcd46a4062e66e855090b8ed9c2e06a93ae5a69fb304beebbc8c36d11f"
      "gcc-12-aarch64-linux-gnu_12.2.0-14cross1_amd64.deb")
     ("cpp-12-aarch64-linux-gnu" "12.2.0-14cross1"
      "5921df4ad56e34e6257a1caf862474845aab6548ba7ae7852e8cdd7cb622394e"
      "cpp-12-aarch64-linux-gnu_12.2.0-14cross1_amd64.deb")
     ("libgcc-12-dev-arm64-cross" "12.2.0-14cross1"
      "ff1324e262bae2c3aad685c2ed52bd531ab0a2a337a0fe35c3b720947d55b2ba"
      "libgcc-12-dev-arm64-cross_12.2.0-14cross1_all.deb")
     ("binutils-aarch64-linux-gnu" "2.40-2"
      "3d6f64a7a4ed6d73719f8fa2e85fd896f58ff7f211a6683942ba93de690aaa66"
      "binutils-aarch64-linux-gnu_2.40-2_amd64.deb"))
    (ppc64le
     ("gcc-12-powerpc64le-linux-gnu" "12.2.0-14cross1"
      "7c070446a011b4af41dc0b63f34ed315312092cdd46381f3c5fb6cb29a10f969"
      "gcc-12-powerpc64le-linux-gnu_12.2.0-14cross1_amd64.deb")
     ("cpp-12-powerpc64le-linux-gnu" "12.2.0-14cross1"
      "824af477ca85844e4fe27e190138bc92cb334da724441b0497b55e13475a7f88"
      "cpp-12-powerpc64le-linux-gnu_12.2.0-14cross1_amd64.deb")
     ("libgcc-12-dev-ppc64el-cross" "12.2.0-14cross1"
      "74e430d95dab4cb56b79439b62ab01831df0394e1b5a312fe7c75c2344c4be97"
      "libgcc-12-dev-ppc64el-cross_12.2.0-14cross1_all.deb")
     ("binutils-powerpc64le-linux-gnu" "2.40-2"
      "86ee9063c65141841d8a15f961bd5e2e6a969003edff1123e1730310f65c6597"
      "binutils-powerpc64le-linux-gnu_2.40-2_amd64.deb"))))

(define cross-linux-headers-packages
  ;; (arch (name version sha256 file)): Linux's UAPI headers for ARCH as
  ;; Debian 12 ships them for cross builds (under /usr/GNU-TRIPLE/include),
  ;; which (pkg busybox)'s linux-uapi-headers copies into the host's
  ;; sysroot.  Kept in step with seed/SHA256SUMS (t/seed.t checks).
  '((aarch64
     ("linux-libc-dev-arm64-cross" "6.1.4-1cross1"
      "66457f015d16b7d372db6591cff38db0da928362ff2ea1fa75491e28f6904d81"
      "linux-libc-dev-arm64-cross_6.1.4-1cross1_all.deb"))
    (ppc64le
     ("linux-libc-dev-ppc64el-cross" "6.1.4-1cross1"
      "dbb5b086d513a1b803de6c3a10f61bbe414c15022c1c6eccb0a18e4f5736dbba"
      "linux-libc-dev-ppc64el-cross_6.1.4-1cross1_all.deb"))))

(define (default-seed-directory)
  ;; $DISTILL_SEED, else seed/debs of the checkout this module was loaded
  ;; from (lib/distill/seed.scm -> seed/debs).
  (or (getenv "DISTILL_SEED")
      (let ((me (search-path %load-path "distill/seed.scm")))
        (and me (string-append (dirname (dirname (dirname me))) "/seed/debs")))))

(define seed-directory
  ;; Where local-seed-deb finds the .deb files.
  (make-parameter (default-seed-directory)))

(define (local-seed-deb name version sha256 file)
  "The seed package FILE from seed-directory (scripts/fetch-seed downloads
them; DISTILL_SEED names another directory) as an archive at \"/\": a source
pinned by SHA256 like any other, so the fetcher checks it while copying it
into the store."
  (remote-archive (string-append "file://" (or (seed-directory) "seed/debs") "/" file)
                  (string-append "sha256:" sha256)))

(define seed-deb
  ;; (name version sha256 file) -> an archive artifact at "/".
  (make-parameter local-seed-deb))

(define* (pinned-debs table #:optional (place identity))
  "A procedure of no arguments giving the packages of TABLE ((name
version sha256 file), as seed-packages) as artifacts made by (seed-deb),
each passed through PLACE (e.g. an update-path): made when first asked
for, and again only when seed-deb has changed, so that each pin has one
artifact object (fetch-sources! resolves one per pin)."
  (let ((memo #f))
    (lambda ()
      (unless (and memo (eq? (car memo) (seed-deb)))
        (set! memo (cons (seed-deb)
                         (map (lambda (p) (place (apply (seed-deb) p))) table))))
      (cdr memo))))

(define seed-debs (pinned-debs seed-packages))

(define (seed-artifacts)
  "Every seed package, as artifacts made by seed-deb."
  (seed-debs))

(define cross-seed-debs
  (map (lambda (e) (cons (car e) (pinned-debs (cdr e)))) cross-seed-packages))

(define (cross-seed-artifacts arch)
  "The cross compiler and binutils targeting ARCH (a symbol of
cross-seed-packages), as archive artifacts at \"/\" made by seed-deb, to lay
over the seed tree; #f for an architecture with none."
  (let ((e (assq arch cross-seed-debs)))
    (and e ((cdr e)))))

(define cross-linux-headers-debs
  (map (lambda (e) (cons (car e) (pinned-debs (cdr e)))) cross-linux-headers-packages))

(define (cross-linux-headers arch)
  "The version of ARCH's Linux UAPI headers package and its archive
artifact at \"/\" (made by seed-deb), as a pair; #f for an architecture
with none."
  (let ((e (assq arch cross-linux-headers-debs))
        (p (assq arch cross-linux-headers-packages)))
    (and e (cons (cadr (cadr p)) (car ((cdr e)))))))

(define (debs-tree-build fixups applets)
  ;; The /build of a debs-plan: the overlay of the packages copied into
  ;; /out; of their documentation only each package's copyright file
  ;; (its licence, which distill sbom points to); FIXUPS (shell lines, run
  ;; in /out) for what non-usrmerged .debs unpacked without dpkg need,
  ;; then APPLETS (shell lines), then every busybox applet linked at its
  ;; usual place unless a package provides it.
  (string-append "#!/bin/busybox sh
set -eu
bb=/bin/busybox
for e in $($bb ls -A /); do
	case $e in proc|dev|tmp|out|build) ;; *) $bb cp -a \"/$e\" /out/ ;; esac
done
cd /out
for f in usr/share/doc/*/* usr/share/doc/*/.[!.]*; do
	[ \"${f##*/}\" = copyright ] || $bb rm -rf \"$f\"
done
" fixups "have() {
	for d in bin sbin usr/bin usr/sbin; do
		[ -e \"$d/$1\" ] || [ -L \"$d/$1\" ] && return 0
	done
	return 1
}
" applets "for p in $($bb --list-full); do
	[ \"$p\" != linuxrc ] || continue
	have \"${p##*/}\" || $bb ln -s /bin/busybox \"$p\"
done
"))

(define (debs-plan name fixups applets debs)
  "The plan NAME whose output is the packages DEBS (archive artifacts at
\"/\") merged into one root file system tree, with busybox as /bin/sh and
every applet no package provides; FIXUPS and APPLETS are shell lines its
/build runs in the tree before linking the applets (see seed-plan), to be
used at \"/\" by plans whose /build is a shell script."
  (make-plan name: name
             inputs: (cons (interned "/build" #o755 (debs-tree-build fixups applets))
                           debs)
             timeout: 600))

(define* (seed-plan #:key (name "seed"))
  "The plan whose output is the seed tree: the seed packages in one root
file system, to be used at \"/\" by plans whose /build is a shell script."
  (debs-plan name
             "# Documentation and the LTO dump tool: not needed to build anything.
$bb rm -rf usr/share/man usr/share/info usr/share/lintian \\
	usr/share/bug usr/share/locale usr/bin/*lto-dump*
$bb mkdir -p bin sbin usr/bin usr/sbin lib64 etc
# libc6 ships the x86-64 ABI's loader path; make sure of it.
[ -e lib64/ld-linux-x86-64.so.2 ] ||
	$bb ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2
# The names the gcc and cpp packages would add.
for t in gcc cc; do $bb ln -s gcc-12 usr/bin/$t; done
$bb ln -s cpp-12 usr/bin/cpp
$bb ln -s busybox bin/sh
"
             "# execline's programs in /bin, where scripts (#!/bin/execlineb) expect
# them and on PATH (Debian's /usr/bin/execlineb is a wrapper adding them).
for p in usr/lib/execline/bin/*; do
	$bb ln -s \"/$p\" \"bin/${p##*/}\"
done
# Every busybox applet at its usual place, unless a package provides it.
"
             (seed-artifacts)))
