;;; var-mount: /var ready for the services.  The platform's initramfs
;;; mounts the writable /var (an ext4 partition, made on the first boot);
;;; where nothing is mounted there (a platform without one), /var is a
;;; tmpfs, and the console says that nothing written there lasts.  Then
;;; the directories the services expect.  It is (distill fs)'s
;;; (var-mount #f), upstream's var-mounted-rw.
(define-module (svc var-mount)
  #:use-module ((distill fs) #:select ((var-mount . var-mount-service)))
  #:export (var-mount))

(define var-mount (var-mount-service #f))
