;;; The platform droplet: a DigitalOcean custom image.  The machine is
;;; (plat qemu-x86_64)'s PC (BIOS, GRUB on an MBR disk, virtio disk and
;;; network, the same kernel, modules and initramfs), its disk converted
;;; to qcow2 (droplet.qcow2, what DigitalOcean's upload takes), the
;;; kernel's console on tty0 (the control panel's console) and ttyS0, the
;;; last, where the services' lines go.  Every system on it gets, besides
;;; qemu-x86_64's base services: dhcpcd on eth0 (public) and eth1
;;; (private), droplet-metadata (the host name and root's SSH keys from
;;; 169.254.169.254, (svc metadata)) and metadata-sshd (root logs in with
;;; those keys; the host key is kept in /var).  docs/platforms.md.
(define-module (plat droplet)
  #:use-module (distill platform)
  #:use-module (distill image)
  #:use-module (plat qemu-x86_64)
  #:use-module (svc net-dhcpcd)
  #:use-module (svc metadata)
  #:export (droplet droplet-services))

(define droplet-net (dhcpcd-service interfaces: '("eth0" "eth1")))

(define droplet-services
  ;; The metadata after the network and sshd: sshd is up with the keys a
  ;; boot before kept while the metadata is fetched.
  (list droplet-net metadata-sshd
        (droplet-metadata-service after: (list droplet-net metadata-sshd))))

(define (droplet-image . args)
  ;; qemu-x86_64's MBR disk, as qcow2.
  (qcow2-image (apply (mbr-image "droplet") args)))

(define droplet
  (make-platform name: "droplet"
                 firmware: 'bios
                 kernel: (platform-kernel qemu-x86_64)
                 modules: (platform-modules qemu-x86_64)
                 console: '("tty0" "ttyS0")
                 packages: (platform-packages qemu-x86_64)
                 services: (append (platform-services qemu-x86_64) droplet-services)
                 initramfs: (platform-initramfs-packages qemu-x86_64)
                 mkimage: droplet-image))
