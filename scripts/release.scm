;; distill rebuilds itself: the committed source (the tree of `git archive
;; HEAD`) compiled in the sandbox from pinned inputs alone, into an
;; installable tree (bin/distill, share/distill: the Scheme library,
;; share/man/man1/distill.1) for PREFIX /usr/local.
;;   distill run scripts/release.scm [CHECKOUT]
;; CHECKOUT is a git checkout of distill (default: the one this script is
;; in).  Uncommitted changes are not built: a dirty tree is warned about.
;;
;; The inputs: the seed tree (gcc-12, binutils, glibc's headers, make,
;; busybox) and, over it, release-packages below: Debian 12's Guile 3.0,
;; libsodium, libarchive, libcurl and tomlplusplus with their -dev
;; packages, g++-12 (src/toml.cc is C++), pkgconf, GNU tar and gzip
;; (scripts/embed-scheme), pinned by the sha256 of Debian's signed index
;; and in seed/SHA256SUMS (t/seed.t checks).  The binary links against
;; these libraries' sonames and runs with the host's: a Debian 12 host
;; with the same versions (docs/trust.md, "distill rebuilds itself").
;; Libraries those libraries need are not in the sandbox, so ld is told
;; not to resolve them (--allow-shlib-undefined); the dynamic loader does
;; at run time.  The bytecode (go/) and the bash completion are not built:
;; both run the new binary, which would need every library it loads.
(use-modules (distill plan) (distill seed) (ice-9 popen) (ice-9 rdelim)
             (ice-9 match))

(define release-packages
  ;; (name version sha256 file), as seed-packages.
  '(("guile-3.0-dev" "3.0.8-2"
     "344db10f186262e9eb3c7236c4157409062b31890e69728ad92c327a66676dd9"
     "guile-3.0-dev_3.0.8-2_amd64.deb")
    ("guile-3.0-libs" "3.0.8-2"
     "440dd5572ec396b38e6cdf3510026d3bc558027ba5d7d3992aff66d7d3c3ad4e"
     "guile-3.0-libs_3.0.8-2_amd64.deb")
    ("libgc-dev" "1:8.2.2-3"
     "a7b8a113d5a0152959af593d681282ef4a3177fae826096f530a1d3cf00cdaa9"
     "libgc-dev_1%3a8.2.2-3_amd64.deb")
    ("libgc1" "1:8.2.2-3"
     "c7fecfc533d31980e93faeb9bc529dc2d393fc066100550c0e28a760a2eab72e"
     "libgc1_1%3a8.2.2-3_amd64.deb")
    ("libgmp-dev" "2:6.2.1+dfsg1-1.1"
     "a12b9dd1bf84dd3357c2aee2cb9c10092ebccff0c879648566ae87d27ba7ecc0"
     "libgmp-dev_2%3a6.2.1+dfsg1-1.1_amd64.deb")
    ("libsodium-dev" "1.0.18-1+deb12u1"
     "96c76e95027592650b20987ceef189aa70c614dff3e6ec13c09b786149145700"
     "libsodium-dev_1.0.18-1+deb12u1_amd64.deb")
    ("libsodium23" "1.0.18-1+deb12u1"
     "bceae6943d6e11fb53ec3f81d9630ec9ed03e51f89364902b05ebe402ae946ec"
     "libsodium23_1.0.18-1+deb12u1_amd64.deb")
    ("libarchive-dev" "3.6.2-1+deb12u5"
     "e8dbaf0d7d2f385063531832e4e97bbcd439c5ea2178806772be48645276135a"
     "libarchive-dev_3.6.2-1+deb12u5_amd64.deb")
    ("libarchive13" "3.6.2-1+deb12u5"
     "45419b8c7646c1af12783ae31906ce2da4c465c1a948b01f8f44152d8269f403"
     "libarchive13_3.6.2-1+deb12u5_amd64.deb")
    ("libcurl4-openssl-dev" "7.88.1-10+deb12u15"
     "dbd69b15ecb49331f53fbc3483b0508997e2fab551e48c53951391f254b73890"
     "libcurl4-openssl-dev_7.88.1-10+deb12u15_amd64.deb")
    ("libcurl4" "7.88.1-10+deb12u15"
     "3042904de01f9c4fbdcf1452b8f81abedcf2b015f9b9deba109063322b5bd68b"
     "libcurl4_7.88.1-10+deb12u15_amd64.deb")
    ("libtomlplusplus-dev" "3.3.0+ds-1"
     "2779cce0001466dcf60eb6262ff68a888d49f9e30aee80c499d1d4f6f9f6e12e"
     "libtomlplusplus-dev_3.3.0+ds-1_amd64.deb")
    ("pkgconf" "1.8.1-1"
     "4e3ce982b5fedc6c6119268435504a64f5ffcc6d93aaecaea902d816eba1215f"
     "pkgconf_1.8.1-1_amd64.deb")
    ("pkgconf-bin" "1.8.1-1"
     "8fb5a8f83e46ad04b4cf02651ceec56c0611a335cf0d30780d859a95d0400174"
     "pkgconf-bin_1.8.1-1_amd64.deb")
    ("libpkgconf3" "1.8.1-1"
     "da01fb901123ae498c36387a32240e09e1f2866810146c5a574273f7eaf31093"
     "libpkgconf3_1.8.1-1_amd64.deb")
    ("g++-12" "12.2.0-14+deb12u1"
     "68b182badae4ace7d472f1393c559d3532a95a2d70817498b10bb481d2627251"
     "g++-12_12.2.0-14+deb12u1_amd64.deb")
    ("libstdc++-12-dev" "12.2.0-14+deb12u1"
     "d28def6c23630432b57cb38a4c2fd67a79d4e0484027386ca6e8d6005c3d7a73"
     "libstdc++-12-dev_12.2.0-14+deb12u1_amd64.deb")
    ("libstdc++6" "12.2.0-14+deb12u1"
     "5cd3171216d4ab0fc911cfe9c35509bf2dd8f47761c43b7f6a4296701551a24d"
     "libstdc++6_12.2.0-14+deb12u1_amd64.deb")
    ("tar" "1.34+dfsg-1.2+deb12u1"
     "24fb92e98c2969171f81a8b589263d705f6b1670f95d121cd74c810d4605acc3"
     "tar_1.34+dfsg-1.2+deb12u1_amd64.deb")
    ("gzip" "1.12-1"
     "eabec1dde2834f72540d7b93fc5df2625f52611c06d93d61f5cdb12480e0e6a3"
     "gzip_1.12-1_amd64.deb")
    ("libacl1" "2.3.1-3"
     "8be9df5795114bfe90e2be3d208ef47a5edd3fc7b3e20d387a597486d444e5e2"
     "libacl1_2.3.1-3_amd64.deb")
    ("libselinux1" "3.4-1+b6"
     "2b07f5287b9105f40158b56e4d70cc1652dac56a408f3507b4ab3d061eed425f"
     "libselinux1_3.4-1+b6_amd64.deb")
    ("libpcre2-8-0" "10.42-1+deb12u2"
     "d2f7edfcc7689b9e0761c2742cc824ac86a20768bc5e8057818dc6875291fe76"
     "libpcre2-8-0_10.42-1+deb12u2_amd64.deb")))

