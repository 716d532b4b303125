;;; The platform qemu-x86_64: a PC booted by BIOS (QEMU's SeaBIOS) from an
;;; MBR disk with GRUB, virtio disk and network, the serial console; the
;;; pinned Debian cloud kernel of (distill kernel), whose virtio drivers
;;; and squashfs are modules the initramfs loads.  The disk's layout and
;;; the initramfs are (distill platform)'s; what it adds to a system is
;;; (plat base)'s.
(define-module (plat qemu-x86_64)
  #:use-module (distill platform)
  #:use-module (distill kernel)
  #:use-module (plat base)
  #:export (qemu-x86_64))

(define qemu-x86_64
  (make-platform name: "qemu-x86_64"
                 firmware: 'bios
                 kernel: (kernel-plan)
                 modules: kernel-qemu-modules
                 packages: base-packages
                 services: base-services
                 initramfs: initramfs-packages))
