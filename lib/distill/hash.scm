;;; (distill hash): content hashes as distill writes them.
;;;
;;; distill's hash is BLAKE2b-256 written as 44 characters of padded
;;; base64url (docs/formats.md); every procedure here returns that form.
;;; Hashing is done by the (distill core) primitives %hash-bytes
;;; (BYTEVECTOR -> hash) and %hash-file (PATH -> (hash . "sha256:<hex>")),
;;; which store nothing.  A hasher (new-hasher) collects what is written
;;; to it and hashes it when finalized, so with-output-to-hash and
;;; copy-port+hash hold the data in memory until then: use hash-file for
;;; large files.
;;;
;;; Names follow upstream distill: hash-of, hash-string, hash-bytevector
;;; (hash-u8vector), hash-file, zero-hash, with-output-to-hash,
;;; copy-port+hash, hasher->output-port, new-hasher, hash-write!,
;;; hash-finalize.  Pins (what a source must hash to) are checked with
;;; pin-kind, of (distill check).
(define-module (distill hash)
  #:use-module (distill core)
  #:use-module (distill check)
  #:use-module (rnrs bytevectors)
  #:use-module (ice-9 binary-ports)
  #:use-module ((ice-9 textual-ports) #:select (put-string))
  #:export (hash-of hash-string hash-bytevector hash-u8vector
            hash-file hash-file/sha256 zero-hash
            new-hasher hasher? hash-write! hash-finalize hasher->output-port
            with-output-to-hash copy-port+hash)
  ;; the forms of hashes and pins are (distill check)'s
  #:re-export (hash-string? pin-kind))

(define (hash-bytevector bv)
  "(hash-bytevector bv) is the hash of the bytes of @var{bv}."
  (%hash-bytes bv))

(define hash-u8vector hash-bytevector)

(define (hash-string str)
  "(hash-string str) is the hash of the UTF-8 encoding of @var{str}."
  (%hash-bytes (string->utf8 str)))

(define (hash-file path)
  "(hash-file path) is the hash of the file @var{path}, or #f if it does
not exist; an I/O error is raised as an error."
  (and (file-exists? path) (car (%hash-file path))))

(define (hash-file/sha256 path)
  "(hash-file/sha256 path) is the \"sha256:<hex>\" pin of the file
@var{path}, or #f if it does not exist."
  (and (file-exists? path) (cdr (%hash-file path))))

;; zero-hash is the hash of zero bytes of data.
(define zero-hash (%hash-bytes (make-bytevector 0)))

;; A hasher is a bytevector output port; hasher-tag maps it to the
;; procedure that returns the bytes written so far.
(define hasher-tag (make-object-property))

(define (new-hasher)
  "(new-hasher) is a fresh hasher: an output port (textual writes are
UTF-8) whose bytes hash-finalize hashes."
  (call-with-values open-bytevector-output-port
    (lambda (port get)
      (set-port-encoding! port "UTF-8")
      (set! (hasher-tag port) get)
      port)))

(define (hasher? x)
  (and (output-port? x) (procedure? (hasher-tag x))))

(define (check-hasher who h)
  (unless (hasher? h)
    (recipe-error who "~s is not a hasher" (list h))))

(define (hash-write! h obj)
  "(hash-write! h obj) adds @var{obj} to hasher @var{h}: a string (as
UTF-8), a bytevector, or everything readable from an input port."
  (check-hasher 'hash-write! h)
  (cond
   ((string? obj) (put-string h obj))
   ((bytevector? obj) (put-bytevector h obj))
   ((input-port? obj)
    (let loop ()
      (let ((bv (get-bytevector-some obj)))
        (unless (eof-object? bv)
          (put-bytevector h bv)
          (loop)))))
   (else (recipe-error 'hash-write! "cannot hash ~s" (list obj)))))

(define (hash-finalize h)
  "(hash-finalize h) is the hash of everything written to hasher @var{h}."
  (check-hasher 'hash-finalize h)
  (force-output h)
  (%hash-bytes ((hasher-tag h))))

(define (hasher->output-port h)
  "(hasher->output-port h) is the output port that feeds hasher @var{h}
(a hasher is its own port)."
  (check-hasher 'hasher->output-port h)
  h)

(define (hash-of x . rest)
  "(hash-of x ...) is the hash of the concatenation of the strings,
bytevectors and input ports given."
  (let ((h (new-hasher)))
    (for-each (lambda (o) (hash-write! h o)) (cons x rest))
    (hash-finalize h)))

(define (with-output-to-hash thunk)
  "(with-output-to-hash thunk) calls @var{thunk} with the current output
port writing into a hasher and returns the hash of what it wrote."
  (let ((h (new-hasher)))
    (with-output-to-port h thunk)
    (hash-finalize h)))

(define (copy-port+hash from to)
  "(copy-port+hash from to) copies the binary input port @var{from} to the
output port @var{to} and returns the hash of the bytes copied."
  (let ((h (new-hasher)))
    (let loop ()
      (let ((bv (get-bytevector-some from)))
        (unless (eof-object? bv)
          (put-bytevector to bv)
          (put-bytevector h bv)
          (loop))))
    (hash-finalize h)))
