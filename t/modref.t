#!/bin/sh
# t/modref.scm: upstream's module reference, name by name, with -n (plan
# hashes only, nothing built) and a scratch store; a local HTTP server
# serves the file (distill fetch)'s fetch downloads.
. "$(dirname "$0")/lib.sh"
mkdir -p "$scratch/www" "$scratch/dir"
printf 'fetched over HTTP\n' > "$scratch/www/file.txt"
python3 "$top/t/httpd.py" "$scratch/www" "$scratch/port" "$scratch/requests" &
httpd=$!
trap 'kill $httpd 2>/dev/null; chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
while [ ! -e "$scratch/port" ]; do sleep 0.1; done
port=$(cat "$scratch/port")
DISTILL_PATH="$top" "$distill" --store "$scratch/store" -n run "$top/t/modref.scm" \
	"http://127.0.0.1:$port/files/file.txt" "$scratch/dir"
