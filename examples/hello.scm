;; A first plan: Debian's static busybox as the whole root file system, and a
;; /build script that writes a greeting and a tool into /out.
;;   distill build examples/hello.scm
(import (distill plan))

(define busybox
  ;; fetched and checked against its pin by scripts/fetch-seed
  (local-archive "../seed/debs/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb"))

(define build
  (interned "/build" #o755 "#!/bin/busybox sh
set -e
/bin/busybox mkdir -p /out/bin
/bin/busybox cp /bin/busybox /out/bin/busybox
/bin/busybox echo 'hello from the sandbox' > /out/hello
/out/bin/busybox cat /out/hello
"))

(make-plan name: "hello" inputs: (list busybox build))
