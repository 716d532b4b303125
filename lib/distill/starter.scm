;;; (distill starter): the system `distill init` writes, the same text as
;;; examples/system.scm (t/system.t checks that they agree).
(define-module (distill starter)
  #:export (starter-system))

(define starter-system
  ";; A machine that gets its address by DHCP, keeps time with chrony, and
;; lets in, over SSH, exactly the holders of certificates signed by the CA
;; whose public key is ca.pub beside this file.  (`distill init` writes
;; this file.)
;;
;;   ssh-keygen -t ed25519 -N '' -f ca                  # the CA, once
;;   distill boot qemu-x86_64 system.scm --forward 2222:22 --state var.qcow2
;;   ssh-keygen -s ca -I me -n root ~/.ssh/id_ed25519.pub   # certify a key
;;   ssh -p 2222 root@127.0.0.1
(import (distill system) (distill service)
        (pkg ca-certs) (pkg wget)
        (svc sshd) (svc net-dhcpcd) (svc chronyd)
        (svc var-mount) (svc kernel-log) (svc acpid))

(make-system
 hostname: \"distill\"
 services: (list var-mount kernel-log acpid
                 net-dhcpcd
                 chronyd
                 (sshd-service ca-keys: (list (public-key-file \"ca.pub\"))))
 packages: (list ca-certs wget))
")
