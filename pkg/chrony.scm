;; chrony: the NTP client and server chronyd and its control program
;; chronyc, static, for a small system where a supervisor runs
;; `chronyd -d -f /etc/chrony/chrony.conf' (-d: stay in the foreground and
;; log to stderr).  It installs /usr/sbin/chronyd, /usr/bin/chronyc, and
;; the empty directories /etc/chrony and /var/lib/chrony (drift and dump
;; files); no chrony.conf: the system provides one.  chronyd makes
;; /run/chrony (pid file, chronyc's Unix socket) when it starts.
(define-module (pkg chrony)
  #:use-module (distill package)
  #:use-module (distill execline)
  #:use-module (pkg busybox)
  #:use-module (pkg libcap)
  #:export (chrony))

(define chrony
  (cmmi-package
   "chrony" "4.3"
   "https://download.tuxfamily.org/$name/$name-$version.tar.gz"
   ;; chrony-4.3.tar.gz as upstream released it, sha256
   ;; 9d0da889a865f089a5a21610ffb6713e3c9438ce303a63b49c2fb6eaff5b8804;
   ;; Debian 12's chrony_4.3.orig.tar.gz (source package chrony
   ;; 4.3-2+deb12u3) is the same file: the signature Debian ships beside
   ;; it, chrony_4.3.orig.tar.gz.asc, is good with the key of its
   ;; debian/upstream/signing-key.asc (Miroslav Lichvar, RSA
   ;; 8F375C7E8D0EE125A3D3BD51537E2B76F7680DAC, made 2022-08-31).
   "sha256:9d0da889a865f089a5a21610ffb6713e3c9438ce303a63b49c2fb6eaff5b8804"
   license: "GPL-2.0-only"
   ;; chrony's configure is its own (not autoconf): it takes no
   ;; --build/--host, and reads the system from uname unless told.
   ;;   --sysconfdir=/etc/chrony  chrony.conf at /etc/chrony/chrony.conf,
   ;;                  where Debian has it (chronyd's default for -f)
   ;;   --chronyrundir, --with-pidfile  under /run, not /var/run
   ;;   --host-system, --host-machine  Linux on the config's architecture,
   ;;                  not the build machine's uname
   ;;   --with-ntp-era=0  NTP timestamps are read as 1970-2106, as Debian
   ;;                  does; configure's default is 50 years before the
   ;;                  build's clock (SOURCE_DATE_EPOCH, 0 in a build)
   ;;   no line editing in chronyc (readline, editline); no hashes but
   ;;   MD5 and no NTS (nettle, NSS, tomcrypt, gnutls); no seccomp
   ;;   filter.  With libcap, so that `chronyd -u USER' drops root and
   ;;   keeps only CAP_SYS_TIME (and CAP_NET_BIND_SERVICE to serve NTP).
   ;;   Kept: cmdmon (chronyc), NTP client and server,
   ;;   refclocks (PHC, SHM, sock; not PPS: musl has no timepps.h), the
   ;;   RTC, IPv6, asynchronous name resolution (a thread), SW/HW
   ;;   timestamping.
   ;; Linux's UAPI headers (linux/rtc.h, linux/ptp_clock.h,
   ;; linux/net_tstamp.h...) are in the sysroot: musl has none.
   libs: (list linux-uapi-headers libcap)
   override-configure: `(--prefix=/usr --sysconfdir=/etc/chrony --localstatedir=/var
                         --chronyrundir=/run/chrony
                         --with-pidfile=/run/chrony/chronyd.pid
                         --host-system=Linux ,(elconc "--host-machine=" $arch)
                         --with-ntp-era=0
                         --disable-readline --without-editline
                         --disable-sechash --disable-nts
                         --without-nettle --without-nss --without-tomcrypt
                         --without-gnutls
                         --without-seccomp)
   ;; Left empty once the manual pages are removed.
   cleanup: '(rmdir /out/usr/share)))
