#!/bin/sh
# Upstream distill's guide, as written: its example system script,
# verbatim but for a CA made here (ECDSA, the guide's own key type) and
# my-ssh-ca added to packages: (the guide forgets it), builds with
# `distill build qemu-system-x86_64 system.scm` (hash, store path, size),
# boots, lets in a key certified by that CA and refuses one that is not.
# Around it, cheaply (no other image is built): fetch, list sources and -n
# take PLATFORM SYSTEM; a script defining platform builds the same image;
# a system without a platform is a named error; this project's own forms
# (net-dhcpcd, chronyd bare, sshd-service) still evaluate; (import scheme
# (chicken base) ...) works and (chicken foreign) is refused naming why;
# public-key-file takes every OpenSSH CA key type; (sshd LINES) keeps the
# safe lines first and refuses lines that would change them.
. "$(dirname "$0")/lib.sh"

need_tools qemu-system-x86_64 ssh

use_mirror
st=$shared_store
g=$scratch/g
mkdir -p "$g"
chmod 1777 "$g"
run() { as_user "cd g && $mirror_env $distill --store $st -j2 $*"; }

# 1. The CA (ECDSA), a key it certifies for root, a key it does not.
ssh-keygen -q -t ecdsa -N '' -C guide-ca -f "$g/ca"
ssh-keygen -q -t ecdsa -N '' -f "$scratch/id"
ssh-keygen -q -t ecdsa -N '' -f "$scratch/stranger"
ssh-keygen -q -s "$g/ca" -I distill-guide -n root -V -5m:+1h "$scratch/id.pub"
ok $? "an ECDSA CA certifies a key for root"
read -r ktype kdata _ < "$g/ca.pub"

# 2. The guide's script.
cat > "$g/system.scm" <<EOF
(import
 scheme
 (distill plan) ; interned
 (distill system) ; make-system
 ;; import some package definitions
 (pkg ca-certs)
 (pkg wget)
 ;; import some service definitions
 (svc sshd)
 (svc net-dhcpcd)
 (svc chronyd))

