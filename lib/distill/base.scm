;;; (distill base): the configs recipes are built with.
;;;
;;; Upstream distill's scripts take default-config and default-build-config
;;; from here; they are defined in (distill package), with the toolchain
;;; hooks that the toolchain's packages will set.
(define-module (distill base)
  #:use-module (distill package)
  #:re-export (default-config default-build-config build-config
               base-tools-hook cc-toolchain-hook native-toolchain-hook))
