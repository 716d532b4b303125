;;; (distill image): root file systems made into images: a container
;;; tarball, a cpio initramfs, squashfs, ext4 and ext2, a FAT EFI system
;;; partition, whole disks with an MBR or GPT partition table, and qcow2.
;;; Each image is a plan run in the sandbox with the image tools of
;;; (distill imagetools), whose output is the image file as it is
;;; (raw-output), bit-identical whoever builds it and whenever.
;;;
;;; Every image starts from one canonical tar (rootfs-tar): the root file
;;; system's items placed at "/", listed in byte order, every entry owned
;;; by 0:0 with the same mtime (the epoch), except where the recipe
;;; declares owners.  The build runs unprivileged, so owners are never
;;; set on files: they are written into the tar (bsdtar from an mtree
;;; spec), and from there tar2sqfs and bsdtar's cpio writer carry them;
;;; ext4 and ext2 get them (and fixed inode times) from debugfs after
;;; mke2fs -d; FAT has no owners.  docs/images.md has the details.
;;;
;;; Owners are declared as a list of (PATH UID GID MODE): PATH absolute
;;; in the image, MODE an integer or #f to keep the mode it has.  Modes
;;; otherwise come from the items: a file has the mode the store keeps
;;; (0644/0755 for outputs of plans, the declared mode for interned
;;; files) with owner write permission added (u+w: the store's read-only
;;; copies lack it); a directory is 0755, whatever an interned-dir said
;;; (declare /tmp's 1777 in the owners).
(define-module (distill image)
  #:use-module (distill check)
  #:use-module (distill plan)
  #:use-module (distill hash)
  #:use-module (distill imagetools)
  #:use-module ((distill package) #:select (expander config-arch))
  #:use-module ((distill sbom) #:select (write-json))
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-9)
  #:use-module (ice-9 match)
  #:export (image-epoch image-tools name->uuid
            rootfs-tar tar-image cpio-image squashfs-image
            oci-image ext4-image ext2-image vfat-image
            partition partition? disk-image qcow2-image
            grub-bios-disk uki
            ;; upstream's
            container-rootfs-image efi-image mbr-image hybrid-image linux-esp ext2fs squashfs
            extlinux-image))

(define image-epoch
  ;; The mtime of every entry, and the time of every file system made
  ;; (E2FSPROGS_FAKE_TIME, SOURCE_DATE_EPOCH): 1980-01-01T00:00:00Z, the
  ;; earliest time FAT can store, and not 0, which mke2fs takes as unset.
  (make-parameter 315532800))

