;; Tests for (distill text).
(use-modules (distill text)
             (distill tap))

(test-begin)

(is (join-with ", " '(a 1 "b")) "a, 1, b" "join-with mixes datums")
(is (join-with "-" '()) "" "join-with of nothing")
(is (join-with "-" '("x")) "x" "join-with of one element has no separator")
(is (lines '("# comment" (key value 2) x)) "# comment\nkey value 2\nx\n"
    "lines: one line per element, lists become words")
(is (lines '()) "" "lines of nothing")
(is (lines '(())) "\n" "an empty list is an empty line")
(is (map-lines (lambda (p) (list (car p) '= (cdr p))) '((a . 1) (b . "two")))
    "a = 1\nb = two\n" "map-lines")
(is (tabular (lambda (x) x) "\t" ";" '((1 2) 3)) "1\t2;3;" "tabular separators")
(is (tabular (lambda (x) (* x x)) " " "\n" '(1 2 3)) "1\n4\n9\n" "tabular applies op")

(test-end)
