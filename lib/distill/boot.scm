;;; (distill boot): what `distill boot` runs.
;;;
;;; A boot spec names the machine's parts, each the raw output of a plan
;;; (a single file in the store): a kernel and an initramfs booted directly
;;; (QEMU's -kernel, -initrd, -append), or a disk image booted by firmware
;;; ('bios: QEMU's SeaBIOS; 'uefi: OVMF; or a plan whose raw output is the
;;; firmware QEMU runs, u-boot.bin for aarch64), or a kernel with a disk
;;; beside it, on an x86_64 PC or (arch: 'aarch64) QEMU's Arm virt board.  A script given to `distill boot` ends with a boot spec, or with a
;;; disk image plan, which is (boot-spec disk: PLAN).  boot! builds the
;;; plans and hands their store paths to QEMU (src/boot.c), with the
;;; options of the command line; the disk is used through a copy-on-write
;;; snapshot, so booting never changes the image.
(define-module (distill boot)
  #:use-module (distill core)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (srfi srfi-9)
  #:export (boot-spec boot-spec? boot-spec-kernel boot-spec-initrd
            boot-spec-disk boot-spec-cmdline boot-spec-firmware
            boot-spec-memory boot-spec-arch boot-spec-disk-interface
            boot-spec-plans ->boot-spec boot!))

(define-record-type <boot-spec>
  (%boot-spec kernel initrd disk cmdline firmware memory arch disk-interface)
  boot-spec?
  (kernel boot-spec-kernel)             ; plan with a raw output, or #f
  (initrd boot-spec-initrd)             ; plan with a raw output, or #f
  (disk boot-spec-disk)                 ; plan with a raw output, or #f
  (cmdline boot-spec-cmdline)           ; string (used with a kernel)
  (firmware boot-spec-firmware)         ; 'bios, 'uefi or a plan (-bios FILE)
  (memory boot-spec-memory)             ; MiB
  (arch boot-spec-arch)                 ; 'x86_64 or 'aarch64
  (disk-interface boot-spec-disk-interface)) ; 'virtio or 'nvme

(define (check-part what x)
  (unless (or (not x) (and (plan? x) (plan-raw-output x)))
    (recipe-error 'boot-spec "~a: must be a plan with a raw output (one file), not ~s"
                  (list what x)))
  x)

(define* (boot-spec #:key kernel initrd disk
                    (cmdline "console=ttyS0 panic=-1")
                    (firmware 'bios) (memory 256) (arch 'x86_64)
                    (disk-interface 'virtio))
  "A machine to boot: KERNEL (and INITRD, CMDLINE) booted directly, or a
DISK image booted by FIRMWARE ('bios or 'uefi, or a plan whose raw output
QEMU runs as its firmware: u-boot.bin), or both; MEMORY in MiB; ARCH
'x86_64 (a PC) or 'aarch64 (QEMU's virt board, emulated); the disk
attached by DISK-INTERFACE, 'virtio or 'nvme (an NVMe controller, as on
EC2's Nitro machines).  Each part is a plan whose raw output is the file."
  (check-part 'kernel kernel)
  (check-part 'initrd initrd)
  (check-part 'disk disk)
  (unless (or kernel disk)
    (recipe-error 'boot-spec "a boot spec needs kernel: or disk:" '()))
  (when (and initrd (not kernel))
    (recipe-error 'boot-spec "initrd: is booted with a kernel: the spec has none" '()))
  (unless (or (memq firmware '(bios uefi)) (and (plan? firmware) (plan-raw-output firmware)))
    (recipe-error 'boot-spec "firmware: must be 'bios, 'uefi or a plan with a raw output (u-boot.bin), not ~s"
                  (list firmware)))
  (unless (memq arch '(x86_64 aarch64))
    (recipe-error 'boot-spec "arch: must be x86_64 or aarch64, not ~s" (list arch)))
  (unless (memq disk-interface '(virtio nvme))
    (recipe-error 'boot-spec "disk-interface: must be virtio or nvme, not ~s" (list disk-interface)))
  (unless (string? cmdline)
    (recipe-error 'boot-spec "cmdline: must be a string, not ~s" (list cmdline)))
  (unless (and (integer? memory) (<= 16 memory 1048576))
    (recipe-error 'boot-spec "memory: must be MiB from 16, not ~s" (list memory)))
  (%boot-spec kernel initrd disk cmdline firmware memory arch disk-interface))

(define (boot-spec-plans spec)
  "The plans SPEC needs built."
  (filter plan? (list (boot-spec-kernel spec) (boot-spec-initrd spec)
                      (boot-spec-disk spec) (boot-spec-firmware spec))))

(define (->boot-spec v)
  "The boot spec a script's last value V stands for: V itself, or a disk
image plan booted with the defaults."
  (cond ((boot-spec? v) v)
        ((and (plan? v) (plan-raw-output v)) (boot-spec #:disk v))
        (else (recipe-error 'boot-spec "the script must end with a boot spec or a disk image plan (a plan with a raw output), not ~s"
                            (list v)))))

(define (boot! spec)
  "Build SPEC's plans, then boot it in QEMU with the options of `distill
boot`; returns the exit status (docs/boot.md)."
  (build-plans! (boot-spec-plans spec))
  (if (%dry-run?)
      0
      (let ((path (lambda (p) (and p (plan-output-path p)))))
        (%boot (path (boot-spec-kernel spec))
               (path (boot-spec-initrd spec))
               (path (boot-spec-disk spec))
               (boot-spec-cmdline spec)
               (eq? (boot-spec-firmware spec) 'uefi)
               (boot-spec-memory spec)
               (let ((f (boot-spec-firmware spec))) (and (plan? f) (path f)))
               (symbol->string (boot-spec-arch spec))
               (symbol->string (boot-spec-disk-interface spec))))))
