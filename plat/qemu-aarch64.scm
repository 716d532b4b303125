;;; The platform qemu-aarch64: QEMU's Arm virt board (a Cortex-A57,
;;; emulated by TCG) whose firmware is u-boot 2023.01 built from source
;;; ((distill base)'s uboot/config, uboot/qemu-arm64.config).  u-boot's
;;; distro boot reads /extlinux/extlinux.conf from the disk's FAT boot
;;; partition and boots the pinned Debian arm64 cloud kernel of (distill
;;; kernel) with the initramfs; the root (squashfs) and /var (ext4 made
;;; on the first boot) are laid out as on the x86_64 platforms ((distill
;;; platform)), on a virtio disk, with the PL011 serial console ttyAMA0.
;;; Every package, the system's and the initramfs's, is cross-built for
;;; aarch64 ((default-config 'aarch64)).  No acpid: the board has no
;;; ACPI power button.
(define-module (plat qemu-aarch64)
  #:use-module (distill base)
  #:use-module (distill package)
  #:use-module (distill platform)
  #:use-module (distill kernel)
  #:use-module (plat base)
  #:use-module (svc var-mount)
  #:use-module (svc kernel-log)
  #:export (qemu-aarch64 qemu-aarch64-uboot qemu-aarch64-modules))

(define qemu-aarch64-modules
  ;; virtio_pci first (the board's disk and network are virtio PCI
  ;; devices on its generic PCIe host, built in), the disk, network,
  ;; random numbers and console, squashfs for the root.
  '("virtio_pci" "virtio_blk" "virtio_net" "virtio-rng" "virtio_console" "squashfs"))

(define qemu-aarch64-uboot
  ;; The load addresses are qemu-arm.h's (RAM starts at 0x40000000);
  ;; sysboot reads extlinux.conf at scriptaddr and passes the kernel the
  ;; device tree QEMU gave u-boot (fdtcontroladdr).
  (uboot/config "qemu-arm64" "sL6goXGcRFr56H2zsU_RVB5pKsgtKtHrTc3VtgBoSVw="
                '("scriptaddr=0x40200000" "pxefile_addr_r=0x40300000"
                  "kernel_addr_r=0x40400000" "ramdisk_addr_r=0x44000000"
                  "fdt_high=0xffffffffffffffff" "initrd_high=0xffffffffffffffff")
                ;; The disk is a virtio PCI device: PCI is enumerated after
                ;; the board's own virtio_init, so scan again first.
                "pci enum; virtio scan; sysboot virtio 0:1 any ${scriptaddr} /extlinux/extlinux.conf"))

(define qemu-aarch64
  (make-platform name: "qemu-aarch64"
                 config: (default-config 'aarch64)
                 firmware: qemu-aarch64-uboot
                 kernel: (kernel-plan #:arch 'aarch64)
                 modules: qemu-aarch64-modules
                 console: "ttyAMA0"
                 memory: 512
                 packages: base-packages
                 services: (list var-mount kernel-log)
                 initramfs: initramfs-packages))
