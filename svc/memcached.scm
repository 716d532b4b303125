;;; memcached: the memory cache daemon of (pkg memcached), in the
;;; foreground under the supervisor, as its own user memcache (uid 11211,
;;; no login, home /var/empty): started by root, memcached drops to it
;;; itself (-u: setgroups, setgid, setuid) before it opens a socket.  It
;;; listens on TCP only (no UDP: memcached's default), on 127.0.0.1:11211
;;; unless told otherwise, after the loopback interface is up ((distill
;;; net)'s net.lo, added to the system).  Its errors and warnings (-v) go
;;; to the service's log, /var/log/memcached.  It keeps nothing on disk: a
;;; restart empties the cache.
;;;
;;;   (memcached default-memcached-config)  upstream's form: CONFIG, an
;;;                                         alist of the keys below
;;;   (memcached-service listen: port: memory: connections:)
;;;                                         this project's: the same
;;;   memcached                             bare in services:, the default
;;;
;;; listen: the addresses to listen on (memcached's -l: one, or several
;;; separated by commas), port: the TCP port (-p), memory: the limit of
;;; the items' memory in megabytes (-m), connections: the most clients at
;;; once (-c).
(define-module (svc memcached)
  #:use-module (distill check)
  #:use-module (distill net)
  #:use-module (distill service)
  #:use-module ((pkg memcached) #:select ((memcached . memcached-package)))
  #:use-module (ice-9 match)
  #:export (default-memcached-config memcached-service memcached))

(define default-memcached-config
  '((listen "127.0.0.1")
    (port 11211)
    (memory 64)
    (connections 1024)))

(define (check-number who what n low high)
  (unless (and (exact-integer? n) (<= low n high))
    (recipe-error who "~a ~s is not a whole number from ~a to ~a" (list what n low high)))
  (number->string n))

(define (check-listen who listen)
  (unless (and (string? listen) (not (string-null? listen))
               (string-every (lambda (c) (or (char-set-contains? char-set:hex-digit c)
                                             (memv c '(#\. #\: #\, #\[ #\]))))
                             listen))
    (recipe-error who "listen: ~s is not an address or a list of addresses separated by commas (e.g. \"127.0.0.1\" or \"127.0.0.1,::1\")"
                  (list listen)))
  listen)

(define* (memcached-service #:key (listen "127.0.0.1") (port 11211) (memory 64)
                            (connections 1024))
  "memcached listening on LISTEN (addresses, separated by commas) at PORT
over TCP, with MEMORY megabytes for its items and at most CONNECTIONS
clients, as the user memcache."
  (let ((who 'memcached-service))
    (make-service
     name: "memcached"
     inputs: (list memcached-package)
     users: (list (make-user name: "memcache" uid: 11211 comment: "memcached"))
     after: (list netif-loopback)
     spec: (longrun* run: (string-append "#!/bin/sh
exec memcached -u memcache -v -l " (check-listen who listen)
" -p " (check-number who "port:" port 1 65535)
" -m " (check-number who "memory:" memory 1 1048576)
" -c " (check-number who "connections:" connections 1 1048576) " 2>&1
")))))

(define* (memcached #:optional (config default-memcached-config))
  "(memcached CONFIG): memcached with CONFIG, an alist of listen, port,
memory and connections (as memcached-service's keywords; a key left out
keeps its default); bare in services:, (memcached-service)."
  (check-list 'memcached "config:" config)
  (let ((value (lambda (key)
                 (match (or (assq key config) (assq key default-memcached-config))
                   ((_ v) v)))))
    (for-each (lambda (entry)
                (match entry
                  (((? (lambda (k) (assq k default-memcached-config))) _) #t)
                  (_ (recipe-error 'memcached "config: ~s is not (KEY VALUE) with KEY one of listen, port, memory, connections"
                                   (list entry)))))
              config)
    (memcached-service listen: (value 'listen) port: (value 'port)
                       memory: (value 'memory) connections: (value 'connections))))

(service-procedure memcached (memcached-service))
