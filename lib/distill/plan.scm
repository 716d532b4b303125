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
;;;
;;; Plans without building: plan->encoding is the byte string of a plan's
;;; canonical encoding (docs/formats.md, "Plan encoding, version 1") and
;;; plan-encoding-hash its hash, as soon as every input is an artifact (a
;;; sha256-pinned source once its content is in the store) or a plan built
;;; by this process; load-plan reads an encoding back from the store.  The
;;; encoding, its decoder, the pin syntax and the rule for what a built plan
;;; is as an input are C's alone (src/plan.c, src/hash.c): this module asks
;;; (distill core) for them, handing plans over as vectors whose fields
;;; (%plan/name, %input/kind, %result/state...) C names.
;;;
;;; Upstream distill's plan helpers, on this model: artifact-format is
;;; #(file PATH MODE), #(dir PATH MODE), #(symlink PATH TARGET),
;;; #(archive PATH) (upstream had the compression in place of the path:
;;; here the format is found from the content, and an archive has a place)
;;; or #(tree PATH); artifact-extra is (remote . URL) for a remote file, the
;;; URL for a remote archive, else #f (interned contents are in the store,
;;; not in the value); live-artifact-hashes is the content a set of plans
;;; needs (what `distill gc` keeps for them is decided from its roots).
;;; (distill text)'s lines, map-lines, join-with and tabular are here too,
;;; as upstream's guide uses them with interned.
(define-module (distill plan)
  #:use-module (distill core)
  #:use-module (distill check)
  #:use-module (distill text)
  #:use-module (rnrs bytevectors)
  #:use-module (ice-9 binary-ports)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:use-module (ice-9 match)
  #:export (artifact? artifact-kind artifact-path artifact-mode
            artifact-target artifact-hash
            artifact-source artifact-pin artifact-contents artifact-origin
            interned interned-symlink interned-dir local-file local-archive
            remote-file remote-archive fetch-hook plan-sources fetch-sources!
            plan-closure plan-local-blobs
            make-input input? input-basedir input-link
            make-plan plan? plan-name plan-inputs plan-raw-output
            plan-timeout plan-output-hash plan-license
            build-plan! build-plans! plan-hash plan-outputs plan-output-path
            plan-output-kind
            plan-built? plan-state current-script-directory
            artifact-format artifact-extra update-path short-hash
            plan->encoding plan-encoding-hash load-plan
            for-each-anchor live-artifact-hashes plan-dir)
  ;; The text helpers, for the contents of interned files: upstream's
  ;; guide writes (interned PATH MODE (lines ...)) importing (distill plan).
  #:re-export (lines map-lines join-with tabular))

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
  (pin artifact-pin)            ; its pin as written: BLAKE2b or sha256:<hex>
  ;; interned contents (a bytevector) not yet put in the store: that is
  ;; done when a plan using them is built, so evaluating costs no writes
  (contents artifact-contents set-artifact-contents!)
  ;; the host file a local-file or local-archive was copied from, or #f:
  ;; for what a plan is made of (distill sbom), no part of any hash
  (origin artifact-origin set-artifact-origin!))

(define (from-host a file)
  (set-artifact-origin! a file)
  a)

