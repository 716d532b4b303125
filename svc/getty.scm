;;; getty: a login prompt on a terminal; serial-getty is the first
;;; serial port, the console of the QEMU platforms.  Accounts have no
;;; password ((distill system) locks them), so logging in there needs a
;;; system that gives one a password.
(define-module (svc getty)
  #:use-module (distill service)
  #:use-module (svc var-mount)
  #:export (getty-service serial-getty))

(define* (getty-service tty #:key (baud 115200) (term "vt100"))
  "A longrun getty on /dev/TTY at BAUD, for TERM."
  (make-service
   name: (string-append "getty-" tty)
   after: (list var-mount)
   spec: (longrun* run: (string-append "#!/bin/sh
exec getty -L " (number->string baud) " " tty " " term "
"))))

(define serial-getty (getty-service "ttyS0"))
