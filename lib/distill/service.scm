;;; (distill service): services in s6-rc's terms, and how they start.
;;;
;;; A service has a name, the packages it needs (inputs), the users and
;;; groups it runs as, the services it starts after, and a spec: a
;;; longrun (a supervised process: run, finish, notification-fd,
;;; timeouts), a oneshot (up and down scripts run once) or a bundle (a
;;; name for other services).  Scripts are text (starting with "#!") or
;;; execline data, written by (distill execline) for /bin/execlineb.
;;;
;;; Upstream's svc/ define services as procedures of their configuration
;;; ((sshd LINES)): service-procedure lets such a procedure, given bare in
;;; a system's services:, stand for its default service, and config-text
;;; turns a configuration (text, or a list of lines) into a file's text.
;;;
;;; services-order resolves the dependencies when the image is built, not
;;; at boot: every name a service starts after must be a service of the
;;; system (a service object given in after: is added to it), names are
;;; unique, and a cycle is an error naming its services.
;;;
;;; The backend (a supervisor, make-system's supervisor:) is the one thing
;;; that knows how services run.  Two run the same service records, in the
;;; same order, with the same oneshots, bundles and readiness:
;;; runit-backend, busybox's init and runit applets (the default: no
;;; glibc in the image), and s6-backend, s6's s6-svscan, s6-supervise and
;;; s6-log under busybox's init, from Debian's binary packages ((pkg s6)
;;; gives them: s6-supervisor; neither s6's nor s6-rc's sources can be
;;; had here, and s6-rc is in no Debian 12 package, so the ordering stays
;;; rc.start's).  Scripts written as execline data need a backend that
;;; carries execline (supervisor-execline?: s6's).  services->root
;;; compiles the services into files of the root file system; with runit:
;;;
;;;   /etc/inittab           init runs rc.start once, keeps runsvdir up,
;;;                          runs rc.stop at shutdown
;;;   /etc/sv/NAME/          a runit service directory per longrun: run,
;;;                          finish, and log/run (svlogd into /var/log/NAME)
;;;   /etc/distill/oneshot/NAME/{up,down}
;;;   /etc/distill/rc.start  every service at once, each once those it
;;;                          starts after are up (/run/distill/state/NAME:
;;;                          up or failed): a oneshot's
;;;                          up is run, a longrun is linked into
;;;                          /run/service and waited for (runsv's stat
;;;                          says run, or, with notification-fd, the
;;;                          daemon wrote a line to that descriptor);
;;;                          a service whose dependency failed is not
;;;                          started, and the console says so
;;;   /etc/distill/rc.stop   the reverse: longruns stopped, oneshots' down
;;;
;;; runsv restarts a longrun whose process exits.  With s6, the same
;;; /etc/distill files and:
;;;
;;;   /etc/inittab           init keeps s6-svscan up on /run/service
;;;   /etc/s6/NAME/          an s6 service directory per longrun: run,
;;;                          finish, notification-fd (s6-supervise's own
;;;                          readiness: the daemon writes a line to that
;;;                          descriptor), log/run (s6-log into
;;;                          /var/log/NAME); rc.start copies it to
;;;                          /run/s6/NAME (s6-supervise writes there: the
;;;                          root is read-only), links it into
;;;                          /run/service and waits with s6-svwait (-U
;;;                          with notification-fd: up and ready; -u: up)
;;;
;;; s6-supervise restarts a longrun whose process exits.  Nothing else
;;; reads these files.
(define-module (distill service)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill execline)
  #:use-module (distill text)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:use-module (ice-9 match)
  #:export (make-service service? service-name service-inputs service-users
            service-groups service-after service-spec
            longrun* longrun? oneshot* oneshot? bundle* bundle?
            make-user user? user-name user-uid user-gid user-home user-shell
            user-comment
            make-group group? group-name group-gid group-members
            services-order services->root services-uses-execline?
            runit-backend s6-backend supervisor? supervisor-name
            supervisor-packages supervisor-execline?)
  #:export (service-procedure as-service config-text))

;;; Users and groups.

(define-record-type <user>
  (%user name uid gid home shell comment)
  user?
  (name user-name) (uid user-uid) (gid user-gid) (home user-home)
  (shell user-shell) (comment user-comment))

(define-record-type <group>
  (%group name gid members)
  group?
  (name group-name) (gid group-gid) (members group-members))

(define (name-ok? s)
  (and (string? s) (positive? (string-length s)) (< (string-length s) 33)
       (string-every (lambda (c) (or (char-alphabetic? c) (char-numeric? c)
                                     (memv c '(#\- #\_ #\.))))
                     s)
       (char-alphabetic? (string-ref s 0))))

(define (symbol->name x) (if (symbol? x) (symbol->string x) x))

(define (id-ok? n) (and (exact-integer? n) (<= 0 n 65534)))

(define* (make-user #:key name uid (gid uid) (home "/var/empty")
                    (shell "/bin/false") (comment ""))
  "A user NAME (a string or a symbol) with UID and GID (default: UID), HOME
and SHELL, for /etc/passwd; its /etc/shadow entry has no password."
  (set! name (symbol->name name))
  (unless (name-ok? name) (recipe-error 'make-service "user name: ~s is not a user name" (list name)))
  (unless (id-ok? uid) (recipe-error 'make-service "user ~a: uid ~s must be 0 to 65534" (list name uid)))
  (unless (id-ok? gid) (recipe-error 'make-service "user ~a: gid ~s must be 0 to 65534" (list name gid)))
  (for-each (lambda (s what)
              (unless (and (string? s) (not (string-index s #\:)) (not (string-index s #\newline)))
                (recipe-error 'make-service "user ~a: ~a ~s must be a string without ':' or newlines" (list name what s))))
            (list home shell comment) '("home" "shell" "comment"))
  (%user name uid gid home shell comment))

(define* (make-group #:key name gid (members '()))
  "A group NAME with GID and MEMBERS (user names; strings or symbols), for
/etc/group."
  (set! name (symbol->name name))
  (set! members (if (list? members) (map symbol->name members) members))
  (unless (name-ok? name) (recipe-error 'make-service "group name: ~s is not a group name" (list name)))
  (unless (id-ok? gid) (recipe-error 'make-service "group ~a: gid ~s must be 0 to 65534" (list name gid)))
  (unless (and (list? members) (every name-ok? members))
    (recipe-error 'make-service "group ~a: members ~s must be a list of user names" (list name members)))
  (%group name gid members))

;;; Specs.

(define-record-type <longrun>
  (%longrun run finish notification-fd timeout-up timeout-down)
  longrun?
  (run longrun-run) (finish longrun-finish)
  (notification-fd longrun-notification-fd)
  (timeout-up longrun-timeout-up) (timeout-down longrun-timeout-down))

(define-record-type <oneshot>
  (%oneshot up down timeout-up timeout-down)
  oneshot?
  (up oneshot-up) (down oneshot-down)
  (timeout-up oneshot-timeout-up) (timeout-down oneshot-timeout-down))

(define-record-type <bundle>
  (%bundle contents)
  bundle?
  (contents bundle-contents))

(define (script-ok? x)
  (or (and (string? x) (string-prefix? "#!" x))
      (and (pair? x) (list? x))))

(define (check-script who what x)
  (unless (script-ok? x)
    (recipe-error 'make-service "~a: ~a must be a script: text starting with \"#!\", or execline data (a list), not ~s"
                  (list who what x))))

(define (check-ms who what x)
  (unless (and (exact-integer? x) (>= x 0))
    (recipe-error 'make-service "~a: ~a must be milliseconds (0: none), not ~s" (list who what x))))

(define* (longrun* #:key run finish notification-fd (timeout-up 30000)
                   (timeout-down 10000))
  "A longrun: RUN is the supervised process (it must not exit while the
service is up, and should log to stdout or stderr); FINISH runs after it
exits; with NOTIFICATION-FD the service is up once the process writes a
line to that descriptor, else once it runs; TIMEOUT-UP and TIMEOUT-DOWN in
milliseconds."
  (check-script 'longrun* "run:" run)
  (when finish (check-script 'longrun* "finish:" finish))
  (unless (or (not notification-fd)
              (and (exact-integer? notification-fd) (<= 3 notification-fd 99)))
    (recipe-error 'make-service "longrun*: notification-fd: ~s must be #f or 3 to 99" (list notification-fd)))
  (check-ms 'longrun* "timeout-up:" timeout-up)
  (check-ms 'longrun* "timeout-down:" timeout-down)
  (%longrun run finish notification-fd timeout-up timeout-down))

(define* (oneshot* #:key up down (timeout-up 30000) (timeout-down 10000))
  "A oneshot: UP runs once at start-up (the service is up when it exits 0),
DOWN at shutdown; timeouts in milliseconds."
  (check-script 'oneshot* "up:" up)
  (when down (check-script 'oneshot* "down:" down))
  (check-ms 'oneshot* "timeout-up:" timeout-up)
  (check-ms 'oneshot* "timeout-down:" timeout-down)
  (%oneshot up down timeout-up timeout-down))

(define* (bundle* #:key (contents '()))
  "A bundle: a name for the services CONTENTS (names or services)."
  (unless (list? contents)
    (recipe-error 'make-service "bundle*: contents: ~s must be a list of services or names" (list contents)))
  (%bundle contents))

;;; Services.

(define-record-type <service>
  (%service name inputs users groups after spec)
  service?
  (name service-name) (inputs service-inputs) (users service-users)
  (groups service-groups) (after service-after) (spec service-spec))

(define* (make-service #:key name (inputs '()) (users '()) (groups '())
                       (after '()) spec)
  "A service NAME (a string, or a symbol as upstream's) with the packages or artifacts INPUTS it needs in the
root file system, the USERS and GROUPS (make-user, make-group) it runs as,
the services it starts AFTER (names or services), and SPEC (longrun*,
oneshot* or bundle*)."
  ;; Upstream names services (and the services in after: and bundles) by
  ;; symbols: a symbol is its name.
  (set! name (symbol->name name))
  (set! after (if (list? after) (map symbol->name after) after))
  (when (and (bundle? spec) (list? (bundle-contents spec)))
    (set! spec (%bundle (map symbol->name (bundle-contents spec)))))
  (unless (name-ok? name) (recipe-error 'make-service "name: ~s is not a service name (letters, digits, - _ .)" (list name)))
  (unless (list? inputs) (recipe-error 'make-service "service ~a: inputs: ~s must be a list" (list name inputs)))
  (unless (and (list? users) (every user? users))
    (recipe-error 'make-service "service ~a: users: must be a list of make-user users" (list name)))
  (unless (and (list? groups) (every group? groups))
    (recipe-error 'make-service "service ~a: groups: must be a list of make-group groups" (list name)))
  (unless (and (list? after) (every (lambda (a) (or (service? a) (string? a))) after))
    (recipe-error 'make-service "service ~a: after: ~s must be a list of services or service names" (list name after)))
  (unless (or (longrun? spec) (oneshot? spec) (bundle? spec))
    (recipe-error 'make-service "service ~a: spec: must be a longrun*, oneshot* or bundle*, not ~s" (list name spec)))
  (when (bundle? spec)
    (unless (every (lambda (a) (or (service? a) (string? a))) (bundle-contents spec))
      (recipe-error 'make-service "service ~a: the bundle's contents must be services or names" (list name))))
  (%service name inputs users groups after spec))

(define (service-procedure proc default)
  "PROC (a procedure of a service's configuration, as upstream's svc/
define them: (sshd LINES)) made to stand, given bare in a system's
services:, for DEFAULT, its service with the default configuration."
  (set-procedure-property! proc 'distill-default-service default)
  proc)

(define (as-service x)
  "X, or the default service of X when X is a service-procedure."
  (or (and (procedure? x) (procedure-property x 'distill-default-service)) x))

(define (config-line? x)
  (define (word? w)
    (or (symbol? w) (number? w)
        (and (string? w) (not (string-index w #\newline)))))
  (or (word? x) (and (list? x) (every word? x))))

(define (config-text who what x)
  "The text of a configuration file given as X: text (a string, as it
is), or a list of lines, each a string, symbol or number or a list of
those (written by (distill text)'s lines: a list's items separated by
spaces).  A recipe error of WHO naming WHAT otherwise."
  (cond ((string? x) x)
        ((and (list? x) (every config-line? x)) (lines x))
        (else (recipe-error who "~a ~s must be text or a list of lines (each a symbol, string or number, or a list of those)"
                            (list what x)))))

(define (ref-name x) (if (service? x) (service-name x) x))

(define (service-deps s)
  "The names S starts after: its after: list, and a bundle's contents."
  (map ref-name (append (service-after s)
                        (if (bundle? (service-spec s))
                            (bundle-contents (service-spec s))
                            '()))))

(define (closure services)
  "SERVICES and every service object they name in after: or contents."
  (let loop ((todo (map as-service services)) (seen '()))
    (match todo
      (() (reverse seen))
      ((s . rest)
       (unless (service? s)
         (recipe-error 'make-system "services: ~s is not a service" (list s)))
       (if (memq s seen)
           (loop rest seen)
           (loop (append rest
                         (filter service? (append (service-after s)
                                                  (if (bundle? (service-spec s))
                                                      (bundle-contents (service-spec s))
                                                      '()))))
                 (cons s seen)))))))

(define (services-order services)
  "SERVICES (with the services they name) in an order where each comes
after those it names; an error for a duplicate name, a name that is no
service, or a cycle (naming its services)."
  (let* ((all (closure services))
         (table (make-hash-table)))
    (for-each (lambda (s)
                (let ((other (hash-ref table (service-name s))))
                  (when (and other (not (eq? other s)))
                    (recipe-error 'make-system "two different services are named ~s"
                                  (list (service-name s))))
                  (hash-set! table (service-name s) s)))
              all)
    (for-each (lambda (s)
                (for-each (lambda (d)
                            (unless (hash-ref table d)
                              (recipe-error 'make-system
                                            "service ~s starts after ~s, which is not a service of the system"
                                            (list (service-name s) d))))
                          (service-deps s)))
              all)
    ;; Depth-first, in the order given; a name met again while on the
    ;; path is a cycle.
    (let ((done (make-hash-table)) (order '()))
      (define (visit s path)
        (let ((n (service-name s)))
          (cond ((hash-ref done n) #t)
                ((member n path)
                 (let ((cycle (reverse (cons n (take-while (lambda (x) (not (equal? x n))) path)))))
                   (recipe-error 'make-system "the services start after each other in a cycle: ~a"
                                 (list (string-join (cons n cycle) " -> ")))))
                (else
                 (for-each (lambda (d) (visit (hash-ref table d) (cons n path)))
                           (service-deps s))
                 (hash-set! done n #t)
                 (set! order (cons s order))))))
      (for-each (lambda (s) (visit s '())) all)
      (reverse order))))

;;; The backends.

(define-record-type <supervisor>
  (%supervisor name packages execline? inittab lib longrun-files stop-all)
  supervisor?
  (name supervisor-name)                ; 'runit or 's6
  (packages supervisor-packages)        ; in the root of a system using it
  (execline? supervisor-execline?)      ; its packages give /bin/execlineb
  (inittab supervisor-inittab)          ; the respawn line of /etc/inittab
  (lib supervisor-lib)                  ; rc.lib's longrun functions
  (longrun-files supervisor-longrun-files) ; service -> its artifacts
  (stop-all supervisor-stop-all))       ; rc.stop's line after the services

(define (script-text x)
  (if (string? x) x (exexpr->string x)))

(define (services-uses-execline? services)
  "The first service of SERVICES with a script written as execline data,
or #f."
  (find (lambda (s)
          (let ((spec (service-spec s)))
            (any pair? (cond ((longrun? spec) (list (longrun-run spec) (longrun-finish spec)))
                             ((oneshot? spec) (list (oneshot-up spec) (oneshot-down spec)))
                             (else '())))))
        services))

(define rc-lib
  ;; Shell functions of rc.start and rc.stop.  rc.start starts every
  ;; service at once, in the background: each waits for its dependencies
  ;; to be up (or failed: then it is not started) and marks itself in
  ;; /run/distill/state/NAME, up or failed, saying how long it took.
  "#!/bin/sh
# Written by (distill service): start and stop services in dependency order.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
st=/run/distill/state
say() { echo \"distill-rc: $*\" > /dev/console; }
now() { read -r up _ < /proc/uptime; echo $up; }
mark() { # NAME up|failed [T0]: the service's state, for those after it
	echo $2 > $st/$1.new && mv $st/$1.new $st/$1
	[ $2 != up ] || [ -z \"$3\" ] || say \"$1: up in $(awk -v a=$3 -v b=$(now) 'BEGIN { printf \"%.2f\", b - a }') s\"
}
deps_ok() { # NAME DEPS...: wait for each to be up or failed; 1 if one failed
	n=$1; shift
	for d in \"$@\"; do
		until [ -e $st/$d ]; do sleep 0.05; done
		if [ \"$(cat $st/$d)\" != up ]; then
			say \"$n: not started: $d failed\"
			mark $n failed
			return 1
		fi
	done
}
bundle() { # NAME DEPS...
	deps_ok \"$@\" && mark $1 up
}
ms_wait() { # MS CONDITION...: poll CONDITION every 50 ms, up to MS (0: forever)
	ms=$1; shift
	t=0
	until \"$@\"; do
		if [ \"$ms\" != 0 ] && [ $t -ge \"$ms\" ]; then return 1; fi
		sleep 0.05
		t=$((t + 50))
	done
}
oneshot() { # NAME TIMEOUT-MS DEPS...
	n=$1; ms=$2; shift 2
	deps_ok $n \"$@\" || return 0
	t0=$(now)
	s=$((ms / 1000)); [ $((ms % 1000)) = 0 ] || s=$((s + 1))
	if [ \"$ms\" = 0 ]; then /etc/distill/oneshot/$n/up
	else timeout $s /etc/distill/oneshot/$n/up; fi
	rc=$?
	if [ $rc != 0 ]; then
		say \"$n: up failed (exit $rc)\"
		mark $n failed
	else
		mark $n up $t0
	fi
}
stop_oneshot() { # NAME TIMEOUT-MS
	[ -x /etc/distill/oneshot/$1/down ] || return 0
	s=$(($2 / 1000)); [ \"$s\" -gt 0 ] || s=1
	timeout $s /etc/distill/oneshot/$1/down || say \"$1: down failed\"
}
not_up() { # NAME MS
	say \"$1: not up within $2 ms\"
	mark $1 failed
}
")

(define runit-lib
  ;; rc.lib's longrun functions with runit.
  "running() { [ \"$(cat /run/service/$1/supervise/stat 2>/dev/null)\" = run ]; }
ready() { [ -e /run/distill/ready/$1 ]; }
longrun() { # NAME TIMEOUT-MS NOTIFY DEPS...
	n=$1; ms=$2; notify=$3; shift 3
	deps_ok $n \"$@\" || return 0
	t0=$(now)
	mkdir -p /run/sv/$n/supervise /run/sv/$n/log-supervise
	ln -sfn /etc/sv/$n /run/service/$n
	if [ \"$notify\" = yes ]; then ms_wait $ms ready $n; else ms_wait $ms running $n; fi &&
		mark $n up $t0 || not_up $n $ms
}
stop_longrun() { # NAME TIMEOUT-MS
	[ -e /run/service/$1 ] || return 0
	s=$(($2 / 1000)); [ \"$s\" -gt 0 ] || s=1
	sv -w $s down /run/service/$1 > /dev/null 2>&1 || say \"$1: did not stop within $2 ms\"
}
")

(define s6-lib
  ;; rc.lib's longrun functions with s6: the service directory copied to
  ;; /run/s6 (s6-supervise writes supervise/ and event/ in it), linked
  ;; into s6-svscan's /run/service in one step, a rescan asked for (once
  ;; s6-svscan listens), then s6-svwait: -U, up and ready (the daemon
  ;; wrote a line to its notification-fd), or -u, running.
  "supervised() { s6-svok /run/service/$1 2> /dev/null; }
longrun() { # NAME TIMEOUT-MS NOTIFY DEPS...
	n=$1; up_ms=$2; notify=$3; shift 3
	deps_ok $n \"$@\" || return 0
	t0=$(now)
	mkdir -p /run/s6
	rm -rf /run/s6/$n
	cp -a /etc/s6/$n /run/s6/$n
	ln -sfn /run/s6/$n /run/service/$n
	ms_wait 10000 s6-svscanctl -a /run/service 2> /dev/null || say \"s6-svscan does not answer\"
	if [ \"$notify\" = yes ]; then w=-U; else w=-u; fi
	{ ms_wait $up_ms supervised $n && s6-svwait $w -t $up_ms /run/service/$n; } &&
		mark $n up $t0 || not_up $n $up_ms
}
stop_longrun() { # NAME TIMEOUT-MS
	[ -e /run/service/$1 ] || return 0
	s6-svc -wD -T $2 -d /run/service/$1 > /dev/null 2>&1 || say \"$1: did not stop within $2 ms\"
}
")

(define (notify-wrapper name fd)
  ;; The run script of a longrun with a notification-fd: the daemon's fd
  ;; FD is a fifo; the first line written there marks it ready.
  (string-append "#!/bin/sh
r=/run/distill/ready
mkdir -p $r
rm -f $r/" name " $r/" name ".fifo
mkfifo $r/" name ".fifo
(read -r line < $r/" name ".fifo && : > $r/" name ") &
exec " (number->string fd) "> $r/" name ".fifo /etc/sv/" name "/run.real
"))

(define (log-run name)
  (string-append "#!/bin/sh
mkdir -p /var/log/" name "
exec svlogd -tt /var/log/" name "
"))

(define (runit-longrun-files s)
  ;; /etc/sv/NAME of the longrun S.
  (let* ((spec (service-spec s)) (n (service-name s))
         (dir (string-append "/etc/sv/" n)))
    (append
     (if (longrun-notification-fd spec)
         (list (interned (string-append dir "/run") #o755
                         (notify-wrapper n (longrun-notification-fd spec)))
               (interned (string-append dir "/run.real") #o755
                         (script-text (longrun-run spec))))
         (list (interned (string-append dir "/run") #o755
                         (script-text (longrun-run spec)))))
     (if (longrun-finish spec)
         (list (interned (string-append dir "/finish") #o755
                         (script-text (longrun-finish spec))))
         '())
     (list (interned (string-append dir "/log/run") #o755 (log-run n))
           ;; runsv keeps its state under supervise/, which
           ;; must be writable: the root is read-only.
           (interned-symlink (string-append dir "/supervise")
                             (string-append "/run/sv/" n "/supervise"))
           (interned-symlink (string-append dir "/log/supervise")
                             (string-append "/run/sv/" n "/log-supervise"))))))

(define runit-backend
  ;; busybox's init, runsvdir, runsv and svlogd: the platform's busybox
  ;; has them all.
  (%supervisor 'runit '() #f "::respawn:/usr/bin/runsvdir -P /run/service\n"
               runit-lib runit-longrun-files
               "sv exit /run/service/* > /dev/null 2>&1\n"))

(define (s6-longrun-files s)
  ;; /etc/s6/NAME of the longrun S: s6-supervise reads notification-fd
  ;; itself; s6-svscan pipes run's output to log/run, s6-log, which keeps
  ;; /var/log/NAME/current (ISO 8601 times, ten files of 1 MB).
  (let* ((spec (service-spec s)) (n (service-name s))
         (dir (string-append "/etc/s6/" n))
         (fd (longrun-notification-fd spec)))
    (append
     (list (interned (string-append dir "/run") #o755 (script-text (longrun-run spec))))
     (if (longrun-finish spec)
         (list (interned (string-append dir "/finish") #o755
                         (script-text (longrun-finish spec))))
         '())
     (if fd
         (list (interned (string-append dir "/notification-fd") #o644
                         (string-append (number->string fd) "\n")))
         '())
     (list (interned (string-append dir "/log/run") #o755
                     (string-append "#!/bin/sh
mkdir -p /var/log/" n "
exec s6-log -b n10 s1000000 T /var/log/" n "
"))))))

(define (s6-backend packages)
  "The backend running longruns under s6-svscan (kept up by busybox's
init) with s6-supervise and s6-log, PACKAGES giving s6's programs and
execline (/bin/execlineb) in the system's root: (pkg s6)'s s6-supervisor."
  (%supervisor 's6 packages #t "::respawn:/usr/bin/s6-svscan /run/service\n"
               s6-lib s6-longrun-files ""))

(define* (services->root services #:optional (backend runit-backend))
  "The files that start SERVICES (ordered and checked by services-order)
with busybox init and BACKEND's supervision (runit-backend, the default,
or an s6-backend): a list of artifacts for the root file system."
  (let* ((order (services-order services))
         (deps (lambda (s) (string-join (map shell-word (service-deps s)) " "))))
    (append
     (list
      (interned "/etc/inittab" #o644
                (string-append "# Written by (distill service).
::sysinit:/etc/distill/rc.init
" (supervisor-inittab backend) "::once:/etc/distill/rc.start
::ctrlaltdel:/sbin/poweroff
::shutdown:/etc/distill/rc.stop
"))
      (interned "/etc/distill/rc.lib" #o644 (string-append rc-lib (supervisor-lib backend)))
      (interned "/etc/distill/rc.init" #o755 "#!/bin/sh
# Written by (distill service): what runs before any service.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mountpoint -q /dev/pts || mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mountpoint -q /run || mount -t tmpfs -o mode=755,nodev,nosuid run /run
mountpoint -q /tmp || mount -t tmpfs -o mode=1777,nodev,nosuid tmp /tmp
mkdir -p /run/service /run/distill/ready /run/distill/state
[ ! -s /etc/hostname ] || hostname -F /etc/hostname
")
      (interned "/etc/distill/rc.start" #o755
                (string-append
                 "#!/bin/sh\n# Written by (distill service): the services, all at once, each\n"
                 "# once those it starts after are up (rc.lib).\n"
                 ". /etc/distill/rc.lib\n"
                 (string-concatenate
                  (map (lambda (s)
                         (let ((spec (service-spec s)) (n (service-name s)))
                           (cond ((oneshot? spec)
                                  (string-append "oneshot " n " "
                                                 (number->string (oneshot-timeout-up spec))
                                                 " " (deps s) " &\n"))
                                 ((longrun? spec)
                                  (string-append "longrun " n " "
                                                 (number->string (longrun-timeout-up spec))
                                                 (if (longrun-notification-fd spec) " yes " " no ")
                                                 (deps s) " &\n"))
                                 (else
                                  (string-append "bundle " n " " (deps s) " &\n")))))
                       order))
                 "wait\n"
                 "say \"services started: $(ls /run/service | tr '\\n' ' ')\"\n"))
      (interned "/etc/distill/rc.stop" #o755
                (string-append
                 "#!/bin/sh\n# Written by (distill service): the services stopped in reverse order.\n"
                 ". /etc/distill/rc.lib\n"
                 (string-concatenate
                  (filter-map (lambda (s)
                                (let ((spec (service-spec s)) (n (service-name s)))
                                  (cond ((oneshot? spec)
                                         (string-append "stop_oneshot " n " "
                                                        (number->string (oneshot-timeout-down spec)) "\n"))
                                        ((longrun? spec)
                                         (string-append "stop_longrun " n " "
                                                        (number->string (longrun-timeout-down spec)) "\n"))
                                        (else #f))))
                              (reverse order)))
                 (supervisor-stop-all backend) "sync\numount -a -r 2> /dev/null\n")))
     (append-map
      (lambda (s)
        (let ((spec (service-spec s)) (n (service-name s)))
          (cond
           ((longrun? spec) ((supervisor-longrun-files backend) s))
           ((oneshot? spec)
            (let ((dir (string-append "/etc/distill/oneshot/" n)))
              (cons (interned (string-append dir "/up") #o755 (script-text (oneshot-up spec)))
                    (if (oneshot-down spec)
                        (list (interned (string-append dir "/down") #o755
                                        (script-text (oneshot-down spec))))
                        '()))))
           (else '()))))
      order))))
