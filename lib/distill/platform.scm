;;; (distill platform): what a machine needs around a root file system to
;;; boot: a kernel, the kernel modules the initramfs loads, a boot loader
;;; and firmware, the disk layout, the kernel command line.  plat/*.scm
;;; define the platforms (plat qemu-x86_64) and (plat qemu-x86_64-efi);
;;; `distill boot PLATFORM [SYSTEM]` boots a system on one.
;;;
;;; A container platform ((plat container-rootfs): its mkimage is
;;; (distill image)'s container-rootfs-image) has no kernel, initramfs or
;;; disk: its image is the root as an OCI image, and it is not booted.
;;; Every other platform lays its disk out the same way:
;;;
;;;   1  boot  FAT: the kernel and initramfs (BIOS: GRUB, in the MBR and
;;;            the gap before it, loads them), or the ESP with a unified
;;;            kernel image at /EFI/BOOT/BOOTX64.EFI (UEFI), or both
;;;            (hybrid-image, a GPT disk booting either way: GRUB's
;;;            core.img is in a 4th partition, the BIOS boot partition)
;;;   2  root  squashfs, read-only: the system's files
;;;   3  var   empty; the initramfs makes an ext4 file system there on the
;;;            first boot and mounts it at /var on every boot
;;;
;;; The kernel's root= and distill.var= name partitions 2 and 3 of the
;;; disk as the platform's disk-interface has it: /dev/vda2 (virtio) or
;;; /dev/nvme0n1p2 (nvme).
;;;
;;; The initramfs (the platform's initramfs packages: plat/base.scm gives
;;; busybox and mke2fs built from source; the modules) runs /init below: load the modules, mount the root read-only, mount /var,
;;; switch_root to /sbin/init.  /var is formatted only when its first MiB
;;; is all zeros, as the image leaves it: a partition holding anything
;;; else that is not ext4 is never wiped (/var is then a tmpfs, and the
;;; console says why).
;;;
;;; A system is a (distill system) system, to which the platform adds the
;;; packages every system on it carries (busybox and netbase, from
;;; plat/base.scm); or the items of its root file system (artifacts, plans
;;; and inputs at "/", as for rootfs-tar) with the owners it declares, laid
;;; out as they are; or a procedure of the platform giving either:
;;; minimal-system is one (the platform's packages and base services, a
;;; oneshot printing a line).  The packages and services are the
;;; platform's fields: this module names no package or service.  So is
;;; the supervision backend of the systems that choose none
;;; (supervisor:; #f: runit).
(define-module (distill platform)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill image)
  #:use-module (distill boot)
  #:use-module (distill base)
  #:use-module (distill package)
  #:use-module (distill kernel)
  #:use-module (distill system)
  #:use-module (distill service)
  #:use-module ((srfi srfi-1) #:select (every))
  #:use-module (srfi srfi-9)
  #:export (make-platform platform? platform-name platform-firmware
            platform-kernel platform-modules platform-cmdline platform-console platform-consoles
            platform-memory platform-var-size platform-disk-interface
            platform-packages platform-services platform-initramfs-packages
            platform-initramfs platform-disk platform-boot-spec
            platform-config platform-mkimage platform-supervisor platform+system->plan
            minimal-system))

(define-record-type <platform>
  (%platform name firmware kernel modules cmdline console memory var-size
             packages services initramfs-packages config mkimage supervisor
             disk-interface)
  platform?
  (name platform-name)                  ; string
  (firmware platform-firmware)          ; 'bios, 'uefi or u-boot's plan
  (kernel platform-kernel)              ; plan whose raw output is a bzImage
  (modules platform-modules)            ; kernel modules the initramfs loads
  (cmdline platform-cmdline)            ; string, after the platform's own
  (console platform-consoles)           ; the consoles' device names, the serial one last
  (memory platform-memory)              ; MiB
  (var-size platform-var-size)          ; bytes
  (packages platform-packages)          ; in every system's root
  (services platform-services)          ; the base services (minimal-system)
  (initramfs-packages platform-initramfs-packages) ; in the initramfs
  (config platform-config)              ; what packages are built for
  (mkimage platform-mkimage)            ; (distill image)'s mkimage procedure
  (supervisor platform-supervisor)      ; systems' backend unless they chose, or #f
  (disk-interface platform-disk-interface)) ; 'virtio or 'nvme: the disk's bus

(define mib (* 1024 1024))

(define (words who what x)
  "X, a string or a list of strings and symbols (upstream's), as one string."
  (cond ((string? x) x)
        ((and (list? x) (every (lambda (w) (or (string? w) (symbol? w))) x))
         (string-join (map (lambda (w) (if (symbol? w) (symbol->string w) w)) x) " "))
        (else (recipe-error who "~a ~s must be a string or a list of words" (list what x)))))

(define* (make-platform #:key (name "platform") firmware kernel (modules '())
                        (cmdline "quiet") (console "ttyS0") (memory 256) (var-size (* 64 mib))
                        packages (services '()) initramfs
                        (config (default-config 'x86_64)) mkimage supervisor
                        (disk-interface 'virtio))
  "A platform NAME booting KERNEL (a plan whose raw output is an EFI-stub
bzImage or an arm64 Image, or a package giving one) by FIRMWARE ('bios:
GRUB on an MBR disk; 'uefi: a unified kernel image on the ESP of a GPT
disk; or u-boot, a plan whose raw output QEMU runs as its firmware, or a
package giving one: extlinux.conf on the MBR disk's boot partition), its initramfs
loading the kernel MODULES (names, with (distill kernel)'s
kernel-module-subset; '() when the kernel has its drivers built in), with
CMDLINE (a string, or upstream's list of words) added to the kernel's
command line, the serial CONSOLE (a device name: ttyS0, the PC's and many
boards' 8250; ttyAMA0, an Arm PL011; or a list of consoles, the serial
one last: '(\"tty0\" \"ttyS0\"), the kernel writes to each and /dev/console
is the last), MEMORY MiB, and a /var partition
of VAR-SIZE bytes.  Every
system laid out on it gets PACKAGES in its root (the shell and init its
services need); SERVICES are its base services, which minimal-system runs
and platform+system->plan adds to a system's; the initramfs holds
INITRAMFS (packages giving a shell with mount, modprobe and switch_root,
and mke2fs; default: PACKAGES).  CONFIG (default-config 'x86_64, or
gcc+musl-static-config's; (default-config 'aarch64) for an Arm machine) is
what its packages, and those of every system laid out on it, are built
for; MKIMAGE is
(distill image)'s mbr-image, efi-image or container-rootfs-image of a
name (default: mbr-image, efi-image for 'uefi, extlinux-image for u-boot;
FIRMWARE defaults to what MKIMAGE boots by, else 'bios); with
container-rootfs-image, KERNEL may be #f (a container platform: no
initramfs, not booted).  plat/base.scm's base-packages, base-services and
initramfs-packages are those of the qemu platforms.  SUPERVISOR ((distill
service)'s runit-backend, (pkg s6)'s s6-supervisor) runs the services of
the systems that choose none (default: #f, runit).  DISK-INTERFACE is how
the machine has its disk: 'virtio (/dev/vda, QEMU's and most clouds') or
'nvme (/dev/nvme0n1, EC2's Nitro machines); the kernel's root= and the
/var device name its partitions."
  (unless (string? name) (recipe-error 'make-platform "name: must be a string, not ~s" (list name)))
  (unless (and (or (string? console) (and (list? console) (pair? console)))
               (every (lambda (c) (and (string? c) (string-prefix? "tty" c)))
                      (if (string? console) (list console) console)))
    (recipe-error 'make-platform "console: ~s must be a tty's name, such as \"ttyS0\", or a list of them, the serial one last"
                  (list console)))
  (unless (config? config) (recipe-error 'make-platform "config: ~s is not a config (default-config, gcc+musl-static-config)" (list config)))
  (unless (or (not supervisor) (supervisor? supervisor))
    (recipe-error 'make-platform "supervisor: ~s is not a supervision backend (runit-backend, or s6-supervisor of (pkg s6))" (list supervisor)))
  (unless (or (not mkimage) (procedure? mkimage))
    (recipe-error 'make-platform "mkimage: ~s must be a procedure such as (mbr-image NAME) of (distill image)" (list mkimage)))
  (unless (memq disk-interface '(virtio nvme))
    (recipe-error 'make-platform "disk-interface: ~s must be virtio or nvme" (list disk-interface)))
  (let ((firmware (or firmware (and mkimage (procedure-property mkimage 'firmware)) 'bios)))
    (when (procedure? firmware) (set! firmware ((expander config) firmware)))
    (unless (or (memq firmware '(bios uefi)) (and (plan? firmware) (plan-raw-output firmware)))
      (recipe-error 'make-platform "firmware: must be 'bios, 'uefi or a plan with a raw output (u-boot.bin), not ~s"
                    (list firmware)))
    (when (procedure? kernel) (set! kernel ((expander config) kernel)))
    (unless (or (and (not kernel) mkimage (procedure-property mkimage 'container))
                (and (plan? kernel) (plan-raw-output kernel)))
      (recipe-error 'make-platform "kernel: ~s is not a plan with a raw output (a bzImage)" (list kernel)))
    (unless (and (list? modules) (every string? modules))
      (recipe-error 'make-platform "modules: ~s must be a list of kernel module names" (list modules)))
    (unless (and (exact-integer? var-size) (> var-size 0) (zero? (remainder var-size mib)))
      (recipe-error 'make-platform "var-size: ~s must be a positive number of bytes, a multiple of 1 MiB" (list var-size)))
    (let ((initramfs (or initramfs packages)))
      (for-each (lambda (what l)
                  (unless (and (list? l) (pair? l))
                    (recipe-error 'make-platform "~a must be a non-empty list of packages ((plat base) has the usual ones), not ~s"
                                  (list what l))))
                '("packages:" "initramfs:") (list packages initramfs))
      (check-list 'make-platform "services:" services)
      (%platform name firmware kernel modules (words 'make-platform "cmdline:" cmdline)
                 (if (string? console) (list console) console)
                 memory var-size packages services initramfs config
                 (or mkimage (case firmware
                               ((uefi) (efi-image name))
                               ((bios) (mbr-image name))
                               (else (extlinux-image name))))
                 supervisor disk-interface))))

(define (configured plat p)
  ((expander (platform-config plat)) p))

(define (raw-name p)
  (basename (plan-raw-output p)))

(define init-script
  ;; /init of the initramfs (busybox sh).
  "#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
say() { echo \"distill-initramfs: $*\" > /dev/console; }
fail() { say \"$*\"; say 'powering off'; sync; poweroff -f; }
if [ -s /etc/modules ] && [ -d /lib/modules/$(uname -r) ]; then
	for m in $(cat /etc/modules); do modprobe $m || say \"could not load module $m\"; done
fi
root= var= rootfstype=squashfs init=/sbin/init
for a in $(cat /proc/cmdline); do
	case $a in
	root=*) root=${a#root=} ;;
	rootfstype=*) rootfstype=${a#rootfstype=} ;;
	distill.var=*) var=${a#distill.var=} ;;
	init=*) init=${a#init=} ;;
	esac
done
[ -n \"$root\" ] || fail 'no root= on the kernel command line'
wait_for() {
	i=0
	while [ ! -b \"$1\" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -b \"$1\" ]
}
wait_for \"$root\" || fail \"the root device $root did not appear\"
mkdir -p /newroot
mount -t \"$rootfstype\" -o ro \"$root\" /newroot || fail \"could not mount $root ($rootfstype)\"
varfs=tmpfs
if [ -n \"$var\" ] && wait_for \"$var\"; then
	magic=$(dd if=\"$var\" bs=1 skip=1080 count=2 2> /dev/null | od -An -tx1 | tr -d ' \\n')
	if [ \"$magic\" != 53ef ] &&
	   [ \"$(head -c 1048576 \"$var\" | tr -d '\\000' | head -c 1 | wc -c)\" = 0 ]; then
		say \"making an ext4 file system for /var on $var (first boot)\"
		mke2fs -q -t ext4 -L var \"$var\" || say \"mke2fs $var failed\"
		magic=53ef
	fi
	if [ \"$magic\" = 53ef ] && mount -t ext4 -o nodev,nosuid \"$var\" /newroot/var; then
		varfs=$var
	else
		say \"$var is not an ext4 file system, and not empty: it is left as it is\"
	fi
elif [ -n \"$var\" ]; then
	say \"the /var device $var did not appear\"
fi
[ \"$varfs\" != tmpfs ] || { say '/var is a tmpfs: nothing written there lasts'; mount -t tmpfs -o mode=755,nodev,nosuid var /newroot/var; }
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
exec switch_root /newroot \"$init\"
")

(define (platform-initramfs plat)
  "The plan whose raw output is PLAT's initramfs (a gzip newc cpio)."
  (let ((modules (platform-modules plat)))
    (cpio-image
     (append (map (lambda (p) (configured plat p)) (platform-initramfs-packages plat))
             (list (interned "/init" #o755 init-script)
                   (interned "/etc/modules" #o644
                             (string-concatenate
                              (map (lambda (m) (string-append m "\n")) modules)))
                   (interned-dir "/proc" #o755)
                   (interned-dir "/sys" #o755)
                   (interned-dir "/dev" #o755))
             (if (null? modules)
                 '()
                 (list (kernel-module-subset modules #:arch (config-arch (platform-config plat))))))
     name: (string-append (platform-name plat) "-initramfs"))))

(define (platform-console plat)
  "The device name of PLAT's serial console, /dev/console: the last of its
consoles."
  (car (last-pair (platform-consoles plat))))

(define (partition-device plat n)
  "The device of partition N of PLAT's disk, as its kernel names it."
  (string-append (case (platform-disk-interface plat)
                   ((nvme) "/dev/nvme0n1p")
                   (else "/dev/vda"))
                 (number->string n)))

(define (command-line plat)
  (string-append (string-join (map (lambda (c) (string-append "console=" c " "))
                                   (platform-consoles plat))
                              "")
                 "root=" (partition-device plat 2) " rootfstype=squashfs distill.var="
                 (partition-device plat 3) " panic=-1 "
                 (platform-cmdline plat)))

(define mount-points
  ;; What the platform needs in every root: where the initramfs mounts
  ;; /dev, /proc, /sys and /var, and a /tmp and /run.
  (map (lambda (d) (interned-dir d #o755)) '("/dev" "/proc" "/sys" "/var" "/tmp" "/run")))

(define* (platform-disk plat system #:key (owners '()))
  "The raw disk image of SYSTEM (a make-system system, given PLAT's
packages and base services, as upstream's platform+system->plan does;
or the list of items of a root file system, as for rootfs-tar, with
OWNERS; or a procedure of PLAT giving either), laid out for PLAT."
  (when (procedure? system) (set! system (system plat)))
  (when (system? system)
    (set! system (system-add-packages
                  (system-add-services (system-for-config
                                        (system-with-supervisor system (platform-supervisor plat))
                                        (platform-config plat))
                                       (platform-services plat))
                  (platform-packages plat))))
  (unless (or (system? system) (list? system))
    (recipe-error 'platform-disk "~s is neither a system nor a list of root file system items"
                  (list system)))
  (let* ((root (if (system? system) (system-root system) system))
         (owners (if (system? system) (append (system-owners system) owners) owners))
         (kernel (platform-kernel plat))
         (initrd (and kernel (platform-initramfs plat))))
    ((platform-mkimage plat)
     #:root (append root mount-points)
     #:owners (append '(("/tmp" 0 0 #o1777)) owners)
     #:kernel kernel #:initrd initrd #:cmdline (command-line plat)
     #:var-size (platform-var-size plat) #:config (platform-config plat))))

(define (platform+system->plan plat sys)
  "Upstream's name: the image plan of the system SYS (make-system) on the
platform PLAT, with PLAT's packages and base services added: PLAT's
mkimage applied to them (platform-disk)."
  (unless (system? sys)
    (recipe-error 'platform+system->plan "~s is not a system (make-system)" (list sys)))
  (platform-disk plat sys))

(define* (platform-boot-spec plat system #:key (owners '()) (format 'raw))
  "The boot spec of (distill boot) that boots SYSTEM (as for
platform-disk) on PLAT from its disk, raw or (FORMAT 'qcow2) qcow2 (a
disk PLAT's mkimage made qcow2 already is used as it is)."
  (unless (platform-kernel plat)
    (recipe-error 'platform-boot-spec "~a is a container platform: its image is run by a container runtime (crun, runc, podman), not booted (docs/platforms.md)"
                  (list (platform-name plat))))
  (let ((disk (platform-disk plat system owners: owners)))
    (boot-spec disk: (case format
                       ((raw) disk)
                       ((qcow2) (if (string-suffix? ".qcow2" (plan-raw-output disk))
                                    disk
                                    (qcow2-image disk)))
                       (else (recipe-error 'platform-boot-spec
                                           "format: ~s must be raw or qcow2" (list format))))
               firmware: (platform-firmware plat)
               memory: (platform-memory plat)
               arch: (config-arch (platform-config plat))
               disk-interface: (platform-disk-interface plat))))

(define* (minimal-system #:key (message "distill: the minimal system is up"))
  "A small system for a platform (a procedure of the platform, which
platform-disk takes): its packages (plat/base.scm: busybox built from
source, with its init and runit), its base services (/var made ready,
the kernel's messages logged, the power button), and a oneshot printing
MESSAGE, the kernel release and what /var is."
  (lambda (plat)
    (make-system
     services: (append
                (platform-services plat)
                (list (make-service
                       name: "hello"
                       after: (list "var-mount")
                       spec: (oneshot*
                              up: (string-append "#!/bin/sh
echo \"" message " on $(uname -r); /var: $(grep ' /var ' /proc/mounts | cut -d ' ' -f 1,3)\" > /dev/console
"))))))))
