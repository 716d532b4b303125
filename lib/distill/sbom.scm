;;; (distill sbom): what an image or a package is made of, as an SPDX 2.3
;;; document in JSON (https://spdx.github.io/spdx-spec/v2.3/).
;;;
;;; Every plan the targets need is an SPDX package: its name and version
;;; (split from the plan's name, "hello-2.10"), its licence (the recipe's
;;; license:, else NOASSERTION), and its plan and output hashes as
;;; external references of category OTHER (types distill-plan and
;;; distill-output).  Every source is a package of its own (purpose
;;; SOURCE): a remote one with its URL and its pin as a checksum (SHA256,
;;; or BLAKE2b-256 in hex), an archive from a local file (the seed's
;;; Debian packages) with its name and BLAKE2b hash; the plan is
;;; GENERATED_FROM its sources; a plan DEPENDS_ON the plans
;;; whose outputs are its inputs.  The document names no time but
;;; $SOURCE_DATE_EPOCH (else the epoch) and takes its namespace from the
;;; targets' plan hashes, so the same plans always give the same bytes.
;;;
;;; plans->spdx needs the plans built (their outputs known): distill sbom
;;; builds them first.  write-json writes the JSON values used here:
;;; strings, integers, #t/#f, lists of values (arrays) and vectors of
;;; (key . value) pairs (objects, in their order).
(define-module (distill sbom)
  #:use-module (distill plan)
  #:use-module (srfi srfi-1)
  #:use-module (ice-9 match)
  #:use-module ((ice-9 format) #:select (format))
  #:use-module ((ice-9 textual-ports) #:select (put-char))
  #:export (plans->spdx write-json))

(define (write-string-json s port)
  (put-char port #\")
  (string-for-each
   (lambda (c)
     (case c
       ((#\") (display "\\\"" port))
       ((#\\) (display "\\\\" port))
       ((#\newline) (display "\\n" port))
       ((#\tab) (display "\\t" port))
       (else
        (if (< (char->integer c) #x20)
            (format port "\\u~4,'0x" (char->integer c))
            (put-char port c)))))
   s)
  (put-char port #\"))

(define* (write-json x #:optional (port (current-output-port)) (indent 0))
  "Write the JSON value X to PORT, two spaces an indentation level."
  (define (newline+indent n)
    (newline port)
    (display (make-string (* 2 n) #\space) port))
  (define (items open close xs write-item)
    (display open port)
    (if (null? xs)
        (display close port)
        (begin
          (let loop ((xs xs) (first #t))
            (unless (null? xs)
              (unless first (display "," port))
              (newline+indent (+ indent 1))
              (write-item (car xs))
              (loop (cdr xs) #f)))
          (newline+indent indent)
          (display close port))))
  (cond ((string? x) (write-string-json x port))
        ((and (integer? x) (exact? x)) (display x port))
        ((eq? x #t) (display "true" port))
        ((eq? x #f) (display "false" port))
        ((list? x) (items "[" "]" x (lambda (v) (write-json v port (+ indent 1)))))
        ((vector? x)
         (items "{" "}" (vector->list x)
                (match-lambda
                  ((k . v)
                   (write-string-json k port)
                   (display ": " port)
                   (write-json v port (+ indent 1))))))
        (else (error "write-json: not a JSON value" x))))

(define (name+version name)
  "Split \"hello-2.10\" into (\"hello\" . \"2.10\"): the version is what
follows the last '-' that a digit follows; #f when there is none."
  (let loop ((i (- (string-length name) 1)))
    (cond ((< i 1) (cons name #f))
          ((and (char=? (string-ref name i) #\-)
                (< (+ i 1) (string-length name))
                (char-numeric? (string-ref name (+ i 1))))
           (cons (substring name 0 i) (substring name (+ i 1))))
          (else (loop (- i 1))))))

(define (spdx-id prefix name n)
  "An SPDX element id: letters, digits, '.' and '-' only; N keeps it unique."
  (string-append "SPDXRef-" prefix "-"
                 (string-map (lambda (c)
                               (if (or (char-alphabetic? c) (char-numeric? c)
                                       (memv c '(#\. #\-)))
                                   c #\-))
                             name)
                 "-" (number->string n)))

(define base64url
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

(define (b64->hex s)
  "The hex digits of the bytes the padded base64url text S encodes."
  (let* ((bits (append-map
                (lambda (c)
                  (let ((v (string-index base64url c)))
                    (map (lambda (k) (logand 1 (ash v (- k)))) '(5 4 3 2 1 0))))
                (string->list (string-trim-right s #\=))))
         (nbytes (quotient (length bits) 8)))
    (string-concatenate
     (map (lambda (i)
            (let ((byte (fold (lambda (b acc) (+ (* 2 acc) b)) 0
                              (take (drop bits (* 8 i)) 8))))
              (string-pad (number->string byte 16) 2 #\0)))
          (iota nbytes)))))

(define (pin-checksum pin)
  (if (string-prefix? "sha256:" pin)
      (vector (cons "algorithm" "SHA256") (cons "checksumValue" (substring pin 7)))
      (vector (cons "algorithm" "BLAKE2b-256") (cons "checksumValue" (b64->hex pin)))))

(define (created)
  (let ((epoch (or (and=> (getenv "SOURCE_DATE_EPOCH") string->number) 0)))
    (strftime "%Y-%m-%dT%H:%M:%SZ" (gmtime epoch))))

(define (input-link* i)
  (if (input? i) (input-link i) i))

(define (source-key a)
  (or (artifact-pin a) (artifact-hash a)))

(define (source-name a)
  (basename (or (artifact-source a) (artifact-origin a) (artifact-path a))))

(define (location a)
  "Where A is downloaded from: its URL, but for a file:// one (a path of
this machine: the same plans must give the same document anywhere)."
  (let ((url (artifact-source a)))
    (if (and url (not (string-prefix? "file:" url))) url "NOASSERTION")))

(define (deb-fields file)
  "(NAME VERSION ARCH) of a Debian package's file name NAME_VERSION_ARCH.deb,
else #f."
  (and (string-suffix? ".deb" file)
       (match (string-split (string-drop-right file 4) #\_)
         ((name version arch) (list name version arch))
         (_ #f))))

(define (sources-of p)
  "The sources among P's inputs, each once, in their order: remote
artifacts, and archives from local files (the seed's .debs)."
  (delete-duplicates
   (filter (lambda (l) (and (artifact? l)
                            (or (artifact-source l)
                                (and (eq? (artifact-kind l) 'archive) (artifact-hash l)))))
           (map input-link* (plan-inputs p)))
   (lambda (a b) (equal? (source-key a) (source-key b)))))

(define (license-refs expressions)
  "The LicenseRef-... identifiers in the licence EXPRESSIONS, each once,
sorted: SPDX wants each described in the document."
  (sort (delete-duplicates
         (append-map (lambda (e)
                       (filter (lambda (w) (string-prefix? "LicenseRef-" w))
                               (string-tokenize e (char-set-union char-set:letter+digit
                                                                  (char-set #\- #\. #\+)))))
                     expressions))
        string<?))

(define (plans->spdx plans)
  "The SPDX 2.3 document (a JSON value for write-json) of PLANS, built, and
everything they need."
  (let* ((all (delete-duplicates (plan-closure plans)
                                 (lambda (a b) (equal? (plan-hash a) (plan-hash b)))))
         (ids (map (lambda (p n) (cons (plan-hash p) (spdx-id "Plan" (plan-name p) n)))
                   all (iota (length all) 1)))
         (id-of (lambda (p) (assoc-ref ids (plan-hash p))))
         (sources (delete-duplicates (append-map sources-of all)
                                     (lambda (a b) (equal? (source-key a) (source-key b)))))
         (source-ids (map (lambda (a n) (cons (source-key a)
                                              (spdx-id "Source" (source-name a) n)))
                          sources (iota (length sources) 1)))
         (source-id (lambda (a) (assoc-ref source-ids (source-key a)))))
    (define (plan-package p)
      (let ((nv (name+version (plan-name p))))
        (list->vector
         (append
          (list (cons "SPDXID" (id-of p))
                (cons "name" (car nv)))
          (if (cdr nv) (list (cons "versionInfo" (cdr nv))) '())
          (list (cons "downloadLocation"
                      (or (any (lambda (a)
                                 (let ((l (location a)))
                                   (and (not (equal? l "NOASSERTION")) l)))
                               (sources-of p))
                          "NOASSERTION"))
                (cons "filesAnalyzed" #f)
                (cons "licenseConcluded" "NOASSERTION")
                (cons "licenseDeclared" (or (plan-license p) "NOASSERTION"))
                (cons "copyrightText" "NOASSERTION")
                (cons "externalRefs"
                      (list (vector (cons "referenceCategory" "OTHER")
                                    (cons "referenceType" "distill-plan")
                                    (cons "referenceLocator" (plan-hash p)))
                            (vector (cons "referenceCategory" "OTHER")
                                    (cons "referenceType" "distill-output")
                                    (cons "referenceLocator" (plan-outputs p))))))))))
    (define (source-package a)
      (let* ((file (source-name a))
             (deb (deb-fields file)))
        (list->vector
         (append
          (list (cons "SPDXID" (source-id a))
                (cons "name" (if deb (car deb) file)))
          (if deb (list (cons "versionInfo" (cadr deb))) '())
          (list (cons "packageFileName" file)
                (cons "downloadLocation" (location a))
                (cons "primaryPackagePurpose" "SOURCE")
                (cons "filesAnalyzed" #f)
                (cons "checksums" (list (pin-checksum (source-key a))))
                (cons "licenseConcluded" "NOASSERTION")
                (cons "licenseDeclared" "NOASSERTION")
                (cons "copyrightText" "NOASSERTION"))
          (if deb
              (list (cons "externalRefs"
                          (list (vector (cons "referenceCategory" "PACKAGE-MANAGER")
                                        (cons "referenceType" "purl")
                                        (cons "referenceLocator"
                                              (format #f "pkg:deb/debian/~a@~a?arch=~a"
                                                      (car deb) (cadr deb) (caddr deb))))))
                    (cons "comment"
                          (format #f "Debian's binary package; its licence is in /usr/share/doc/~a/copyright"
                                  (car deb))))
              '())))))
    (define (relation a type b)
      (vector (cons "spdxElementId" a) (cons "relationshipType" type)
              (cons "relatedSpdxElement" b)))
    (vector
     (cons "spdxVersion" "SPDX-2.3")
     (cons "dataLicense" "CC0-1.0")
     (cons "SPDXID" "SPDXRef-DOCUMENT")
     (cons "name" (string-join (map plan-name plans) " "))
     (cons "documentNamespace"
           (string-append "https://distill.invalid/spdx/"
                          (string-join (map plan-hash plans) "/")))
     (cons "creationInfo" (vector (cons "created" (created))
                                  (cons "creators" (list "Tool: distill"))))
     (cons "documentDescribes" (delete-duplicates (map id-of plans)))
     (cons "packages" (append (map plan-package all) (map source-package sources)))
     (cons "hasExtractedLicensingInfos"
           (map (lambda (id)
                  (vector (cons "licenseId" id)
                          (cons "name" id)
                          (cons "extractedText"
                                "Not an SPDX licence: the package's own source says which of its files it covers.")))
                (license-refs (filter-map plan-license all))))
     (cons "relationships"
           (append
            (map (lambda (id) (relation "SPDXRef-DOCUMENT" "DESCRIBES" id))
                 (delete-duplicates (map id-of plans)))
            (append-map
             (lambda (p)
               (append
                (filter-map (lambda (i)
                              (let ((l (input-link* i)))
                                (and (plan? l) (relation (id-of p) "DEPENDS_ON" (id-of l)))))
                            (plan-inputs p))
                (map (lambda (a) (relation (id-of p) "GENERATED_FROM" (source-id a)))
                     (sources-of p))))
             all))))))
