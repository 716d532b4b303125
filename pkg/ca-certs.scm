;; ca-certs: the CA certificates a TLS client trusts, as Debian 12 ships
;; them: etc/ssl/certs/ca-certificates.crt (the bundle of every
;; certificate, PEM, concatenated in the byte order of their file names:
;; LC_ALL=C sort), etc/ssl/cert.pem (a link to the bundle, the name
;; LibreSSL and some programs look for) and the certificates one per file
;; in usr/share/ca-certificates/mozilla/NAME.crt, as Debian installs them.
;; No hash links (c_rehash) in etc/ssl/certs: they would need openssl at
;; build time; programs use the bundle (OpenSSL's CAfile, wget's
;; --ca-certificate, curl's --cacert...).  The data are the same for
;; every architecture: the config only chooses the build tools.
;;
;; Source: Debian 12's binary package ca-certificates 20230311+deb12u1
;; (Architecture: all; bookworm main and bookworm-updates: the security
;; suite's newer versions are dropped within weeks of the next one),
;; pinned by the sha256 of Debian's signed index in ca-certs-packages
;; below and in seed/SHA256SUMS (scripts/fetch-seed puts it in
;; seed/debs), read through (distill seed)'s seed-deb parameter as
;; pkg/openssl.scm reads its build tools.  Why the .deb and not the
;; source package (ca-certificates_20230311+deb12u1.tar.xz, a
;; Debian-native tarball): the source holds Mozilla's certdata.txt, which
;; Debian's build turns into PEM files with a Python script (certdata2pem.py:
;; trust flags, a blacklist, octal-escaped DER and UTF-8 labels), and there
;; is no Python in distill's sandbox; redoing that in awk would be a new
;; converter to trust, where the .deb ships the result, one PEM
;; certificate per file, that Debian's own update-ca-certificates
;; concatenates.  The .deb's 142 files are that output.
;;
;; The build checks that every file holds exactly one certificate and
;; that there are at least 100 of them, and gives each a final newline in
;; the bundle (as update-ca-certificates does with `sed '$a\'').
(define-module (pkg ca-certs)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:use-module (distill seed)
  #:use-module (ice-9 match)
  #:export (ca-certs ca-certs-packages))

(define ca-certs-packages
  ;; (name version sha256 file), as seed-packages: Debian 12 (bookworm
  ;; main), by the sha256 of Debian's signed index.  Kept in step with
  ;; seed/SHA256SUMS.
  '(("ca-certificates" "20230311+deb12u1"
     "0d5f444f594e48c1e16a41d8fc628a09b24c658916a1274025c2330f2a802bed"
     "ca-certificates_20230311+deb12u1_all.deb")))

(define deb
  ;; The .deb unpacked at /src/ca-certificates.
  (pinned-debs ca-certs-packages (lambda (a) (update-path a "/src/ca-certificates"))))

(define (ca-certificates-deb conf)
  (car (deb)))

(define bundle-script
  "#!/bin/sh
set -eu
export LC_ALL=C
src=/src/ca-certificates/usr/share/ca-certificates/mozilla
share=/out/usr/share/ca-certificates/mozilla
mkdir -p /out/etc/ssl/certs \"$share\"
bundle=/out/etc/ssl/certs/ca-certificates.crt
: > \"$bundle\"
n=0
(cd \"$src\" && printf '%s\\n' *) | sort > /tmp/names
while IFS= read -r f; do
	case $f in *.crt) ;; *) echo \"ca-certs: unexpected file $f\" >&2; exit 1 ;; esac
	[ \"$(grep -c -- '-----BEGIN CERTIFICATE-----' \"$src/$f\")\" = 1 ] &&
	[ \"$(grep -c -- '-----END CERTIFICATE-----' \"$src/$f\")\" = 1 ] || {
		echo \"ca-certs: $f is not one PEM certificate\" >&2; exit 1; }
	cp \"$src/$f\" \"$share/$f\"
	chmod 644 \"$share/$f\"
	cat \"$src/$f\" >> \"$bundle\"
	[ -z \"$(tail -c 1 \"$src/$f\")\" ] || echo >> \"$bundle\"
	n=$((n + 1))
done < /tmp/names
[ \"$n\" -ge 100 ] || { echo \"ca-certs: only $n certificates\" >&2; exit 1; }
chmod 644 \"$bundle\"
ln -s certs/ca-certificates.crt /out/etc/ssl/cert.pem
")

(define ca-certs
  (package-template
   #:license "MPL-2.0 AND GPL-2.0-or-later"
   #:label "ca-certs-20230311+deb12u1"
   #:src (list (interned "/src/make-bundle" #o755 bundle-script))
   #:tools (list ca-certificates-deb)
   #:build '(/src/make-bundle)))
