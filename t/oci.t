#!/bin/sh
# The platform container-rootfs, end to end: a small system (busybox
# built from source, a file of its own, owners) built for it as an
# ordinary user is an OCI image layout and its tar that skopeo reads
# (the architecture, os and entrypoint of the config), that umoci
# unpacks and runc runs (as root, and rootless as the ordinary user),
# printing what the system holds; upstream's name container-rootfs-image
# gives the same image; `distill boot` refuses it in one line; and the
# image is bit-identical when built again in a fresh store.
. "$(dirname "$0")/lib.sh"

for tool in skopeo umoci runc python3; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (scripts/setup-debian)"
		exit 0
	fi
done

use_shared_store

mkdir -p "$scratch/sys"
cat > "$scratch/sys/system.scm" <<'EOS'
(import (distill plan) (distill system))
(define system
  (make-system hostname: "oci-test"
               files: (list (interned "/etc/motd" #o644 "hello from the image\n"))
               owners: '(("/etc/motd" 1000 1000 #o444))))
EOS
# The same system with its platform, for rebuild_fresh's `distill build FILE`.
{ cat "$scratch/sys/system.scm"
  echo '(import (plat container-rootfs))'
  echo '(define platform container-rootfs)'; } > "$scratch/sys/image.scm"
chmod -R a+rX "$scratch/sys"

# 1. The image, and the same by upstream's name.
t0=$(date +%s)
run "build container-rootfs sys/system.scm > out1 2> build1.err"
rc=$?
ok $rc "distill build container-rootfs SYSTEM builds the image (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$scratch/build1.err" | tail -n 20 | diag
echo "build (in the run's shared store): $(($(date +%s) - t0)) s" | diag
out=$(cut -d ' ' -f 2 "$scratch/out1")
layout=$out/container-rootfs
run "build container-rootfs-image sys/system.scm > out2 2> build2.err"
cmp -s "$scratch/out1" "$scratch/out2"
ok $? "container-rootfs-image, upstream's name, gives the same image"
ok "$(test -f "$layout/oci-layout" && test -f "$layout/index.json" &&
	test -d "$layout/blobs/sha256" && test -f "$out/container-rootfs.tar"; echo $?)" \
	"the output holds the layout (oci-layout, index.json, blobs/sha256) and its tar"

# 2. skopeo reads the layout and its tar: one layer, the config's
# architecture, os and entrypoint.
skopeo inspect "oci:$layout" > "$scratch/inspect" 2>&1
ok $? "skopeo inspect oci:LAYOUT reads it"
python3 - "$scratch/inspect" <<'EOP'
import json, sys
i = json.load(open(sys.argv[1]))
assert i["Architecture"] == "amd64" and i["Os"] == "linux", i
assert len(i["Layers"]) == 1 and i["Created"] == "1980-01-01T00:00:00Z", i
EOP
ok $? "one layer, amd64, linux, created at the image epoch" || diag "$scratch/inspect"
skopeo inspect --config "oci:$layout" > "$scratch/config" 2>&1
python3 - "$scratch/config" <<'EOP'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["config"]["Entrypoint"] == ["/sbin/init"], c
assert "PATH=/usr/bin:/bin:/usr/sbin:/sbin" in c["config"]["Env"], c
EOP
ok $? "the config's entrypoint is the system's init, with PATH" || diag "$scratch/config"
skopeo inspect "oci-archive:$out/container-rootfs.tar" > "$scratch/inspect-tar" 2>&1
ok "$(cmp -s "$scratch/inspect" "$scratch/inspect-tar"; echo $?)" \
	"skopeo inspect oci-archive:TAR reads the tar as the same image"

# 3. umoci unpacks it from the store (read-only) into a bundle; runc runs
# a command there, as root and rootless as the ordinary user.
cat > "$scratch/inside" <<'EOS'
echo "inside $(cat /etc/hostname): $(cat /etc/motd) ($(stat -c %u:%g:%a /etc/motd)) as $(id -u)"
EOS
cat > "$scratch/bundle.py" <<'EOP'
import json, sys
p = sys.argv[1] + "/config.json"
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", open(sys.argv[2]).read()]
json.dump(c, open(p, "w"))
EOP
chmod a+r "$scratch/inside" "$scratch/bundle.py"
runtime() { # WHO UNPACK-FLAGS OWNER: OWNER, what the container sees of /etc/motd's
	as="sh -c"
	[ "$1" = root ] || as=as_user
	$as "umoci unpack $2 --image '$layout:latest' $1-bundle > $1-unpack.out 2>&1 &&
		python3 bundle.py $1-bundle inside &&
		timeout 120 runc --root $scratch/$1-runc run --bundle $1-bundle distill-oci-$$ < /dev/null > $1.run 2>&1"
	rc=$?
	ok $rc "$1: umoci unpacks the image and runc runs a command in it (exit $rc)"
	[ $rc = 0 ] || diag "$scratch/$1-unpack.out" "$scratch/$1.run"
	grep -qx "inside oci-test: hello from the image ($3:444) as 0" "$scratch/$1.run"
	ok $? "$1: the command prints the system's files, their mode and owner $3, as the container's root" ||
		diag "$scratch/$1.run"
}
# The layer says 1000:1000; umoci unpacks it so as root, and rootless
# (as the ordinary user, who can own nothing else) as the user, root in
# the container's user namespace.
tar -tvzf "$layout/blobs/sha256/$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/index.json"))["manifests"][0]["digest"][7:]
print(json.load(open(sys.argv[1] + "/blobs/sha256/" + m))["layers"][0]["digest"][7:])' "$layout")" \
	./etc/motd > "$scratch/layer.motd" 2>&1
grep -q '^-r--r--r-- 1000/1000 .* 1980-01-01 00:00 \./etc/motd$' "$scratch/layer.motd"
ok $? "the layer holds /etc/motd with its declared owner and mode, at the epoch" || diag "$scratch/layer.motd"
if [ "$(id -u)" = 0 ]; then
	runtime root "" 1000:1000
fi
runtime user --rootless 0:0

# 4. A container platform is not booted: one line, before anything runs.
as_user "$distill --store $st boot container-rootfs > boot.out 2> boot.err"
rc=$?
ok "$([ $rc = 3 ] && grep -q 'container-rootfs is a container platform' "$scratch/boot.err" &&
	[ "$(grep -vc '^;;;' "$scratch/boot.err")" = 1 ]; echo $?)" \
	"distill boot container-rootfs says in one line that it is not booted (exit $rc)"
