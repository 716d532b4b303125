;;; var-mount: /var ready for the services.  The platform's initramfs
;;; mounts the writable /var (an ext4 partition, made on the first boot);
;;; where nothing is mounted there (a platform without one), /var is a
;;; tmpfs, and the console says that nothing written there lasts.  Then
;;; the directories the services expect.
(define-module (svc var-mount)
  #:use-module (distill service)
  #:export (var-mount))

(define var-mount
  (make-service
   name: "var-mount"
   spec: (oneshot*
          up: "#!/bin/sh
if ! mountpoint -q /var; then
	echo 'distill-rc: var-mount: /var is no file system of its own: a tmpfs, lost at power-off' > /dev/console
	mount -t tmpfs -o mode=755,nodev,nosuid var /var || exit 1
fi
mkdir -p /var/log /var/lib /var/empty /var/tmp /var/spool
chmod 755 /var/empty
chmod 1777 /var/tmp
")))
