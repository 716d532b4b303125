;;; (distill system): a whole system, as the root file system a platform
;;; boots: services, packages, files, users and groups.
;;;
;;; make-system gathers the packages (expanded with (distill base)'s
;;; toolchain for the config of system-config: x86_64 unless a platform
;;; makes the system for its own, system-for-config), the services'
;;; inputs, the files (artifacts, plans and inputs at "/"), and writes:
;;;
;;;   /etc/passwd, /etc/group  root, then every user and group the
;;;                            services and the system declare (a user
;;;                            whose gid no group has gets a group of its
;;;                            name); two different declarations of one
;;;                            name, or two names for one id, are errors
;;;   /etc/shadow              every account locked for passwords ("*":
;;;                            no password matches; not "!", which
;;;                            OpenSSH takes as a locked account and
;;;                            refuses keys for too), mode 0600
;;;   /etc/hostname            HOSTNAME
;;;   /etc/resolv.conf         a link to /run/resolv.conf, which a DHCP
;;;                            client may write: the root is read-only
;;;
;;; and the services' start-up by (distill service)'s backend, SUPERVISOR:
;;; runit-backend (busybox's runit, the default) or an s6-backend ((pkg
;;; s6)'s s6-supervisor: Debian's s6 and execline, whose packages join the
;;; root); scripts written as execline data need the latter.  A system
;;; that chose none takes its platform's (system-with-supervisor).  The result
;;; is a system record: its root items and the owners they declare,
;;; which (distill platform) makes into a disk, adding the packages every
;;; system on the platform carries (system-add-packages): plat/base.scm's
;;; are busybox (the shell, init and runit of the supervision backend)
;;; and Debian's netbase (/etc/services, /etc/protocols).  This module
;;; names no package: the recipes are above the library.
(define-module (distill system)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill base)
  #:use-module (distill service)
  #:use-module (distill unix)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:export (make-system system? system-root system-owners system-services
            system-hostname system-add-packages system-add-services
            system-supervisor system-with-supervisor system-config system-for-config))

(define-record-type <system>
  (%system hostname services root owners supervisor config remake)
  system?
  (hostname system-hostname)
  (services system-services)            ; in start-up order
  (root system-root)                    ; items of the root file system
  (owners system-owners)                ; (PATH UID GID MODE) for images
  (supervisor system-supervisor)        ; the backend it chose, or #f
  (config system-config)                ; what the root's packages are built for
  (remake system-remake))               ; services #:backend #:conf -> the system with them too

