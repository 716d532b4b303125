#!/bin/sh
# curl and libseccomp (issue 14), built with (distill base)'s toolchain
# from the sources scripts/fill-mirror takes from Debian's source
# packages, with Debian's patches.
#
# make check: libseccomp is built as the ordinary user in the run's
# shared store (about 60 s here under load), and a program linked
# against it, compiled and run in the sandbox, makes uname(2) fail with
# EPERM and resolves syscall names Debian's patch adds.
# make check-full (full_only): curl, whose build takes about 340 s here
# under load, too long for make check, is built the same way; the static
# curl fetches a file from the test's own HTTP server on the loopback
# (t/httpd.py) and over HTTPS from a TLS server of the test's own
# (python3's ssl module) whose certificate a CA made here with the host's
# openssl signed: curl --cacert with that CA gets the same bytes, with
# another CA it refuses (exit 60); curl --version lists OpenSSL, zlib and
# zstd, and curl-config names pkg/ca-certs.scm's bundle as its default
# CA file.  Then both, built again in the run's second store
# (rebuild_fresh), give the same output hashes: that second build, with
# musl, openssl, zlib and zstd, took 1775 s here (load 12 on 2 cores).
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
use_shared_store

build_set seccomp libseccomp libseccomp
sc_out=$(sed -n 1p "$scratch/seccomp.out" | cut -d ' ' -f 2)
sc_out=${sc_out:-/nonexistent}

