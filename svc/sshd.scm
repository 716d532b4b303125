;;; sshd: OpenSSH's server, letting in only holders of keys certified by a
;;; CA (TrustedUserCAKeys, principals matched against the user name): no
;;; passwords, no authorized_keys files unless asked for.  The host key is
;;; made on the first boot under /var/lib/sshd (the root file system is
;;; read-only and the same for every machine, so it holds no host key),
;;; and kept there, by the oneshot sshd-host-key that sshd starts after.
;;;
;;;   (sshd '((TrustedUserCAKeys /etc/ssh/ca.pub)))
;;;       upstream's form: the lines of sshd_config (symbols or strings),
;;;       added to those that keep sshd safe (sshd-safe-config: the host
;;;       key, no passwords), which they may not change, and to the
;;;       defaults of default-sshd-config they do not set (port 22,
;;;       AuthorizedKeysFile none, the sftp subsystem...)
;;;   (sshd-service config: default-sshd-config ca-keys: (list KEY))
;;;       this project's: the whole configuration, and the CA keys that go
;;;       to /etc/ssh/trusted_user_ca_keys
;;;   sshd  bare in services:, (sshd-service): nobody can log in
(define-module (svc sshd)
  #:use-module (distill plan)
  #:use-module (distill service)
  #:use-module (pkg openssh)
  #:use-module (svc var-mount)
  #:use-module (srfi srfi-1)
  #:use-module (ice-9 textual-ports)
  #:export (default-sshd-config sshd-safe-config sshd-service sshd public-key-file))

(define default-sshd-config
  ;; sshd_config keywords and values, in this order.
  '(("Port" . "22")
    ("HostKey" . "/var/lib/sshd/ssh_host_ed25519_key")
    ("PermitRootLogin" . "prohibit-password")
    ("PasswordAuthentication" . "no")
    ("KbdInteractiveAuthentication" . "no")
    ("AuthorizedKeysFile" . "none")
    ("TrustedUserCAKeys" . "/etc/ssh/trusted_user_ca_keys")
    ("PidFile" . "none")
    ("Subsystem" . "sftp /usr/libexec/sftp-server")))

(define sshd-safe-config
  ;; What (sshd LINES) always writes first and LINES may not change: the
  ;; machine's own host key, and no password of any kind.  Privilege
  ;; separation is OpenSSH's own (always on), in /var/empty as the user
  ;; sshd, which the service declares.
  '(("HostKey" . "/var/lib/sshd/ssh_host_ed25519_key")
    ("PasswordAuthentication" . "no")
    ("KbdInteractiveAuthentication" . "no")
    ("ChallengeResponseAuthentication" . "no")
    ("PermitEmptyPasswords" . "no")))

(define key-types
  ;; The public key types of OpenSSH (9.x) a CA may have.
  '("ssh-ed25519" "ssh-rsa" "ecdsa-sha2-nistp256" "ecdsa-sha2-nistp384"
    "ecdsa-sha2-nistp521" "sk-ecdsa-sha2-nistp256@openssh.com"
    "sk-ssh-ed25519@openssh.com"))