(define current-config
  ;; The config make-system expands packages with: #f for x86_64's
  ;; (default-config 'x86_64); system-for-config sets it.
  (make-parameter #f))

(define root-user (make-user name: "root" uid: 0 home: "/root" shell: "/bin/sh"))
(define root-group (make-group name: "root" gid: 0))

(define (unique who items name id)
  "ITEMS without repeats of equal declarations; an error for one name
declared two ways or one id given two names."
  (let loop ((items items) (out '()))
    (if (null? items)
        (reverse out)
        (let* ((x (car items))
               (same (find (lambda (y) (equal? (name y) (name x))) out))
               (clash (find (lambda (y) (and (= (id y) (id x))
                                             (not (equal? (name y) (name x)))))
                            out)))
          (cond ((and same (not (equal? same x)))
                 (recipe-error 'make-system "~a ~s is declared twice, differently" (list who (name x))))
                (same (loop (cdr items) out))
                (clash (recipe-error 'make-system "~a ~s and ~s have the same id ~a"
                                     (list who (name clash) (name x) (id x))))
                (else (loop (cdr items) (cons x out))))))))

(define (expand-items conf xs)
  "XS (packages, plans, artifacts, inputs, and lists of them) expanded
for CONF with (distill base)'s toolchain, flat."
  (let ((expand (expander conf)))
    (let walk ((xs (map expand xs)))
      (append-map (lambda (x) (if (list? x) (walk (map expand x)) (list x))) xs))))

(define strict
  ;; #t: a system lacking var-mount is an error now (once its platform's
  ;; services are added, or when it is used without a platform).
  (make-parameter #f))

(define (missing-names services)
  "The names SERVICES (and the services they give in after:) start after
that none of them has: services the platform is to add."
  (let loop ((todo services) (seen '()))
    (cond ((pair? todo)
           (let ((s (car todo)))
             (if (memq s seen)
                 (loop (cdr todo) seen)
                 (loop (append (filter service? (service-after s)) (cdr todo)) (cons s seen)))))
          (else
           (let ((names (map service-name seen)))
             (delete-duplicates
              (filter (lambda (n) (and (string? n) (not (member n names))))
                      (append-map service-after seen))))))))

(define (system-add-packages system packages)
  "SYSTEM with PACKAGES (as make-system's) in its root as well."
  (check-list 'system-add-packages "packages:" packages)
  (unless (system-root system)
    ;; Its services start after var-mount, which it does not have: the error.
    (parameterize ((strict #t)) ((system-remake system) '())))
  (%system (system-hostname system) (system-services system)
           (delete-duplicates (append (expand-items (system-config system) packages)
                                      (system-root system))
                              eq?)
           (system-owners system) (system-supervisor system) (system-config system)
           (lambda (services . how)
             (system-add-packages (apply (system-remake system) services how) packages))))

(define (system-with-supervisor system backend)
  "SYSTEM, made again with the supervision backend BACKEND (a platform's
supervisor:) unless it chose one itself or BACKEND is #f."
  (if (or (system-supervisor system) (not backend))
      system
      ((system-remake system) '() #:backend backend)))

(define (system-for-config system conf)
  "SYSTEM made again with its packages and services' inputs built for
CONF (a platform's config): SYSTEM itself when they already are."
  (unless (config? conf)
    (recipe-error 'system-for-config "~s is not a config (default-config)" (list conf)))
  (if (eq? (system-config system) conf)
      system
      ((system-remake system) '() #:conf conf)))

(define (system-add-services system services)
  "SYSTEM made again with SERVICES (those it does not run yet) started
before its own: a platform's base services."
  (check-list 'system-add-services "services:" services)
  (let ((more (remove (lambda (s) (member (service-name s) (map service-name (or (system-services system) '()))))
                      services)))
    (if (and (null? more) (system-root system))
        system
        (parameterize ((strict #t)) ((system-remake system) more)))))

(define* (make-system #:key (hostname "distill") (services '()) (packages '())
                      (files '()) (users '()) (groups '()) (owners '())
                      (supervisor #f))
  "A system named HOSTNAME running SERVICES (make-service), with PACKAGES
(packages or plans), FILES (artifacts, plans and inputs at \"/\"), and
USERS and GROUPS (make-user, make-group) besides the services' own;
OWNERS ((PATH UID GID MODE)) are applied in the images; SUPERVISOR is the
backend running the services (runit-backend, or (pkg s6)'s
s6-supervisor, which scripts written as execline data need; #f: the
platform's supervisor:, else runit-backend).  When SERVICES
start after var-mount (upstream's var-mounted-rw, the platform's /var)
without including it, the system is made once a platform adds its base
services (platform+system->plan); used alone, that is an error naming it."
  (unless (and (string? hostname) (positive? (string-length hostname))
               (string-every (lambda (c) (or (char-alphabetic? c) (char-numeric? c)
                                             (memv c '(#\- #\.))))
                             hostname))
    (recipe-error 'make-system "hostname: ~s is not a host name" (list hostname)))
  (unless (or (not supervisor) (supervisor? supervisor))
    (recipe-error 'make-system "supervisor: ~s is not a supervision backend (runit-backend, or s6-supervisor of (pkg s6))"
                  (list supervisor)))
  (for-each (lambda (l what) (check-list 'make-system what l))
            (list services packages files users groups owners)
            '("services:" "packages:" "files:" "users:" "groups:" "owners:"))
  ;; Upstream's service procedures given bare (net-dhcpcd) are their
  ;; default services, here as everywhere below.
  (set! services (map as-service services))
  (let* ((conf (or (current-config) (default-config 'x86_64)))
         (remake (lambda* (more #:key (backend supervisor) (conf conf))
                   (parameterize ((current-config conf))
                     (make-system #:hostname hostname #:services (append more services)
                                  #:packages packages #:files files #:users users
                                  #:groups groups #:owners owners
                                  #:supervisor backend))))
         (missing (missing-names services))
         ;; Execline data with no backend chosen: the platform's may be s6.
         (needs-backend (and (not supervisor)
                             (services-uses-execline? (filter service? services)))))
    (if (and (not (strict)) (or (equal? missing '("var-mount"))
                                (and (null? missing) needs-backend)))
        ;; Upstream's guide makes /var the platform's service: a system
        ;; may start after var-mounted-rw without having it, and is made
        ;; once platform+system->plan adds the platform's services (or,
        ;; with execline data and no supervisor:, once the platform
        ;; gives its own).  Any other name it lacks is an error now.
        (%system hostname #f #f owners supervisor conf remake)
        (make-system/complete hostname services packages files users groups owners
                              supervisor conf remake))))

(define (make-system/complete hostname services packages files users groups owners
                              chosen conf remake)
  (let* ((supervisor (or chosen runit-backend))
         (order (services-order services))
         (execline (services-uses-execline? order)))
    (when (and execline (not (supervisor-execline? supervisor)))
      (recipe-error 'make-system "service ~s has a script written as execline data, which the ~a backend cannot run (it has no /bin/execlineb): give make-system or make-platform supervisor: s6-supervisor of (pkg s6), which carries Debian's execline, or write its scripts as text"
                    (list (service-name execline) (supervisor-name supervisor))))
    (let* ((users (unique "user" (cons root-user
                                       (append users (append-map service-users order)))
                          user-name user-uid))
           (groups (unique "group" (cons root-group
                                         (append groups (append-map service-groups order)))
                           group-name group-gid))
           ;; A user whose gid has no group gets one of its name.
           (groups (append groups
                           (filter-map (lambda (u)
                                         (and (not (find (lambda (g) (= (group-gid g) (user-gid u)))
                                                         groups))
                                              (make-group name: (user-name u) gid: (user-gid u))))
                                       users)))
           (items (delete-duplicates
                   (append (expand-items conf packages)
                           (expand-items conf (supervisor-packages supervisor))
                           (expand-items conf (append-map service-inputs order))
                           (list (interned "/etc/passwd" #o644
                                           (string-concatenate (map passwd-line users)))
                                 (interned "/etc/group" #o644
                                           (string-concatenate (map group-line groups)))
                                 (interned "/etc/shadow" #o600
                                           (string-concatenate (map shadow-line users)))
                                 (interned "/etc/hostname" #o644 (string-append hostname "\n"))
                                 (interned-symlink "/etc/resolv.conf" "/run/resolv.conf")
                                 (interned-dir "/root" #o700))
                           (services->root order supervisor)
                           files)
                   eq?)))
      (%system hostname order items
               (append '(("/etc/shadow" 0 0 #o600) ("/root" 0 0 #o700)) owners)
               chosen conf remake))))