;; define a raw text file that
;; should live at /etc/ssh/ca.pub;
;; this is the SSH CA that determines who can log in
(define my-ssh-ca
  (interned
   "/etc/ssh/ca.pub" #o600
   (lines
    '(($ktype $kdata)))))

;; system is the system definition;
;; it includes
(define system
  (make-system
   services: (list
              ;; use dhcpcd(8) for networking
              (net-dhcpcd default-dhcpcd-config)
              ;; use chronyd(8) as a clock source
              (chronyd default-chronyd-config)
              ;; use sshd(8) and accept pubkeys signed by our CA
              (sshd '((TrustedUserCAKeys /etc/ssh/ca.pub))))
   packages: (list wget ca-certs my-ssh-ca)))
EOF
# The same system, with its platform defined in the script.
{ cat "$g/system.scm"; echo '(import (plat qemu-system-x86_64))'; echo '(define platform qemu-system-x86_64)'; } > "$g/withplat.scm"
chmod -R a+rX "$g"

run "fetch qemu-system-x86_64 system.scm > fetch.out 2> fetch.err"
rc=$?
ok $([ $rc = 0 ] && grep -q 'sources present' "$g/fetch.out"; echo $?) "distill fetch PLATFORM SYSTEM (exit $rc)"
run "list sources qemu-system-x86_64 system.scm > sources.out 2> sources.err"
ok $([ $? = 0 ] && grep -q 'wget' "$g/sources.out"; echo $?) "distill list sources PLATFORM SYSTEM names wget's tarball"
run "-n build qemu-system-x86_64 system.scm > dry.out 2> dry.err"
rc=$?
ok $([ $rc = 0 ] && grep -q 'qemu-x86_64.img' "$g/dry.out"; echo $?) \
	"-n build PLATFORM SYSTEM: the image's plans would be built (exit $rc)"
diag < "$g/dry.out"

# A system whose service starts after upstream's var-mounted-rw, which
# only the platform has: the command line adds the platform's base
# services, as platform+system->plan does.
cat > "$g/after.scm" <<'EOF'
(import scheme (distill plan) (distill service) (distill system) (distill fs))
(define system
  (make-system
   services: (list (make-service name: 'hello after: (list var-mounted-rw)
                                 spec: (oneshot* up: "#!/bin/sh\necho hello\n")))))
EOF
chmod a+r "$g/after.scm"
run "-n build qemu-system-x86_64 after.scm > after.out 2> after.err"
rc=$?
ok $([ $rc = 0 ] && grep -q 'qemu-x86_64.img' "$g/after.out"; echo $?) \
	"build PLATFORM SYSTEM: a service after var-mounted-rw gets the platform's var-mount (exit $rc)"
diag < "$g/after.err"

t0=$(date +%s)
run "build qemu-system-x86_64 system.scm > build.out 2> build.err"
rc=$?
ok $rc "distill build qemu-system-x86_64 system.scm (exit $rc)"
[ $rc = 0 ] || grep -v '^;;;' "$g/build.err" | tail -n 20 | diag
echo "build: $(($(date +%s) - t0)) s, $(grep -c '^built' "$g/build.err") plans built" | diag
read -r hash path size < "$g/build.out"
ok $([ -f "$path" ] && [ "$(basename "$path")" = "$hash" ] && [ "$size" = "$(stat -c %s "$path")" ] &&
	[ "$(wc -l < "$g/build.out")" = 1 ]; echo $?) "it prints the image's hash, store path and size ($size bytes)"
cat "$g/build.out" | diag
run "-n build qemu-system-x86_64 system.scm > dry2.out 2> dry2.err"
ok $([ $? = 0 ] && [ ! -s "$g/dry2.out" ]; echo $?) "and -n build PLATFORM SYSTEM then has nothing left to build"
diag < "$g/dry2.out"

run "build withplat.scm > withplat.out 2> withplat.err"
ok $([ $? = 0 ] && cmp -s "$g/build.out" "$g/withplat.out"; echo $?) \
	"a script that defines platform builds the same image with distill build SCRIPT"
run "build system.scm > noplat.out 2> noplat.err"
rc=$?
ok $([ $rc = 3 ] && grep -q 'system.scm:[0-9]*:[0-9]*: error: the script gives a system "distill" and no platform.*qemu-system-x86_64' "$g/noplat.err"; echo $?) \
	"a system without a platform is a recipe error saying how to name one (exit $rc)"
diag < "$g/noplat.err"
run "build qemu-system-x86_64 system.scm withplat.scm > two.out 2> two.err"
rc=$?
ok $([ $rc = 2 ] && grep -q 'takes one SYSTEM' "$g/two.err"; echo $?) "a platform takes one SYSTEM (exit $rc)"

# 3. This project's own forms, beside the guide's: bare net-dhcpcd and
# chronyd, sshd-service with ca-keys:, config: as text.
cat > "$g/old.scm" <<'EOF'
(import (distill system) (distill service) (svc sshd) (svc net-dhcpcd) (svc chronyd))
(make-system services: (list net-dhcpcd
                             (chronyd-service config: "pool pool.ntp.org iburst\n")
                             (sshd-service ca-keys: (list (public-key-file "ca.pub")))))
EOF
cat > "$g/bare.scm" <<'EOF'
(import (distill system) (svc sshd) (svc chronyd))
(make-system services: (list chronyd sshd))
EOF
chmod a+r "$g"/*.scm
run "-n build qemu-x86_64 old.scm > old.out 2> old.err"
rc1=$?
run "-n build qemu-x86_64 bare.scm > bare.out 2> bare.err"
rc2=$?
ok $([ $rc1 = 0 ] && [ $rc2 = 0 ] && grep -q qemu-x86_64.img "$g/old.out"; echo $?) \
	"this project's forms (bare net-dhcpcd, chronyd, sshd; -service procedures) still make systems ($rc1, $rc2)"
cat "$g/old.err" "$g/bare.err" | grep -v '^;;;' | diag

# 4. Upstream's imports.
cat > "$g/imports.scm" <<'EOF'
(import scheme (chicken base) (chicken module) chicken.syntax (srfi 1)
        (only (distill plan) lines))
(display (lines (list (drop-right '(a b c) 1))))
EOF
cat > "$g/foreign.scm" <<'EOF'
(import scheme
        (chicken foreign))
EOF
chmod a+r "$g"/*.scm
run "run imports.scm > imports.out 2> imports.err"
ok $([ $? = 0 ] && [ "$(cat "$g/imports.out")" = "a b" ]; echo $?) \
	"(import scheme (chicken base) (chicken module) chicken.syntax (srfi 1) ...) works"
diag < "$g/imports.err"
run "run foreign.scm > foreign.out 2> foreign.err"
rc=$?
ok $([ $rc = 3 ] && grep -q "^foreign.scm:2:9: error: (chicken foreign) is CHICKEN Scheme's.*calls C" "$g/foreign.err"; echo $?) \
	"(import (chicken foreign)) is a recipe error at it, naming why (exit $rc)"
diag < "$g/foreign.err"

# 5. public-key-file: every OpenSSH type a CA may have; not a certificate,
# not a damaged key.
for t in ed25519 rsa "ecdsa -b 256" "ecdsa -b 384" "ecdsa -b 521"; do
	f=$(echo "$t" | tr -d ' -')
	ssh-keygen -q -t $t -N '' -f "$g/k-$f"
done
# Security-key types need a device to be made: their lines, by hand
# (the blob: the type, then the key and the application, SSH strings).
sshstr() { printf "\\$(printf '%03o' $((${#1} >> 24 & 255)))\\$(printf '%03o' $((${#1} >> 16 & 255)))\\$(printf '%03o' $((${#1} >> 8 & 255)))\\$(printf '%03o' $((${#1} & 255)))%s" "$1"; }
for t in sk-ssh-ed25519@openssh.com sk-ecdsa-sha2-nistp256@openssh.com; do
	echo "$t $({ sshstr "$t"; sshstr 0123456789abcdef0123456789abcdef; sshstr ssh:; } | base64 -w 0) sk" > "$g/k-$(echo "$t" | cut -d@ -f1).pub"
done
cp "$scratch/id-cert.pub" "$g/k-cert.pub"
sed 's/ AAAA/ AAAB/' "$g/k-ed25519.pub" > "$g/k-bad.pub"
cat > "$g/keys.scm" <<'EOF'
(import (svc sshd) (ice-9 ftw))
(for-each (lambda (f)
            (format #t "~a ~a~%" f
                    (catch #t (lambda () (public-key-file f) "ok")
                      (lambda (k who fmt args . _) (apply format #f fmt args)))))
          (scandir "." (lambda (f) (and (string-prefix? "k-" f) (string-suffix? ".pub" f)))))
EOF
chmod -R a+rX "$g"
run "run keys.scm > keys.out 2> keys.err"
diag < "$g/keys.out"
ok $([ "$(grep -c ' ok$' "$g/keys.out")" = 7 ] &&
	grep -q 'k-cert.pub .*is a certificate' "$g/keys.out" &&
	grep -q "k-bad.pub .*its key is not an ssh-ed25519 key" "$g/keys.out"; echo $?) \
	"public-key-file takes ed25519, rsa, ecdsa 256/384/521 and both sk- types; refuses a certificate and a damaged key"

# 6. (sshd LINES): the safe lines first, the user's (symbols or strings),
# the defaults they do not set; lines that would weaken it are refused.
cat > "$g/sshd.scm" <<'EOF'
(import (distill service) (distill plan) (svc sshd) (rnrs bytevectors) (srfi srfi-1))
(define (config s)
  (let ((a (find (lambda (x) (and (artifact? x) (equal? (artifact-path x) "/etc/ssh/sshd_config")))
                 (service-inputs s))))
    (utf8->string (artifact-contents a))))
(display (config (sshd '((TrustedUserCAKeys /etc/ssh/ca.pub) ("Port" 2222) "AllowUsers root"))))
(display "--\n")
(display (config (sshd '((PasswordAuthentication yes)))))
EOF
chmod a+r "$g/sshd.scm"
run "run sshd.scm > sshd.out 2> sshd.err"
rc=$?
cat > "$g/sshd.want" <<'EOF'
HostKey /var/lib/sshd/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
ChallengeResponseAuthentication no
PermitEmptyPasswords no
TrustedUserCAKeys /etc/ssh/ca.pub
Port 2222
AllowUsers root
PermitRootLogin prohibit-password
AuthorizedKeysFile none
PidFile none
Subsystem sftp /usr/libexec/sftp-server
--
EOF
ok $([ $rc = 3 ] && cmp -s "$g/sshd.want" "$g/sshd.out" &&
	grep -q "sshd.scm:8:18: error: the line PasswordAuthentication yes would change what keeps sshd safe" "$g/sshd.err"; echo $?) \
	"(sshd LINES): safe lines first, then LINES, then the defaults left; a weakening line is refused"
diff "$g/sshd.want" "$g/sshd.out" | diag
diag < "$g/sshd.err"

# 7. Boot the guide's system; the certified key gets in, the other not.
guest_port=$((20000 + $$ % 20000))
boot_system console "cd g && $mirror_env $distill --store $st boot qemu-system-x86_64 system.scm --forward $guest_port:22 --timeout 600 2> boot.err"
grep -q 'distill-rc: services started:.*sshd' "$scratch/console"
ok $? "the guide's system boots and starts its services ($boot_secs s)"
grep -a 'distill-rc\|distill-initramfs' "$scratch/console" | diag
chmod 600 "$scratch/id" "$scratch/stranger"
guest_login "$scratch/id" 'echo SSH-OK; head -n 1 /etc/ssh/sshd_config; cat /etc/ssh/ca.pub'
ok $login "ssh logs in as root with the key the ECDSA CA certified"
[ $login = 0 ] || diag < "$scratch/ssh1.err"
ok $(echo "$out" | grep -q '^HostKey /var/lib/sshd/' && echo "$out" | grep -q "^$ktype $kdata\$"; echo $?) \
	"its sshd_config starts with the safe lines; /etc/ssh/ca.pub is the CA"
guest_refused "$scratch/stranger"
ok $([ $? = 0 ] && [ $login = 0 ]; echo $?) \
	"a key without a certificate is refused, and only public keys are offered (ssh exit $refused_rc)"
stop_guest "$scratch/id"
ok $([ $login = 0 ] && [ $stop_secs -lt 60 ]; echo $?) "poweroff over ssh stops it ($stop_secs s)"

done_testing