(define (base64-prefix text n)
  "The first N bytes that the base64 TEXT encodes, as a list, or #f when
TEXT is not base64 or encodes fewer."
  (let* ((alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
         (digits (map (lambda (c) (string-index alphabet c))
                      (string->list (string-trim-right text #\=)))))
    (and (every identity digits)
         (let loop ((ds digits) (acc 0) (bits 0) (out '()))
           (cond ((= (length out) n) (reverse out))
                 ((>= bits 8)
                  (loop ds (logand acc (- (ash 1 (- bits 8)) 1)) (- bits 8)
                        (cons (ash acc (- 8 bits)) out)))
                 ((null? ds) #f)
                 (else (loop (cdr ds) (+ (* acc 64) (car ds)) (+ bits 6) out)))))))

(define (key-problem key)
  "Why the text KEY is not one OpenSSH public key line (TYPE BASE64
[COMMENT]) of a type a CA may have, or #f."
  (let* ((words (string-tokenize key))
         (type (and (pair? words) (car words)))
         (n (and type (string-length type)))
         ;; the blob starts with the type: a 4-byte length, then its name
         (head (and (pair? words) (pair? (cdr words))
                    (base64-prefix (cadr words) (+ 4 n)))))
    (cond ((string-index key #\newline) "it is more than one line")
          ((not type) "it is empty")
          ((string-contains type "-cert-v01@")
           "it is a certificate, not the CA's public key (the .pub of ssh-keygen -f CA)")
          ((string=? type "ssh-dss") "OpenSSH no longer takes DSA keys")
          ((not (member type key-types))
           (format #f "~s is no OpenSSH key type (~a)" type (string-join key-types ", ")))
          ((not head) "its key is not base64 (is it cut short?)")
          ((not (equal? head (append (list (ash n -24) (logand (ash n -16) 255)
                                           (logand (ash n -8) 255) (logand n 255))
                                     (map char->integer (string->list type)))))
           (format #f "its key is not an ~a key" type))
          (else #f))))

(define (public-key-file file)
  "The public key in FILE (e.g. \"ca.pub\"; relative to the script's
directory), one line of text: an OpenSSH public key of any type a CA
may have (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, the sk-
types of security keys)."
  (let ((path (if (or (absolute-file-name? file) (not (current-script-directory)))
                  file
                  (string-append (current-script-directory) "/" file))))
    (unless (file-exists? path)
      (throw 'misc-error 'public-key-file
             "no public key ~a: make a CA with ssh-keygen -t ed25519 -N '' -f ~a"
             (list path (if (string-suffix? ".pub" path)
                            (substring path 0 (- (string-length path) 4))
                            path))
             #f))
    (let* ((key (string-trim-both (call-with-input-file path get-string-all)))
           (problem (key-problem key)))
      (when problem
        (throw 'misc-error 'public-key-file "~a is not an OpenSSH public key: ~a"
               (list path problem) #f))
      key)))

(define (alist-text config)
  (string-concatenate
   (map (lambda (kv)
          (unless (and (pair? kv) (string? (car kv)) (string? (cdr kv))
                       (not (string-index (cdr kv) #\newline)))
            (throw 'misc-error 'sshd-service "config: ~s is not (KEYWORD . VALUE), two strings"
                   (list kv) #f))
          (string-append (car kv) " " (cdr kv) "\n"))
        config)))

(define (word->string w)
  (cond ((string? w) w)
        ((symbol? w) (symbol->string w))
        ((number? w) (number->string w))
        (else #f)))

(define (config-line line)
  "A line of sshd's configuration, (KEYWORD VALUE...) of symbols,
strings or numbers, a pair (KEYWORD . VALUE) or the text of the line, as
(KEYWORD . VALUE), two strings; a recipe error otherwise."
  (let* ((words (cond ((string? line) (string-tokenize line))
                      ((list? line) (map word->string line))
                      ((pair? line) (list (word->string (car line)) (word->string (cdr line))))
                      (else '(#f))))
         (ok (and (pair? words) (pair? (cdr words)) (every identity words)
                  (string-every char-set:letter (car words))
                  (not (any (lambda (w) (string-index w #\newline)) words)))))
    (unless ok
      (throw 'misc-error 'sshd
             "~s is not a line of sshd_config: (KEYWORD VALUE...), of symbols or strings"
             (list line) #f))
    (cons (car words) (string-join (cdr words) " "))))

(define (keyword=? a b) (string-ci=? (car a) (car b)))

(define (sshd-config lines)
  "The configuration of (sshd LINES): sshd-safe-config, then LINES up to
their first Match block, then the defaults they do not set, then their
Match blocks."
  (let* ((lines (map config-line lines))
         (global (take-while (lambda (kv) (not (string-ci=? (car kv) "Match"))) lines))
         (blocks (drop lines (length global))))
    (for-each
     (lambda (kv)
       (let ((safe (find (lambda (s) (keyword=? s kv)) sshd-safe-config)))
         (when (and safe (not (string=? (cdr safe) (cdr kv))))
           (throw 'misc-error 'sshd
                  "the line ~a ~a would change what keeps sshd safe (~a ~a, which every sshd of (sshd LINES) has); to write the whole sshd_config yourself, use sshd-service config:"
                  (list (car kv) (cdr kv) (car safe) (cdr safe)) #f))
         (when (string-ci=? (car kv) "UsePrivilegeSeparation")
           (throw 'misc-error 'sshd
                  "UsePrivilegeSeparation is always on in OpenSSH and cannot be set" '() #f))))
     lines)
    (append sshd-safe-config
            (remove (lambda (kv) (find (lambda (s) (keyword=? s kv)) sshd-safe-config))
                    global)
            (remove (lambda (d) (or (find (lambda (s) (keyword=? s d)) sshd-safe-config)
                                    (string-ci=? (car d) "TrustedUserCAKeys")
                                    (find (lambda (kv) (keyword=? kv d)) global)))
                    default-sshd-config)
            blocks)))

(define (sshd-of config inputs)
  "The service sshd with CONFIG (an alist of keywords and values) and
INPUTS besides OpenSSH and its sshd_config."
  (make-service
   name: "sshd"
   inputs: (cons* openssh
                  (interned "/etc/ssh/sshd_config" #o644 (alist-text config))
                  inputs)
   users: (list (make-user name: "sshd" uid: 22 home: "/var/empty"))
   after: (list var-mount sshd-host-key)
   spec: (longrun* run: "#!/bin/sh
exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
")))

(define* (sshd-service #:key (config default-sshd-config) (ca-keys '()))
  "sshd with CONFIG (an alist of sshd_config keywords and values),
trusting user certificates signed by CA-KEYS (public keys, one line of
text each, e.g. the contents of ca.pub)."
  (unless (and (list? ca-keys) (every string? ca-keys))
    (throw 'misc-error 'sshd-service "ca-keys: ~s must be a list of public keys (strings)"
           (list ca-keys) #f))
  (sshd-of config
           (list (interned "/etc/ssh/trusted_user_ca_keys" #o644
                           (string-concatenate
                            (map (lambda (k) (string-append (string-trim-both k) "\n"))
                                 ca-keys))))))

(define sshd-host-key
  ;; A oneshot before sshd, so that sshd is up as soon as it runs: making
  ;; the key takes a moment under emulation.  The key is made under
  ;; another name, synced, then renamed: a machine that loses power (or is
  ;; stopped at a boot's marker) just after it was made would otherwise
  ;; keep an empty key file, on which ssh-keygen asks whether to overwrite
  ;; and sshd never starts again.  A key file that holds no key, from
  ;; such a loss before this was so, is replaced, and the console says so.
  (make-service
   name: "sshd-host-key"
   inputs: (list openssh)
   after: (list var-mount)
   spec: (oneshot* up: "#!/bin/sh
k=/var/lib/sshd/ssh_host_ed25519_key
mkdir -p /var/lib/sshd
! ssh-keygen -y -f $k > /dev/null 2>&1 || exit 0
[ ! -e $k ] ||
	echo \"sshd-host-key: $k holds no key (power lost as it was written?): a new one is made\" > /dev/console
rm -f $k.new $k.new.pub
ssh-keygen -q -t ed25519 -N '' -C \"$(hostname)\" -f $k.new &&
	sync &&
	mv -f $k.new.pub $k.pub &&
	mv -f $k.new $k &&
	sync
")))

(define* (sshd #:optional (lines '()))
  "(sshd LINES): sshd with LINES, lines of sshd_config such as
'((TrustedUserCAKeys /etc/ssh/ca.pub)), added to sshd-safe-config and to
the defaults of default-sshd-config they do not set; bare in services:,
(sshd-service)."
  (unless (list? lines)
    (throw 'misc-error 'sshd "~s is not a list of sshd_config lines" (list lines) #f))
  (sshd-of (sshd-config lines) '()))

(service-procedure sshd (sshd-service))
