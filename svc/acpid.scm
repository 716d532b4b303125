;;; acpid: ACPI events; the power button (QEMU's system_powerdown, a
;;; cloud's "stop") powers the machine off cleanly, through init, which
;;; stops the services first.  busybox acpid reads the input devices the
;;; kernel's button driver makes and runs /etc/acpi/ACTION for an event.
(define-module (svc acpid)
  #:use-module (distill plan)
  #:use-module (distill service)
  #:use-module (svc var-mount)
  #:export (acpid))

(define acpid
  (make-service
   name: "acpid"
   after: (list var-mount)
   inputs: (list (interned "/etc/acpi/PWRF/00000080" #o755 "#!/bin/sh
exec poweroff
"))
   spec: (longrun* run: "#!/bin/sh
exec acpid -d -c /etc/acpi 2>&1
")))
