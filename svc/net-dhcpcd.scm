;;; net-dhcpcd: the network by DHCP with dhcpcd, in the foreground under
;;; the supervisor.  The DNS servers it learns go to /run/resolv.conf, to
;;; which (distill system) links /etc/resolv.conf.
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
  "hostname
clientid
persistent
option domain_name_servers, domain_name, domain_search, host_name
option interface_mtu
require dhcp_server_identifier
ipv4only
noarp
")

(define* (dhcpcd-service #:key (interfaces '("eth0")) (config default-dhcpcd-config))
  "dhcpcd on INTERFACES with CONFIG (the text of dhcpcd.conf)."
  (unless (and (list? interfaces) (every string? interfaces))
    (throw 'misc-error 'dhcpcd-service "interfaces: ~s must be a list of names" (list interfaces) #f))
  (make-service
   name: "net-dhcpcd"
   inputs: (list dhcpcd (interned "/etc/dhcpcd.conf" #o644 config))
   after: (list var-mount)
   spec: (longrun* run: (string-append "#!/bin/sh
mkdir -p /var/lib/dhcpcd /run/dhcpcd
for i in " (string-join interfaces " ") "; do ip link set $i up; done
exec dhcpcd -B -f /etc/dhcpcd.conf " (string-join interfaces " ") " 2>&1
"))))

(define net-dhcpcd (dhcpcd-service))
