;; bench/run section 7: the disk of the example system (the services of
;; examples/system.scm) on (plat qemu-x86_64), with chronyd's NTP pool
;; taken from the script's second argument, so that one service's
;; configuration changes between two builds.
;;   distill build bench/system.scm -- CA.pub POOL
(import (distill system) (distill service) (distill platform)
        (plat qemu-x86_64)
        (pkg ca-certs) (pkg wget)
        (svc sshd) (svc net-dhcpcd) (svc chronyd)
        (svc var-mount) (svc kernel-log) (svc acpid))

(define args (cdr (program-arguments)))

(platform-disk
 qemu-x86_64
 (make-system
  hostname: "distill"
  services: (list var-mount kernel-log acpid net-dhcpcd
                  (chronyd-service config: (string-append "pool " (cadr args) " iburst
driftfile /var/lib/chrony/drift
makestep 1.0 3
rtcsync
"))
                  (sshd-service ca-keys: (list (public-key-file (car args)))))
  packages: (list ca-certs wget)))
