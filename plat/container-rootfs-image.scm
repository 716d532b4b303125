;;; The platform container-rootfs-image: upstream's name for
;;; (plat container-rootfs), the same platform (the same record, so the
;;; same plans and images): `distill build container-rootfs-image
;;; system.scm`.
(define-module (plat container-rootfs-image)
  #:use-module (plat container-rootfs)
  #:export (container-rootfs-image))

(define container-rootfs-image container-rootfs)
