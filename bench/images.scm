;; Benchmark plans for image assembly (bench/run, section 6): one tree, the
;; tar TREE-TAR (whose sha256 is SHA256), made into distill's images.
;; bench/run calls it as
;;   distill build bench/images.scm -- TREE-TAR SHA256 TAG WHAT
;; WHAT is one of
;;   tools     the image tools plan alone (image-tools-plan)
;;   tar       rootfs-tar of the tree
;;   ext4      rootfs-tar, then ext4-image of it
;;   squashfs  rootfs-tar, then squashfs-image of it
;;   all       all of the above (the untimed warm-up)
;; and the images are listed in that order (the tar first), one per line of
;; distill's output.
;;
;; The tree is a remote-archive with a file:// URL pinned by its sha256, not
;; a local-archive: once fetched, the store finds it by its pin, so every
;; timed evaluation is spared hashing the whole tar again, as it would be
;; for the seed's .debs.  TAG goes into the root file system as the file
;; /etc/distill-bench-tag: a new TAG makes a new rootfs-tar, hence new
;; images, while the tree's unpacked layer (and the tools) stay cached; the
;; same TAG makes plans that are in the store.
(import (distill plan) (distill image) (distill imagetools))

(define args (cdr (program-arguments)))
(define tree-tar (list-ref args 0))
(define sha256 (list-ref args 1))
(define tag (list-ref args 2))
(define what (list-ref args 3))

(define root
  (rootfs-tar (list (remote-archive (string-append "file://" tree-tar)
                                    (string-append "sha256:" sha256))
                    (interned "/etc/distill-bench-tag" #o644 (string-append tag "\n")))))

(cond ((equal? what "tools") (list (image-tools-plan)))
      ((equal? what "tar") (list root))
      ((equal? what "ext4") (list root (ext4-image root)))
      ((equal? what "squashfs") (list root (squashfs-image root)))
      ((equal? what "all") (list root (ext4-image root) (squashfs-image root) (image-tools-plan)))
      (else (error "bench/images.scm: WHAT must be tools, tar, ext4, squashfs or all, not" what)))
