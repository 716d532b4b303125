;;; (distill plan): artifacts and plans, the values recipes are made of.
;;;
;;; An artifact is content plus where it goes: a file (path, mode, content
;;; interned in the store), a directory, a symlink, an archive unpacked at
;;; a place, or a plan's output.  A plan is a name and a list of inputs,
;;; one of which is the executable /build; building it runs /build in the
;;; sandbox and captures /out.  Plans are plain values: nothing is built
;;; until build-plan! or build-plans! hands the whole graph to distill's
;;; scheduler (src/sched.c), which builds what is not in the store yet, in
;;; parallel, and records the outputs.
(define-module (distill plan)
  #:use-module (distill core)
  #:use-module (rnrs bytevectors)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:use-module (ice-9 match)
  #:export (artifact? artifact-kind artifact-path artifact-mode
            artifact-target artifact-hash
            artifact-source artifact-pin
            interned interned-symlink interned-dir local-file local-archive
            remote-file remote-archive fetch-hook plan-sources fetch-sources!
            plan-closure plan-local-blobs
            make-input input? input-basedir input-link
            make-plan plan? plan-name plan-inputs plan-raw-output
            plan-timeout plan-output-hash
            build-plan! build-plans! plan-hash plan-outputs plan-output-path
            plan-built? current-script-directory))

(define-record-type <artifact>
  (%make-artifact kind path mode target hash source pin)
  artifact?
  (kind artifact-kind)          ; file dir symlink archive tree
  (path artifact-path)          ; absolute
  (mode artifact-mode)          ; integer, for files and dirs
  (target artifact-target)      ; symlinks
  (hash artifact-hash set-artifact-hash!) ; BLAKE2b-256 of the content, or
                                ; #f for a sha256-pinned source not fetched yet
  (source artifact-source)      ; the URL of a remote artifact, or #f
  (pin artifact-pin))           ; its pin as written: BLAKE2b or sha256:<hex>

