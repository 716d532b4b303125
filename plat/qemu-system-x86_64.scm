;;; The platform qemu-system-x86_64: upstream distill's name for
;;; (plat qemu-x86_64), the same platform (the same record, so the same
;;; plans and images): `distill build qemu-system-x86_64 system.scm`.
(define-module (plat qemu-system-x86_64)
  #:use-module (plat qemu-x86_64)
  #:export (qemu-system-x86_64))

(define qemu-system-x86_64 qemu-x86_64)
