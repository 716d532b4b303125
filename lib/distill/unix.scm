;;; (distill unix): /etc/passwd, /etc/group and /etc/shadow, and
;;; upstream distill's way of declaring their users and groups.
;;;
;;;   (adduser NAME #:key group home login)  a user whose uid is given
;;;        when the files are made; its gid is GROUP's (a group name),
;;;        else its uid
;;;   (addgroup NAME USERS)                  a group whose gid is given
;;;        likewise, with the members USERS
;;;   (groups+users->artifacts GROUPS USERS #:key start-uid start-gid)
;;;        the files: root first, then GROUPS and USERS (addgroup and
;;;        adduser values, numbered from START-GID and START-UID in
;;;        order, or make-group and make-user records with their own ids)
;;;
;;; Every account's /etc/shadow entry is "*", which no password matches
;;; (not "!", which OpenSSH takes for a locked account and refuses keys
;;; for too); (distill system) writes its files with the same lines.
(define-module (distill unix)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill service)
  #:use-module (srfi srfi-1)
  #:export (adduser addgroup groups+users->artifacts
            passwd-line group-line shadow-line))

(define (passwd-line u)
  "U's line of /etc/passwd."
  (string-append (user-name u) ":x:" (number->string (user-uid u)) ":"
                 (number->string (user-gid u)) ":" (user-comment u) ":"
                 (user-home u) ":" (user-shell u) "\n"))

(define (group-line g)
  "G's line of /etc/group."
  (string-append (group-name g) ":x:" (number->string (group-gid g)) ":"
                 (string-join (group-members g) ",") "\n"))

(define (shadow-line u)
  "U's line of /etc/shadow: no password matches."
  (string-append (user-name u) ":*:0:0:99999:7:::\n"))

(define* (adduser name #:key group (home "/var/empty") (login "/bin/false"))
  "A user NAME (symbol or string) for groups+users->artifacts, whose uid is
given there; its gid is that of the group named GROUP, else its uid; HOME
and LOGIN (its shell)."
  (lambda (uid getgroup)
    (make-user name: name uid: uid gid: (if group (getgroup group) uid)
               home: home shell: login)))

(define (addgroup name users)
  "A group NAME (symbol or string) with the members USERS, for
groups+users->artifacts, whose gid is given there."
  (lambda (gid)
    (make-group name: name gid: gid members: users)))

(define* (groups+users->artifacts gps ups #:key (start-uid 100) (start-gid 100))
  "The artifacts /etc/passwd, /etc/group and /etc/shadow for root and GPS
and UPS: addgroup and adduser values (given gids from START-GID and uids
from START-UID, in order) or make-group and make-user records."
  (check-list 'groups+users->artifacts "groups" gps)
  (check-list 'groups+users->artifacts "users" ups)
  (let* ((groups (let loop ((in gps) (gid start-gid) (out '()))
                   (cond ((null? in) (reverse out))
                         ((group? (car in)) (loop (cdr in) gid (cons (car in) out)))
                         (else (loop (cdr in) (+ gid 1) (cons ((car in) gid) out))))))
         (getgroup (lambda (n)
                     (let* ((n (if (symbol? n) (symbol->string n) n))
                            (g (find (lambda (g) (equal? (group-name g) n)) groups)))
                       (unless g
                         (recipe-error 'groups+users->artifacts "adduser: no group named ~s" (list n)))
                       (group-gid g))))
         (users (let loop ((in ups) (uid start-uid) (out '()))
                  (cond ((null? in) (reverse out))
                        ((user? (car in)) (loop (cdr in) uid (cons (car in) out)))
                        (else (loop (cdr in) (+ uid 1) (cons ((car in) uid getgroup) out))))))
         (users (cons (make-user name: "root" uid: 0 home: "/root" shell: "/bin/sh") users))
         (groups (cons (make-group name: "root" gid: 0) groups)))
    (list (interned "/etc/passwd" #o644 (string-concatenate (map passwd-line users)))
          (interned "/etc/group" #o644 (string-concatenate (map group-line groups)))
          (interned "/etc/shadow" #o600 (string-concatenate (map shadow-line users))))))