# libseccomp: a program compiled and run in the sandbox.
cat > "$scratch/seccomp-uname.c" <<'EOS'
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	scmp_filter_ctx ctx;
	int r;

	printf("uname before: %d\n", uname(&u));
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(uname), 0) < 0 ||
	    (r = seccomp_load(ctx)) < 0) {
		printf("filter not installed\n");
		return 1;
	}
	seccomp_release(ctx);
	errno = 0;
	r = uname(&u);
	printf("uname after: %d %s\n", r, r ? strerror(errno) : "no error");
	printf("cachestat %d fchmodat2 %d\n", seccomp_syscall_resolve_name("cachestat"),
	       seccomp_syscall_resolve_name("fchmodat2"));
	return 0;
}
EOS
cat > "$scratch/sc.scm" <<EOS
(import (distill base) (distill package) (distill plan) (pkg libseccomp) (pkg busybox))
((expander (default-config 'x86_64))
 (cc-package "seccomp-uname" "1" #f (local-file "$scratch/seccomp-uname.c" "/src/sc/t.c")
  dir: "/src/sc"
  libs: (list libseccomp linux-uapi-headers)
  build: \`(if (mkdir -p /out)
           if (,\$CC ,\$CFLAGS -o t t.c -lseccomp ,\$LDFLAGS)
           redirfd -w 1 /out/result ./t)))
EOS
chmod a+r "$scratch/sc.scm" "$scratch/seccomp-uname.c"
run build sc.scm > "$scratch/sc.out" 2> "$scratch/sc.err"
got=$(cat "$(cut -d ' ' -f 2 "$scratch/sc.out")/result" 2>&1)
ok $(printf 'uname before: 0\nuname after: -1 %s\ncachestat 451 fchmodat2 452\n' "$(python3 -c 'import os; print(os.strerror(1))')" |
	[ "$(cat)" = "$got" ]; echo $?) \
	"a program linked with libseccomp makes uname fail with EPERM in the sandbox, and knows Debian's new syscalls: $(echo "$got" | tr '\n' ';')"
grep -v '^;;;' "$scratch/sc.err" | grep -v '^built ' | grep -v '^building ' | grep -v '^result' | diag
for f in usr/lib/libseccomp.a usr/include/seccomp.h usr/include/seccomp-syscalls.h usr/lib/pkgconfig/libseccomp.pc; do
	[ -f "$sc_out/$f" ] || missing="${missing:-} $f"
done
ok $([ -z "${missing:-}" ]; echo $?) "libseccomp gives libseccomp.a, seccomp.h, seccomp-syscalls.h and libseccomp.pc${missing:+ (missing:$missing)}"

if full_only 11 "curl's build takes about 340 s here, and both built again in a second store about 30 minutes"; then
	build_set curl curl curl
	curl_out=$(sed -n 1p "$scratch/curl.out" | cut -d ' ' -f 2)
	curl=${curl_out:-/nonexistent}/usr/bin/curl
	ok $(static "$curl"; echo $?) "curl is a static program (no interpreter)"
	version=$("$curl" --version 2>&1)
	ok $(echo "$version" | grep -q '^curl 7\.88\.1 .* OpenSSL/3\.0\.20 zlib/1\.2\.13 zstd/1\.5\.4' &&
		echo "$version" | grep '^Features:' | grep -q ' SSL ' &&
		echo "$version" | grep '^Protocols:' | grep -q ' https '; echo $?) \
		"curl --version lists OpenSSL, zlib and zstd, and https: $(echo "$version" | head -n 1)"
	echo "$version" | diag
	got=$(sh "$curl_out/usr/bin/curl-config" --ca 2>&1)
	ok $([ "$got" = /etc/ssl/certs/ca-certificates.crt ] &&
		grep -q /etc/ssl/certs/ca-certificates.crt "$curl"; echo $?) \
		"curl's default CA file is the bundle pkg/ca-certs.scm installs: $got"
	ok $([ -f "$curl_out/usr/lib/libcurl.a" ] && [ -f "$curl_out/usr/include/curl/curl.h" ] &&
		[ -f "$curl_out/usr/lib/pkgconfig/libcurl.pc" ] &&
		[ -z "$(find "$curl_out" "$sc_out" -path '*/share/man*' -o -name '*.la' -o -name '*.so*')" ]; echo $?) \
		"libcurl.a, curl.h and libcurl.pc are there; no manual pages, .la or shared libraries"

	# HTTP from the test's own server on the loopback.
	start_httpd
	head -c 300000 /dev/urandom > "$scratch/www/blob"
	as_user "$curl -sS -o got-http http://127.0.0.1:$port/files/blob" 2> "$scratch/http.err"
	ok $(cmp -s "$scratch/www/blob" "$scratch/got-http"; echo $?) "curl fetches a file over HTTP from the loopback, the same bytes"
	diag "$scratch/http.err"

	# HTTPS: a CA, a server certificate for 127.0.0.1 it signs, and another
	# CA, all made now with the host's openssl.
	tls=$scratch/tls
	mkdir -p "$tls"
	(cd "$tls" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=net-test-ca &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=net-test-ca &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
		printf 'subjectAltName=IP:127.0.0.1\n' > ext &&
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out srv.pem
	) > "$scratch/openssl.log" 2>&1
	ok $? "a CA, a server certificate it signs and another CA (the host's openssl)"
	diag "$scratch/openssl.log"
	chmod a+r "$tls"/*.pem
	cat > "$scratch/tlsd.py" <<-'EOS'
	import functools, http.server, os, ssl, sys
	root, cert, key, portfile = sys.argv[1:5]
	srv = http.server.ThreadingHTTPServer(
	    ("127.0.0.1", 0),
	    functools.partial(http.server.SimpleHTTPRequestHandler, directory=root))
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	ctx.load_cert_chain(cert, key)
	srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
	with open(portfile + ".tmp", "w") as f:
	    f.write(str(srv.server_address[1]))
	os.rename(portfile + ".tmp", portfile)
	srv.serve_forever()
	EOS
	python3 "$scratch/tlsd.py" "$scratch/www" "$tls/srv.pem" "$tls/srv.key" "$scratch/tlsport" 2> "$scratch/tlsd.err" &
	tlsd=$!
	trap 'kill $httpd $tlsd 2>/dev/null; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
	i=0
	while [ ! -s "$scratch/tlsport" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	tport=$(cat "$scratch/tlsport" 2>/dev/null)
	as_user "$curl -sS --cacert tls/ca.pem -o got-https https://127.0.0.1:$tport/blob" 2> "$scratch/https.err"
	rc=$?
	ok $([ $rc = 0 ] && cmp -s "$scratch/www/blob" "$scratch/got-https"; echo $?) \
		"curl --cacert checks the server's certificate and fetches over HTTPS, the same bytes (exit $rc)"
	diag "$scratch/https.err"
	as_user "$curl -sS --cacert tls/other.pem -o got-other https://127.0.0.1:$tport/blob" 2> "$scratch/other.err"
	rc=$?
	ok $([ $rc = 60 ] && [ ! -s "$scratch/got-other" ]; echo $?) \
		"curl refuses a server whose certificate another CA signed (exit $rc, 60 wanted): $(head -n 1 "$scratch/other.err")"

	set_of net.scm libseccomp curl
	cat "$scratch/seccomp.out" "$scratch/curl.out" > "$scratch/net.out"
	rebuild_fresh "libseccomp and curl" "$scratch" net.scm "$scratch/net2.out"
	same_outputs "$scratch/net.out" "$scratch/net2.out" libseccomp curl
	ok $? "libseccomp's and curl's output hashes are the same in both stores${differ:+ (not:$differ)}"
fi

echo "whole test: $(($(date +%s) - start)) s" | diag
done_testing
