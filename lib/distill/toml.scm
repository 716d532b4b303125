;;; (distill toml): images described in TOML as Redox OS's image builder
;;; describes them (docs/toml.md), made into the plans of (distill plan)
;;; and (distill image): a TOML description and the equivalent Scheme give
;;; the same plans, and so the same plan hashes.
;;;
;;; The file is parsed by the C side (%toml-read: tomlplusplus, TOML
;;; 1.0.0) into nodes #(KIND LINE COL VALUE).  Includes (top-level
;;; requires) are read depth first after their parent; a key or a
;;; component the parent defines wins over the included ones.  Every
;;; mistake is thrown as distill-toml-error with one text
;;; "FILE:LINE:COL: MESSAGE", which (distill script) prints as a recipe
;;; error (exit 3).
;;;
;;; Components are plans run by the seed's static busybox sh; the scripts
;;; of partitions and files run on the image tools' tree (image-tools of
;;; (distill image)).  A component named as a distill
;;; package and without a shell is that package, found by the PACKAGE
;;; procedure the caller gives (the library does not load pkg/).  A
;;; [system] (distill's extension: Redox's document describes images of
;;; files, not services) is handed, read, to the caller's SYSTEM
;;; procedure, which finds the platform and services by name.
(define-module (distill toml)
  #:use-module (distill core)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill image)
  #:use-module (distill imagetools)
  #:use-module (distill seed)
  #:use-module ((srfi srfi-1) #:select (any append-map delete-duplicates every fold))
  #:use-module ((ice-9 textual-ports) #:select (get-string-all))
  #:use-module (srfi srfi-11)
  #:use-module (ice-9 match)
  #:use-module ((ice-9 rdelim) #:select (read-line))
  #:export (toml-plans))

(define MiB (* 1024 1024))

;;; Nodes and errors.

(define (kind n) (vector-ref n 0))
(define (value n) (vector-ref n 3))

(define (toml-error file node fmt . args)
  (throw 'distill-toml-error
         (format #f "~a:~a:~a: ~a" file
                 (if node (vector-ref node 1) 1) (if node (vector-ref node 2) 1)
                 (apply format #f fmt args))))

(define kind-names
  '((table . "a table") (array . "an array") (string . "a string")
    (integer . "an integer") (float . "a float") (boolean . "a boolean")))

(define (want file node key k)
  "NODE's value when NODE is of kind K, else an error naming KEY."
  (unless (eq? (kind node) k)
    (toml-error file node "~a must be ~a, not ~a" key (assq-ref kind-names k)
                (or (assq-ref kind-names (kind node)) "a date or time")))
  (value node))

(define (strings file node key)
  "The list of strings of the array NODE."
  (map (lambda (n) (want file n (string-append key "[]") 'string))
       (want file node key 'array)))

(define (tables file node key)
  "The tables of the array of tables NODE, as nodes."
  (map (lambda (n) (want file n key 'table) n) (want file node key 'array)))

(define (check-keys file node prefix allowed)
  "Every key of the table NODE is one of ALLOWED, else an error naming its
full dotted name."
  (for-each (match-lambda
              ((k . v)
               (unless (member k allowed)
                 (toml-error file v "unknown key ~a~a (~a takes ~a)"
                             prefix k (if (string-null? prefix) "the top level"
                                          (string-drop-right prefix 1))
                             (string-join allowed ", ")))))
            (value node)))

(define (located file node thunk)
  "THUNK's value; a recipe error it raises (a check of (distill image) or
(distill plan)) becomes an error at NODE."
  (catch 'misc-error thunk
    (lambda (key who fmt args . _)
      (toml-error file node "~a" (apply format #f fmt args)))))

(define (ref node key)
  (assoc-ref (value node) key))

;;; Files and includes.

(define top-keys '("name" "description" "requires" "component" "image" "filesystem" "system"))

(define (beside file name)
  "NAME relative to the directory of FILE."
  (cond ((absolute-file-name? name) name)
        ((string=? (dirname file) ".") name)
        (else (string-append (dirname file) "/" name))))

(define (include-path file node name)
  "The file an include NAME of FILE names: relative to FILE's directory,
\".toml\" added when NAME lacks it and does not exist."
  (let* ((p (beside file name))
         (p (if (and (not (file-exists? p)) (not (string-suffix? ".toml" p)))
                (string-append p ".toml")
                p)))
    (unless (file-exists? p)
      (toml-error file node "requires: no file ~s (nor ~a.toml)" name name))
    p))

(define (load-docs file chain)
  "FILE and what it includes, depth first, each as (FILE . ROOT): the order
of precedence, FILE first.  CHAIN: the canonical names of the files that
include it."
  (let* ((root (%toml-read file))
         (me (canonicalize-path file)))
    (check-keys file root "" top-keys)
    (cons (cons file root)
          (append-map
           (lambda (n)
             (let* ((name (want file n "requires[]" 'string))
                    (p (include-path file n name))
                    (c (canonicalize-path p)))
               (when (member c (cons me chain))
                 (toml-error file n "include cycle: ~a"
                             (string-join (append (reverse (cons me chain)) (list c)) " -> ")))
               (load-docs p (cons me chain))))
           (let ((r (ref root "requires")))
             (if r (want file r "requires" 'array) '()))))))

(define (first-key docs key)
  "(FILE . NODE) of KEY in the first of DOCS that has it, or #f."
  (any (match-lambda ((file . root) (let ((n (ref root key))) (and n (cons file n)))))
       docs))

(define (named docs key who)
  "The tables of the array KEY ([[component]], [[filesystem]]) of every doc
as an alist NAME -> (FILE . NODE), the first definition of a name winning;
two of one name in one file are an error."
  (fold (lambda (doc acc)
          (match doc
            ((file . root)
             (let ((arr (ref root key)))
               (fold (lambda (n acc)
                       (let* ((nn (ref n "name"))
                              (name (if nn (want file nn (string-append key ".name") 'string)
                                        (toml-error file n "~a without a name" who))))
                         (cond ((assoc name acc)
                                => (match-lambda
                                     ((_ f . _)
                                      (when (equal? f file)
                                        (toml-error file nn "~a ~s is defined twice in this file"
                                                    who name))
                                      acc)))
                               (else (append acc (list (cons name (cons file n))))))))
                     acc
                     (if arr (tables file arr key) '()))))))
        '() docs))

;;; Components.

(define (git-source file node url rev)
  "The tree of commit or tag REV of the git repository at URL, as an
archive unpacked at /sources/NAME (NAME: the repository's, less .git):
cloned on the host now, `git archive`d (the same bytes for the same
commit), interned, the clone removed."
  (let* ((name (let ((b (basename url)))
                 (if (string-suffix? ".git" b) (string-drop-right b 4) b)))
         (tmp (mkdtemp (string-append (or (getenv "TMPDIR") "/tmp") "/distill-git.XXXXXX")))
         (log (string-append tmp "/log"))
         (tar (string-append tmp "/src.tar"))
         (status
          (system* "sh" "-c"
                   (string-append
                    "git clone -q --bare -- " (shell-word url) " " (shell-word (string-append tmp "/repo"))
                    " > " (shell-word log) " 2>&1 && git -C " (shell-word (string-append tmp "/repo"))
                    " archive --format=tar -o " (shell-word tar) " "
                    (shell-word (string-append rev "^{commit}")) " -- >> " (shell-word log) " 2>&1"))))
    (dynamic-wind
      (lambda () #f)
      (lambda ()
        (unless (zero? status)
          (let ((why (call-with-input-file log
                       (lambda (port)
                         (let loop ((last "") (l (read-line port)))
                           (if (eof-object? l) last (loop l (read-line port))))))))
            (toml-error file node "requires: git ~a at ~s: ~a" url rev why)))
        (local-archive tar (string-append "/sources/" name)))
      (lambda () (%remove-tree tmp)))))

(define component-keys '("name" "requires" "yields" "caching" "shell" "cargo"))

(define (tools) (or (image-tools) (image-tools-plan)))

(define busybox-debs (pinned-debs (list (assoc "busybox-static" seed-packages))))

(define (busybox)
  ;; A component's root: the seed's static busybox, nothing to build.
  (car (busybox-debs)))

(define (split-artifact file node s)
  "COMPONENT::ARTIFACT as (COMPONENT . ARTIFACT)."
  (let ((i (string-contains s "::")))
    (unless (and i (> i 0) (< (+ i 2) (string-length s)))
      (toml-error file node "~s is not COMPONENT::ARTIFACT" s))
    (cons (substring s 0 i) (substring s (+ i 2)))))

(define (make-components docs package keep)
  "A procedure (COMPONENT FILE NODE NAME) -> the plan of the component NAME,
made once; FILE and NODE locate the reference, for errors.  (KEEP NAME
PLAN) is called for each aggressive component made."
  (let ((defs (named docs "component" "component"))
        (plans (make-hash-table))
        (busy '()))
    (define (yields name)
      (match (assoc-ref defs name)
        ((file . n) (let ((y (ref n "yields")))
                      (and y (strings file y "component.yields"))))
        (#f #f)))
    (define (source file n uri)
      "The input a requires entry URI (not a component) gives."
      (cond
       ((string-prefix? "file://" uri)
        (let* ((p (substring uri 7))
               (p (beside file p)))
          (unless (and (file-exists? p) (eq? (stat:type (stat p)) 'regular))
            (toml-error file n "requires: ~s is not a file (directories are not taken)" uri))
          (local-file p (string-append "/sources/" (basename p)))))
       ((or (string-prefix? "http://" uri) (string-prefix? "https://" uri))
        (let ((i (string-index uri #\#)))
          (unless i
            (toml-error file n "requires: ~s has no pin: add #sha256:HEX (or a BLAKE2b hash) after the URL" uri))
          (let ((url (substring uri 0 i)) (pin (substring uri (+ i 1))))
            (unless (pin-kind pin)
              (toml-error file n "requires: ~s is not a pin (sha256:HEX or a BLAKE2b hash)" pin))
            (remote-file url pin (string-append "/sources/" (basename url)) #o644))))
       ((string-prefix? "git://" uri)
        (let ((i (string-index uri #\#)))
          (unless (and i (< (+ i 1) (string-length uri)))
            (toml-error file n "requires: ~s names no commit or tag: add #COMMIT or #TAG after the URL" uri))
          (git-source file n (substring uri 0 i) (substring uri (+ i 1)))))
       (else (toml-error file n "requires: ~s is no component and no URI (file://, http://, https://, art://)" uri))))
    (define (require-input file n r)
      (cond
       ((string-prefix? "art://" r)
        (match (split-artifact file n (substring r 6))
          ((c . a)
           (let ((y (yields c)) (p (component file n c)))
             (when (and y (not (member a y)))
               (toml-error file n "requires: component ~s yields no artifact ~s (it yields ~a)"
                           c a (string-join y ", ")))
             (make-input basedir: (string-append "/artifacts/" c) link: p)))))
       ((string-contains r "://") (source file n r))
       (else (make-input basedir: (string-append "/artifacts/" r) link: (component file n r)))))
    (define (shell-plan name file n script)
      (let* ((y (let ((y (ref n "yields"))) (if y (strings file y "component.yields") '())))
             (reqs (let ((r (ref n "requires"))) (if r (want file r "component.requires" 'array) '())))
             (caching (let ((c (ref n "caching")))
                        (if c (want file c "component.caching" 'string) "normal"))))
        (unless (member caching '("aggressive" "normal" "transient"))
          (toml-error file (ref n "caching") "component.caching: ~s must be aggressive, normal or transient" caching))
        (for-each (lambda (a) (check-path 'component (string-append "/out/" a))) y)
        (define plan
         (make-plan
         name: name
         inputs: (append
                  (list (busybox)
                        (interned "/component/shell" #o644 script)
                        (interned "/build" #o755
                                  (string-append
                                   "#!/bin/busybox sh
set -eu
/bin/busybox mkdir -p /tmp/bin
/bin/busybox --install -s /tmp/bin
export PATH=/tmp/bin:/bin
export name=" (shell-word name) " artifacts=/artifacts out=/out
mkdir -p /tmp/build
cd /tmp/build
sh -eu /component/shell
for a in" (string-concatenate (map (lambda (a) (string-append " " (shell-word a))) y)) "; do
	[ -e \"/out/$a\" ] || { echo \"component $name: yields $a, but the script made no /out/$a\" >&2; exit 1; }
done
")))
                  (if (string=? caching "transient")
                      (list (interned "/component/transient" #o644
                                      (format #f "~a ~a ~a\n" (current-time) (getpid) (random 1000000000
                                                                                   (random-state-from-platform)))))
                      '())
                  (map (lambda (r) (require-input file r (want file r "component.requires[]" 'string)))
                       reqs))))
        (when (string=? caching "aggressive")
          (keep name plan))
        plan))
    (define (build name file n)
      (check-keys file n "component." component-keys)
      (when (ref n "cargo")
        (toml-error file (ref n "cargo") "component ~s: cargo is not supported (the seed has no Rust toolchain); give a shell script" name))
      (let ((sh (ref n "shell")))
        (if sh
            (shell-plan name file n (want file sh "component.shell" 'string))
            (or (package name)
                (toml-error file n "component ~s has no shell, and no distill package is named ~a"
                            name name)))))
    (define (component file n name)
      (or (hash-ref plans name)
          (begin
            (when (member name busy)
              (toml-error file n "component cycle: ~a"
                          (string-join (reverse (cons name busy)) " -> ")))
            (set! busy (cons name busy))
            (let ((p (match (assoc-ref defs name)
                       ((f . d) (build name f d))
                       (#f (or (package name)
                               (toml-error file n "no component ~s (none is defined, and no distill package has that name)" name))))))
              (set! busy (cdr busy))
              (hash-set! plans name p)
              p))))
    (values component (map car defs))))

;;; Image.

(define image-keys '("label" "size" "format" "partition_table" "partition"))
(define partition-keys '("label" "size" "requires" "filesystem" "setup" "file"))
(define file-keys '("path" "text" "symlink" "artifact" "shell"))

(define (helper-plan name inputs script)
  (make-plan name: name
             inputs: (append (list (tools)
                                   (interned "/build" #o755 (string-append "#!/bin/sh\nset -eu\n" script)))
                             inputs)))

(define (file-item file n)
  "The root file system item of a [[image.partition.file]] table N."
  (check-keys file n "image.partition.file." file-keys)
  (let* ((p (ref n "path"))
         (path (if p (want file p "image.partition.file.path" 'string)
                   (toml-error file n "image.partition.file without a path")))
         (path (check-path 'file (if (string-prefix? "/" path) path (string-append "/" path))))
         (given (filter (lambda (k) (ref n k)) '("text" "symlink" "artifact" "shell"))))
    (when (> (length given) 1)
      (toml-error file n "image.partition.file ~s: ~a are mutually exclusive; give at most one"
                  path (string-join given " and ")))
    (match given
      (() (interned path #o644 ""))
      (("text") (interned path #o644 (want file (ref n "text") "image.partition.file.text" 'string)))
      (("symlink") (interned-symlink path (want file (ref n "symlink") "image.partition.file.symlink" 'string)))
      (("shell")
       (helper-plan (string-append "file" (string-map (lambda (c) (if (char=? c #\/) #\- c)) path))
                    (list (interned "/file/shell" #o644
                                    (want file (ref n "shell") "image.partition.file.shell" 'string)))
                    (string-append "mkdir -p /out" (shell-word (dirname path)) "\n"
                                   "cd /tmp\nexport file=/out" (shell-word path) "\n"
                                   "sh -eu /file/shell > /out" (shell-word path) "\n")))
      (("artifact")
       (let* ((a (ref n "artifact"))
              (names (if (eq? (kind a) 'array) (strings file a "image.partition.file.artifact")
                         (list (want file a "image.partition.file.artifact" 'string))))
              (pairs (map (lambda (s) (split-artifact file a s)) names)))
         (helper-plan (string-append "file" (string-map (lambda (c) (if (char=? c #\/) #\- c)) path))
                      (map (match-lambda
                             ((c . _) (make-input basedir: (string-append "/artifacts/" c)
                                                  link: (component-plan file a c))))
                           (delete-duplicates pairs (lambda (x y) (string=? (car x) (car y)))))
                      (string-append
                       (if (= (length pairs) 1)
                           (string-append "mkdir -p /out" (shell-word (dirname path)) "\n"
                                          "cp -R " (shell-word (string-append "/artifacts/" (caar pairs) "/" (cdar pairs)))
                                          " /out" (shell-word path) "\n")
                           (string-append "mkdir -p /out" (shell-word path) "\n"
                                          (string-concatenate
                                           (map (match-lambda
                                                  ((c . a) (string-append "cp -R " (shell-word (string-append "/artifacts/" c "/" a))
                                                                          " /out" (shell-word path) "/\n")))
                                                pairs)))))))))))

(define current-component (make-parameter #f))
(define (component-plan file n name) ((current-component) file n name))

(define (mib file n key)
  (want file n key 'integer))

(define (partition-plans file n i label size filesystems)
  "The image plan of the partition table N (or #f for an empty one)."
  (let* ((items (let ((f (ref n "file")))
                  (if f (map (lambda (t) (file-item file t))
                             (tables file f "image.partition.file"))
                      '())))
         (fs (let ((f (ref n "filesystem"))) (and f (want file f "image.partition.filesystem" 'string))))
         (bytes (and size (* size MiB)))
         (setup (let ((s (ref n "setup"))) (and s (want file s "image.partition.setup" 'string))))
         (reqs (let ((r (ref n "requires")))
                 (if r (map (lambda (s) (cons s (component-plan file r s)))
                            (strings file r "image.partition.requires"))
                     '())))
         (img
          (cond
           ((not fs) #f)
           ((string=? fs "ext4") (ext4-image items name: label label: label size: bytes))
           ((string=? fs "ext2") (ext2-image items name: label label: label size: bytes))
           ((string=? fs "vfat") (vfat-image items name: label label: label size: bytes))
           ((string=? fs "squashfs") (squashfs-image items name: label))
           ((assoc-ref filesystems fs)
            => (match-lambda
                 ((ffile . fnode)
                  (check-keys ffile fnode "filesystem." '("name" "shell"))
                  (let ((sh (ref fnode "shell")))
                    (unless sh (toml-error ffile fnode "filesystem ~s has no shell" fs))
                    (unless bytes (toml-error file n "image.partition ~s: a custom filesystem needs a size" label))
                    (make-plan
                     name: (string-append label "." fs)
                     inputs: (append
                              (list (tools)
                                    (interned "/filesystem/shell" #o644 (want ffile sh "filesystem.shell" 'string))
                                    (interned "/build" #o755
                                              (string-append
                                               "#!/bin/sh\nset -eu\nmkdir -p /root\nexport root=/root label="
                                               (shell-word label) " size=" (number->string bytes)
                                               " raw=/out/" (shell-word (string-append label "." fs))
                                               "\ncd /tmp\nsh -eu /filesystem/shell\n")))
                              (map (lambda (x) (make-input basedir: "/root" link: x)) items))
                     raw-output: (string-append "/" label "." fs))))))
           (else (toml-error file (ref n "filesystem")
                             "image.partition.filesystem: ~s is none of ext2, ext4, vfat, squashfs and no [[filesystem]] of that name" fs)))))
    (when (and (not fs) (pair? items))
      (toml-error file n "image.partition ~s has files but no filesystem to hold them" label))
    (if setup
        (begin
          (unless (or img bytes)
            (toml-error file n "image.partition ~s: a setup without a filesystem needs a size" label))
          (make-plan
           name: (string-append label ".img")
           inputs: (append
                    (list (tools)
                          (interned "/partition/setup" #o644 setup)
                          (interned "/build" #o755
                                    (string-append
                                     "#!/bin/sh\nset -eu\nraw=/out/" (shell-word (string-append label ".img")) "\n"
                                     (if img (string-append "cp /in/" (shell-word (basename (plan-raw-output img))) " \"$raw\"\n")
                                         "")
                                     (if bytes (string-append "truncate -s " (number->string bytes) " \"$raw\"\n") "")
                                     "export label=" (shell-word label) " raw size=$(stat -c %s \"$raw\") artifacts=/artifacts\n"
                                     "cd /tmp\nsh -eu /partition/setup\n")))
                    (if img (list (make-input basedir: "/in" link: img)) '())
                    (map (match-lambda ((c . p) (make-input basedir: (string-append "/artifacts/" c) link: p)))
                         reqs))
           raw-output: (string-append "/" label ".img")))
        img)))

(define (image-key docs key)
  "(FILE . NODE) of the key KEY of [image] in the first of DOCS that has
it, or #f: each key of [image] is taken from the file of most precedence
that sets it."
  (any (match-lambda
         ((file . root)
          (let ((img (ref root "image")))
            (and img (eq? (kind img) 'table)
                 (let ((v (ref img key))) (and v (cons file v)))))))
       docs))

(define (image-plan docs filesystems)
  (match (first-key docs "image")
    (#f #f)
    ((file . node)
     (for-each (match-lambda
                 ((f . root)
                  (let ((img (ref root "image")))
                    (when img
                      (want f img "image" 'table)
                      (check-keys f img "image." image-keys)))))
               docs)
     (let* ((at (lambda (k) (image-key docs k)))
            (get (lambda (k) (and (at k) (cdr (at k)))))
            (in (lambda (k) (if (at k) (car (at k)) file)))
            (label (if (get "label") (want (in "label") (get "label") "image.label" 'string) "disk"))
            (size (and (get "size") (mib (in "size") (get "size") "image.size")))
            (format (if (get "format") (want (in "format") (get "format") "image.format" 'string) "raw"))
            (table (if (get "partition_table")
                       (want (in "partition_table") (get "partition_table") "image.partition_table" 'string) "gpt"))
            (pfile (in "partition"))
            (parts (if (get "partition") (tables pfile (get "partition") "image.partition") '())))
       (when (and size (<= size 0))
         (toml-error (in "size") (get "size") "image.size: ~a MiB must be positive" size))
       (unless (member format '("raw" "qcow2"))
         (toml-error (in "format") (get "format") "image.format: ~s must be raw or qcow2" format))
       (unless (member table '("gpt" "mbr"))
         (toml-error (in "partition_table") (get "partition_table") "image.partition_table: ~s must be gpt or mbr" table))
       (when (null? parts)
         (toml-error file node "image has no [[image.partition]]"))
       (let loop ((ps parts) (i 1) (used 0) (acc '()))
         (if (null? ps)
             (let ((disk (disk-image (reverse acc) name: label
                                     label: (if (string=? table "gpt") 'gpt 'dos))))
               (when (and size used (> (+ used 2) size))
                 (toml-error (in "size") (get "size") "image.size: ~a MiB cannot hold its partitions (~a MiB and 2 MiB for the table)"
                             size used))
                   (if (string=? format "qcow2") (qcow2-image disk) disk))
             (let* ((n (car ps))
                    (_ (check-keys pfile n "image.partition." partition-keys))
                    (plabel (if (ref n "label") (want pfile (ref n "label") "image.partition.label" 'string)
                                (string-append "part" (number->string i))))
                    (s (and (ref n "size") (mib pfile (ref n "size") "image.partition.size")))
                    (s (cond ((not s) #f)
                             ((> s 0) s)
                             ((zero? s) (toml-error pfile (ref n "size") "image.partition.size: 0 MiB"))
                             ((not size) (toml-error pfile (ref n "size") "image.partition.size: a negative size needs image.size"))
                             ((not used) (toml-error pfile (ref n "size") "image.partition.size: a negative size needs a size for every partition before it"))
                             (else (let ((r (- size 2 used (- s))))
                                     (when (<= r 0)
                                       (toml-error pfile (ref n "size") "image.partition.size: ~a MiB leaves nothing of the ~a MiB left" s (- size 2 used)))
                                     r))))
                    (img (located pfile n (lambda () (partition-plans pfile n i plabel s (current-filesystems)))))
                    (_ (unless (or img s)
                         (toml-error pfile n "image.partition ~s: an empty partition needs a size" plabel)))
                    (p (located pfile n (lambda () (partition img name: plabel size: (and s (* s MiB)))))))
               (loop (cdr ps) (+ i 1) (and used s (+ used s)) (cons p acc)))))))))


;;; System.

(define system-keys '("platform" "hostname" "packages" "service" "file"))
(define system-file-keys '("path" "mode" "text" "local"))

(define (local-text file n name)
  "The text of the file NAME, relative to FILE's directory."
  (let ((p (beside file name)))
    (unless (and (file-exists? p) (eq? (stat:type (stat p)) 'regular))
      (toml-error file n "local: no file ~s (~a)" name p))
    (call-with-input-file p (lambda (port) (get-string-all port)) #:encoding "UTF-8")))

(define (service-arg file n key)
  "The Scheme value of the TOML value N of a service's KEY: strings,
integers and booleans as they are, an inline table { local = FILE } the
text of FILE, an array of two-string arrays a list of pairs (sshd's
config), another array a list."
  (define (pair2? x)
    (and (eq? (kind x) 'array) (= (length (value x)) 2)
         (every (lambda (y) (eq? (kind y) 'string)) (value x))))
  (case (kind n)
    ((string integer boolean) (value n))
    ((table)
     (check-keys file n (string-append key ".") '("local"))
     (let ((l (ref n "local")))
       (unless l (toml-error file n "~a: a table here is { local = FILE }" key))
       (local-text file l (want file l (string-append key ".local") 'string))))
    ((array)
     (let ((xs (value n)))
       (if (and (pair? xs) (every pair2? xs))
           (map (lambda (x) (cons (value (car (value x))) (value (cadr (value x))))) xs)
           (map (lambda (x) (service-arg file x (string-append key "[]"))) xs))))
    (else (toml-error file n "~a: ~a is not taken here" key
                      (or (assq-ref kind-names (kind n)) "a date or time")))))

(define (system-file file n)
  "The root item of a [[system.file]] table N."
  (check-keys file n "system.file." system-file-keys)
  (let* ((p (ref n "path"))
         (path (if p (want file p "system.file.path" 'string)
                   (toml-error file n "system.file without a path")))
         (path (check-path 'file (if (string-prefix? "/" path) path (string-append "/" path))))
         (mode (let ((m (ref n "mode"))) (if m (want file m "system.file.mode" 'integer) #o644)))
         (given (filter (lambda (k) (ref n k)) '("text" "local"))))
    (unless (<= 0 mode #o7777)
      (toml-error file (ref n "mode") "system.file.mode: ~a is not a file mode (write 0o644)" mode))
    (match given
      (() (interned path mode ""))
      (("text") (interned path mode (want file (ref n "text") "system.file.text" 'string)))
      (("local") (interned path mode (local-text file (ref n "local")
                                                 (want file (ref n "local") "system.file.local" 'string))))
      (_ (toml-error file n "system.file ~s: text and local are mutually exclusive; give one" path)))))

(define (system-value docs package system)
  "What SYSTEM (the caller's) makes of the [system] of DOCS, or #f."
  (match (first-key docs "system")
    (#f #f)
    ((file . node)
     (want file node "system" 'table)
     (check-keys file node "system." system-keys)
     (let* ((get (lambda (k) (ref node k)))
            (plat (if (get "platform") (want file (get "platform") "system.platform" 'string)
                      (toml-error file node "system has no platform (e.g. platform = \"qemu-x86_64\")")))
            (hostname (if (get "hostname") (want file (get "hostname") "system.hostname" 'string) "distill"))
            (packages (map (lambda (name)
                             (or (package name)
                                 (toml-error file (get "packages") "system.packages: no distill package ~s" name)))
                           (if (get "packages") (strings file (get "packages") "system.packages") '())))
            (services (map (lambda (n)
                             (let ((nn (ref n "name")))
                               (unless nn (toml-error file n "system.service without a name"))
                               (cons (want file nn "system.service.name" 'string)
                                     (append-map (match-lambda
                                                   (("name" . _) '())
                                                   ((k . v) (list (symbol->keyword (string->symbol k))
                                                                  (service-arg file v (string-append "system.service." k)))))
                                                 (value n)))))
                           (if (get "service") (tables file (get "service") "system.service") '())))
            (files (map (lambda (n) (system-file file n))
                        (if (get "file") (tables file (get "file") "system.file") '()))))
       (located file node
                (lambda ()
                  (system plat hostname packages services files)))))))

(define current-filesystems (make-parameter '()))

(define* (toml-plans file #:key (package (lambda (name) #f)) (keep (lambda (name plan) #f))
                     (system (lambda (platform . _)
                               (throw 'misc-error 'toml-plans "[system] is read by distill's commands" '() #f))))
  "What the TOML description FILE describes: its image's plan; or what
SYSTEM makes of its [system], called as (SYSTEM PLATFORM HOSTNAME
PACKAGES SERVICES FILES), SERVICES a list of (NAME KEYWORD VALUE ...),
FILES root items; or without either, the list of every component's plan.  PACKAGE: a procedure NAME -> the plan of
the distill package NAME, or #f.  KEEP: called as (KEEP NAME PLAN) for each
component of caching = \"aggressive\" the description makes."
  (let ((docs (load-docs file '())))
    (for-each (match-lambda
                ((file . root)
                 (for-each (lambda (k) (let ((n (ref root k)))
                                         (when n (want file n k 'string))))
                           '("name" "description"))))
              docs)
    (let-values (((component names) (make-components docs package keep)))
      (parameterize ((current-component component)
                     (current-filesystems (named docs "filesystem" "filesystem")))
        (match (and (first-key docs "image") (first-key docs "system"))
          ((f . n) (toml-error f n "a description has an [image] or a [system], not both"))
          (#f #f))
        (let ((img (image-plan docs (current-filesystems))))
          (or img
              (system-value docs package system)
              (map (lambda (name) (component file #f name)) names)))))))
