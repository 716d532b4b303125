#!/bin/sh
# TOML descriptions (lib/distill/toml.scm, docs/toml.md): a small
# two-partition image (vfat and ext4, a negative size) built from TOML and
# from the equivalent Scheme has the same plan hashes; files of each kind,
# components, includes and their precedence, transient caching; and every
# mistake is one line FILE:LINE:COL: error: ..., exit 3.  The builds run as
# the ordinary user in the shared test store (the image tools are shared).
. "$(dirname "$0")/lib.sh"
PATH=$PATH:/sbin:/usr/sbin
image_tool_debs
store=$shared_store
d=$scratch/toml
mkdir -p "$d"
chmod 1777 "$d"
mkdir -p "$scratch/gc"
chmod 1777 "$scratch/gc"

cat > "$d/small.toml" <<'EOS'
name = "small"
requires = ["layout"]

[[image.partition]]
label = "boot"
size = 8
filesystem = "vfat"

[[image.partition.file]]
path = "/README"
text = "boot partition\n"

[[image.partition]]
label = "root"
size = -2
filesystem = "ext4"

[[image.partition.file]]
path = "etc/motd"
text = "hello\n"

[[image.partition.file]]
path = "/etc/motd.link"
symlink = "motd"

[[image.partition.file]]
path = "/var/empty"
EOS
# The included file: its label loses to nothing, its size to nothing; its
# name loses to the parent's.
cat > "$d/layout.toml" <<'EOS'
name = "overridden"
[image]
label = "small"
size = 24
partition_table = "gpt"
EOS
cat > "$d/small.scm" <<'EOS'
(import (distill plan) (distill image))
(define MiB (* 1024 1024))
(disk-image
 (list (partition (vfat-image (list (interned "/README" #o644 "boot partition\n"))
                              name: "boot" label: "boot" size: (* 8 MiB))
                  name: "boot" size: (* 8 MiB))
       (partition (ext4-image (list (interned "/etc/motd" #o644 "hello\n")
                                    (interned-symlink "/etc/motd.link" "motd")
                                    (interned "/var/empty" #o644 ""))
                              name: "root" label: "root" size: (* 12 MiB))
                  name: "root" size: (* 12 MiB)))
 name: "small" label: 'gpt)
EOS
cat > "$d/hashes.scm" <<'EOS'
(use-modules (distill plan) (distill toml) (ice-9 rdelim))
(define (script-value file)
  (let ((m (make-fresh-user-module)))
    (call-with-input-file file
      (lambda (port)
        (let loop ((last #f))
          (let ((x (read port)))
            (if (eof-object? x) last (loop (eval x m)))))))))
(define a (toml-plans "small.toml"))
(define b (script-value "small.scm"))
(build-plans! (list a b))
(for-each (lambda (p) (display (plan-hash p)) (newline)) (list a b))
EOS
chmod -R a+rX "$d"

t0=$(date +%s)
as_user "cd toml && DISTILL_SEED=$scratch/debs $distill --store $store build small.toml > out 2> err"
ok $? "distill build small.toml"
grep -v '^buil' "$d/err" | diag
echo "build: $(($(date +%s) - t0)) s" | diag
img=$(cut -d ' ' -f 2 "$d/out")
as_user "cd toml && DISTILL_SEED=$scratch/debs $distill --store $store run hashes.scm > hashes 2> herr"
ok $? "the TOML image and the Scheme one built together"
diag "$d/herr"
ok $([ "$(sed -n 1p "$d/hashes")" = "$(sed -n 2p "$d/hashes")" ] && [ -n "$(sed -n 1p "$d/hashes")" ]; echo $?) \
	"TOML and Scheme give the same plan hash ($(sed -n 1p "$d/hashes"))"

# The disk: 1 MiB, boot 8 MiB, root the 24 MiB less 2 (the table's) less
# boot's 8 less 2, 1 MiB.
ok $([ "$(stat -c %s "$img")" = $((22 * 1048576)) ] &&
	sfdisk -d "$img" | grep -q 'size= *16384, .*name="boot"' &&
	sfdisk -d "$img" | grep -q 'size= *24576, .*name="root"'; echo $?) \
	"partitions of 8 MiB and (24 - 2 - 8 - 2) MiB, GPT, named by their labels"
dd if="$img" of="$d/root.ext4" bs=1M skip=9 count=12 2>/dev/null
dd if="$img" of="$d/boot.vfat" bs=1M skip=1 count=8 2>/dev/null
ok $([ "$(debugfs -R 'cat /etc/motd' "$d/root.ext4" 2>/dev/null)" = hello ] &&
	debugfs -R 'stat /etc/motd.link' "$d/root.ext4" 2>/dev/null | grep -q 'Fast link dest: "motd"' &&
	debugfs -R 'stat /var/empty' "$d/root.ext4" 2>/dev/null | grep -q 'Size: 0' &&
	[ "$(mtype -i "$d/boot.vfat" ::README)" = "boot partition" ]; echo $?) \
	"text, symlink and empty files in ext4, text in vfat"

# Components: a shell component's artifact, a file made by a shell, an
# art:// requirement, a file:// source; an include's component loses to
# the parent's of the same name.
echo "from the host" > "$d/host.txt"
cat > "$d/parts.toml" <<'EOS'
[[component]]
name = "greeting"
yields = ["hello.txt"]
shell = "echo 'included greeting' > \"$out/hello.txt\""
EOS
cat > "$d/kinds.toml" <<'EOS'
requires = ["parts.toml"]

[[component]]
name = "greeting"
yields = ["hello.txt"]
requires = ["file://host.txt"]
shell = """
echo "hello from $name" > "$out/hello.txt"
cat /sources/host.txt >> "$out/hello.txt"
"""

[[component]]
name = "shout"
yields = ["loud.txt"]
requires = ["art://greeting::hello.txt"]
shell = "tr a-z A-Z < $artifacts/greeting/hello.txt > $out/loud.txt"

[image]
label = "kinds"
partition_table = "mbr"

[[image.partition]]
label = "data"
filesystem = "ext2"

[[image.partition.file]]
path = "/a/loud"
artifact = "shout::loud.txt"

[[image.partition.file]]
path = "/a/made"
shell = "echo made by a shell; echo \"to $file\""
EOS
chmod -R a+rX "$d"
as_user "cd toml && DISTILL_SEED=$scratch/debs $distill --store $store build kinds.toml > kout 2> kerr"
ok $? "an image with components, artifacts and shell files builds"
grep -v '^buil' "$d/kerr" | diag
kimg=$(cut -d ' ' -f 2 "$d/kout")
dd if="$kimg" of="$d/data.ext2" bs=1M skip=1 2>/dev/null
ok $([ "$(debugfs -R 'cat /a/loud' "$d/data.ext2" 2>/dev/null)" = "HELLO FROM GREETING
FROM THE HOST" ] && [ "$(debugfs -R 'cat /a/made' "$d/data.ext2" 2>/dev/null)" = "made by a shell
to /out/a/made" ] && sfdisk -d "$kimg" | grep -q '^label: dos'; echo $?) \
	"the parent's component won, art:// and file:// reached its script, a shell's stdout is the file, MBR"

# git://: a local repository served by git daemon on the loopback; a tag
# and a commit give the same tree, so the same plan.
mkdir -p "$d/git/repo"
(cd "$d/git/repo" && git init -q -b main && echo "from git" > file &&
	git add file && git -c user.name=t -c user.email=t@t commit -q -m one &&
	git tag v1 && echo "later" > file && git -c user.name=t -c user.email=t@t commit -q -am two)
commit1=$(git -C "$d/git/repo" rev-parse v1)
port=$((20000 + $$ % 20000))
git daemon --base-path="$d/git" --export-all --reuseaddr --listen=127.0.0.1 --port=$port "$d/git" 2> "$d/daemon.err" &
daemon=$!
i=0
until git ls-remote "git://127.0.0.1:$port/repo" > /dev/null 2>&1 || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
for rev in v1 "$commit1" main; do
	cat > "$d/git-$rev.toml" <<EOS
[[component]]
name = "fromgit"
requires = ["git://127.0.0.1:$port/repo#$rev"]
shell = "cp /sources/repo/file \$out/file"
EOS
done
chmod -R a+rX "$d"
as_user "cd toml && DISTILL_SEED=$scratch/debs $distill --store $store build git-v1.toml > g1 2> g1err && $distill --store $store build git-$commit1.toml > g2 2> g2err && DISTILL_SEED=$scratch/debs $distill --store $store build git-main.toml > g3 2> g3err"
ok $? "components from git:// at a tag, a commit and a branch build"
ok $([ "$(cat "$(cut -d ' ' -f 2 "$d/g1")/file")" = "from git" ] && cmp -s "$d/g1" "$d/g2" &&
	! grep -q '^building' "$d/g2err" && [ "$(cat "$(cut -d ' ' -f 2 "$d/g3")/file")" = later ]; echo $?) \
	"git://: the tag's tree; its commit is the same plan; the branch's tip is another"
printf '[[component]]\nname = "g"\nrequires = ["git://127.0.0.1:%s/repo#nosuch"]\nshell = "true"\n' $port > "$d/gitbad.toml"
(cd "$d" && "$distill" --store "$scratch/errstore" -n build gitbad.toml > /dev/null 2> gitbad.err)
rc=$?
ok $([ $rc = 3 ] && [ "$(wc -l < "$d/gitbad.err")" = 1 ] && grep -q '^gitbad.toml:3:13: error: requires: git ' "$d/gitbad.err"; echo $?) \
	"a git:// revision that is not there: exit $rc, $(cat "$d/gitbad.err")"
kill "$daemon"
wait "$daemon" 2>/dev/null

# Caching: normal is the same plan every time, transient a new one.
cat > "$d/cache.toml" <<'EOS'
[[component]]
name = "stamp"
caching = "CACHING"
shell = "date > $out/stamp"
EOS
for c in normal transient aggressive; do
	sed "s/CACHING/$c/" "$d/cache.toml" > "$d/$c.toml"
done
chmod a+r "$d"/*.toml
as_user "cd toml && DISTILL_SEED=$scratch/debs $distill --store $store build normal.toml > n1 2>/dev/null && $distill --store $store build normal.toml > n2 2> n2err && DISTILL_SEED=$scratch/debs $distill --store $store build transient.toml > t1 2>/dev/null && sleep 1 && DISTILL_SEED=$scratch/debs $distill --store $store build transient.toml > t2 2> t2err"
ok $? "components of each caching mode build"
ok $(cmp -s "$d/n1" "$d/n2" && ! grep -q '^building' "$d/n2err" &&
	grep -q '^building stamp' "$d/t2err" && ! cmp -s "$d/t1" "$d/t2"; echo $?) \
	"normal: cached the second time; transient: built again"

# aggressive: a gc root toml-NAME keeps it through gc until distill cache
# remove NAME, after which the next build runs it again.  In a store of
# its own, which gc empties of all else (the image tools too).
gstore=$scratch/gc/store
as_user "cd toml && DISTILL_SEED=$scratch/debs $distill --store $gstore build aggressive.toml > a1 2> a1err && $distill --store $gstore gc > gc1 && $distill --store $gstore build aggressive.toml > a2 2> a2err && $distill --store $gstore cache remove stamp > rm1 && DISTILL_SEED=$scratch/debs $distill --store $gstore build aggressive.toml > a3 2> a3err"
ok $? "an aggressive component builds, survives gc, its cache is removed"
ok $(grep -q '^removed' "$d/gc1" && cmp -s "$d/a1" "$d/a2" && ! grep -q '^building' "$d/a2err" &&
	grep -q '^removed the cache of stamp (plan ' "$d/rm1" && grep -q '^building stamp' "$d/a3err"; echo $?) \
	"aggressive: rooted as toml-stamp, kept by gc, built again after cache remove"
as_user "$distill --store $gstore cache remove no-such > /dev/null 2> $d/rm2"
rc=$?
ok $([ $rc = 2 ] && [ "$(wc -l < "$d/rm2")" = 1 ] && grep -q 'component no-such keeps no cache' "$d/rm2"; echo $?) \
	"cache remove of a component that keeps none: exit $rc, $(cat "$d/rm2")"

# Errors: one line FILE:LINE:COL: error: ..., exit 3.
err_case() { # err_case NAME EXPECTED-REGEX TOML-TEXT
	printf '%s\n' "$3" > "$d/$1.toml"
	(cd "$d" && "$distill" --store "$scratch/errstore" -n build "$1.toml" > /dev/null 2> "$1.err")
	rc=$?
	ok $([ $rc = 3 ] && [ "$(wc -l < "$d/$1.err")" = 1 ] && grep -Eq "^$1.toml:$2" "$d/$1.err"; echo $?) \
		"$1: exit $rc, $(cat "$d/$1.err")"
}
err_case syntax '2:7: error: ' 'name = "x"
bad = = 1'
err_case unknown '4:10: error: unknown key image.partition.colour' '[image]
[[image.partition]]
label = "a"
colour = "red"'
err_case misplaced '1:9: error: unknown key label' 'label = "x"'
err_case twokinds '3:1: error: image.partition.file "/x": text and symlink are mutually exclusive' '[[image.partition]]
filesystem = "ext4"
[[image.partition.file]]
path = "/x"
text = "a"
symlink = "b"'
err_case cargo '3:9: error: component "rusty": cargo is not supported' '[[component]]
name = "rusty"
cargo = ["--release"]'
err_case type '2:8: error: image.size must be an integer' '[image]
size = "big"'
err_case negative '5:8: error: image.partition.size: a negative size needs image.size' '[image]
[[image.partition]]
label = "a"
filesystem = "ext4"
size = -1'
printf 'requires = ["cycle-b"]\n' > "$d/cycle-a.toml"
printf 'requires = ["cycle-a.toml"]\n' > "$d/cycle-b.toml"
(cd "$d" && "$distill" -n build cycle-a.toml > /dev/null 2> cycle.err)
ok $([ $? = 3 ] && grep -q '^cycle-b.toml:1:13: error: include cycle: .*/cycle-a.toml -> .*/cycle-b.toml -> .*/cycle-a.toml$' "$d/cycle.err"; echo $?) \
	"an include cycle names the chain: $(cat "$d/cycle.err")"
err_case nocomp '3:13: error: no component "nothing-here"' '[[component]]
name = "a"
requires = ["nothing-here"]
shell = "true"'

# examples/system.toml, the example system as a [system] (no build: its
# packages are heavy): the disk plan graph it gives `distill boot` is the
# one `distill boot qemu-x86_64 system.scm` lays out for the same system
# in Scheme (this project's forms, which the TOML's settings name:
# sshd-service ca-keys:), compared by a digest of every plan's name,
# inputs and contents (plan hashes need the inputs built); a setting
# changed changes it.
sd=$scratch/system
mkdir -p "$sd"
cp "$top/examples/system.toml" "$sd/"
cat > "$sd/system.scm" <<'EOS'
(import (distill system) (distill service)
        (pkg ca-certs) (pkg wget)
        (svc sshd) (svc net-dhcpcd) (svc chronyd)
        (svc var-mount) (svc kernel-log) (svc acpid))

(make-system
 hostname: "distill"
 services: (list var-mount kernel-log acpid
                 net-dhcpcd
                 chronyd
                 (sshd-service ca-keys: (list (public-key-file "ca.pub"))))
 packages: (list ca-certs wget))
EOS
ssh-keygen -q -t ed25519 -N '' -C test-ca -f "$sd/ca"
sed 's/^ca-keys = .*/&\nconfig = [["Port", "2222"]]/' "$sd/system.toml" > "$sd/port.toml"
# Files of the root: text with a mode, a local file, an empty one.
cat "$sd/system.toml" - > "$sd/files.toml" <<'EOS'
[[system.file]]
path = "/etc/motd"
mode = 0o600
text = "hi\n"

[[system.file]]
path = "etc/ssh/ca.pub"
local = "ca.pub"

[[system.file]]
path = "/etc/empty"
EOS
sed -e 's/^        (svc var-mount)/        (ice-9 textual-ports) (distill plan) &/' \
    -e 's|^ packages: (list ca-certs wget))| packages: (list ca-certs wget)\n files: (list (interned "/etc/motd" #o600 "hi\\n") (interned "/etc/ssh/ca.pub" #o644 (call-with-input-file "ca.pub" get-string-all)) (interned "/etc/empty" #o644 "")))|' \
    "$sd/system.scm" > "$sd/files.scm"
cat > "$sd/digest.scm" <<'EOS'
(use-modules (rnrs bytevectors) (distill plan) (distill core) (distill boot) (plat qemu-x86_64))
(define memo (make-hash-table))
(define (digest p)
  (or (hashq-ref memo p)
      (let ((d (%hash-bytes
                (string->utf8
                 (object->string
                  (list (plan-name p) (plan-raw-output p) (plan-timeout p) (plan-output-hash p)
                        (map (lambda (i)
                               (let* ((i ((@@ (distill plan) input-of) i)) (l (input-link i)))
                                 (list (input-basedir i)
                                       (if (plan? l)
                                           (digest l)
                                           (list (artifact-kind l) (artifact-path l) (artifact-mode l)
                                                 (artifact-target l) (or (artifact-hash l) (artifact-pin l)))))))
                             (plan-inputs p))))))))
        (hashq-set! memo p d)
        d)))
(define (show spec)
  (format #t "~a ~a ~a~%" (digest (boot-spec-disk spec)) (boot-spec-firmware spec) (boot-spec-memory spec))
  0)
((@@ (distill script) eval-script) "system.scm" '() #f
 (lambda (v) (show ((@@ (distill script) platform-system-spec) qemu-x86_64 v))))
((@@ (distill script) toml-target) "system.toml" '() #f show)
((@@ (distill script) toml-target) "port.toml" '() #f show)
((@@ (distill script) eval-script) "files.scm" '() #f
 (lambda (v) (show ((@@ (distill script) platform-system-spec) qemu-x86_64 v))))
((@@ (distill script) toml-target) "files.toml" '() #f show)
EOS
(cd "$sd" && "$distill" --store "$scratch/errstore" run digest.scm > digests 2> digest.err)
diag "$sd/digest.err"
ok $([ "$(sed -n 1p "$sd/digests")" = "$(sed -n 2p "$sd/digests")" ] && [ -n "$(sed -n 1p "$sd/digests")" ] &&
	[ "$(sed -n 3p "$sd/digests")" != "$(sed -n 1p "$sd/digests")" ]; echo $?) \
	"system.toml's disk is system.scm's on qemu-x86_64 ($(sed -n 1p "$sd/digests")); a changed sshd config is not"
ok $([ "$(sed -n 4p "$sd/digests")" = "$(sed -n 5p "$sd/digests")" ] && [ -n "$(sed -n 4p "$sd/digests")" ] &&
	[ "$(sed -n 4p "$sd/digests")" != "$(sed -n 1p "$sd/digests")" ]; echo $?) \
	"[[system.file]]s (text with a mode, local, empty) are make-system's files: ($(sed -n 4p "$sd/digests"))"
(cd "$sd" && "$distill" --store "$scratch/errstore" -n build system.toml > build.n 2>&1 &&
	"$distill" --store "$scratch/errstore" -n boot system.toml > boot.n 2>&1 &&
	"$distill" --store "$scratch/errstore" -n boot qemu-x86_64 system.scm > scm.n 2>&1)
ok $([ $? = 0 ] && grep -q 'qemu-x86_64.img$' "$sd/build.n" && cmp -s "$sd/build.n" "$sd/boot.n" &&
	cmp -s "$sd/build.n" "$sd/scm.n"; echo $?) \
	"distill -n build and -n boot system.toml plan what distill -n boot qemu-x86_64 system.scm does"
err_case nosvc '1:1: error: no service "telnetd"' '[system]
platform = "qemu-x86_64"
[[system.service]]
name = "telnetd"'
err_case svckey '1:1: error: service "chronyd": .*colour.* is called as \(chronyd-service #:key config\)' '[system]
platform = "qemu-x86_64"
[[system.service]]
name = "chronyd"
colour = "red"'
err_case nolocal '5:9: error: local: no file "nope.pub"' '[system]
platform = "qemu-x86_64"
[[system.file]]
path = "/x"
local = "nope.pub"'
err_case noplat '1:1: error: platform: no platform "vax"' '[system]
platform = "vax"'
err_case syskey '2:8: error: unknown key system.init' '[system]
init = "systemd"'
err_case both '3:1: error: a description has an \[image\] or a \[system\], not both' '[image]
size = 8
[system]
platform = "qemu-x86_64"'

done_testing
