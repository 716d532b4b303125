;;; cron: busybox crond, in the foreground under the supervisor, running
;;; the jobs its crontabs give.  The crontabs are data of the image
;;; (/etc/cron/crontabs/USER, root's, mode 0600); each start copies them
;;; to the spool, /var/spool/cron/crontabs (the root is read-only, and
;;; crond reads only files owned by root there), replacing what an
;;; earlier image left.  A job runs as USER, through /bin/sh -c, its
;;; output and crond's own lines (-d 8: jobs started, errors) in
;;; /var/log/cron.  /var/run is linked to /run, where crond keeps its pid
;;; and the mark that @reboot jobs ran this boot (so a restarted crond
;;; does not run them again, and the next boot does).
;;;
;;;   (cron '(("*/5 * * * *" "echo tick >> /var/log/tick")))
;;;       upstream's form: root's jobs, each (SCHEDULE COMMAND) or a
;;;       crontab line of text
;;;   (cron-service crontabs: '(("root" JOB...) ("nobody" JOB...)))
;;;       this project's: the jobs of each user (a user of the system:
;;;       crond skips the crontab of a name /etc/passwd lacks, saying so)
;;;   cron  bare in services:, (cron-service): no jobs
(define-module (svc cron)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill service)
  #:use-module (svc var-mount)
  #:use-module (srfi srfi-1)
  #:export (cron-service cron))

(define special-times
  ;; busybox crond's (CONFIG_FEATURE_CROND_SPECIAL_TIMES).
  '("@reboot" "@yearly" "@annually" "@monthly" "@weekly" "@daily" "@midnight" "@hourly"))

(define (schedule-ok? s)
  (let ((fields (string-tokenize s)))
    (or (and (= (length fields) 1) (member (car fields) special-times))
        (and (= (length fields) 5)
             (every (lambda (f)
                      (string-every (lambda (c) (or (char-alphabetic? c) (char-numeric? c)
                                                    (memv c '(#\* #\, #\/ #\-))))
                                    f))
                    fields)))))

(define (one-line? s)
  (and (string? s) (not (string-index s #\newline))
       (not (string-null? (string-trim-both s)))))

(define (job-line user job)
  "The crontab line of JOB, (SCHEDULE COMMAND) or a line of text, of
USER's crontab; a recipe error naming it otherwise."
  (let ((line (cond ((and (list? job) (= (length job) 2) (every one-line? job)
                          (schedule-ok? (car job)))
                     (string-append (car job) " " (cadr job)))
                    ((one-line? job) job)
                    (else #f))))
    (unless (and line
                 (let ((words (string-tokenize line)))
                   (if (string-prefix? "@" (car words))
                       (and (>= (length words) 2) (schedule-ok? (car words)))
                       (and (>= (length words) 6)
                            (schedule-ok? (string-join (take words 5) " "))))))
      (recipe-error 'cron "~a's job ~s is not (SCHEDULE COMMAND) or a crontab line: SCHEDULE is five fields (minute hour day month weekday: * , / - digits, names) or one of ~a, COMMAND one line"
                    (list user job (string-join special-times " "))))
    (string-append line "\n")))

(define (crontab-file entry)
  (unless (and (pair? entry) (string? (car entry)) (list? (cdr entry)))
    (recipe-error 'cron-service "crontabs: ~s is not (USER JOB...)" (list entry)))
  (let ((user (car entry)))
    (unless (and (positive? (string-length user))
                 (string-every (lambda (c) (or (char-alphabetic? c) (char-numeric? c)
                                               (memv c '(#\- #\_ #\.))))
                               user))
      (recipe-error 'cron-service "crontabs: ~s is not a user name" (list user)))
    (interned (string-append "/etc/cron/crontabs/" user) #o600
              (string-concatenate (map (lambda (j) (job-line user j)) (cdr entry))))))

(define* (cron-service #:key (crontabs '()))
  "busybox crond running CRONTABS: a list of (USER JOB...), each JOB
(SCHEDULE COMMAND), e.g. (\"*/5 * * * *\" \"echo tick >> /var/log/tick\"),
or a crontab line of text."
  (check-list 'cron-service "crontabs:" crontabs)
  (make-service
   name: "cron"
   inputs: (cons (interned-dir "/etc/cron/crontabs" #o700) (map crontab-file crontabs))
   after: (list var-mount)
   spec: (longrun* run: "#!/bin/sh
[ -e /var/run ] || ln -s /run /var/run
rm -rf /var/spool/cron/crontabs
mkdir -p /var/spool/cron
cp -a /etc/cron/crontabs /var/spool/cron/crontabs
exec crond -f -d 8 -c /var/spool/cron/crontabs 2>&1
")))

(define* (cron #:optional (jobs '()))
  "(cron JOBS): busybox crond running JOBS as root, each (SCHEDULE
COMMAND) or a crontab line (as cron-service's); bare in services:,
(cron-service): no jobs."
  (check-list 'cron "jobs:" jobs)
  (cron-service crontabs: (list (cons "root" jobs))))

(service-procedure cron (cron-service))