grep -v '^;;;' "$scratch/boot.err" | diag

# 5. What the config cannot say is refused in one line, naming it.
cat > "$scratch/badarch.scm" <<'EOS'
(import (distill plan) (distill image))
(oci-image (list (interned "/a" #o644 "a\n")) arch: 'vax)
EOS
cat > "$scratch/badentry.scm" <<'EOS'
(import (distill plan) (distill image))
(oci-image (list (interned "/a" #o644 "a\n")) entrypoint: "/sbin/init")
EOS
chmod a+r "$scratch"/bad*.scm
for t in "badarch:arch: vax has no OCI name" "badentry:entrypoint: \"/sbin/init\" must be a non-empty list of strings"; do
	f=${t%%:*} msg=${t#*:}
	as_user "$distill --store $st build $f.scm > $f.out 2> $f.err"
	rc=$?
	ok "$([ $rc = 3 ] && grep -qF "$msg" "$scratch/$f.err" &&
		[ "$(grep -vc '^;;;' "$scratch/$f.err")" = 1 ]; echo $?)" \
		"oci-image refuses $f in one line (exit $rc)"
	grep -v '^;;;' "$scratch/$f.err" | diag
done

# 6. Built again in a fresh store: the same bytes.
rebuild_fresh "the image" "$scratch/sys" image.scm "$scratch/out3"
[ "$(cut -d ' ' -f 1 "$scratch/out1")" = "$(cut -d ' ' -f 1 "$scratch/out3")" ]
ok $? "the same output hash from the fresh store" || diag "$scratch/out1" "$scratch/out3"
fresh=$(cut -d ' ' -f 2 "$scratch/out3")
cmp -s "$out/container-rootfs.tar" "$fresh/container-rootfs.tar" &&
	diff -r "$layout" "$fresh/container-rootfs" > /dev/null
ok $? "the same bytes: the tar and every file of the layout"

done_testing
