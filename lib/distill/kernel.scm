;;; (distill kernel): a pinned prebuilt Linux kernel for booting images.
;;;
;;; The kernel is Debian 12's cloud flavour (linux-image-*-cloud-amd64 for
;;; x86_64, linux-image-*-cloud-arm64 for aarch64: the #:arch of each
;;; procedure below, default x86_64), pinned like the seed by the sha256 of Debian's signed index and read
;;; through the seed-deb parameter of (distill seed) (seed/debs, filled by
;;; scripts/fetch-seed from seed/SHA256SUMS).  It boots to a serial console
;;; in about half the time of the generic amd64 kernel under TCG; its
;;; drivers for virtio (pci, blk, net, console) are modules, and it has no
;;; 9p, so a disk root needs an initramfs that loads them.  The arm64
;;; kernel's vmlinuz is an uncompressed arm64 Image (what u-boot's booti
;;; loads); its virtio drivers are modules too.
;;;
;;; kernel-plan's raw output is the vmlinuz; kernel-modules-plan's output
;;; is the tree lib/modules/RELEASE (with modules.dep, for modprobe), and
;;; kernel-module-subset's the same for a few modules and their
;;; dependencies (what an initramfs needs).
;;; busybox-initramfs makes a small initramfs (a newc cpio, written by a
;;; shell script so that it is reproducible: sorted, inode numbers counted,
;;; times 0) of busybox-static, an /init script, kernel modules with their
;;; dependencies and other files: a test helper until (distill image)
;;; makes initramfs images.
(define-module (distill kernel)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill seed)
  #:export (kernel-packages kernel-release kernel-arch-release kernel-deb kernel-qemu-modules
            kernel-plan kernel-modules-plan kernel-module-subset
            busybox-initramfs))

(define kernel-packages
  ;; (name version sha256 file), as seed-packages; in seed/SHA256SUMS.
  ;; x86_64's first, then aarch64's (kernel-arches).
  '(("linux-image-6.1.0-56-cloud-amd64" "6.1.192-2"
     "e7d02b943971edcb8790e256c02cfab3bca6c3d37c1bf25392a57c71300615ee"
     "linux-image-6.1.0-56-cloud-amd64_6.1.192-2_amd64.deb")
    ("linux-image-6.1.0-56-cloud-arm64" "6.1.192-2"
     "481ab54a27246579aadeb372315c56de02f2fe0cba4e09b387946269fff2f415"
     "linux-image-6.1.0-56-cloud-arm64_6.1.192-2_arm64.deb")))

(define kernel-arches
  ;; (arch release . kernel-packages entry)
  (map (lambda (arch release p) (cons* arch release p))
       '(x86_64 aarch64)
       '("6.1.0-56-cloud-amd64" "6.1.0-56-cloud-arm64")
       kernel-packages))

(define (arch-entry who arch)
  (or (assq-ref kernel-arches arch)
      (recipe-error who "no kernel for ~a (there are kernels for ~a)"
                    (list arch (string-join (map (lambda (e) (symbol->string (car e))) kernel-arches) " ")))))

