;;; (distill filepath): pure string manipulation of file paths, plus
;;; two small helpers that look at the file system (pathfind, folddir).
;;;
;;; Paths are strings; filepath-join also accepts symbols and exact
;;; integers as components.  Nothing here resolves symbolic links:
;;; ".." is removed lexically, so "a/link/.." becomes "a" even when
;;; "link" points elsewhere (as in upstream distill).
;;;
;;; Differences from upstream distill (CHICKEN): filepath-join drops a
;;; leading "." ("./a" gives "a", upstream gave "./a"), never lets ".."
;;; climb above "/", and keeps leading ".." components of relative paths
;;; ("a" ".." ".." gives ".."); upstream's string-prefix? and
;;; string-suffix? are not exported because Guile's core bindings of the
;;; same names (SRFI-13, same argument order) already serve.

(define-module (distill filepath)
  #:use-module (srfi srfi-1)
  #:export (filepath-join
            abspath
            pathfind
            folddir)
  ;; upstream's (distill filepath) gives SRFI 13's two; Guile's core has
  ;; them with the same arguments (PREFIX STRING)
  #:re-export (string-prefix?
               string-suffix?)
  ;; these two replace Guile's core bindings of the same names
  ;; (which differ: Guile's (basename "/a/b/") is "b")
  #:replace (dirname
             basename))

(define (stringify x)
  (cond
   ((string? x) x)
   ((symbol? x) (symbol->string x))
   ((and (integer? x) (exact? x)) (number->string x 10))
   (else (error "filepath: cannot use as a path component:" x))))

(define (filepath-join first . rest)
  "(filepath-join first rest ...) joins path components (strings,
symbols or exact integers) with \"/\" and normalizes the result: empty
and \".\" components disappear, \"..\" removes the component before it
(and is dropped at the root of an absolute path), and trailing slashes
go.  The result is absolute exactly when @var{first} begins with
\"/\"; later components that begin with \"/\" are simply appended.  An
empty relative result is \".\".
Example: (filepath-join \"/a/\" \"../b\" 'c) => \"/b/c\"."
  (let* ((parts (append-map (lambda (x) (string-split (stringify x) #\/))
                            (cons first rest)))
         (absolute? (string-prefix? "/" (stringify first)))
         (stack
          (fold (lambda (seg stack)
                  (cond
                   ((or (string-null? seg) (string=? seg ".")) stack)
                   ((string=? seg "..")
                    (cond
                     ((and (pair? stack) (not (string=? (car stack) "..")))
                      (cdr stack))
                     (absolute? stack)
                     (else (cons seg stack))))
                   (else (cons seg stack))))
                '() parts))
         (body (string-join (reverse stack) "/")))
    (cond
     (absolute? (string-append "/" body))
     ((string-null? body) ".")
     (else body))))

(define (dirname str)
  "(dirname str) is everything in @var{str} before its last \"/\":
(dirname \"/foo/bar.txt\") => \"/foo\", (dirname \"/foo/bar/\") =>
\"/foo/bar\".  It is \"/\" when the only slash is the first character
and \".\" when there is no slash (or @var{str} is empty)."
  (let loop ((i (- (string-length str) 1)))
    (cond
     ((<= i 0) (if (string-prefix? "/" str) "/" "."))
     ((char=? (string-ref str i) #\/) (substring str 0 i))
     (else (loop (- i 1))))))

(define (basename str)
  "(basename str) is everything in @var{str} after its last \"/\", or
@var{str} itself when it has no slash: (basename \"/foo/bar.txt\") =>
\"bar.txt\"; as upstream, (basename \"/foo/bar/\") => \"\"."
  (let ((i (string-rindex str #\/)))
    (if i (substring str (+ i 1)) str)))

(define (abspath p)
  "(abspath p) returns @var{p} if it begins with \"/\"; otherwise the
normalized join of the current working directory and @var{p}."
  (if (string-prefix? "/" p) p (filepath-join (getcwd) p)))

(define (pathfind bin)
  "(pathfind bin) returns the path of the first executable regular file
named @var{bin} in the directories of $PATH (an empty entry means the
current directory), or #f.  A @var{bin} containing \"/\" is not
searched for: it is returned if it names an executable regular file,
else #f."
  (define (executable? p)
    (and (access? p X_OK)
         (let ((st (stat p #f)))
           (and st (eq? (stat:type st) 'regular)))))
  (if (string-index bin #\/)
      (and (executable? bin) bin)
      (any (lambda (dir)
             (let ((p (string-append (if (string-null? dir) "." dir) "/" bin)))
               (and (executable? p) p)))
           (string-split (or (getenv "PATH") "") #\:))))

(define (folddir proc seed path)
  "(folddir proc seed path) folds (proc name acc) over the names of the
entries of directory @var{path}, in sorted order (code-point order,
which is strcmp order for UTF-8 names), leaving out \".\" and \"..\";
@var{seed} is the first acc.  @var{proc} gets bare names, not paths,
and the traversal is not recursive.  Raises an error if the directory
cannot be read."
  (let ((dir (opendir path)))
    (let loop ((names '()))
      (let ((e (readdir dir)))
        (if (eof-object? e)
            (begin
              (closedir dir)
              (fold proc seed (sort names string<?)))
            (loop (if (member e '("." "..")) names (cons e names))))))))
