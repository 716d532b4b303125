;; U-Boot 2023.01, built from source for aarch64 boards and QEMU's virt
;; machine: upstream distill's uboot/config.
;;
;; (uboot/config NAME HASH ENV BOOTCMD), (distill base)'s, is the package
;; uboot-2023.01-NAME whose raw output is u-boot.bin.  Its .config is the
;; whole file pinned by HASH: uboot/NAME.config when there is one (found
;; as bind finds files: the library's uboot/ directory), which must then
;; hash to HASH (its BLAKE2b, the first field of `distill sum FILE`; else
;; a recipe error naming both hashes, before anything is built), or else
;; fetched by its hash as upstream's are (cdn-artifact).  ENV ("key=value"
;; strings) and "bootcmd=BOOTCMD" are the whole default environment
;; (CONFIG_USE_DEFAULT_ENV_FILE: the config names /src/uboot.env, which
;; the build writes), so the board's compiled-in defaults play no part.
;; uboot/qemu-arm64.config is qemu_arm64_defconfig with the environment
;; from that file, no boot delay, no FIT signatures, no mkeficapsule
;; and no VBE boot method (2023.01's VBE device-tree fixup fails on
;; QEMU's tree, and booti then resets the board); the build runs olddefconfig and fails unless it changed
;; nothing, so the file is all that is built.
;;
;; U-Boot is freestanding: it is compiled by Debian's aarch64-linux-gnu
;; gcc-12 and binutils (the cross toolchain of (default-config 'aarch64),
;; without musl), and Kbuild's own programs (fixdep, conf, dtc, mkimage)
;; by the build machine's compiler (HOSTCC, $cc-env/for-kbuild).  flex
;; and bison (Kconfig, dtc) are (pkg linux)'s pinned Debian .debs; mkimage
;; includes and links OpenSSL's libcrypto whatever the config says (its
;; FIT code reads keys), so Debian's libssl-dev and libssl3 are pinned
;; here (uboot-build-packages).  The date in the banner is
;; SOURCE_DATE_EPOCH's, 0.
(define-module (pkg u-boot)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill base)
  #:use-module (distill seed)
  #:use-module (pkg linux)
  #:use-module (srfi srfi-1)
  #:export ((uboot/config* . uboot/config) uboot-version uboot-build-packages))

(define uboot-version "2023.01")

(define uboot-source
  ;; Debian 12's repack (u-boot_2023.01+dfsg-2+deb12u3's orig tarball:
  ;; Debian leaves out a few files of unclear licence), so not upstream's
  ;; u-boot-2023.01.tar.bz2: it keeps Debian's name.  Its top directory is
  ;; u-boot-2023.01.  sha256 from Debian's signed Sources index.
  (remote-archive
   "mirror://debian/pool/main/u/u-boot/u-boot_2023.01+dfsg.orig.tar.xz"
   "sha256:e75da6f089d063aaef39a1c17f1631791d87700662624e18de2121fa39a1ed44"))

(define uboot-build-packages
  ;; (name version sha256 file), as seed-packages: Debian 12 (bookworm
  ;; security, amd64), by the sha256 of Debian's signed index; in
  ;; seed/SHA256SUMS.
  '(("libssl-dev" "3.0.22-1~deb12u2"
     "c5f948bf6cd6e8e6e8539364bed3280ff67bc2e058de484a1f6cce8d5afcc90e"
     "libssl-dev_3.0.22-1~deb12u2_amd64.deb")
    ("libssl3" "3.0.22-1~deb12u2"
     "cb4784740daa9b3b0eaea2b444bbefa686794afbbf3d678d238c1fd9875f2efd"
     "libssl3_3.0.22-1~deb12u2_amd64.deb")))

(define openssl-debs (pinned-debs uboot-build-packages))

(define (env-line who s)
  (unless (and (string? s) (string-index s #\=) (> (string-index s #\=) 0)
               (not (string-index s #\newline)))
    (recipe-error who "env: ~s must be a \"key=value\" string on one line" (list s)))
  (when (string-prefix? "bootcmd=" s)
    (recipe-error who "env: ~s: the boot command is uboot/config's bootcmd argument" (list s)))
  (string-append s "\n"))

(define (config-artifact who name hash)
  "The .config pinned by HASH: uboot/NAME.config, checked, else HASH's
file fetched as upstream's are."
  (let* ((path (string-append "uboot/" name ".config"))
         (found (find file-exists? (map (lambda (d) (string-append d "/" path))
                                        (cons (or (current-script-directory) ".") %load-path)))))
    (if found
        (let ((c (local-file found "/src/uboot-config" #o644)))
          (unless (equal? (artifact-hash c) hash)
            (recipe-error who "~a hashes to ~a, not to the pinned ~a: pin the config you mean (distill sum ~a)"
                          (list path (artifact-hash c) hash found)))
          c)
        (cdn-artifact hash "/src/uboot-config" #o644))))

(define (uboot/config* name hash env bootcmd)
  "U-Boot built from the .config uboot/NAME.config, whose BLAKE2b hash
(distill sum) must be HASH, with the default environment ENV (a list of
\"key=value\" strings) and bootcmd BOOTCMD: the package
uboot-2023.01-NAME, whose raw output is u-boot.bin (for aarch64)."
  (define who 'uboot/config)
  (unless (and (string? name) (string-every (lambda (c) (or (char-alphabetic? c) (char-numeric? c) (memv c '(#\- #\_)))) name)
               (positive? (string-length name)))
    (recipe-error who "name: ~s must be a word (letters, digits, - and _)" (list name)))
  (check-pin who hash)
  (unless (list? env)
    (recipe-error who "env: ~s must be a list of \"key=value\" strings" (list env)))
  (unless (and (string? bootcmd) (not (string-index bootcmd #\newline)))
    (recipe-error who "bootcmd: ~s must be a command line (a string on one line)" (list bootcmd)))
  (let* ((label (string-append "uboot-" uboot-version "-" name))
         (envfile (interned "/src/uboot.env" #o644
                            (string-concatenate
                             (append (map (lambda (s) (env-line who s)) env)
                                     (list (string-append "bootcmd=" bootcmd "\n"))))))
         (pkg (package-template
               #:label label
               #:license "GPL-2.0-or-later"
               #:src (list uboot-source envfile
                           ;; Looked up when the package is configured, not
                           ;; when the module loads.
                           (lambda (conf) (config-artifact who name hash)))
               #:tools (list linux-build-debs (lambda (conf) (openssl-debs)))
               #:cross (list $cc-tools)
               #:dir (string-append "/u-boot-" uboot-version)
               #:env '((TZ . UTC) (LC_ALL . C) (SOURCE_DATE_EPOCH . 0))
               #:raw-output "/u-boot.bin"
               #:build `(if (cp /src/uboot-config .config)
                         if (make ARCH=arm CROSS_COMPILE=aarch64-linux-gnu-
                                  CC=aarch64-linux-gnu-gcc-12 ,$cc-env/for-kbuild
                                  olddefconfig)
                         if (diff -u /src/uboot-config .config)
                         if (make ARCH=arm CROSS_COMPILE=aarch64-linux-gnu-
                                  CC=aarch64-linux-gnu-gcc-12 ,$cc-env/for-kbuild
                                  u-boot.bin)
                         cp u-boot.bin /out/u-boot.bin))))
    (lambda (conf)
      (unless (eq? ($arch conf) 'aarch64)
        (recipe-error who "~a builds only for aarch64 (its .config is arm64's), not ~a"
                      (list label ($arch conf))))
      pkg)))
