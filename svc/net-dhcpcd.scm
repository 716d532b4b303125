;;; net-dhcpcd: the network by DHCP with dhcpcd, in the foreground under
;;; the supervisor.  The DNS servers it learns go to /run/resolv.conf, to
;;; which (distill system) links /etc/resolv.conf.
;;;
;;;   (net-dhcpcd default-dhcpcd-config)    upstream's form: CONFIG, the
;;;                                         lines of dhcpcd.conf
;;;   (dhcpcd-service interfaces: config:)  this project's
;;;   net-dhcpcd                            bare in services:, the default
(define-module (svc net-dhcpcd)
  #:use-module (distill plan)
  #:use-module (distill service)
  #:use-module (pkg dhcpcd)
  #:use-module (svc var-mount)
  #:use-module (srfi srfi-1)
  #:export (default-dhcpcd-config dhcpcd-service net-dhcpcd))

(define default-dhcpcd-config
  ;; dhcpcd.conf: IPv4 (QEMU's user network and most clouds), the host
  ;; name and DNS servers asked for; no IPv6 router solicitation.
  '((hostname)
    (clientid)
    (persistent)
    (option domain_name_servers)
    (option domain_name)
    (option domain_search)
    (option host_name)
    (option interface_mtu)
    (require dhcp_server_identifier)
    (ipv4only)
    (noarp)))

(define* (dhcpcd-service #:key (interfaces '("eth0")) (config default-dhcpcd-config))
  "dhcpcd on INTERFACES with CONFIG, dhcpcd.conf: a list of lines
(symbols, strings, numbers, or lists of them, as default-dhcpcd-config)
or its text."
  (unless (and (list? interfaces) (every string? interfaces))
    (throw 'misc-error 'dhcpcd-service "interfaces: ~s must be a list of names" (list interfaces) #f))
  (make-service
   name: "net-dhcpcd"
   inputs: (list dhcpcd (interned "/etc/dhcpcd.conf" #o644
                                  (config-text 'net-dhcpcd "config:" config)))
   after: (list var-mount)
   spec: (longrun* run: (string-append "#!/bin/sh
mkdir -p /var/lib/dhcpcd /run/dhcpcd
for i in " (string-join interfaces " ") "; do ip link set $i up; done
exec dhcpcd -B -f /etc/dhcpcd.conf " (string-join interfaces " ") " 2>&1
"))))

(define* (net-dhcpcd #:optional (config default-dhcpcd-config))
  "(net-dhcpcd CONFIG): dhcpcd on eth0 with CONFIG, the lines of
dhcpcd.conf (as dhcpcd-service's config:); bare in services:,
(dhcpcd-service)."
  (dhcpcd-service config: config))

(service-procedure net-dhcpcd (dhcpcd-service))
