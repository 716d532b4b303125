;; A machine that gets its address by DHCP, keeps time with chrony, and
;; lets in, over SSH, exactly the holders of certificates signed by the CA
;; whose public key is ca.pub beside this file.  (`distill init` writes
;; this file; it is the system of upstream distill's guide, with the CA
;; read from ca.pub.)
;;
;;   ssh-keygen -t ed25519 -N '' -f ca                  # the CA, once
;;   distill boot qemu-system-x86_64 system.scm --forward 2222:22 --state var.qcow2
;;   ssh-keygen -s ca -I me -n root ~/.ssh/id_ed25519.pub   # certify a key
;;   ssh -p 2222 root@127.0.0.1
(import
 scheme
 (distill plan)                         ; interned, lines
 (distill system)                       ; make-system
 (pkg ca-certs)
 (pkg wget)
 (svc sshd)                             ; sshd, public-key-file
 (svc net-dhcpcd)
 (svc chronyd)
 (svc kernel-log)
 (svc acpid))

;; /etc/ssh/ca.pub: the SSH CA that decides who can log in
(define my-ssh-ca
  (interned "/etc/ssh/ca.pub" #o600
            (lines (list (public-key-file "ca.pub")))))

(define system
  (make-system
   services: (list (net-dhcpcd default-dhcpcd-config)
                   (chronyd default-chronyd-config)
                   (sshd '((TrustedUserCAKeys /etc/ssh/ca.pub)))
                   kernel-log           ; the kernel's messages in /var/log
                   acpid)               ; the power button powers off
   packages: (list wget ca-certs my-ssh-ca)))
