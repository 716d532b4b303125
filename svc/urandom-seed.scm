;;; urandom-seed: the kernel's random pool seeded across boots from
;;; /var/lib/urandom-seed, as OpenRC's urandom and systemd-random-seed do.
;;; A oneshot after var-mount: at boot, the seed a previous boot left is
;;; written into /dev/urandom, then a fresh seed (512 bytes of
;;; /dev/urandom, the old one mixed in) replaces it at once, so that a
;;; machine that crashes never feeds the same seed twice; at shutdown
;;; (rc.stop runs the oneshot's down, with either backend) a fresh seed is
;;; written again.  Each seed is written to a file of its own, synced,
;;; then renamed over the old: a power cut leaves the old seed or the new
;;; one, never half of one.
;;;
;;; The seed is mixed in, not credited: a write to /dev/urandom adds to
;;; the pool without counting entropy (crediting needs the RNDADDENTROPY
;;; ioctl), as OpenRC's urandom does (systemd-random-seed credits one
;;; only when told it is not shared: SYSTEMD_RANDOM_SEED_CREDIT).  A
;;; seed is only as secret as /var: an image's /var copied to many
;;; machines (a cloned disk, one --state file booted twice) hands them all
;;; the same seed, and crediting it would make their first random numbers
;;; predictable to whoever has the copy; mixed in, it can only add to what
;;; the kernel gathers itself (Linux 6.1 initialises its generator from
;;; jitter, RDRAND and virtio-rng without waiting for a seed).
(define-module (svc urandom-seed)
  #:use-module (distill service)
  #:use-module (svc var-mount)
  #:export (urandom-seed))

(define save-seed
  ;; The shell lines of both scripts that write a fresh seed.
  "umask 077
dd if=/dev/urandom of=$seed.new bs=512 count=1 2> /dev/null &&
	sync && mv -f $seed.new $seed && sync ||
	{ echo \"distill-rc: urandom-seed: could not write $seed\" > /dev/console; exit 1; }
")

(define urandom-seed
  (make-service
   name: "urandom-seed"
   after: (list var-mount)
   spec: (oneshot*
          up: (string-append "#!/bin/sh
seed=/var/lib/urandom-seed
if [ -s $seed ]; then
	cat $seed > /dev/urandom
else
	echo \"distill-rc: urandom-seed: no seed in $seed yet (the first boot): one is made now\" > /dev/console
fi
" save-seed)
          down: (string-append "#!/bin/sh
seed=/var/lib/urandom-seed
" save-seed))))
