;;; The platform qemu-x86_64-efi: the PC of (plat qemu-x86_64) booted by
;;; UEFI (OVMF) from a GPT disk whose ESP holds a unified kernel image
;;; (the kernel, initramfs and command line in one EFI application, as
;;; /EFI/BOOT/BOOTX64.EFI): no boot loader.
(define-module (plat qemu-x86_64-efi)
  #:use-module (distill platform)
  #:use-module (distill kernel)
  #:use-module (plat base)
  #:export (qemu-x86_64-efi))

(define qemu-x86_64-efi
  (make-platform name: "qemu-x86_64-efi"
                 firmware: 'uefi
                 kernel: (kernel-plan)
                 modules: kernel-qemu-modules
                 packages: base-packages
                 services: base-services
                 initramfs: initramfs-packages))
