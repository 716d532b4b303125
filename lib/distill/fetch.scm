;;; (distill fetch): downloads, and where sources are fetched from.
;;;
;;;   fetch URL DST            the file at URL into DST on this machine, by
;;;                            wget(1) or curl(1) found on $PATH, as
;;;                            upstream's did; unpinned, so for a script's
;;;                            own use: the sources recipes name are pinned
;;;                            and fetched by distill itself
;;;   user-fetch-hook          the parameter (distill plan) calls for each
;;;                            source it fetches: (HOOK URL PIN) gives a URL
;;;                            or file name, a list of them, or #f; they are
;;;                            tried after $DISTILL_MIRRORS and before URL,
;;;                            and what arrives must still match PIN.  It is
;;;                            (distill plan)'s fetch-hook, under upstream's
;;;                            name; #f (the default) adds nothing
;;;   symlink-from-directory   a hook serving sources from a directory:
;;;                            the file named by the pin or by the URL's last
;;;                            component.  Upstream symlinked the file into
;;;                            its store; here its content is copied in
;;;                            (checked against the pin), so the store never
;;;                            points outside itself.
;;;
;;; The "sources in the current directory" workflow:
;;;   (user-fetch-hook (symlink-from-directory "."))
;;; in a script, or DISTILL_MIRRORS=. in the environment (a mirror
;;; directory may be relative to the current directory).
(define-module (distill fetch)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill filepath)
  #:re-export ((fetch-hook . user-fetch-hook))
  #:export (fetch symlink-from-directory))

(define (fetch url dst)
  "Download URL into the file DST with wget or curl (whichever $PATH has;
wget first, as upstream).  #t when it worked, #f when the download failed;
an error when neither program is there or DST is \"-\" (standard output)."
  (unless (and (string? url) (string? dst))
    (recipe-error 'fetch "URL and DST must be strings, not ~s and ~s" (list url dst)))
  (when (string=? dst "-")
    (recipe-error 'fetch "refusing to fetch ~a to standard output (\"-\")" (list url)))
  (let ((wget (pathfind "wget")) (curl (pathfind "curl")))
    (cond (wget (zero? (status:exit-val (system* wget "-q" "-O" dst url))))
          (curl (zero? (status:exit-val (system* curl "-fsSL" "-o" dst url))))
          (else (recipe-error 'fetch "neither wget(1) nor curl(1) is on $PATH: install one to fetch ~a"
                              (list url))))))

(define (symlink-from-directory dir)
  "A user-fetch-hook that looks for each source in DIR (relative to the
current directory when the hook is made): the file named by its pin, then
the file named by the last component of its URL."
  (unless (string? dir)
    (recipe-error 'symlink-from-directory "DIR must be a directory name, not ~s" (list dir)))
  (let ((dir (abspath dir)))
    (lambda (url pin)
      (let ((base (and url (basename url))))
        (cons (filepath-join dir pin)
              (if (and base (positive? (string-length base)))
                  (list (filepath-join dir base))
                  '()))))))
