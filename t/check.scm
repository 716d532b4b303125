;; Tests for (distill check): the one form of a recipe error, and the
;; argument checks the library's modules share.
(use-modules (distill check) (ice-9 popen) (ice-9 textual-ports)
             (distill tap))

(define (error-of thunk)
  "The (WHO MESSAGE) of the recipe error THUNK throws, or #f."
  (catch 'misc-error
    (lambda () (thunk) #f)
    (lambda (key who fmt args rest)
      (list who (apply format #f fmt args)))))

(test-begin)

(is (error-of (lambda () (recipe-error 'make-thing "~a ~s is wrong" (quote ("size:" 3)))))
    '(make-thing "size: 3 is wrong")
    "recipe-error throws misc-error with WHO, the format and its arguments")

(is (check-path 'p "/usr//bin/./x/") "/usr/bin/x" "check-path normalises")
(is (check-path 'p "/a/../b") "/b" "check-path resolves ..")
(is (error-of (lambda () (check-path 'interned "usr/x")))
    '(interned "\"usr/x\" is not an absolute path") "a relative path is refused")
(ok (error-of (lambda () (check-path 'interned "/../x"))) "a .. above / is refused")

(is (check-mode 'interned "mode" #o4755) #o4755 "check-mode accepts 0 to #o7777")
(is (error-of (lambda () (check-mode 'interned "mode" #o10000)))
    '(interned "mode 4096 is not a file mode (0 to #o7777)") "a mode above #o7777 is refused")
(ok (error-of (lambda () (check-mode 'interned "mode" "644"))) "a string is not a mode")

(is (check-list 'make-system "services:" '(1 2)) '(1 2) "check-list accepts a list")
(is (error-of (lambda () (check-list 'make-system "services:" 'x)))
    '(make-system "services: must be a list, not x") "check-list names the argument")

(is (shell-word "it's a $x") "'it'\\''s a $x'" "shell-word quotes for sh")
(is (let ((p (open-input-pipe (string-append "printf %s " (shell-word "a 'b' $c\n`d`")))))
      (let ((s (get-string-all p))) (close-pipe p) s))
    "a 'b' $c\n`d`" "the shell reads a shell-word back as the string")

(is (check-pin 'remote-file "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk=") 'blake2b
    "check-pin: a BLAKE2b pin")
(is (check-pin 'remote-file (string-append "sha256:" (make-string 64 #\a))) 'sha256
    "check-pin: a sha256 pin")
(ok (error-of (lambda () (check-pin 'cc-package "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk")))
    "check-pin refuses a pin without its padding")
(ok (not (pin-kind "sha256:ABC")) "pin-kind: not a pin")

(test-end)
