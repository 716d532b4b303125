;;; The platform nitro-ami-x86_64: an EC2 machine of the Nitro system.  Its
;;; disk is an NVMe namespace (/dev/nvme0n1: the kernel's root= and the
;;; /var device name its partitions), laid out by (distill image)'s
;;; hybrid-image so that it boots by UEFI (the ESP's unified kernel image)
;;; and by BIOS (GRUB on the GPT, its core.img in a BIOS boot partition),
;;; the two boot modes an AMI may be registered with; raw, what
;;; `aws ec2 import-snapshot` takes.  The kernel, its initramfs and its
;;; modules are (plat qemu-x86_64)'s with ena added (EC2's network; the
;;; virtio ones stay, for QEMU, which has no ENA device); Debian's cloud
;;; kernel has the nvme driver built in.  The console is ttyS0 (EC2's
;;; serial console and get-console-output).  Every system on it gets,
;;; besides qemu-x86_64's base services: dhcpcd on every interface (an
;;; instance's ENIs), imdsv2-metadata (the host name and the launch key
;;; pair's public key from IMDSv2 at 169.254.169.254, (svc metadata)) and
;;; metadata-sshd (root logs in with that key; the host key is kept in
;;; /var).  docs/platforms.md.
(define-module (plat nitro-ami-x86_64)
  #:use-module (distill platform)
  #:use-module (distill image)
  #:use-module (plat qemu-x86_64)
  #:use-module (svc net-dhcpcd)
  #:use-module (svc metadata)
  #:export (nitro-ami-x86_64 nitro-services))

(define nitro-net (dhcpcd-service interfaces: '()))

(define nitro-services
  ;; The metadata after the network and sshd, as droplet's.
  (list nitro-net metadata-sshd
        (imdsv2-metadata-service after: (list nitro-net metadata-sshd))))

(define nitro-ami-x86_64
  (make-platform name: "nitro-ami-x86_64"
                 firmware: 'bios
                 disk-interface: 'nvme
                 kernel: (platform-kernel qemu-x86_64)
                 modules: (append (platform-modules qemu-x86_64) '("ena"))
                 packages: (platform-packages qemu-x86_64)
                 services: (append (platform-services qemu-x86_64) nitro-services)
                 initramfs: (platform-initramfs-packages qemu-x86_64)
                 mkimage: (hybrid-image "nitro-ami-x86_64")))
