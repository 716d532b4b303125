;;; What the qemu platforms put around a system, named here so that the
;;; library ((distill platform), (distill system)) names no package or
;;; service: make-platform takes them as its packages:, services: and
;;; initramfs: fields.
;;;
;;;   base-packages       in every system's root: busybox (the shell, init
;;;                       and runit of the service backend) and Debian's
;;;                       netbase (/etc/services, /etc/protocols)
;;;   base-services       /var made ready, the kernel's messages logged,
;;;                       the power button (what minimal-system runs)
;;;   initramfs-packages  busybox (mount, modprobe, switch_root) and
;;;                       e2fsprogs (mke2fs for /var's first boot)
(define-module (plat base)
  #:use-module (pkg busybox)
  #:use-module (pkg netbase)
  #:use-module (pkg e2fsprogs)
  #:use-module (svc var-mount)
  #:use-module (svc kernel-log)
  #:use-module (svc acpid)
  #:export (base-packages base-services initramfs-packages))

(define base-packages (list busybox-full netbase))

(define base-services (list var-mount kernel-log acpid))

(define initramfs-packages (list busybox-full e2fsprogs))