(define (%artifact kind path mode target hash)
  (%make-artifact kind path mode target hash #f #f))

(define-record-type <input>
  (%input basedir link)
  input?
  (basedir input-basedir)
  (link input-link))

(define-record-type <plan>
  (%plan name inputs raw timeout expect result)
  plan?
  (name plan-name)
  (inputs plan-inputs)
  (raw plan-raw-output)
  (timeout plan-timeout)
  (expect plan-output-hash)
  (result plan-result set-plan-result!))  ; #(hash kind out state) or #f

(define current-script-directory
  ;; Relative host paths in local-file and local-archive are taken from here:
  ;; the directory of the script being evaluated.
  (make-parameter #f))

(define (host-path file)
  (if (or (absolute-file-name? file) (not (current-script-directory)))
      file
      (string-append (current-script-directory) "/" file)))

(define (recipe-error who fmt args)
  (throw 'misc-error who fmt args #f))

(define (check-path who p)
  (unless (and (string? p) (> (string-length p) 0)
               (char=? (string-ref p 0) #\/))
    (recipe-error who "~s is not an absolute path" (list p)))
  p)

(define (->bytevector who x)
  (cond ((bytevector? x) x)
        ((string? x) (string->utf8 x))
        (else (recipe-error who "contents must be a string or a bytevector, not ~s"
                            (list x)))))

(define (interned path mode contents)
  "A file at PATH with MODE whose contents (a string or a bytevector) are
put in the store now."
  (check-path 'interned path)
  (unless (and (integer? mode) (<= 0 mode #o7777))
    (recipe-error 'interned "mode ~s is not a file mode" (list mode)))
  (%artifact 'file path mode #f (%intern-bytes (->bytevector 'interned contents))))

(define (interned-symlink path target)
  "A symbolic link at PATH pointing to TARGET."
  (check-path 'interned-symlink path)
  (%artifact 'symlink path 0 target #f))

(define (interned-dir path mode)
  "An empty directory at PATH with MODE."
  (check-path 'interned-dir path)
  (%artifact 'dir path mode #f #f))

(define* (local-file file #:optional (path (string-append "/" (basename file)))
                     (mode (if (access? file X_OK) #o755 #o644)))
  "The host file FILE (relative to the script's directory), copied into the
store now, placed at PATH."
  (check-path 'local-file path)
  (set! file (host-path file))
  (unless (file-exists? file)
    (recipe-error 'local-file "no such file: ~a" (list file)))
  (%artifact 'file path mode #f (%intern-file file)))

(define* (local-archive file #:optional (path "/"))
  "The host archive FILE (a tar in any compression, or a .deb; relative to
the script's directory), copied into the store now and unpacked at PATH when
a plan uses it."
  (check-path 'local-archive path)
  (set! file (host-path file))
  (unless (file-exists? file)
    (recipe-error 'local-archive "no such file: ~a" (list file)))
  (%artifact 'archive path 0 #f (%intern-file file)))

(define (parse-pin who pin)
  "Check PIN's form: 44 characters of padded base64url (BLAKE2b-256), or
sha256: and 64 hex digits.  Returns the BLAKE2b hash it gives, or #f for a
sha256 pin (known once the content is fetched)."
  (cond
   ((and (string? pin) (= (string-length pin) 44)
         (string-every (lambda (c) (or (char-alphabetic? c) (char-numeric? c)
                                       (memv c '(#\- #\_ #\=))))
                       pin)
         (char=? (string-ref pin 43) #\=)
         (not (string-index (substring pin 0 43) #\=)))
    pin)
   ((and (string? pin) (= (string-length pin) 71) (string-prefix? "sha256:" pin)
         (string-every (lambda (c) (or (char-numeric? c) (memv c (string->list "abcdef"))))
                       (substring pin 7)))
    #f)
   (else
    (recipe-error who "malformed pin ~s: expected 44 characters of base64url with padding (BLAKE2b-256) or sha256:<64 hex digits>"
                  (list pin)))))

(define (remote-file url pin path mode)
  "The file at URL, whose content must match PIN, placed at PATH with MODE.
It is fetched (mirrors first) when a plan that needs it is built."
  (check-path 'remote-file path)
  (%make-artifact 'file path mode #f (parse-pin 'remote-file pin) url pin))

(define* (remote-archive url pin #:key kind (path "/"))
  "The archive at URL (a tar in any compression, or a .deb), whose bytes must
match PIN, unpacked at PATH when a plan uses it.  KIND is accepted for
upstream compatibility; the format is detected from the content."
  (check-path 'remote-archive path)
  (%make-artifact 'archive path 0 #f (parse-pin 'remote-archive pin) url pin))

(define fetch-hook
  ;; A procedure (URL PIN) -> list of URLs to try before URL itself (after
  ;; the mirrors of $DISTILL_MIRRORS), e.g. to use a company cache.
  (make-parameter (lambda (url pin) '())))

(define (plan-sources plans)
  "The remote artifacts PLANS need, each once, in a stable order."
  (let ((seen (make-hash-table)) (out '()))
    (for-each
     (lambda (p)
       (for-each (lambda (i)
                   (let ((l (input-link (input-of i))))
                     (when (and (artifact? l) (artifact-source l)
                                (not (hash-ref seen (artifact-pin l))))
                       (hash-set! seen (artifact-pin l) #t)
                       (set! out (cons l out)))))
                 (plan-inputs p)))
     (collect plans))
    (reverse out)))

(define (fetch-sources! plans)
  "Make sure every remote artifact PLANS need is in the store, fetching what
is missing; a sha256-pinned artifact learns its BLAKE2b hash here (and that
stronger pin is used from then on)."
  (for-each
   (lambda (a)
     (let ((pin (or (artifact-hash a) (artifact-pin a))))
       (set-artifact-hash!
        a (or (%have-source? pin)
              (%fetch (artifact-source a) pin
                      ((fetch-hook) (artifact-source a) (artifact-pin a)))))))
   (plan-sources plans)))

(define (plan-local-blobs plans)
  "Store paths of the content PLANS' local (not remote) artifacts hold."
  (delete-duplicates
   (append-map
    (lambda (p)
      (filter-map (lambda (i)
                    (let ((l (input-link (input-of i))))
                      (and (artifact? l) (not (artifact-source l))
                           (memq (artifact-kind l) '(file archive))
                           (%store-path 'blob (artifact-hash l)))))
                  (plan-inputs p)))
    (collect plans))))

(define (plan-closure plans)
  "PLANS and every plan they need, dependencies first."
  (collect plans))

(define* (make-input #:key (basedir "/") link)
  "LINK (an artifact or a plan) placed under BASEDIR."
  (check-path 'make-input basedir)
  (unless (or (artifact? link) (plan? link))
    (recipe-error 'make-input "link: must be an artifact or a plan, not ~s"
                  (list link)))
  (%input basedir link))

(define* (make-plan #:key name inputs raw-output (timeout 0) output-hash)
  "A plan NAME whose INPUTS (artifacts, plans, or make-input values) make up
its root file system; one must be the executable /build.  RAW-OUTPUT, a
path under /out, makes the output that one file as it is.  TIMEOUT is in
seconds (0: none).  OUTPUT-HASH pins the expected output."
  (unless (string? name)
    (recipe-error 'make-plan "name: must be a string, not ~s" (list name)))
  (unless (list? inputs)
    (recipe-error 'make-plan "inputs: must be a list, not ~s" (list inputs)))
  (for-each (lambda (i)
              (unless (or (artifact? i) (plan? i) (input? i))
                (recipe-error 'make-plan "plan ~a: input ~s is not an artifact, a plan or an input"
                              (list name i))))
            inputs)
  (when raw-output (check-path 'make-plan raw-output))
  (%plan name inputs raw-output timeout output-hash #f))

(define (input-of x)
  (if (input? x) x (%input "/" x)))

(define (collect roots)
  "All plans ROOTS reach, dependencies first."
  (let ((seen (make-hash-table)) (order '()))
    (let visit-all ((ps roots))
      (for-each
       (lambda (p)
         (unless (hashq-ref seen p)
           (hashq-set! seen p #t)
           (visit-all (filter-map (lambda (i)
                                    (let ((l (input-link (input-of i))))
                                      (and (plan? l) l)))
                                  (plan-inputs p)))
           (set! order (cons p order))))
       ps))
    (reverse order)))

(define (encode p index)
  "The vector form of plan P that %build reads."
  (vector (plan-name p) (plan-raw-output p) (plan-timeout p) (plan-output-hash p)
          (map (lambda (i)
                 (let* ((in (input-of i)) (l (input-link in)))
                   (if (plan? l)
                       (vector (input-basedir in) 'plan "/" 0 #f #f
                               (hashq-ref index l))
                       (vector (input-basedir in) (artifact-kind l)
                               (artifact-path l) (artifact-mode l)
                               (artifact-target l) (artifact-hash l) #f))))
               (plan-inputs p))))

(define (build-plans! plans)
  "Build PLANS and everything they need through the scheduler.  Raises
distill-build-failed when a plan of PLANS could not be built."
  (fetch-sources! plans)
  (let* ((all (collect plans))
         (index (make-hash-table)))
    (for-each (lambda (p i) (hashq-set! index p i)) all (iota (length all)))
    (let ((res (%build (list->vector (map (lambda (p) (encode p index)) all))
                       (map (lambda (p) (hashq-ref index p)) plans))))
      (for-each (lambda (p i) (set-plan-result! p (vector-ref res i)))
                all (iota (length all)))
      (unless (or (%dry-run?) (every plan-built? plans))
        (throw 'distill-build-failed
               (map plan-name (remove plan-built? plans))))
      plans)))

(define (build-plan! p)
  "Build plan P (see build-plans!) and return its output hash."
  (build-plans! (list p))
  (plan-outputs p))

(define (plan-built? p)
  "Has P been built (or found in the store) by this process?"
  (and (plan-result p) (eq? (vector-ref (plan-result p) 3) 'done)))

(define (plan-hash p)
  "The hash of P's canonical encoding, once P's inputs are known; else #f."
  (and (plan-result p) (vector-ref (plan-result p) 0)))

(define (plan-outputs p)
  "The hash of P's output (a tree, or the raw file), once built; else #f."
  (and (plan-built? p) (vector-ref (plan-result p) 2)))

(define (plan-output-path p)
  "Where P's output is in the store, once built; else #f."
  (and (plan-built? p)
       (%store-path (vector-ref (plan-result p) 1) (plan-outputs p))))
