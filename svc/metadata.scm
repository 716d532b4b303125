;;; metadata: a cloud machine's identity from its provider's metadata
;;; service at the link-local address 169.254.169.254, at every boot, by a
;;; oneshot: the host name, and root's SSH public keys for sshd
;;; (metadata-sshd).  This module owns the fetching and what is done with
;;; what it fetched; each provider's oneshot (droplet-metadata:
;;; DigitalOcean's plain-text endpoints; imdsv2-metadata: EC2's, with a
;;; session token) is its paths.
;;;
;;; Bounded and single-address: each request is one HTTP/1.0 request made
;;; with busybox nc to 169.254.169.254:80 itself (no redirect is followed,
;;; no proxy, no name resolved), timed out after 5 s; a round (2 requests,
;;; 3 with IMDSv2's token) is tried 5 times, 2 s apart (the network may not
;;; be up yet), then the oneshot gives up with a line on the console
;;; saying why, and the boot goes on (58 s at most; 83 s with IMDSv2).
;;; What a round fetched is checked before use: the host name is letters,
;;; digits, dots and dashes (at most 253); only lines that are an OpenSSH
;;; public key (TYPE BASE64 [COMMENT], no options) are kept, others
;;; but empty ones dropped and counted.  It is kept in /var/lib/metadata (hostname,
;;; authorized_keys.root), so a boot without the service keeps the last
;;; identity it had.
;;;
;;;   (droplet-metadata-service after: SERVICES)
;;;                      DigitalOcean: /metadata/v1/hostname and
;;;                      /metadata/v1/public-keys, after SERVICES
;;;   (imdsv2-metadata-service after: SERVICES)
;;;                      EC2's IMDSv2: a token from PUT /latest/api/token,
;;;                      then /latest/meta-data/hostname and
;;;                      /latest/meta-data/public-keys/0/openssh-key with it
;;;   metadata-sshd      sshd (svc sshd) letting root in with those keys
;;;                      (AuthorizedKeysFile /var/lib/metadata/authorized_keys.%u)
(define-module (svc metadata)
  #:use-module (distill service)
  #:use-module (svc var-mount)
  #:use-module (svc sshd)
  #:export (metadata-service droplet-metadata-service imdsv2-metadata-service
            metadata-sshd metadata-dir))

(define metadata-dir "/var/lib/metadata")

(define fetch-functions
  ;; request METHOD PATH FILE [HEADER]: the body of METHOD
  ;; http://169.254.169.254PATH (with the header line HEADER) in FILE, or 1
  ;; with $why set; get PATH FILE [HEADER] is request GET.  The request goes
  ;; to that address only.
  "addr=169.254.169.254
nc_error() { # nc's error, if it said one (busybox nc says \"punt!\" at -w's end)
	e=$(head -n 1 $dir/nc.err | sed 's/^nc: //')
	case $e in ''|*punt*) ;; *) echo \" ($e)\" ;; esac
}
request() {
	{
		printf '%s %s HTTP/1.0\\r\\nHost: %s\\r\\n' $1 \"$2\" $addr
		[ -z \"$4\" ] || printf '%s\\r\\n' \"$4\"
		printf 'Connection: close\\r\\n\\r\\n'
	} | timeout 5 nc -w 5 $addr 80 > $dir/response 2> $dir/nc.err
	status=$(head -n 1 $dir/response | tr -d '\\r' | cut -c 1-100)
	what=$2
	[ $1 = GET ] || what=\"$1 $2\"
	case $status in
	'HTTP/1.'?' 200'*) ;;
	'') why=\"no answer from $addr:80 for $what within 5 s$(nc_error)\"; return 1 ;;
	*) why=\"$addr answered $status for $what\"; return 1 ;;
	esac
	tr -d '\\r' < $dir/response | awk 'body { print; next } /^$/ { body = 1 }' > \"$3\"
}
get() {
	request GET \"$@\"
}
")

