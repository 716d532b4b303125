;; openssh: OpenSSH's sshd, ssh, ssh-keygen, ssh-agent, ssh-add,
;; ssh-keyscan, scp, sftp and sftp-server, static, linked with pkg/openssl's
;; libcrypto and pkg/zlib's libz; with the default sshd_config,
;; ssh_config and moduli in /etc/ssh.  No host keys: they are never made
;; at build time (install-nokeys); the system that runs sshd makes its
;; own, and writes its own sshd_config.
;;
;; Source: openssh-9.2p1.tar.gz, the upstream version of Debian 12's
;; source package openssh (1:9.2p1-2+deb12u10 in bookworm main; every
;; bookworm revision has the same orig tarball).  Debian's
;; openssh_9.2p1.orig.tar.gz (sha256 below, from Debian's signed Sources
;; index) is upstream's file: its top directory is openssh-9.2p1 and
;; upstream's detached signature, which Debian ships as
;; openssh_9.2p1.orig.tar.gz.asc, verifies over it with gpgv and the keys
;; Debian keeps in debian/upstream/signing-key.asc (Damien Miller
;; <djm@mindrot.org>, 7168B983815A5EEF59A4ADFD2A3F414E736060BA).  Debian's
;; patches are not applied.
;;
;; Configure options, for a small system:
;;   --sysconfdir=/etc/ssh, --with-pid-dir=/run
;;   --with-privsep-path=/var/empty --with-privsep-user=sshd: the system
;;       provides the sshd user and the (root-owned, empty) /var/empty
;;   --with-default-path: the PATH of a session (root's too)
;;   --without-pam, --without-xauth (no X11 forwarding helper)
;;   --disable-lastlog/utmp/utmpx/wtmp/wtmpx: musl's utmp functions are
;;       stubs, and the system keeps no login records
;;   --disable-pkcs11: PKCS#11 tokens are loaded with dlopen(), which a
;;       static musl program cannot do.  FIDO security keys stay enabled:
;;       sshd and ssh-keygen verify sk-* keys and certificates with
;;       libcrypto alone; only making or signing with one goes through
;;       ssh-sk-helper and a middleware it could not load (removed)
;;   --with-sandbox=seccomp_filter: sshd's pre-authentication child runs
;;       under a seccomp filter, which needs Linux's UAPI headers
;;       (pkg/busybox.scm's linux-uapi-headers, Linux 6.1) in the sysroot;
;;       named, so that configure fails rather than fall back to the
;;       weaker rlimit sandbox
;;   zlib: the default (--with-zlib), as pkg/zlib.scm is there; it gives
;;       the Compression option
;;   --disable-strip: install would run the build machine's strip;
;;       cmmi-package strips with the toolchain's
;; The toolchain's CFLAGS (-fstack-protector-strong, static-pie) are kept;
;; configure adds its own hardening flags to them.
;; Removed after install: ssh-keysign (set-uid root, for host-based
;; authentication, which the system does not use), ssh-pkcs11-helper
;; (PKCS#11 is disabled), ssh-sk-helper (see above) and the empty
;; /usr/share the man pages leave.
(define-module (pkg openssh)
  #:use-module (distill package)
  #:use-module (pkg busybox)
  #:use-module (pkg openssl)
  #:use-module (pkg zlib)
  #:export (openssh))

(define openssh
  (cmmi-package
   "openssh" "9.2p1"
   "https://cdn.openbsd.org/pub/OpenBSD/OpenSSH/portable/$name-$version.tar.gz"
   "sha256:3f66dbf1655fb45f50e1c56da62ab01218c228807b21338d634ebcdf9d71cf46"
   license: "SSH-OpenSSH"
   libs: (list openssl zlib linux-uapi-headers)
   extra-configure: '(--sysconfdir=/etc/ssh --with-pid-dir=/run
                      --with-privsep-path=/var/empty --with-privsep-user=sshd
                      --with-default-path=/usr/bin:/bin:/usr/sbin:/sbin
                      --without-pam --without-xauth
                      --disable-lastlog --disable-utmp --disable-utmpx
                      --disable-wtmp --disable-wtmpx
                      --disable-pkcs11 --with-sandbox=seccomp_filter
                      --disable-strip)
   override-install: '(DESTDIR=/out install-nokeys)
   cleanup: '(if (rm -f /out/usr/libexec/ssh-keysign /out/usr/libexec/ssh-pkcs11-helper
                        /out/usr/libexec/ssh-sk-helper)
              rmdir /out/usr/share)))
