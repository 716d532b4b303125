;;; chronyd: the clock kept by NTP with chrony, in the foreground under
;;; the supervisor, as the user chrony once its sockets are open (it keeps
;;; only the capability to set the clock); its drift file under
;;; /var/lib/chrony.
;;;
;;;   (chronyd default-chronyd-config)      upstream's form: CONFIG, the
;;;                                         lines of chrony.conf
;;;   (chronyd-service config: CONFIG)      this project's: the same
;;;   chronyd                               bare in services:, the default
(define-module (svc chronyd)
  #:use-module (distill plan)
  #:use-module (distill service)
  #:use-module (pkg chrony)
  #:use-module (svc var-mount)
  #:export (default-chronyd-config chronyd-service chronyd))

(define default-chronyd-config
  ;; chrony.conf: the public NTP pool, a step for a clock far off at
  ;; boot, the kernel's RTC kept in step.
  '((pool pool.ntp.org iburst)
    (driftfile /var/lib/chrony/drift)
    (makestep 1.0 3)
    (rtcsync)))

(define* (chronyd-service #:key (config default-chronyd-config))
  "chronyd with CONFIG, chrony.conf: a list of lines (symbols, strings,
numbers, or lists of them, as default-chronyd-config) or its text.  It
needs no order against the network service: it tries its servers again
when they do not answer."
  (make-service
   name: "chronyd"
   inputs: (list chrony (interned "/etc/chrony/chrony.conf" #o644
                                  (config-text 'chronyd "config:" config)))
   users: (list (make-user name: "chrony" uid: 123 home: "/var/lib/chrony"))
   after: (list var-mount)
   ;; chronyd makes /run/chrony itself, owned by the user.
   spec: (longrun* run: "#!/bin/sh
mkdir -p /var/lib/chrony
chown chrony:chrony /var/lib/chrony
exec chronyd -u chrony -d -f /etc/chrony/chrony.conf 2>&1
")))

(define* (chronyd #:optional (config default-chronyd-config))
  "(chronyd CONFIG): chronyd with CONFIG, the lines of chrony.conf (as
chronyd-service's config:); bare in services:, (chronyd-service)."
  (chronyd-service config: config))

(service-procedure chronyd (chronyd-service))
