;;; (distill net): upstream distill's network services.  The module
;;; reference lists none of its names; upstream's one service is here:
;;;
;;;   netif-loopback  a oneshot named net.lo that brings the loopback
;;;                   interface up (busybox ip), and down at shutdown
(define-module (distill net)
  #:use-module (distill service)
  #:export (netif-loopback))

(define netif-loopback
  (make-service
   name: 'net.lo
   spec: (oneshot* up: "#!/bin/sh
exec ip link set dev lo up
"
                   down: "#!/bin/sh
ip link set dev lo down
exit 0
")))
