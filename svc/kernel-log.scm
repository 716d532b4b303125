;;; kernel-log: the kernel's messages, from /proc/kmsg, into
;;; /var/log/kernel-log through the service's logger.
(define-module (svc kernel-log)
  #:use-module (distill service)
  #:use-module (svc var-mount)
  #:export (kernel-log))

(define kernel-log
  (make-service
   name: "kernel-log"
   after: (list var-mount)
   spec: (longrun* run: "#!/bin/sh
exec cat /proc/kmsg
")))
