;;; sshd: OpenSSH's server.  default-sshd-config lets in only holders of
;;; keys certified by one of the CA keys given to sshd-service (its
;;; TrustedUserCAKeys, principals matched against the user name): no
;;; passwords, no authorized_keys files.  The host key is made on the
;;; first boot under /var/lib/sshd (the root file system is read-only and
;;; the same for every machine, so it holds no host key), and kept there,
;;; by the oneshot sshd-host-key that sshd starts after.
(define-module (svc sshd)
  #:use-module (distill plan)
  #:use-module (distill service)
  #:use-module (pkg openssh)
  #:use-module (svc var-mount)
  #:use-module (srfi srfi-1)
  #:use-module (ice-9 textual-ports)
  #:export (default-sshd-config sshd-service sshd public-key-file))

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

(define (public-key-file file)
  "The public key in FILE (e.g. \"ca.pub\"; relative to the script's
directory), one line of text."
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
    (let ((key (string-trim-both (call-with-input-file path get-string-all))))
      (unless (and (string-prefix? "ssh-" key) (not (string-index key #\newline)))
        (throw 'misc-error 'public-key-file "~a is not one OpenSSH public key line" (list path) #f))
      key)))

(define (config-text config)
  (string-concatenate
   (map (lambda (kv)
          (unless (and (pair? kv) (string? (car kv)) (string? (cdr kv))
                       (not (string-index (cdr kv) #\newline)))
            (throw 'misc-error 'sshd-service "config: ~s is not (KEYWORD . VALUE), two strings"
                   (list kv) #f))
          (string-append (car kv) " " (cdr kv) "\n"))
        config)))

(define* (sshd-service #:key (config default-sshd-config) (ca-keys '()))
  "sshd with CONFIG (an alist of sshd_config keywords and values),
trusting user certificates signed by CA-KEYS (public keys, one line of
text each, e.g. the contents of ca.pub)."
  (unless (and (list? ca-keys) (every string? ca-keys))
    (throw 'misc-error 'sshd-service "ca-keys: ~s must be a list of public keys (strings)"
           (list ca-keys) #f))
  (make-service
   name: "sshd"
   inputs: (list openssh
                 (interned "/etc/ssh/sshd_config" #o644 (config-text config))
                 (interned "/etc/ssh/trusted_user_ca_keys" #o644
                           (string-concatenate
                            (map (lambda (k) (string-append (string-trim-both k) "\n"))
                                 ca-keys))))
   users: (list (make-user name: "sshd" uid: 22 home: "/var/empty"))
   after: (list var-mount sshd-host-key)
   spec: (longrun* run: "#!/bin/sh
exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
")))

(define sshd-host-key
  ;; A oneshot before sshd, so that sshd is up as soon as it runs: making
  ;; the key takes a moment under emulation.
  (make-service
   name: "sshd-host-key"
   inputs: (list openssh)
   after: (list var-mount)
   spec: (oneshot* up: "#!/bin/sh
k=/var/lib/sshd/ssh_host_ed25519_key
mkdir -p /var/lib/sshd
[ -s $k ] || ssh-keygen -q -t ed25519 -N '' -C \"$(hostname)\" -f $k
")))

(define sshd (sshd-service))