(define (%artifact kind path mode target hash)
  (%make-artifact kind path mode target hash #f #f))

(define-record-type <input>
  (%input basedir link)
  input?
  (basedir input-basedir)
  (link input-link))

(define-record-type <plan>
  (%plan name inputs raw timeout expect license result)
  plan?
  (name plan-name)
  (inputs plan-inputs)
  (raw plan-raw-output)
  (timeout plan-timeout)
  (expect plan-output-hash)
  ;; an SPDX licence expression, or #f: a fact about what the plan builds,
  ;; for `distill sbom`, not part of the plan (nor of its hash)
  (license plan-license)
  (result plan-result set-plan-result!))  ; %build's result vector, or #f

(define current-script-directory
  ;; Relative host paths in local-file and local-archive are taken from here:
  ;; the directory of the script being evaluated.
  (make-parameter #f))

(define (host-path file)
  (if (or (absolute-file-name? file) (not (current-script-directory)))
      file
      (string-append (current-script-directory) "/" file)))

(define (->bytevector who x)
  (cond ((bytevector? x) x)
        ((string? x) (string->utf8 x))
        ((procedure? x)               ; a thunk writing the contents
         (string->utf8 (with-output-to-string x)))
        (else (recipe-error who "contents must be a string, a bytevector or a thunk, not ~s"
                            (list x)))))

(define (interned path mode contents)
  "A file at PATH with MODE whose contents are a string, a bytevector, or a
thunk whose output to the current output port is the contents, as in
upstream distill.  They are put in the store when a plan using the file is
built."
  (set! path (check-path 'interned path))
  (unless (and (integer? mode) (<= 0 mode #o7777))
    (recipe-error 'interned "mode ~s is not a file mode" (list mode)))
  (let* ((bv (->bytevector 'interned contents))
         (a (%artifact 'file path mode #f (%hash-bytes bv))))
    (set-artifact-contents! a bv)
    a))

(define (interned-symlink path target)
  "A symbolic link at PATH pointing to TARGET."
  (set! path (check-path 'interned-symlink path))
  (%artifact 'symlink path 0 target #f))

(define (interned-dir path mode)
  "An empty directory at PATH with MODE."
  (set! path (check-path 'interned-dir path))
  (%artifact 'dir path mode #f #f))

(define* (local-file file #:optional (path (string-append "/" (basename file)))
                     (mode (if (access? file X_OK) #o755 #o644)))
  "The host file FILE (relative to the script's directory), copied into the
store now, placed at PATH."
  (set! path (check-path 'local-file path))
  (set! file (host-path file))
  (unless (file-exists? file)
    (recipe-error 'local-file "no such file: ~a" (list file)))
  (from-host (%artifact 'file path mode #f (%intern-file file)) file))

(define* (local-archive file #:optional (path "/"))
  "The host archive FILE (a tar in any compression, or a .deb; relative to
the script's directory), copied into the store now and unpacked at PATH when
a plan uses it."
  (set! path (check-path 'local-archive path))
  (set! file (host-path file))
  (unless (file-exists? file)
    (recipe-error 'local-archive "no such file: ~a" (list file)))
  (from-host (%artifact 'archive path 0 #f (%intern-file file)) file))

(define (parse-pin who pin)
  "Check PIN's form (check-pin).  Returns the BLAKE2b hash it gives, or #f
for a sha256 pin (known once the content is fetched)."
  (and (eq? (check-pin who pin) 'blake2b) pin))

(define (remote-file url pin path mode)
  "The file at URL, whose content must match PIN, placed at PATH with MODE.
It is fetched (mirrors first) when a plan that needs it is built."
  (set! path (check-path 'remote-file path))
  (%make-artifact 'file path mode #f (parse-pin 'remote-file pin) url pin))

(define* (remote-archive url pin #:key kind (path "/"))
  "The archive at URL (a tar in any compression, or a .deb), whose bytes must
match PIN, unpacked at PATH when a plan uses it.  KIND is accepted for
upstream compatibility; the format is detected from the content."
  (set! path (check-path 'remote-archive path))
  (%make-artifact 'archive path 0 #f (parse-pin 'remote-archive pin) url pin))

(define fetch-hook
  ;; #f, or a procedure (URL PIN) -> the URLs or file names to try before
  ;; URL itself (after the mirrors of $DISTILL_MIRRORS), e.g. to use a
  ;; company cache: a list of them, one, or #f for none.  (distill fetch)
  ;; gives it under upstream's name, user-fetch-hook.
  (make-parameter #f))

(define (hook-candidates url pin)
  "What fetch-hook gives for URL and PIN, as a list of strings."
  (let* ((hook (fetch-hook))
         (got (if hook (hook url pin) '()))
         (got (cond ((not got) '()) ((string? got) (list got)) (else got))))
    (unless (and (list? got) (every string? got))
      (recipe-error 'fetch-hook "the hook gave ~s for ~a: a URL or file name, a list of them, or #f"
                    (list got url)))
    got))

(define (plan-all-sources plans)
  "Every remote artifact PLANS need (several may share a pin)."
  (let ((out '()))
    (for-each
     (lambda (p)
       (for-each (lambda (i)
                   (let ((l (input-link (input-of i))))
                     (when (and (artifact? l) (artifact-source l))
                       (set! out (cons l out)))))
                 (plan-inputs p)))
     (collect plans))
    (reverse out)))

(define (plan-sources plans)
  "The remote artifacts PLANS need, one per pin, in a stable order."
  (let ((seen (make-hash-table)))
    (filter (lambda (a)
              (and (not (hash-ref seen (artifact-pin a)))
                   (hash-set! seen (artifact-pin a) #t)))
            (plan-all-sources plans))))

(define (fetch-sources! plans)
  "Make sure every remote artifact PLANS need is in the store, fetching what
is missing, several at once; a sha256-pinned artifact learns its BLAKE2b
hash here (and that stronger pin is used from then on), as do all
artifacts with its pin."
  (let ((missing (filter (lambda (a) (not (%have-source? (or (artifact-hash a) (artifact-pin a)))))
                         (plan-sources plans))))
    (when (and (pair? missing) (pair? (cdr missing)))
      (%fetch-all (map (lambda (a)
                         (list (artifact-source a) (or (artifact-hash a) (artifact-pin a))
                               (hook-candidates (artifact-source a) (artifact-pin a))))
                       missing))))
  (let ((known (make-hash-table)))
    (for-each
     (lambda (a)
       (let* ((pin (or (artifact-hash a) (artifact-pin a)))
              (h (or (hash-ref known (artifact-pin a))
                     (%have-source? pin)
                     (%fetch (artifact-source a) pin
                             (hook-candidates (artifact-source a) (artifact-pin a))))))
         (hash-set! known (artifact-pin a) h)
         (set-artifact-hash! a h)))
     (plan-all-sources plans))))

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
  (set! basedir (check-path 'make-input basedir))
  (unless (or (artifact? link) (plan? link))
    (recipe-error 'make-input "link: must be an artifact or a plan, not ~s"
                  (list link)))
  (%input basedir link))

(define* (make-plan #:key name inputs raw-output (timeout 0) output-hash license)
  "A plan NAME whose INPUTS (artifacts, plans, or make-input values) make up
its root file system; one must be the executable /build.  RAW-OUTPUT, a
path under /out, makes the output that one file as it is.  TIMEOUT is in
seconds (0: none).  OUTPUT-HASH pins the expected output.  LICENSE, an
SPDX licence expression (a string), says under which licence what it
builds is (distill sbom); it is no part of the plan's hash."
  (unless (string? name)
    (recipe-error 'make-plan "name: must be a string, not ~s" (list name)))
  (unless (list? inputs)
    (recipe-error 'make-plan "inputs: must be a list, not ~s" (list inputs)))
  (for-each (lambda (i)
              (unless (or (artifact? i) (plan? i) (input? i))
                (recipe-error 'make-plan "plan ~a: input ~s is not an artifact, a plan or an input"
                              (list name i))))
            inputs)
  (when raw-output (set! raw-output (check-path 'make-plan raw-output)))
  (unless (or (not license) (and (string? license) (not (string-null? license))))
    (recipe-error 'make-plan "plan ~a: license: must be an SPDX licence expression (a string), not ~s"
                  (list name license)))
  (%plan name inputs raw-output timeout output-hash license #f))

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

(define (fields size . index+value)
  "A vector of SIZE fields, #f but those given as INDEX VALUE ..."
  (let ((v (make-vector size #f)))
    (let loop ((l index+value))
      (unless (null? l)
        (vector-set! v (car l) (cadr l))
        (loop (cddr l))))
    v))

(define (plan-vector p dep-index)
  "The vector form of plan P that %build and %plan-encoding read; a plan
input's dep field is (DEP-INDEX plan)."
  (fields %plan/fields
          %plan/name (plan-name p) %plan/raw (plan-raw-output p)
          %plan/timeout (plan-timeout p) %plan/expect (plan-output-hash p)
          %plan/inputs
          (map (lambda (i)
                 (let* ((in (input-of i)) (l (input-link in)))
                   (if (plan? l)
                       (fields %input/fields %input/basedir (input-basedir in)
                               %input/kind 'plan %input/path "/" %input/mode 0
                               %input/dep (dep-index l))
                       (fields %input/fields %input/basedir (input-basedir in)
                               %input/kind (artifact-kind l) %input/path (artifact-path l)
                               %input/mode (artifact-mode l)
                               %input/target (artifact-target l)
                               %input/hash (artifact-blob l)))))
               (plan-inputs p))))

(define (intern-contents! plans)
  "Put the interned contents of PLANS' inputs in the store."
  (for-each
   (lambda (p)
     (for-each (lambda (i)
                 (let ((l (input-link (input-of i))))
                   (when (and (artifact? l) (artifact-contents l))
                     (%intern-bytes (artifact-contents l)))))
               (plan-inputs p)))
   plans))

(define (list-missing-sources plans)
  "Print \"would fetch URL (PIN)\" for each source PLANS need that the
store lacks."
  (for-each (lambda (a)
              (unless (%have-source? (or (artifact-hash a) (artifact-pin a)))
                (format #t "would fetch ~a (~a)~%" (artifact-source a) (artifact-pin a))))
            (plan-sources plans)))

(define (build-plans! plans)
  "Build PLANS and everything they need through the scheduler.  Raises
distill-build-failed when a plan of PLANS could not be built, once each
plan of PLANS that was has had its \"<output-hash> <store path>\" line
printed.  In a dry run (-n) nothing is fetched, interned or built: the
sources the store lacks are listed, then the plans that would be built."
  (if (%dry-run?)
      (begin
        (list-missing-sources plans)
        ;; distill why diffs the texts against the last build's
        (when (%dry-run-interns?)
          (intern-contents! (collect plans))))
      (begin
        (intern-contents! (collect plans))
        (fetch-sources! plans)))
  (let* ((all (collect plans))
         (index (make-hash-table)))
    (for-each (lambda (p i) (hashq-set! index p i)) all (iota (length all)))
    (let ((res (%build (list->vector
                        (map (lambda (p) (plan-vector p (lambda (l) (hashq-ref index l))))
                             all))
                       (map (lambda (p) (hashq-ref index p)) plans))))
      (for-each (lambda (p i) (set-plan-result! p (vector-ref res i)))
                all (iota (length all)))
      (unless (or (%dry-run?) (every plan-built? plans))
        ;; -k: what was built is still found (--json: in the document)
        (unless (%json?)
          (for-each (lambda (p)
                      (format #t "~a ~a~%" (plan-outputs p) (plan-output-path p)))
                    (filter plan-built? plans)))
        (throw 'distill-build-failed
               (map plan-name (remove plan-built? plans))))
      plans)))

(define (build-plan! p)
  "Build plan P (see build-plans!) and return its output hash."
  (build-plans! (list p))
  (plan-outputs p))

(define (plan-state p)
  "What this process's build did of P: 'built, 'cached (found in the
store), 'failed or 'skipped (an input failed); #f before a build."
  (let ((r (plan-result p)))
    (and r (case (vector-ref r %result/state)
             ((done) (if (vector-ref r %result/built) 'built 'cached))
             ((failed) 'failed)
             ((skipped) 'skipped)
             (else #f)))))

(define (plan-built? p)
  "Has P been built (or found in the store) by this process?"
  (and (plan-result p) (eq? (vector-ref (plan-result p) %result/state) 'done)))

(define (plan-hash p)
  "The hash of P's canonical encoding, once P's inputs are known; else #f."
  (and (plan-result p) (vector-ref (plan-result p) %result/hash)))

(define (plan-outputs p)
  "The hash of P's output (a tree, or the raw file), once built; else #f."
  (and (plan-built? p) (vector-ref (plan-result p) %result/out)))

(define (plan-output-kind p)
  "The kind of P's output, once built: tree, or file (a raw output)."
  (vector-ref (plan-result p) %result/kind))

(define (plan-output-path p)
  "Where P's output is in the store, once built; else #f."
  (and (plan-built? p)
       (%store-path (plan-output-kind p) (plan-outputs p))))

(define (artifact-format a)
  "Where and what A is, as upstream distill's vectors: #(file PATH MODE),
#(dir PATH MODE), #(symlink PATH TARGET), #(archive PATH), #(tree PATH)."
  (case (artifact-kind a)
    ((file dir) (vector (artifact-kind a) (artifact-path a) (artifact-mode a)))
    ((symlink) (vector 'symlink (artifact-path a) (artifact-target a)))
    (else (vector (artifact-kind a) (artifact-path a)))))

(define (artifact-extra a)
  "Where A's content comes from: (remote . URL) for a remote file, the URL
for a remote archive, else #f."
  (and (artifact-source a)
       (if (eq? (artifact-kind a) 'file)
           (cons 'remote (artifact-source a))
           (artifact-source a))))

(define (update-path a path)
  "A copy of artifact A placed at PATH instead; #f when A is not an
artifact (so (or (update-path x p) ...) tries something else)."
  (and (artifact? a)
       (begin
         (set! path (check-path 'update-path path))
         (let ((b (%make-artifact (artifact-kind a) path (artifact-mode a)
                                  (artifact-target a) (artifact-hash a)
                                  (artifact-source a) (artifact-pin a))))
           (set-artifact-contents! b (artifact-contents a))
           b))))

(define (plan-dir)
  "The directory plans are kept in: the store's rec/plan/, where each
plan's encoding is a file named by its hash (what load-plan reads).
Upstream's was a parameter naming a directory; here the store decides."
  (string-append (dirname (dirname (%store-path 'blob (string-append (make-string 43 #\A) "="))))
                 "/rec/plan"))

(define (short-hash h)
  "The first 6 characters of hash H, for people."
  (unless (and (string? h) (> (string-length h) 6))
    (recipe-error 'short-hash "~s is not a hash" (list h)))
  (substring h 0 6))

(define (artifact-blob a)
  "The BLAKE2b hash of A's content, or #f while it is unknown (a
sha256-pinned source not in the store yet)."
  (or (artifact-hash a)
      (and (artifact-pin a) (%have-source? (artifact-pin a)))))

(define (plan->encoding p)
  "The canonical encoding of plan P (a bytevector), with its plan inputs
replaced by their outputs and its input lines sorted bytewise without
duplicates; #f while an input's content is unknown (a plan not built yet)."
  (let ((deps (delete-duplicates
               (filter-map (lambda (i) (let ((l (input-link (input-of i))))
                                         (and (plan? l) l)))
                           (plan-inputs p))
               eq?)))
    (%plan-encoding
     (plan-vector p (lambda (d) (list-index (lambda (x) (eq? x d)) deps)))
     (list->vector
      (map (lambda (d)
             (and (plan-built? d)
                  (fields %output/fields %output/kind (plan-output-kind d)
                          %output/hash (plan-outputs d) %output/raw (plan-raw-output d))))
           deps)))))

(define (plan-encoding-hash p)
  "The hash of (plan->encoding P): P's plan hash, computed without
building; #f while an input's content is unknown."
  (let ((e (plan->encoding p)))
    (and e (%hash-bytes e))))

(define (vector->plan v)
  "The plan of a plan vector of %decode-plan: every input an artifact."
  (make-plan
   #:name (vector-ref v %plan/name)
   #:raw-output (vector-ref v %plan/raw)
   #:inputs (map (lambda (x)
                   (%input (vector-ref x %input/basedir)
                           (%artifact (vector-ref x %input/kind) (vector-ref x %input/path)
                                      (vector-ref x %input/mode) (vector-ref x %input/target)
                                      (vector-ref x %input/hash))))
                 (vector-ref v %plan/inputs))))

(define (load-plan hash)
  "The plan whose hash is HASH, read back from the store's rec/plan/
(where every plan built is recorded): its inputs are the artifacts, and
the outputs of its dependencies, it was hashed with."
  (unless (hash-string? hash)
    (recipe-error 'load-plan "~s is not a plan hash" (list hash)))
  (let* ((store (dirname (dirname (%store-path 'blob hash))))
         (file (string-append store "/rec/plan/" hash)))
    (unless (file-exists? file)
      (recipe-error 'load-plan "plan ~a is not in the store (~a)" (list hash file)))
    (vector->plan (%decode-plan 'load-plan (call-with-input-file file get-bytevector-all
                                             #:binary #t)))))

(define (for-each-anchor proc items)
  "Call PROC once on each artifact (leaf of the graph) that ITEMS (plans,
artifacts and inputs) reach, following plan inputs recursively."
  (let ((arts (make-hash-table)) (plans (make-hash-table)))
    (let walk-all ((xs items))
      (for-each
       (lambda (x)
         (cond
          ((input? x) (walk-all (list (input-link x))))
          ((plan? x)
           (unless (hashq-ref plans x)
             (hashq-set! plans x #t)
             (walk-all (plan-inputs x))))
          ((artifact? x)
           (let ((key (list (artifact-kind x) (artifact-path x) (artifact-mode x)
                            (artifact-target x) (artifact-hash x) (artifact-pin x))))
             (unless (hash-ref arts key)
               (hash-set! arts key #t)
               (proc x))))
          (else (recipe-error 'for-each-anchor "~s is not a plan, an artifact or an input"
                              (list x)))))
       xs))))

(define (live-artifact-hashes items)
  "A hash table whose keys are the hashes of the content ITEMS (plans,
artifacts, inputs) need: the blobs and trees of every artifact they reach
(the pin of a sha256-pinned source not fetched yet) and the output of
every plan among them built by this process."
  (let ((live (make-hash-table)))
    (for-each-anchor
     (lambda (a)
       (let ((h (or (artifact-hash a) (artifact-pin a))))
         (when h (hash-set! live h #t))))
     items)
    (for-each (lambda (p) (when (plan-outputs p) (hash-set! live (plan-outputs p) #t)))
              (collect (filter plan? (map (lambda (x) (if (input? x) (input-link x) x))
                                          items))))
    live))