(define release-debs (pinned-debs release-packages))

(define (git checkout . args)
  "The output of git ARGS in CHECKOUT (one string), or #f when git fails
(its own message is dropped: the caller says what is wrong)."
  (let* ((port (with-error-to-port (open-output-file "/dev/null")
                 (lambda () (apply open-pipe* OPEN_READ "git" "-C" checkout args))))
         (text (read-delimited "" port))
         (status (close-pipe port)))
    (and (zero? (status:exit-val status)) (if (eof-object? text) "" text))))

(define (head-archive checkout)
  "`git archive HEAD` of CHECKOUT, interned as an archive at /src; warns
when the worktree has uncommitted changes, which it leaves out."
  (let ((head (git checkout "rev-parse" "--verify" "HEAD^{commit}")))
    (unless head
      (format (current-error-port)
              "release.scm: error: ~a is not a git checkout with a commit: give a checkout of distill~%"
              checkout)
      (exit 1))
    (let ((dirty (git checkout "status" "--porcelain" "--untracked-files=no")))
      (unless (equal? dirty "")
        (format (current-error-port)
                "release.scm: warning: ~a has uncommitted changes; building commit ~a without them~%"
                checkout (string-trim-right head))))
    (let* ((port (mkstemp! (string-copy "/tmp/distill-release-XXXXXX")))
           (tmp (port-filename port))
           (ok (begin (close-port port)
                      (zero? (system* "git" "-C" checkout "archive" "--format=tar"
                               "-o" tmp "HEAD")))))
      (unless ok
        (delete-file tmp)
        (format (current-error-port) "release.scm: error: git archive HEAD failed in ~a~%" checkout)
        (exit 1))
      (let ((src (local-archive tmp "/src")))
        (delete-file tmp)
        src))))

(define build-script
  ;; The path of the source (/src) stays out of the binary: its debug
  ;; information names files relative to it.
  "#!/bin/sh
set -eu
cd /src
map=-ffile-prefix-map=/src=.
make PREFIX=/usr/local CC=\"gcc $map\" CXX=\"g++-12 $map\" \\
	LDFLAGS=-Wl,--allow-shlib-undefined distill distill.1
mkdir -p /out/bin /out/share/distill/examples /out/share/man/man1
cp distill /out/bin/distill
cp distill.1 /out/share/man/man1/distill.1
for d in lib pkg svc plat linux; do
	[ ! -d $d ] || cp -R $d /out/share/distill/
done
cp examples/system.scm /out/share/distill/examples/
")

(define (release-plan checkout)
  "The plan building distill from CHECKOUT's HEAD."
  (make-plan name: "distill-release"
             inputs: (append (list (seed-plan) (head-archive checkout)
                                   (interned "/build" #o755 build-script))
                             (release-debs))
             timeout: 3600))

(define top (dirname (dirname (canonicalize-path (car (program-arguments))))))

(define (release! checkout)
  "Build distill from CHECKOUT's HEAD; print \"<output-hash> <store path>\"."
  (let ((p (release-plan checkout)))
    (build-plans! (list p))
    (when (plan-outputs p)                ; not in a dry run (-n)
      (format #t "~a ~a~%" (plan-outputs p) (plan-output-path p)))))

(match (program-arguments)
  ((_) (release! top))
  ((_ checkout) (release! checkout))
  ((_ . _)
   (format (current-error-port) "usage: distill run scripts/release.scm [CHECKOUT]~%")
   (exit 2)))