(define image-tools
  ;; The plan of the tools tree image plans run with; #f: (image-tools-plan).
  (make-parameter #f))

(define default-tools (delay (image-tools-plan)))

(define (tools)
  (or (image-tools) (force default-tools)))

(define b64url "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

(define (name->uuid s)
  "A UUID (version 4 form, lower-case) derived from the string S by its
hash: the same name always gives the same UUID."
  (let* ((h (hash-string (string-append "distill image uuid " s)))
         (bits (fold (lambda (c acc) (+ (* acc 64) (string-index b64url c)))
                     0 (string->list (substring h 0 22))))
         (n (ash bits -4))
         (n (logior (logand n (lognot (ash #xf 76))) (ash 4 76)))
         (n (logior (logand n (lognot (ash #x3 62))) (ash 2 62)))
         (hex (string-pad (number->string n 16) 32 #\0)))
    (string-append (substring hex 0 8) "-" (substring hex 8 12) "-"
                   (substring hex 12 16) "-" (substring hex 16 20) "-"
                   (substring hex 20 32))))

(define (uuid? s)
  (and (string? s) (= (string-length s) 36)
       (every (lambda (i c)
                (if (memv i '(8 13 18 23))
                    (char=? c #\-)
                    (char-set-contains? char-set:hex-digit c)))
              (iota 36) (string->list s))))

(define (check-uuid who what s)
  (unless (uuid? s)
    (recipe-error who "~a ~s is not a UUID (8-4-4-4-12 hexadecimal digits)" (list what s)))
  s)

(define (check-hex who what s digits)
  (unless (and (string? s) (= (string-length s) digits)
               (string-every char-set:hex-digit s))
    (recipe-error who "~a ~s is not ~a hexadecimal digits" (list what s digits)))
  s)

(define (check-label who s max)
  (unless (and (string? s) (<= 1 (string-length s) max)
               (string-every (lambda (c) (and (char<=? #\space c #\~)
                                              (not (memv c '(#\" #\' #\\)))))
                             s))
    (recipe-error who "label ~s must be 1 to ~a printable ASCII characters without quotes or backslashes"
                  (list s max)))
  s)

(define (check-size who size)
  (unless (or (not size)
              (and (exact-integer? size) (> size 0)
                   (zero? (remainder size (* 1024 1024)))))
    (recipe-error who "size: ~s must be #f or a positive number of bytes, a multiple of 1 MiB" (list size)))
  size)

;; The prelude of every image build: a fixed environment and scratch.
(define (prelude epoch)
  (string-append "#!/bin/sh
set -eu
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=" (number->string epoch)
" E2FSPROGS_FAKE_TIME=" (number->string epoch) " MTOOLS_SKIP_CHECK=1
umask 022
cd /tmp
"))

(define (raw-file p)
  (basename (plan-raw-output p)))

(define (image-plan name file epoch inputs script)
  "A plan NAME with the tools at /, INPUTS, and /build running SCRIPT,
whose output is /out/FILE (FILE #f: the tree /out)."
  (make-plan name: name
             inputs: (append (list (tools)
                                   (interned "/build" #o755
                                             (string-append (prelude epoch) script)))
                             inputs)
             raw-output: (and file (string-append "/" file))
             timeout: 1800))

(define (in-dir p dir)
  "Plan P's raw output placed under DIR; its path there."
  (values (make-input basedir: dir link: p)
          (string-append dir "/" (raw-file p))))

;;; The canonical tar.

(define (owner-line who o)
  "The line of /image/owners for the declaration O: UID GID MODE ./PATH."
  (match o
    (((? string? path) (? exact-integer? uid) (? exact-integer? gid) mode)
     (unless (and (> (string-length path) 0) (char=? (string-ref path 0) #\/)
                  (not (string-index path #\newline)))
       (recipe-error who "owners: path ~s must be absolute, without newlines" (list path)))
     (let ((parts (remove string-null? (string-split path #\/))))
       (when (any (lambda (c) (member c '("." ".."))) parts)
         (recipe-error who "owners: path ~s must not have . or .. components" (list path)))
       (unless (and (<= 0 uid #xfffffffe) (<= 0 gid #xfffffffe))
         (recipe-error who "owners: ~s: uid and gid must be 0 to 4294967294" (list path)))
       (when mode (check-mode who (format #f "owners: ~s: mode (or #f)" path) mode))
       (string-append (number->string uid) " " (number->string gid) " "
                      (if mode (number->string mode 8) "-") " "
                      (if (null? parts) "." (string-join (cons "." parts) "/"))
                      "\n")))
    (_ (recipe-error who "owners: ~s is not (PATH UID GID MODE)" (list o)))))

(define (rebase item)
  "ITEM of a root file system, placed under /rootfs instead of /."
  (if (input? item)
      (make-input basedir: (if (string=? (input-basedir item) "/")
                               "/rootfs"
                               (string-append "/rootfs" (input-basedir item)))
                  link: (input-link item))
      (make-input basedir: "/rootfs" link: item)))

(define awk-unescape
  ;; mtree's \\ooo escapes undone; a path with a newline is refused.
  "function unesc(s,  out, i, c) {
	out = \"\"
	while ((i = index(s, \"\\\\\")) > 0) {
		out = out substr(s, 1, i - 1)
		c = substr(s, i + 1, 3)
		if (c ~ /^[0-3][0-7][0-7]$/) {
			out = out sprintf(\"%c\", substr(c, 1, 1) * 64 + substr(c, 2, 1) * 8 + substr(c, 3, 1))
			s = substr(s, i + 4)
		} else {
			out = out substr(s, i + 1, 1)
			s = substr(s, i + 2)
		}
	}
	out = out s
	if (index(out, \"\\n\")) { print \"a path with a newline: \" out > \"/dev/stderr\"; exit 1 }
	return out
}
function norm(s) { return s == \".\" || s == \"/.\" ? \"/\" : substr(s, 1, 2) == \"./\" ? substr(s, 2) : s }
function path(s) { return norm(unesc(s)) }
function kw(k,  i) { for (i = 2; i <= NF; i++) if (index($i, k \"=\") == 1) return substr($i, length(k) + 2); return \"\" }
")

(define rootfs-tar-script
  ;; The tree's entries as an mtree spec, sorted, made canonical (0:0, the
  ;; epoch, nlink 1 so no hard link is guessed from the store's, files u+w,
  ;; directories 0755: the sandbox's layers make the parents of what they
  ;; hold with the mode the caller's umask leaves, so it means nothing), then
  ;; the declared owners as later lines for the same paths (bsdtar merges
  ;; them, the last word winning), escaped by bsdtar itself.
  (string-append
   "mkdir -p /rootfs
/usr/bin/bsdtar -cf tree.mtree -C /rootfs --format mtree \\
	--options 'mtree:!all,mtree:type,mtree:mode,mtree:link' .
grep -v '^#' tree.mtree | sort | awk -v epoch=\"$EPOCH\" '
function oct(s,  n, i) { n = 0; for (i = 1; i <= length(s); i++) n = n * 8 + substr(s, i, 1); return n }
{
	line = $1
	t = index($0, \" type=dir\") ? \"dir\" : index($0, \" type=file\") ? \"file\" : \"\"
	for (i = 2; i <= NF; i++) {
		f = $i
		if (t == \"dir\" && index(f, \"mode=\") == 1)
			f = \"mode=755\"
		else if (t == \"file\" && index(f, \"mode=\") == 1)
			f = \"mode=\" sprintf(\"%o\", or(oct(substr(f, 6)), 128))
		line = line \" \" f
	}
	print line \" uid=0 gid=0 time=\" epoch \".0 nlink=1\"
}' > spec
if [ -s /image/owners ]; then
	cut -d ' ' -f 4- /image/owners > owner-paths
	/usr/bin/bsdtar -cf owners.mtree -C /rootfs -n -T owner-paths --format mtree --options 'mtree:!all' || {
		echo 'owners: a declared path is not in the root file system (above)' >&2
		exit 1
	}
	# bsdtar lists them in its own order: pair them with the declarations
	# by their unescaped names.
	awk '" awk-unescape "
	FNR == NR { if ($0 !~ /^#/) esc[path($1)] = $1; next }
	{
		p = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, \"\", p); p = norm(p)
		if (!(p in esc)) { print \"owners: \" p \" is not in the root file system\" > \"/dev/stderr\"; exit 1 }
		printf \"%s uid=%s gid=%s%s\\n\", esc[p], $1, $2, ($3 == \"-\" ? \"\" : \" mode=\" $3)
	}' owners.mtree /image/owners >> spec
fi
{ echo '#mtree'; cat spec; } > spec.mtree
cd /rootfs
/usr/bin/bsdtar -cf \"/out/$OUT\" --format paxr @/tmp/spec.mtree
"))

(define* (rootfs-tar items #:key (name "rootfs") (owners '()) (epoch (image-epoch)))
  "The canonical tar of the root file system ITEMS (artifacts, plans and
inputs, placed at \"/\"): a plan NAME whose output is NAME.tar, entries in
byte order, owned by 0:0 but for OWNERS (a list of (PATH UID GID MODE)),
every mtime EPOCH.  The other image procedures take it (or ITEMS, making
it themselves)."
  (unless (list? items)
    (recipe-error 'rootfs-tar "items ~s must be a list of artifacts, plans and inputs" (list items)))
  (unless (list? owners)
    (recipe-error 'rootfs-tar "owners: ~s must be a list of (PATH UID GID MODE)" (list owners)))
  (image-plan (string-append name ".tar") (string-append name ".tar") epoch
              (cons (interned "/image/owners" #o644
                              (string-concatenate
                               (map (lambda (o) (owner-line 'rootfs-tar o)) owners)))
                    (map rebase items))
              (string-append "EPOCH=" (number->string epoch)
                             " OUT=" (shell-word (string-append name ".tar")) "\n"
                             rootfs-tar-script)))

(define (tar-plan who root owners epoch name)
  "ROOT as a canonical tar plan: ROOT itself when it is a plan with a raw
output, else (rootfs-tar ROOT) named NAME (or rootfs)."
  (cond ((and (plan? root) (plan-raw-output root)) root)
        ((list? root) (rootfs-tar root name: (or name "rootfs") owners: owners epoch: epoch))
        (else (recipe-error who "~s is neither a list of root file system items nor a rootfs-tar plan"
                            (list root)))))

(define (base-name p)
  "P's name without the extension of its output file."
  (let* ((f (raw-file p)) (dot (string-rindex f #\.)))
    (if dot (substring f 0 dot) f)))

;;; Archives.

(define* (tar-image root #:key name (owners '()) (epoch (image-epoch)) (compress 'gzip))
  "A container root file system tarball of ROOT (a rootfs-tar plan, or
items for one with OWNERS and EPOCH): NAME.tar.gz (gzip -9n), NAME.tar.zst
or, with COMPRESS #f, the canonical tar itself."
  (let* ((tar (tar-plan 'tar-image root owners epoch name))
         (name (or name (base-name tar))))
    (define-values (input file) (in-dir tar "/in"))
    (case compress
      ((#f) tar)
      ((gzip) (image-plan (string-append name ".tar.gz") (string-append name ".tar.gz") epoch
                          (list input)
                          (string-append "gzip -9n < " file " > "
                                         (shell-word (string-append "/out/" name ".tar.gz")) "\n")))
      ((zstd) (image-plan (string-append name ".tar.zst") (string-append name ".tar.zst") epoch
                          (list input)
                          (string-append "/usr/bin/bsdtar -cf " (shell-word (string-append "/out/" name ".tar.zst"))
                                         " --format paxr --zstd @" file "\n")))
      (else (recipe-error 'tar-image "compress: ~s must be gzip, zstd or #f" (list compress))))))

(define* (cpio-image root #:key name (owners '()) (epoch (image-epoch)) (compress 'gzip))
  "An initramfs: the entries of ROOT's canonical tar as a cpio archive in
the newc format the kernel reads (inode numbers counted from 1), in
NAME.cpio.gz, NAME.cpio.zst or, with COMPRESS #f, NAME.cpio."
  (let* ((tar (tar-plan 'cpio-image root owners epoch name))
         (name (or name (base-name tar)))
         (ext (case compress
                ((#f) "") ((gzip) ".gz") ((zstd) ".zst")
                (else (recipe-error 'cpio-image "compress: ~s must be gzip, zstd or #f" (list compress)))))
         (file (string-append name ".cpio" ext)))
    (define-values (input in) (in-dir tar "/in"))
    (image-plan file file epoch (list input)
                (string-append "/usr/bin/bsdtar -cf " (shell-word (string-append "/out/" file))
                               " --format newc "
                               (case compress
                                 ((#f) "")
                                 ((gzip) "--gzip --options gzip:!timestamp,gzip:compression-level=9 ")
                                 ((zstd) "--zstd "))
                               "@" in "\n"))))

(define* (squashfs-image root #:key name (owners '()) (epoch (image-epoch))
                         (compressor "zstd") (block-size 131072)
                         (level (and (string=? compressor "zstd") 3)))
  "A squashfs image NAME.squashfs of ROOT's canonical tar, by tar2sqfs
(owners, modes and mtimes from the tar; COMPRESSOR zstd, xz, gzip, lz4 or
lzo) at compression LEVEL (#f: tar2sqfs's default for COMPRESSOR).  zstd
defaults to level 3, zstd's own default: tar2sqfs's 15 costs 30 times the
CPU (12 s instead of 0.4 s on the example system's 37 MB root) for an
image 13% smaller (14.4 MB, not 16.6 MB), and every change to a system
pays it again."
  (unless (member compressor '("zstd" "xz" "gzip" "lz4" "lzo" "lzma"))
    (recipe-error 'squashfs-image "compressor: ~s is not one tar2sqfs has" (list compressor)))
  (unless (and (exact-integer? block-size) (<= 4096 block-size 1048576))
    (recipe-error 'squashfs-image "block-size: ~s must be 4096 to 1048576" (list block-size)))
  (unless (or (not level) (and (exact-integer? level) (<= 1 level 22)))
    (recipe-error 'squashfs-image "level: ~s must be #f or a compression level from 1 to 22" (list level)))
  (let* ((tar (tar-plan 'squashfs-image root owners epoch name))
         (name (or name (base-name tar)))
         (file (string-append name ".squashfs")))
    (define-values (input in) (in-dir tar "/in"))
    (image-plan file file epoch (list input)
                (string-append "/usr/bin/tar2sqfs -q -f -s -j 2 -c " compressor
                               (if level (string-append " -X level=" (number->string level)) "")
                               " -b " (number->string block-size)
                               " -d mtime=" (number->string epoch)
                               " " (shell-word (string-append "/out/" file)) " < " in "\n"))))

;;; OCI images.

(define oci-architectures
  ;; A config's arch, as the OCI image spec (Go's GOARCH) names it.
  '((x86_64 . "amd64") (aarch64 . "arm64") (riscv64 . "riscv64")
    (ppc64le . "ppc64le") (s390x . "s390x") (i686 . "386")))

(define oci-word
  ;; What an image's name and tag are made of.
  (char-set-intersection char-set:ascii
                         (char-set-adjoin char-set:letter+digit #\- #\_ #\.)))

(define (oci-config who arch entrypoint env epoch)
  "The image config's text (docs/platforms.md), its layer's diff_id left
as @DIFF_ID@ for the build to fill in."
  (define (strings what l)
    (unless (and (list? l) (pair? l) (every string? l))
      (recipe-error who "~a ~s must be a non-empty list of strings" (list what l)))
    l)
  (let ((goarch (assq-ref oci-architectures arch)))
    (unless goarch
      (recipe-error who "arch: ~s has no OCI name; it must be one of ~a"
                    (list arch (map car oci-architectures))))
    (call-with-output-string
      (lambda (port)
        (write-json
         (vector (cons "created" (strftime "%Y-%m-%dT%H:%M:%SZ" (gmtime epoch)))
                 (cons "architecture" goarch)
                 (cons "os" "linux")
                 (cons "config" (vector (cons "Env" (strings "env:" env))
                                        (cons "Entrypoint" (strings "entrypoint:" entrypoint))))
                 (cons "rootfs" (vector (cons "type" "layers")
                                        (cons "diff_ids" (list "sha256:@DIFF_ID@")))))
         port)
        (newline port)))))

(define oci-script
  ;; The layer (the canonical tar, gzip -9n), the config, the manifest and
  ;; the index, each a blob named by its sha256, in the layout at /rootfs;
  ;; then the layout as it is and as a canonical tar (rootfs-tar's).
  (string-append
   "L=/rootfs
mkdir -p $L/blobs/sha256
blob() { # FILE MEDIA-TYPE: FILE into the blobs; its descriptor
	d=$(sha256sum \"$1\" | cut -d ' ' -f 1)
	printf '{\"mediaType\":\"%s\",\"digest\":\"sha256:%s\",\"size\":%s}' \"$2\" $d $(stat -c %s \"$1\")
	mv \"$1\" $L/blobs/sha256/$d
}
v=application/vnd.oci.image
diff=$(sha256sum \"$TAR\" | cut -d ' ' -f 1)
gzip -9n < \"$TAR\" > layer
layer=$(blob layer $v.layer.v1.tar+gzip)
sed \"s/@DIFF_ID@/$diff/\" /image/config.json > config
config=$(blob config $v.config.v1+json)
printf '{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":%s,\"layers\":[%s]}\\n' \\
	$v.manifest.v1+json \"$config\" \"$layer\" > manifest
manifest=$(blob manifest $v.manifest.v1+json)
printf '{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[%s,\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"},\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}}]}\\n' \\
	$v.index.v1+json \"${manifest%\\}}\" \"$ARCH\" \"$TAG\" > $L/index.json
printf '{\"imageLayoutVersion\":\"1.0.0\"}\\n' > $L/oci-layout
OUT=$NAME.tar
" rootfs-tar-script
   "cp -R /rootfs \"/out/$NAME\"
"))

(define* (oci-image root #:key (name "image") (owners '()) (epoch (image-epoch))
                    (arch 'x86_64) (entrypoint '("/sbin/init"))
                    (env '("PATH=/usr/bin:/bin:/usr/sbin:/sbin")) (tag "latest"))
  "ROOT (a rootfs-tar plan, or items for one with OWNERS and EPOCH) as an
OCI image: a plan whose output holds NAME/, an OCI image layout (its one
manifest tagged TAG, for ARCH, a config arch such as x86_64; one gzip
layer, the canonical tar; the config's ENTRYPOINT and ENV, created at
EPOCH), and NAME.tar, that layout as a canonical tar (skopeo's
oci-archive)."
  (unless (and (string? name) (not (string-null? name))
               (string-every oci-word name)
               (not (member name '("." ".."))))
    (recipe-error 'oci-image "name: ~s must be letters, digits, -, _ and ." (list name)))
  (unless (and (string? tag) (<= 1 (string-length tag) 128)
               (string-every oci-word tag)
               (not (memv (string-ref tag 0) '(#\- #\.))))
    (recipe-error 'oci-image "tag: ~s must be 1 to 128 letters, digits, -, _ and ., not starting with - or ." (list tag)))
  (let ((config (oci-config 'oci-image arch entrypoint env epoch))
        (tar (tar-plan 'oci-image root owners epoch (string-append name "-rootfs"))))
    (define-values (input file) (in-dir tar "/in"))
    (image-plan (string-append name ".oci") #f epoch
                (list (interned "/image/config.json" #o644 config) input)
                (string-append "TAR=" file " NAME=" (shell-word name)
                               " TAG=" tag " ARCH=" (assq-ref oci-architectures arch)
                               " EPOCH=" (number->string epoch) "\n"
                               oci-script))))

;;; File systems from a staging tree.

(define staging
  ;; The canonical tar unpacked into /tmp/root (owners cannot be set:
  ;; they are applied to the image afterwards) and its listing, in tar
  ;; order, as list: mtree lines with type, uid, gid, mode and size.
  "mkdir root
/usr/bin/bsdtar -xpf \"$TAR\" -C root --no-same-owner
/usr/bin/bsdtar -cf list.mtree --format mtree \\
	--options 'mtree:!all,mtree:type,mtree:uid,mtree:gid,mtree:mode,mtree:size' \"@$TAR\"
grep -v '^#' list.mtree > list
entries=$(wc -l < list)
# KiB the entries take in 4 KiB blocks, from the listing (not du: the
# staging file system's allocation is not the image's business).
kib=$(awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^size=/) s = substr($i, 6)
	t += int((s + 4095) / 4096) * 4 } END { print t + 0 }' list)
")

(define ext-script
  ;; mke2fs -d, then debugfs: the owners and special modes of the listing
  ;; by path, and fixed atime, ctime and crtime for every inode in use
  ;; (mke2fs -d copies them from the staging tree; E2FSPROGS_FAKE_TIME
  ;; only covers the file system's own times); the time commands, six an
  ;; inode, by one awk: a shell loop took longer than debugfs itself.
  (string-append
   staging
   "inodes=$((entries + entries / 4 + 64))
if [ -z \"$SIZE\" ]; then
	SIZE=$(( (kib + kib / 4 + inodes / 4 + 8192 + 1023) / 1024 * 1048576 ))
fi
/sbin/mke2fs -q -F -t \"$FS\" -b 4096 -N \"$inodes\" -L \"$LABEL\" -U \"$UUID\" -I 256 \\
	-E \"hash_seed=$HASH_SEED,root_owner=0:0,nodiscard\" -d root \"/out/$OUT\" \"$((SIZE / 1024))k\"
used=$(/sbin/dumpe2fs -h \"/out/$OUT\" 2>/dev/null |
	awk -F: '/^Inode count/ { c = $2 } /^Free inodes/ { f = $2 } END { print c - f }')
{
	awk '" awk-unescape "
	{
		p = path($1); uid = kw(\"uid\"); gid = kw(\"gid\"); m = kw(\"mode\"); t = kw(\"type\")
		if (uid == 0 && gid == 0 && length(m) < 4) next
		if (index(p, \"\\\"\")) { print \"debugfs cannot name a path with a double quote: \" p > \"/dev/stderr\"; exit 1 }
		bits = t == \"dir\" ? \"04\" : t == \"link\" ? \"012\" : \"010\"
		while (length(m) < 4) m = \"0\" m
		printf \"sif \\\"%s\\\" uid %s\\nsif \\\"%s\\\" gid %s\\nsif \\\"%s\\\" mode 0%s%s\\n\", p, uid, p, gid, p, bits, m
	}' list
	awk -v used=\"$used\" -v t=\"$SOURCE_DATE_EPOCH\" 'BEGIN {
		for (i = 2; i <= used; i = i == 2 ? 11 : i + 1)
			for (f = 1; f <= 3; f++) {
				n = f == 1 ? \"atime\" : f == 2 ? \"ctime\" : \"crtime\"
				printf \"sif <%d> %s @%s\\nsif <%d> %s_extra 0\\n\", i, n, t, i, n
			}
	}'
} > debugfs.cmds
/sbin/debugfs -w -f debugfs.cmds \"/out/$OUT\" > debugfs.out 2> debugfs.err
if grep -v '^debugfs [0-9]' debugfs.err; then exit 1; fi
"))

(define* (ext-image fs root #:key name (owners '()) (epoch (image-epoch))
                    size (label "root") uuid hash-seed)
  (define who (if (string=? fs "ext4") 'ext4-image 'ext2-image))
  (let* ((tar (tar-plan who root owners epoch name))
         (name (or name (base-name tar)))
         (file (string-append name "." fs)))
    (define-values (input in) (in-dir tar "/in"))
    (check-size who size)
    (check-label who label 16)
    (image-plan file file epoch (list input)
                (string-append
                 "TAR=" in " FS=" fs " OUT=" (shell-word file)
                 " SIZE=" (if size (number->string size) "")
                 " LABEL=" (shell-word label)
                 " UUID=" (check-uuid who "uuid:" (or uuid (name->uuid file)))
                 " HASH_SEED=" (check-uuid who "hash-seed:"
                                           (or hash-seed (name->uuid (string-append file " hash seed"))))
                 "\n" ext-script))))

(define* (ext4-image root #:rest args)
  "An ext4 file system image NAME.ext4 of ROOT (a rootfs-tar plan, or
items with OWNERS and EPOCH) by mke2fs -d, with the owners and modes of the
tar applied by debugfs.  SIZE in bytes (a multiple of 1 MiB; default: the
content and a quarter more, plus 8 MiB), LABEL, UUID and HASH-SEED
(default: derived from the file name by name->uuid)."
  (apply ext-image "ext4" root args))

(define* (ext2-image root #:rest args)
  "As ext4-image, an ext2 file system NAME.ext2 (no journal)."
  (apply ext-image "ext2" root args))

(define vfat-script
  ;; mkfs.vfat --invariant, then directories (mmd) and files (mcopy -m:
  ;; their mtime, the epoch) one by one in the tar's order; mtools takes
  ;; the time of what it creates from SOURCE_DATE_EPOCH.
  (string-append
   staging
   "if [ -z \"$SIZE\" ]; then
	SIZE=$(( (kib + kib / 4 + entries * 4 + 1024 + 1023) / 1024 * 1048576 ))
fi
/sbin/mkfs.vfat --invariant -i \"$VOLID\" -n \"$LABEL\" $FAT -C \"/out/$OUT\" \"$((SIZE / 1024))\" > /dev/null
awk -v img=\"/out/$OUT\" '" awk-unescape "
function q(s,  n, parts, i, r) {
	n = split(s, parts, \"\\047\"); r = parts[1]
	for (i = 2; i <= n; i++) r = r \"\\047\\134\\047\\047\" parts[i]
	return \"\\047\" r \"\\047\"
}
{
	p = path($1); t = kw(\"type\")
	if (p == \"/\") next
	if (t == \"dir\") print \"/usr/bin/mmd -i \" q(img) \" \" q(\"::\" p)
	else if (t == \"file\") print \"/usr/bin/mcopy -m -i \" q(img) \" \" q(\"root\" p) \" \" q(\"::\" p)
	else { print \"FAT cannot hold \" p \" (\" t \")\" > \"/dev/stderr\"; exit 1 }
}' list > copy.sh
sh -e copy.sh
"))

(define* (vfat-image root #:key name (owners '()) (epoch (image-epoch))
                     size (label "ESP") volume-id fat)
  "A FAT file system image NAME.vfat of ROOT (an EFI system partition,
say): mkfs.vfat --invariant with VOLUME-ID (8 hexadecimal digits, default
derived from the file name) and LABEL, FAT 12, 16 or 32 (default: as
mkfs.vfat chooses for SIZE), files copied by mcopy.  FAT has no owners,
modes or symbolic links: a symbolic link in ROOT is an error."
  (let* ((tar (tar-plan 'vfat-image root owners epoch name))
         (name (or name (base-name tar)))
         (file (string-append name ".vfat")))
    (define-values (input in) (in-dir tar "/in"))
    (check-size 'vfat-image size)
    (check-label 'vfat-image label 11)
    (unless (memv fat '(#f 12 16 32))
      (recipe-error 'vfat-image "fat: ~s must be #f, 12, 16 or 32" (list fat)))
    (image-plan file file epoch (list input)
                (string-append
                 "TAR=" in " OUT=" (shell-word file)
                 " SIZE=" (if size (number->string size) "")
                 " LABEL=" (shell-word label)
                 " VOLID=" (check-hex 'vfat-image "volume-id:"
                                      (or volume-id (substring (name->uuid file) 0 8)) 8)
                 " FAT=" (if fat (string-append "-F" (number->string fat)) "")
                 "\n" vfat-script))))

;;; Disks.

(define-record-type <partition>
  (%partition image type name uuid size bootable)
  partition?
  (image partition-image)
  (type partition-type)
  (name partition-name)
  (uuid partition-uuid)
  (size partition-size)
  (bootable partition-bootable))

(define* (partition image #:key (type 'linux) name uuid size bootable)
  "A partition of a disk-image holding IMAGE (an image plan).  TYPE is
esp, linux, linux-root-x86-64, swap or bios-boot, or the type as sfdisk
writes it (a GUID for GPT, hexadecimal for MBR); NAME (GPT) defaults to
the image's name, UUID (GPT) to one derived from the disk's name and the
partition's place; SIZE in bytes (a multiple of 1 MiB, at least the
image's size; default: the image's size rounded up to 1 MiB); BOOTABLE
sets the MBR active flag.  IMAGE #f makes an empty partition (zeros) of
SIZE, which must be given: room for a file system made later, on the
machine (a writable /var, say)."
  (unless (or (and (plan? image) (plan-raw-output image))
              (and (not image) size))
    (recipe-error 'partition "~s is not an image plan (a plan with a raw output), or #f with size:" (list image)))
  (check-size 'partition size)
  (when uuid (check-uuid 'partition "uuid:" uuid))
  (when name (check-label 'partition name 36))
  (%partition image type name uuid size bootable))

(define gpt-types
  '((esp . "C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
    (linux . "0FC63DAF-8483-4772-8E79-3D69D8477DE4")
    (linux-root-x86-64 . "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709")
    (swap . "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F")
    (bios-boot . "21686148-6449-6E6F-744E-656564454649")))

(define mbr-types
  '((esp . "ef") (linux . "83") (linux-root-x86-64 . "83") (swap . "82")))

(define (type-string label t)
  (cond ((and (string? t) (eq? label 'gpt)) (check-uuid 'partition "type:" t))
        ((string? t) (check-hex 'partition "type:" t 2))
        ((assq t (if (eq? label 'gpt) gpt-types mbr-types)) => cdr)
        (else (recipe-error 'disk-image "partition type ~s has no ~a type" (list t label)))))

(define disk-script
  ;; Partitions from 1 MiB, each aligned to 1 MiB; the disk ends 1 MiB
  ;; after the last (room for GPT's backup header).  sfdisk writes the
  ;; table; dd copies each image into place.
  "MiB=1048576
start=1
: > layout
: > copies
part() { # part FILE-OR-EMPTY SIZE-OR-EMPTY SFDISK-FIELDS
	bytes=0
	[ -z \"$1\" ] || bytes=$(stat -c %s \"$1\")
	want=${2:-$bytes}
	if [ \"$want\" -lt \"$bytes\" ]; then
		echo \"partition for $1: size $want is smaller than the image ($bytes bytes)\" >&2
		exit 1
	fi
	n=$(( (want + MiB - 1) / MiB ))
	echo \"start=$((start * 2048)), size=$((n * 2048)), $3\" >> layout
	[ -z \"$1\" ] || echo \"$start $1\" >> copies
	start=$((start + n))
}
")

(define* (disk-image partitions #:key (name "disk") (label 'gpt) id (epoch (image-epoch)))
  "A whole disk NAME.img (raw) with PARTITIONS (made by partition) in an
MBR (LABEL dos) or GPT (LABEL gpt) table whose ID (a UUID for GPT, 8
hexadecimal digits for MBR) defaults to one derived from NAME."
  (unless (memq label '(gpt dos))
    (recipe-error 'disk-image "label: ~s must be gpt or dos" (list label)))
  (unless (and (list? partitions) (pair? partitions) (every partition? partitions))
    (recipe-error 'disk-image "~s is not a non-empty list of partitions" (list partitions)))
  (when (and (eq? label 'dos) (> (length partitions) 4))
    (recipe-error 'disk-image "an MBR holds at most 4 primary partitions, not ~a" (list (length partitions))))
  (let* ((file (string-append name ".img"))
         (id (if (eq? label 'gpt)
                 (check-uuid 'disk-image "id:" (or id (name->uuid file)))
                 (check-hex 'disk-image "id:" (or id (substring (name->uuid file) 0 8)) 8)))
         (parts
          (map (lambda (p i)
                 (define-values (input in)
                   (if (partition-image p)
                       (in-dir (partition-image p) (string-append "/in/" (number->string i)))
                       (values #f "''")))
                 (cons input
                       (string-append
                        "part " in " " (if (partition-size p) (number->string (partition-size p)) "''")
                        " " (shell-word
                             (string-append
                              "type=" (type-string label (partition-type p))
                              (if (eq? label 'gpt)
                                  (string-append
                                   ", uuid=" (or (partition-uuid p)
                                                 (name->uuid (string-append file " partition "
                                                                            (number->string i))))
                                   ", name=\"" (or (partition-name p)
                                                      (if (partition-image p)
                                                          (base-name (partition-image p))
                                                          "empty"))
                                   "\"")
                                  (if (partition-bootable p) ", bootable" ""))))
                        "\n")))
               partitions (iota (length partitions) 1))))
    (image-plan file file epoch (filter-map car parts)
                (string-append
                 disk-script
                 (string-concatenate (map cdr parts))
                 "out=" (shell-word (string-append "/out/" file)) "
truncate -s $(( (start + 1) * MiB )) \"$out\"
{
	echo 'label: " (symbol->string label) "'
	echo 'label-id: " (if (eq? label 'gpt) id (string-append "0x" id)) "'
	echo 'unit: sectors'
	" (if (eq? label 'gpt) "echo 'first-lba: 2048'" ":") "
	cat layout
} | /sbin/sfdisk -q --no-reread --no-tell-kernel \"$out\"
while read -r s f; do
	dd if=\"$f\" of=\"$out\" bs=$MiB seek=\"$s\" conv=notrunc 2> /dev/null
done < copies
"))))

(define* (qcow2-image image #:key name (epoch (image-epoch)))
  "IMAGE (an image plan: a disk, or a file system) converted to qcow2 by
qemu-img: NAME.qcow2."
  (unless (and (plan? image) (plan-raw-output image))
    (recipe-error 'qcow2-image "~s is not an image plan (a plan with a raw output)" (list image)))
  (let ((file (string-append (or name (base-name image)) ".qcow2")))
    (define-values (input in) (in-dir image "/in"))
    (image-plan file file epoch (list input)
                (string-append "/usr/bin/qemu-img convert -q -f raw -O qcow2 -o compat=1.1 " in " "
                               (shell-word (string-append "/out/" file)) "\n"))))

;;; Boot loaders.

(define grub-bios-script
  ;; GRUB for BIOS without grub-install: grub-mkimage makes core.img
  ;; (diskboot.img, whose block list names where the rest is, then the
  ;; kernel and modules with the config built in); boot.img's code (the
  ;; first 440 bytes: the disk ID and partition table stay) loads
  ;; core.img's first sector.  On an MBR disk core.img goes in the gap
  ;; before the first partition, from sector 1; on a GPT disk, whose
  ;; sector 1 is the GPT header, in the BIOS boot partition.  boot.img's
  ;; kernel sector (at byte 92) and diskboot.img's block list start (at
  ;; byte 500) are set to where it is, as grub-bios-setup does.  The
  ;; disk is copied by qemu-img, which leaves its zeros as holes (busybox
  ;; cp wrote every byte: 104 MB for the example system's 33).
  "/usr/bin/qemu-img convert -q -f raw -O raw \"$DISK\" \"/out/$OUT\"
chmod u+w \"/out/$OUT\"
sig=$(od -An -tx1 -j510 -N2 \"/out/$OUT\" | tr -d ' ')
gpt=$(od -An -tx1 -j450 -N1 \"/out/$OUT\" | tr -d ' ')
if [ \"$sig\" != 55aa ]; then
	echo \"grub-bios-disk: $DISK has no partition table (make it with disk-image)\" >&2
	exit 1
fi
if [ \"$gpt\" = ee ]; then
	set -- $(/sbin/sfdisk -d \"/out/$OUT\" | grep -i 'type=21686148-6449-6E6F-744E-656564454649' |
		sed -n 's/.*start= *\\([0-9]*\\), *size= *\\([0-9]*\\),.*/\\1 \\2/p')
	if [ $# = 0 ]; then
		echo \"grub-bios-disk: $DISK is a GPT disk without a BIOS boot partition (add (partition #f type: 'bios-boot size: 1048576))\" >&2
		exit 1
	fi
	at=$1 room=$2 where='the BIOS boot partition'
else
	first=$(/sbin/sfdisk -d \"/out/$OUT\" | sed -n 's/.*start= *\\([0-9]*\\),.*/\\1/p' | sort -n | head -n 1)
	at=1 room=$((${first:-2048} - 1)) where=\"the gap before the first partition (sector ${first:-2048})\"
fi
/usr/bin/grub-mkimage -O i386-pc -d /usr/lib/grub/i386-pc -p \"$PREFIX\" \\
	-c /image/grub.cfg -o core.img $MODULES
sectors=$(( ($(stat -c %s core.img) + 511) / 512 ))
if [ $sectors -gt $room ]; then
	echo \"grub-bios-disk: core.img ($sectors sectors) does not fit in $where ($room sectors)\" >&2
	exit 1
fi
le64() { # the 8 bytes of $1, little-endian
	n=$1 i=0
	while [ $i -lt 8 ]; do printf \"\\\\$(printf %03o $((n & 255)))\"; n=$((n >> 8)); i=$((i + 1)); done
}
cp /usr/lib/grub/i386-pc/boot.img boot.img
le64 $at | dd of=boot.img bs=1 seek=92 conv=notrunc 2> /dev/null
le64 $((at + 1)) | dd of=core.img bs=1 seek=500 conv=notrunc 2> /dev/null
dd if=boot.img of=\"/out/$OUT\" bs=440 count=1 conv=notrunc 2> /dev/null
dd if=core.img of=\"/out/$OUT\" bs=512 seek=$at conv=notrunc 2> /dev/null
")

(define* (grub-bios-disk disk config #:key name (prefix "(hd0,msdos1)/boot/grub")
                         (modules '("biosdisk" "part_msdos" "fat" "ext2" "linux" "boot"))
                         (epoch (image-epoch)))
  "DISK (a disk-image plan: label 'dos, or 'gpt with a bios-boot
partition, where core.img goes) made bootable by BIOS with
GRUB: NAME.img (default: the disk's name).  CONFIG is the text of the
configuration built into GRUB's core.img, run as it starts, with no menu
and no normal mode (e.g. \"set root=(hd0,msdos1)\\nlinux /vmlinuz
console=ttyS0\\ninitrd /initrd\\nboot\\n\"); MODULES are built in with it
(part_gpt, not part_msdos, for a GPT disk)."
  (unless (and (plan? disk) (plan-raw-output disk))
    (recipe-error 'grub-bios-disk "~s is not a disk image plan" (list disk)))
  (unless (string? config)
    (recipe-error 'grub-bios-disk "config: must be the text of a GRUB script, not ~s" (list config)))
  (unless (and (list? modules) (every string? modules))
    (recipe-error 'grub-bios-disk "modules: ~s must be a list of GRUB module names" (list modules)))
  (let ((file (string-append (or name (base-name disk)) ".img")))
    (define-values (input in) (in-dir disk "/in"))
    (image-plan file file epoch
                (list input (interned "/image/grub.cfg" #o644 config))
                (string-append "DISK=" in " OUT=" (shell-word file)
                               " PREFIX=" (shell-word prefix)
                               " MODULES=" (shell-word (string-join modules " "))
                               "\n" grub-bios-script))))

(define uki-script
  ;; systemd's EFI stub with the sections it boots from, each placed
  ;; after the one before (objcopy keeps the stub's own sections low);
  ;; then the PE timestamp and checksum zeroed (objcopy writes the clock
  ;; and a sum over it; UEFI checks neither).
  "page() { echo $(( ($1 + 4095) / 4096 * 4096 )); }
ksize=$(stat -c %s \"$KERNEL\")
linux=33554432
set --
[ -z \"$INITRD\" ] ||
	set -- --add-section .initrd=\"$INITRD\" --change-section-vma .initrd=$((linux + $(page $ksize)))
/usr/bin/objcopy \\
	--add-section .osrel=/image/os-release --change-section-vma .osrel=0x20000 \\
	--add-section .cmdline=/image/cmdline --change-section-vma .cmdline=0x30000 \\
	--add-section .linux=\"$KERNEL\" --change-section-vma .linux=$linux \"$@\" \\
	/usr/lib/systemd/boot/efi/linuxx64.efi.stub \"/out/$OUT\"
pe=$(od -An -tu4 -j60 -N4 \"/out/$OUT\" | tr -d ' ')
printf '\\000\\000\\000\\000' | dd of=\"/out/$OUT\" bs=1 seek=$((pe + 8)) conv=notrunc 2> /dev/null
printf '\\000\\000\\000\\000' | dd of=\"/out/$OUT\" bs=1 seek=$((pe + 24 + 64)) conv=notrunc 2> /dev/null
")

(define* (uki kernel initrd #:key (name "linux") (cmdline "console=ttyS0")
              (os-release "NAME=distill\nID=distill\nPRETTY_NAME=\"distill\"\n")
              (epoch (image-epoch)))
  "A unified kernel image NAME.efi: KERNEL (a plan whose raw output is an
EFI-stub bzImage), INITRD (a plan whose raw output is an initramfs, or
#f) and CMDLINE in one EFI application, made with systemd's stub, for an
ESP's /EFI/BOOT/BOOTX64.EFI."
  (unless (and (plan? kernel) (plan-raw-output kernel))
    (recipe-error 'uki "kernel: ~s is not a plan with a raw output" (list kernel)))
  (unless (or (not initrd) (and (plan? initrd) (plan-raw-output initrd)))
    (recipe-error 'uki "initrd: ~s is not a plan with a raw output" (list initrd)))
  (unless (and (string? cmdline) (not (string-index cmdline #\newline)))
    (recipe-error 'uki "cmdline: must be a string of one line, not ~s" (list cmdline)))
  (let ((file (string-append name ".efi")))
    (define-values (kin k) (in-dir kernel "/in/kernel"))
    (define-values (iin i) (if initrd (in-dir initrd "/in/initrd") (values #f "''")))
    (image-plan file file epoch
                (filter identity
                        (list kin iin (interned "/image/cmdline" #o644 cmdline)
                              (interned "/image/os-release" #o644 os-release)))
                (string-append "KERNEL=" k " INITRD=" i " OUT=" (shell-word file)
                               "\n" uki-script))))

;;; Upstream's image procedures.  mbr-image, efi-image (and hybrid-image,
;;; distill's) and container-rootfs-image make a platform's mkimage: a procedure that
;;; (distill platform) calls with the keywords ROOT (the items of the root
;;; file system), OWNERS, KERNEL (a plan whose raw output is a bzImage),
;;; INITRD (the initramfs plan), CMDLINE (the kernel's command line) and
;;; VAR-SIZE (bytes of the empty /var partition), and which gives the
;;; image plan.  The disks are laid out as docs/boot.md says: boot, a
;;; read-only squashfs root, an empty /var.

(define (root-squashfs name root owners)
  (squashfs-image root name: (string-append name "-root") owners: owners))

(define (var-partition var-size)
  (partition #f size: var-size name: "var"))

(define (grub-linux-config root kernel initrd cmdline)
  "GRUB's built-in config booting KERNEL and INITRD, files at the top of
the partition ROOT (GRUB's name), with CMDLINE."
  (string-append "set root=" root "\n"
                 "linux /" (basename (plan-raw-output kernel)) " " cmdline "\n"
                 "initrd /" (basename (plan-raw-output initrd)) "\n"
                 "boot\n"))

(define (mbr-image name)
  "A mkimage for a (legacy-)bootable disk NAME.img: an MBR with a FAT boot
partition holding the kernel and initramfs, GRUB in the MBR and the gap
before the first partition (grub-bios-disk), the root, /var."
  (lambda* (#:key root (owners '()) kernel initrd cmdline var-size #:allow-other-keys)
    (let* ((boot (vfat-image (list kernel initrd) name: (string-append name "-boot")))
           (disk (disk-image (list (partition boot type: "0c" bootable: #t)
                                   (partition (root-squashfs name root owners))
                                   (var-partition var-size))
                             label: 'dos name: (string-append name "-nogrub"))))
      (grub-bios-disk disk (grub-linux-config "(hd0,msdos1)" kernel initrd cmdline)
                      name: name))))

(define (extlinux-image name)
  "A mkimage for a disk NAME.img that u-boot boots (its distro boot's
sysboot): an MBR with a FAT boot partition holding the kernel, the
initramfs and /extlinux/extlinux.conf (one label booting them with the
command line), the root, /var.  No boot loader on the disk: the
firmware is u-boot."
  (lambda* (#:key root (owners '()) kernel initrd cmdline var-size #:allow-other-keys)
    (let* ((conf (interned "/extlinux/extlinux.conf" #o644
                           (string-append "default distill\n"
                                          "label distill\n"
                                          "\tkernel /" (basename (plan-raw-output kernel)) "\n"
                                          "\tinitrd /" (basename (plan-raw-output initrd)) "\n"
                                          "\tappend " cmdline "\n")))
           (boot (vfat-image (list kernel initrd conf) name: (string-append name "-boot"))))
      (disk-image (list (partition boot type: "0c" bootable: #t)
                        (partition (root-squashfs name root owners))
                        (var-partition var-size))
                  label: 'dos name: name))))

(define* (linux-esp kernel bootargs #:key initrd (name "esp"))
  "An ESP (a FAT image NAME.vfat) that boots KERNEL (a plan whose raw output
is an EFI-stub bzImage) with BOOTARGS (a string, or a list of strings and
symbols) and INITRD (an initramfs plan, or #f): a unified kernel image at
/EFI/BOOT/BOOTX64.EFI."
  (let* ((cmdline (if (list? bootargs)
                      (string-join (map (lambda (a) (if (symbol? a) (symbol->string a) a)) bootargs) " ")
                      bootargs))
         (efi (uki kernel initrd name: "BOOTX64" cmdline: cmdline)))
    (vfat-image (list (make-input basedir: "/EFI/BOOT" link: efi)) name: name)))

(define* (efi-image name #:key uuid)
  "A mkimage for an EFI-bootable disk NAME.img: a GPT (its id UUID, default
derived from NAME) with the ESP (linux-esp), the root, /var.  Its
procedure property firmware is uefi (make-platform's default firmware)."
  (let ((mk (lambda* (#:key root (owners '()) kernel initrd cmdline var-size #:allow-other-keys)
              (disk-image (list (partition (linux-esp kernel cmdline initrd: initrd
                                                      name: (string-append name "-esp"))
                                           type: 'esp)
                                (partition (root-squashfs name root owners) type: 'linux-root-x86-64)
                                (var-partition var-size))
                          name: name id: uuid))))
    (set-procedure-property! mk 'firmware 'uefi)
    mk))

;; hybrid-image's BIOS boot partition, where GRUB's core.img goes.
(define bios-boot-partition
  (partition #f type: 'bios-boot size: (* 1024 1024) name: "bios-boot"))

(define* (hybrid-image name #:key uuid)
  "A mkimage for a disk NAME.img that boots by UEFI and by BIOS: a GPT (its
id UUID, default derived from NAME) with the ESP, holding the unified
kernel image at /EFI/BOOT/BOOTX64.EFI (linux-esp's, for UEFI) and the
kernel and initramfs (for GRUB), the root, /var, and a BIOS boot
partition, the fourth, last on the disk, holding GRUB's core.img
(grub-bios-disk), which boot.img in the protective MBR loads."
  (lambda* (#:key root (owners '()) kernel initrd cmdline var-size #:allow-other-keys)
    (let* ((efi (uki kernel initrd name: "BOOTX64" cmdline: cmdline))
           (esp (vfat-image (list kernel initrd (make-input basedir: "/EFI/BOOT" link: efi))
                            name: (string-append name "-esp")))
           (disk (disk-image (list (partition esp type: 'esp)
                                   (partition (root-squashfs name root owners) type: 'linux-root-x86-64)
                                   (var-partition var-size)
                                   bios-boot-partition)
                             name: (string-append name "-nogrub") id: uuid)))
      (grub-bios-disk disk (grub-linux-config "(hd0,gpt1)" kernel initrd cmdline)
                      name: name prefix: "(hd0,gpt1)/boot/grub"
                      modules: '("biosdisk" "part_gpt" "fat" "linux" "boot")))))

(define* (container-rootfs-image name #:key (entrypoint '("/sbin/init"))
                                 (env '("PATH=/usr/bin:/bin:/usr/sbin:/sbin")))
  "A mkimage for a container: the root file system as the OCI image NAME
(oci-image: the layout NAME/ and its tar NAME.tar), for the arch of the
platform's CONFIG, running ENTRYPOINT (default: the system's init) with
ENV; no kernel or disk.  Its procedure property container is #t: a
platform with it has no kernel and is not booted."
  (let ((mk (lambda* (#:key root (owners '()) config #:allow-other-keys)
              (oci-image root name: name owners: owners
                         arch: (if config (config-arch config) 'x86_64)
                         entrypoint: entrypoint env: env))))
    (set-procedure-property! mk 'container #t)
    mk))

(define (ext2fs name uuid . inputs)
  "A package (a procedure of a config) whose plan is the ext2 file system
image NAME.ext2 (sparse) of INPUTS (packages, plans, artifacts), expanded
with that config; UUID, or #f for one derived from NAME."
  (lambda (conf)
    (ext2-image (map (expander conf) inputs) name: name uuid: uuid)))

(define* (squashfs inputs chown #:key (compress 'zstd))
  "The squashfs image of INPUTS (root file system items) with the owners
CHOWN ((PATH UID GID MODE), as rootfs-tar's OWNERS; upstream's listed
user and group names), compressed by COMPRESS (zstd, xz, gzip, lz4, lzo)."
  (squashfs-image inputs name: "rootfs" owners: chown
                  compressor: (if (symbol? compress) (symbol->string compress) compress)))