(define (kernel-arch-release arch)
  "The release (uname -r) of ARCH's kernel."
  (car (arch-entry 'kernel-arch-release arch)))

(define kernel-release (kernel-arch-release 'x86_64))

(define kernel-qemu-modules
  ;; The modules a QEMU PC needs before its root is mounted, and after:
  ;; virtio_pci first (the others sit on it), the disk, network, random
  ;; numbers and console, squashfs for the root, ACPI's power button.
  '("virtio_pci" "virtio_blk" "virtio_net" "virtio-rng" "virtio_console"
    "squashfs" "button"))

(define busybox-artifact
  ;; busybox-static from the seed, as an artifact made by seed-deb.
  (pinned-debs (list (assoc "busybox-static" seed-packages))))

(define (busybox-static) (car (busybox-artifact)))

(define kernel-artifacts
  ;; arch -> the kernel's .deb as an artifact made by seed-deb.
  (map (lambda (e) (cons (car e) (pinned-debs (list (cddr e))))) kernel-arches))

(define* (kernel-deb #:optional (arch 'x86_64))
  "ARCH's kernel .deb as an archive artifact at \"/\"."
  (arch-entry 'kernel-deb arch)
  (car ((assq-ref kernel-artifacts arch))))

(define (busybox-build text)
  ;; A /build run by busybox-static with its applets on PATH.
  (interned "/build" #o755
            (string-append "#!/bin/busybox sh
set -eu
/bin/busybox mkdir -p /tmp/bin
/bin/busybox --install -s /tmp/bin
export PATH=/tmp/bin
" text)))

(define (arch-name name arch)
  ;; x86_64's plans keep their names; another arch's get it appended.
  (if (eq? arch 'x86_64) name (string-append name "-" (symbol->string arch))))

(define* (kernel-plan #:key (arch 'x86_64) (name (arch-name "vmlinuz" arch)))
  "The plan whose raw output is ARCH's kernel image (x86_64: a bzImage;
aarch64: an arm64 Image)."
  (make-plan name: name raw-output: "/vmlinuz"
             inputs: (list (busybox-static) (kernel-deb arch)
                           (busybox-build (string-append
                                           "cp /boot/vmlinuz-" (kernel-arch-release arch)
                                           " /out/vmlinuz\n")))))

(define* (kernel-modules-plan #:key (arch 'x86_64) (name (arch-name "kernel-modules" arch)))
  "The plan whose output is the tree lib/modules/RELEASE: ARCH's kernel's
modules, modules.dep and the other indexes of busybox depmod (sorted)."
  (make-plan name: name
             inputs: (list (busybox-static) (kernel-deb arch)
                           (busybox-build (string-append "r=" (kernel-arch-release arch) "
mkdir -p /out/lib/modules
cp -a /lib/modules/$r /out/lib/modules/
depmod -b /out $r
cd /out/lib/modules/$r
for f in modules.dep modules.alias modules.symbols; do
	[ ! -e $f ] || sort -o $f $f
done
")))))

(define cpio-script
  ;; /tmp/root -> /out/initrd.cpio, newc format; every entry's owner is
  ;; 0:0, its time 0, its inode number its place in the sorted list.
  "cd /tmp/root
ino=0
pad() { [ \"$1\" = 0 ] || head -c \"$1\" /dev/zero; }
header() { # ino mode nlink size name
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \\
		\"$1\" \"$2\" 0 0 \"$3\" 0 \"$4\" 0 0 0 0 $((${#5} + 1)) 0
	printf '%s\\0' \"$5\"
	pad $(( (4 - (110 + ${#5} + 1) % 4) % 4 ))
}
find . -mindepth 1 | sort | while IFS= read -r f; do
	ino=$((ino + 1))
	name=${f#./}
	mode=$((0x$(stat -c %f \"$f\")))
	if [ -L \"$f\" ]; then
		t=$(readlink \"$f\")
		header $ino $mode 1 ${#t} \"$name\"
		printf '%s' \"$t\"
		pad $(( (4 - ${#t} % 4) % 4 ))
	elif [ -d \"$f\" ]; then
		header $ino $mode 2 0 \"$name\"
	else
		size=$(stat -c %s \"$f\")
		header $ino $mode 1 $size \"$name\"
		cat \"$f\"
		pad $(( (4 - size % 4) % 4 ))
	fi
done > /out/initrd.cpio
header 0 0 1 0 'TRAILER!!!' >> /out/initrd.cpio
")

(define* (kernel-module-subset modules #:key (arch 'x86_64)
                               (name (arch-name "kernel-module-subset" arch)))
  "The plan whose output is the tree lib/modules/RELEASE with ARCH's kernel
MODULES named (e.g. \"virtio_net\"), those they depend on, and a
modules.dep for them (for busybox modprobe)."
  (make-plan
   name: name
   inputs: (list (busybox-static)
                 (make-input basedir: "/modules" link: (kernel-modules-plan #:arch arch))
                 (busybox-build
                  (string-append "r=" (kernel-arch-release arch) "
m=/modules/lib/modules/$r
mkdir -p /out/lib/modules/$r
: > /tmp/deps
for mod in " (string-join modules " ") "; do
	line=$(grep -E \"(^|/)$mod\\.ko:\" $m/modules.dep) ||
		{ echo \"no kernel module $mod in modules.dep\" >&2; exit 1; }
	echo \"$line\" >> /tmp/deps
	for f in $(echo \"$line\" | tr -d :); do
		mkdir -p /out/lib/modules/$r/${f%/*}
		cp $m/$f /out/lib/modules/$r/$f
		grep -E \"^$f:\" $m/modules.dep >> /tmp/deps
	done
done
sort -u /tmp/deps > /out/lib/modules/$r/modules.dep
")))))

(define* (busybox-initramfs #:key (name "initramfs") init (modules '())
                            (files '()))
  "A plan whose raw output is an initramfs (a newc cpio): busybox-static
at /bin/busybox, INIT (the text of a busybox sh script) at /init, the
kernel MODULES named (see kernel-module-subset) under lib/modules/RELEASE
with a modules.dep for modprobe, and FILES (artifacts, at their paths).
/init should run `/bin/busybox --install -s` before it uses applets by
name."
  (unless (string? init)
    (recipe-error 'busybox-initramfs "init: must be the text of /init, not ~s"
                  (list init)))
  (make-plan
   name: name raw-output: "/initrd.cpio"
   inputs: (append
            (list (busybox-static)
                  (make-input basedir: "/root" link: (kernel-module-subset modules))
                  (make-input basedir: "/root"
                              link: (interned "/init" #o755 init))
                  (busybox-build
                   (string-append "
mkdir -p /tmp/root/bin /tmp/root/dev /tmp/root/proc /tmp/root/sys
cp -a /root/. /tmp/root/
cp /bin/busybox /tmp/root/bin/busybox
" cpio-script)))
            (map (lambda (f) (make-input basedir: "/root" link: f)) files))))
