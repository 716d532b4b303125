;; netbase: the network data files of a running system, as Debian 12
;; ships them: etc/services (service names and ports: ssh 22/tcp...),
;; etc/protocols (IP protocol numbers), etc/rpc (Sun RPC program
;; numbers) and etc/ethertypes (Ethernet frame types), mode 0644.  The
;; same for every architecture: the config only chooses the build tools.
;;
;; Source: Debian 12's binary package netbase 6.4 (Architecture: all,
;; bookworm main), pinned by the sha256 of Debian's signed index in
;; netbase-packages below and in seed/SHA256SUMS (scripts/fetch-seed puts
;; it in seed/debs), read through (distill seed)'s seed-deb parameter as
;; pkg/openssl.scm reads its build tools.  netbase is a Debian-native
;; package (its source is netbase_6.4.tar.xz, whose etc/ holds these
;; files); the .deb is used because Debian's archive as this project
;; reaches it does not serve that source tarball (apt-get source
;; netbase=6.4 gets the .dsc and a 404 for the .tar.xz), while the .deb
;; is there.  No documentation is installed.
(define-module (pkg netbase)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill seed)
  #:export (netbase netbase-packages))

(define netbase-packages
  ;; (name version sha256 file), as seed-packages: Debian 12 (bookworm
  ;; main), by the sha256 of Debian's signed index.  Kept in step with
  ;; seed/SHA256SUMS.
  '(("netbase" "6.4"
     "29b23c48c0fe6f878e56c5ddc9f65d1c05d729360f3690a593a8c795031cd867"
     "netbase_6.4_all.deb")))

(define deb
  ;; The .deb unpacked at /src/netbase.
  (pinned-debs netbase-packages (lambda (a) (update-path a "/src/netbase"))))

(define (netbase-deb conf)
  (car (deb)))

(define netbase
  (package-template
   #:license "GPL-2.0-only"
   #:label "netbase-6.4"
   #:tools (list netbase-deb)
   #:dir "/src/netbase/etc"
   #:build '(if (mkdir -p /out/etc)
             if (cp services protocols rpc ethertypes /out/etc/)
             if (grep -q "^ssh[[:space:]]*22/tcp" /out/etc/services)
             cd /out/etc
             chmod 644 services protocols rpc ethertypes)))
