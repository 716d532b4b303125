;; dhcpcd: the DHCP (v4 and v6) and IPv6 router-solicitation client, static,
;; for a small system where a supervisor (runit's or busybox's runsv) runs
;; it in the foreground: `dhcpcd -B -d eth0' (-B: no background, -d: debug
;; messages; it logs to stderr when not a daemon).  It installs:
;;
;;   /usr/sbin/dhcpcd
;;   /usr/libexec/dhcpcd-run-hooks      a /bin/sh script dhcpcd runs on
;;                                      every event; it sources each hook
;;   /usr/libexec/dhcpcd-hooks/         01-test, 20-resolv.conf, 30-hostname
;;   /etc/dhcpcd.conf                   upstream's default configuration
;;   /var/lib/dhcpcd/                   leases and the DUID
;;
;; At run time the hooks need /bin/sh and, from busybox, sed, cat, rm,
;; mkdir, chmod, printf (cmp or diff, logger, hostname and resolvconf
;; only when present; 30-hostname writes /proc/sys/kernel/hostname).
;; 20-resolv.conf rewrites /etc/resolv.conf (which must be writable) and
;; keeps its per-interface files under /run/dhcpcd/hook-state/resolv.conf/;
;; dhcpcd itself makes /run/dhcpcd (its pid file and control sockets) and
;; /var/lib/dhcpcd (leases, the DUID) when they are missing; both must be
;; writable.
(define-module (pkg dhcpcd)
  #:use-module (distill package)
  #:use-module (distill execline)
  #:use-module (pkg busybox)
  #:export (dhcpcd))

(define dhcpcd
  (cc-package
   "dhcpcd" "9.4.1"
   "https://roy.marples.name/downloads/$name/$name-$version.tar.xz"
   ;; dhcpcd-9.4.1.tar.xz as upstream released it (`git archive' of tag
   ;; v9.4.1, commit 3c458fc7fa4146029a1e4f9e98cd7e7adf03081a, piped to
   ;; xz), sha256
   ;; 819357634efed1ea5cf44ec01b24d3d3f8852fec8b4249925dcc5667c54e376c;
   ;; Debian 12's source package dhcpcd5 (9.4.1-24~deb12u5) ships
   ;; dhcpcd5_9.4.1.orig.tar.xz with the same sha256 (checked against the
   ;; signed Sources index by apt), the hash other distributions' recipes
   ;; pin for upstream's URL above.
   "sha256:819357634efed1ea5cf44ec01b24d3d3f8852fec8b4249925dcc5667c54e376c"
   license: "BSD-2-Clause"
   ;; Linux's UAPI headers (linux/rtnetlink.h, linux/if_packet.h...) are
   ;; in the sysroot: musl has none.
   libs: (list linux-uapi-headers)
   env: (list $cc-env)
   ;; dhcpcd's configure is its own (not autoconf): options take their
   ;; value after `=', CC, CFLAGS and LDFLAGS come from the environment
   ;; (copied into config.mk), and it is not given --enable-static (that
   ;; adds -static; the toolchain's flags already ask for static-pie).
   ;;   --build/--host   the OS (linux) comes from the triple, not from
   ;;                    uname
   ;;   --disable-privsep  one process, running as root: privilege
   ;;                    separation would need a `dhcpcd' user, a chroot
   ;;                    directory and its seccomp filter
   ;;   --without-dev --without-udev  no device plugin (no libudev, no
   ;;                    dlopen): interfaces are found with netlink
   ;;   --with-hooks=    only the hooks always installed (01-test,
   ;;                    20-resolv.conf, 30-hostname): without it configure
   ;;                    adds 50-ntp.conf when it finds ntpd or chronyd on
   ;;                    the build machine
   ;; dhcpcd-definitions.conf is embedded in the program (the default).
   ;; Installed by hand, with the modes set here: upstream's `make
   ;; install' needs install(1), which the seed lacks.  Not installed:
   ;; the manual pages and the example hooks (wpa_supplicant, timezone,
   ;; lookup-hostname, yp.conf).
   build: `(if (./configure --prefix=/usr --sysconfdir=/etc
                            --dbdir=/var/lib/dhcpcd --rundir=/run/dhcpcd
                            ,(elconc "--build=" $build-triple)
                            ,(elconc "--host=" $triple)
                            --disable-privsep --without-dev --without-udev
                            --with-hooks=)
            if (make ,$make-overrides)
            if (mkdir -p /out/usr/sbin /out/usr/libexec/dhcpcd-hooks
                         /out/etc /out/var/lib/dhcpcd)
            if (cp src/dhcpcd /out/usr/sbin/dhcpcd)
            if (cp hooks/dhcpcd-run-hooks /out/usr/libexec/dhcpcd-run-hooks)
            if (cp hooks/01-test hooks/20-resolv.conf hooks/30-hostname
                   /out/usr/libexec/dhcpcd-hooks/)
            if (cp src/dhcpcd.conf /out/etc/dhcpcd.conf)
            if (chmod 755 /out/usr/sbin/dhcpcd /out/usr/libexec/dhcpcd-run-hooks)
            if (chmod 644 /out/usr/libexec/dhcpcd-hooks/01-test
                      /out/usr/libexec/dhcpcd-hooks/20-resolv.conf
                      /out/usr/libexec/dhcpcd-hooks/30-hostname
                      /out/etc/dhcpcd.conf)
            if (chmod 750 /out/var/lib/dhcpcd)
            ,$strip-cmd)))
