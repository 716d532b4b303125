;;; (distill fs): upstream distill's file system services.
;;;
;;;   var-mounted-rw  'var-mount, the name of the service that makes /var
;;;                   writable: logging services start after it
;;;   (var-mount DEV) that service.  /var already mounted (the platforms'
;;;                   initramfs mounts their /var partition) is kept;
;;;                   else DEV (a block device holding ext4) is mounted
;;;                   there, or with DEV #f a tmpfs (the console says it is
;;;                   lost at power-off).  Then the directories services
;;;                   expect.  Upstream ran mkfs.ext4 on DEV whenever fsck
;;;                   failed, wiping a disk that was only damaged or not
;;;                   /var's; here a device that does not mount as ext4 is
;;;                   left as it is and the service fails, naming it (the
;;;                   platforms format their /var partition only when it
;;;                   is all zeros, in the initramfs: docs/boot.md).
;;;   (swapon DEV)    a oneshot using DEV for swap (swapoff at shutdown).
;;;                   Upstream ran mkswap on DEV at every boot; here DEV
;;;                   must already hold swap (mkswap it once), so a wrong
;;;                   device name cannot destroy data.
;;;   kmsg            the kernel's messages read from /dev/kmsg, logged by
;;;                   the supervision backend's logger into /var/log/kmsg
;;;                   (rotated by it; upstream wrote zstd-compressed logs to
;;;                   /var/log/services/kmsg with s6-log)
;;;
;;; The scripts are text for busybox's sh: every platform's root has
;;; busybox (mount, mountpoint, swapon, cat).
(define-module (distill fs)
  #:use-module (distill check)
  #:use-module (distill service)
  #:export (var-mount var-mounted-rw swapon kmsg))

(define var-mounted-rw 'var-mount)

(define (device who dev)
  (unless (and (string? dev) (string-prefix? "/dev/" dev)
               (string-every (lambda (c) (or (char-alphabetic? c) (char-numeric? c)
                                             (memv c '(#\/ #\- #\_ #\.))))
                             dev))
    (recipe-error who "~s is not a device name (/dev/...)" (list dev)))
  dev)

(define (var-mount dev)
  "The service var-mounted-rw: /var writable, on DEV (an ext4 block device,
mounted when nothing is mounted at /var yet, never formatted) or, with
DEV #f, on what the platform mounted there or a tmpfs (always the same
service: svc/var-mount's, which the qemu platforms run)."
  (if dev
      (make-var-mount (device 'var-mount dev))
      var-mount/platform))

(define (make-var-mount dev)
  (make-service
   name: var-mounted-rw
   spec: (oneshot*
          up: (string-append "#!/bin/sh
if ! mountpoint -q /var; then
"
                             (if dev
                                 (string-append "\tif ! mount -t ext4 -o nodev,nosuid " dev " /var; then
		echo 'distill-rc: var-mount: " dev " does not mount as ext4: it is left as it is (never formatted)' > /dev/console
		exit 1
	fi
")
                                 "\techo 'distill-rc: var-mount: /var is no file system of its own: a tmpfs, lost at power-off' > /dev/console
	mount -t tmpfs -o mode=755,nodev,nosuid var /var || exit 1
")
                             "fi
mkdir -p /var/log /var/lib /var/empty /var/tmp /var/spool
chmod 755 /var/empty
chmod 1777 /var/tmp
"))))

(define var-mount/platform (make-var-mount #f))

(define (swapon dev)
  "A oneshot named swapon-DEV (its /s as -) that turns on swap on DEV,
which must hold a swap signature already (mkswap), and turns it off at
shutdown."
  (device 'swapon dev)
  (make-service
   name: (string-append "swapon" (string-map (lambda (c) (if (char=? c #\/) #\- c)) dev))
   spec: (oneshot*
          up: (string-append "#!/bin/sh
swapon " dev " || { echo 'distill-rc: swapon: " dev " holds no swap (mkswap it once)' > /dev/console; exit 1; }
")
          down: (string-append "#!/bin/sh
swapoff " dev "
"))))

(define kmsg
  (make-service
   name: 'kmsg
   after: (list var-mounted-rw)
   spec: (longrun* run: "#!/bin/sh
exec cat /dev/kmsg
")))
