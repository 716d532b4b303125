;;; The platform container-rootfs: the system as an OCI image (a layout
;;; directory and its tar: one gzip layer, the system's canonical tar)
;;; that a container runtime runs (crun or runc on umoci's unpacked
;;; bundle, podman), its entrypoint the system's init: no kernel, no disk,
;;; not booted.  docs/platforms.md says what the image holds.  A system
;;; gets (plat base)'s packages; its base service is /var made ready (a
;;; tmpfs where the runtime mounts nothing there): the kernel's log and
;;; the power button are the host's.
(define-module (plat container-rootfs)
  #:use-module (distill platform)
  #:use-module (distill image)
  #:use-module (plat base)
  #:use-module (svc var-mount)
  #:export (container-rootfs))

(define container-rootfs
  (make-platform name: "container-rootfs"
                 mkimage: (container-rootfs-image "container-rootfs")
                 packages: base-packages
                 services: (list var-mount)))
