;;; getty: a login prompt on a terminal; serial-getty is the first
;;; serial port, the console of the QEMU platforms, and (console-gettys
;;; PLATFORM) a getty on each console PLATFORM has (make-platform's
;;; console:), named getty-TTY.  Accounts have no password ((distill
;;; system) locks them), so logging in there needs a system that gives one
;;; a password: no console gives a shell without one.
(define-module (svc getty)
  #:use-module (distill service)
  #:use-module (distill platform)
  #:use-module (svc var-mount)
  #:export (getty-service serial-getty console-gettys))

(define* (getty-service tty #:key (baud 115200) (term "vt100"))
  "A longrun getty on /dev/TTY at BAUD, for TERM."
  (make-service
   name: (string-append "getty-" tty)
   after: (list var-mount)
   spec: (longrun* run: (string-append "#!/bin/sh
exec getty -L " (number->string baud) " " tty " " term "
"))))

(define serial-getty (getty-service "ttyS0"))

(define (console-gettys platform)
  "A getty (getty-service) on each console of PLATFORM (platform-consoles),
a list of services for a system's services:; for tty0, the current
virtual terminal, the getty is on tty1, the one a machine shows first."
  (map (lambda (tty)
         (if (string=? tty "tty0")
             (getty-service "tty1" #:term "linux")
             (getty-service tty)))
       (platform-consoles platform)))
