;; The tcc seed's stage 1 (lib/distill/tcc-seed.scm, docs/trust.md):
;; `distill build tcc-stage1`.  Each stage pins its output; none depends on
;; the main seed.  A script gets the other stages by importing this module:
;; tcc-fixpoint (round 2 = round 3), tcc-stage1-hello, tcc-stage1-zlib.
(define-module (pkg tcc-stage1)
  #:use-module ((distill tcc-seed) #:renamer (symbol-prefix-proc 'ts-))
  #:export (tcc-round-1 tcc-round-2 tcc-round-3 tcc-fixpoint
            tcc-make tcc-busybox tcc-stage1 tcc-stage1-hello tcc-stage1-zlib))

(define tcc-round-1 (ts-tcc-round 1 #f #:output-hash "haJA0MOJdyfUb4RvaJpeo3f8DThONZRRQvmfdR8mOWM="))
(define tcc-round-2 (ts-tcc-round 2 tcc-round-1 #:output-hash "qTE2HD9XsGX4FXtahvVJrjScLbI5Ki0DfVRvxxsMFZk="))
;; Built by round 2's tcc from the same source: the fixpoint, so its pin
;; is round 2's.
(define tcc-round-3 (ts-tcc-round 3 tcc-round-2 #:output-hash "qTE2HD9XsGX4FXtahvVJrjScLbI5Ki0DfVRvxxsMFZk="))
(define tcc-fixpoint (ts-tcc-fixpoint tcc-round-2 tcc-round-3 #:output-hash "q7iuIdEUEYxWvmlEMMJDlVrnVo2lG2Rlx0avl2OHTMU="))
(define tcc-make (ts-tcc-make tcc-round-3 #:output-hash "tbBl6bS-8J9qco6IFpKtodl7RvaGQ3tTNeD-kSd1IeY="))
(define tcc-busybox (ts-tcc-busybox tcc-round-3 tcc-make #:output-hash "RIsT8LHFwmRq1N81KEBa3vsWyqMpx0Eyz2n_C9rNiaE="))
(define tcc-stage1
  (ts-tcc-stage1 tcc-round-3 tcc-make tcc-busybox tcc-fixpoint #:output-hash "yYDKBbguvTP2Db55h9-0t2_vAIOk894YKpgglXQFKGY="))
(define tcc-stage1-hello (ts-stage1-hello tcc-stage1 #:output-hash "SdRpLHs1oSL3VzGQjysPfSUse-AOdwLS5DEK6OlocLk="))
(define tcc-stage1-zlib (ts-stage1-zlib tcc-stage1 #:output-hash "VM1y9DAprusttlr3CbyshhqRArkbbNdd627EuS7S2Tw="))