(define apply-script
  ;; After fetch (a shell function of the provider: 0 when $dir/hostname.new
  ;; and $dir/keys.new hold what it fetched, else 1 with $why).
  "tries=0
until fetch; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || break
	sleep 2
done
if [ $tries -ge 5 ]; then
	say \"no metadata after 5 tries: $why\"
else
	h=$(head -n 1 $dir/hostname.new)
	case $h in
	''|-*|*[!A-Za-z0-9.-]*) say \"the metadata's host name '$h' is not a host name: ignored\" ;;
	*) if [ ${#h} -le 253 ]; then echo \"$h\" > $dir/hostname; else say 'the host name is longer than 253: ignored'; fi ;;
	esac
	re='^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ecdsa-sha2-nistp256@openssh.com|sk-ssh-ed25519@openssh.com) [A-Za-z0-9+/]+=*( [^[:cntrl:]]*)?$'
	grep -E \"$re\" $dir/keys.new > $dir/keys.ok
	bad=$(grep -vE \"$re\" $dir/keys.new | grep -c .)
	[ \"$bad\" = 0 ] || say \"$bad line(s) of the metadata's keys are no OpenSSH public key: dropped\"
	chmod 600 $dir/keys.ok
	mv $dir/keys.ok $dir/authorized_keys.root
	say \"$(grep -c . $dir/authorized_keys.root) SSH key(s) for root\"
fi
rm -f $dir/hostname.new $dir/keys.new $dir/response $dir/nc.err
if [ -s $dir/hostname ]; then
	hostname \"$(cat $dir/hostname)\"
	say \"host name $(hostname)\"
else
	say \"no host name from the metadata yet: it stays $(hostname)\"
fi
")

(define* (metadata-service name fetch #:key (after '()))
  "A oneshot NAME, started after var-mount and AFTER (the network; sshd,
so that the boot does not wait for the metadata to let root in with the
keys a boot before kept), that runs the shell text FETCH (defining
fetch(), which fills $dir/hostname.new and $dir/keys.new, with get of
this module) until it succeeds or has been tried 5 times, then keeps and
applies what it fetched."
  (make-service
   name: name
   after: (cons var-mount after)
   ;; 5 tries of 2 requests (3 with IMDSv2's token) of at most 5 s, 2 s
   ;; apart: 58 s at most (83 s).
   spec: (oneshot* timeout-up: 100000 up: (string-append "#!/bin/sh
dir=" metadata-dir "
say() { echo \"" name ": $*\" > /dev/console; }
mkdir -p $dir
chmod 755 $dir
unset http_proxy https_proxy
" fetch-functions fetch apply-script))))

(define* (droplet-metadata-service #:key (after '()))
  "DigitalOcean's oneshot, started after AFTER too: the plain-text
endpoints, one value each, nothing to parse (the same values as
/metadata/v1.json's hostname and public_keys)."
  (metadata-service "droplet-metadata" "fetch() {
	get /metadata/v1/hostname $dir/hostname.new && get /metadata/v1/public-keys $dir/keys.new
}
" after: after))

(define* (imdsv2-metadata-service #:key (after '()))
  "EC2's oneshot (IMDSv2), started after AFTER too: a session token from
PUT /latest/api/token (valid 5 minutes), then the instance's host name and
its launch key pair's public key, each GET with the token (404 for the
key: launched without a key pair, so root has no key).  A token is
letters, digits and + / = _ - (it goes into a header line)."
  (metadata-service "imdsv2-metadata" "fetch() {
	request PUT /latest/api/token $dir/token.new 'X-aws-ec2-metadata-token-ttl-seconds: 300' || return 1
	token=$(head -n 1 $dir/token.new | cut -c 1-200)
	rm -f $dir/token.new
	case $token in
	''|*[!A-Za-z0-9+/=_-]*) why='the token from PUT /latest/api/token is not a token'; return 1 ;;
	esac
	get /latest/meta-data/hostname $dir/hostname.new \"X-aws-ec2-metadata-token: $token\" || return 1
	# An instance launched without a key pair has none: 404.
	get /latest/meta-data/public-keys/0/openssh-key $dir/keys.new \"X-aws-ec2-metadata-token: $token\" ||
		case $status in
		'HTTP/1.'?' 404'*) : > $dir/keys.new ;;
		*) return 1 ;;
		esac
}
" after: after))

(define metadata-sshd
  ;; sshd as (svc sshd)'s default, but root's keys are the metadata's.
  (sshd-service config: (map (lambda (kv)
                               (if (string=? (car kv) "AuthorizedKeysFile")
                                   (cons (car kv) (string-append metadata-dir "/authorized_keys.%u"))
                                   kv))
                             default-sshd-config)))
