#!/usr/bin/env python3
"""A cloud metadata server for one connection on stdin and stdout, as QEMU's
guestfwd=...-cmd: runs it: python3 t/metadata.py DIR LOG [TOKEN].  It reads
one HTTP request, answers GET PATH with the file DIR/PATH (200, text/plain),
else 404, and closes; each request line and its Host header are appended
to LOG.  With TOKEN (a file holding one line) it is EC2's IMDSv2: PUT
/latest/api/token with an X-aws-ec2-metadata-token-ttl-seconds header of 1
to 21600 answers the token (400 without it), and a GET whose
X-aws-ec2-metadata-token header is not the token is refused (401); the log
line says token=ok, missing or wrong."""
import os
import sys

root, log = sys.argv[1], sys.argv[2]
token = open(sys.argv[3]).read().strip() if len(sys.argv) > 3 else None
inp, out = sys.stdin.buffer, sys.stdout.buffer
request = inp.readline().decode("latin-1").strip()
headers = {}
while True:
    line = inp.readline()
    if line in (b"", b"\r\n", b"\n"):
        break
    name, _, value = line.decode("latin-1").partition(":")
    headers[name.strip().lower()] = value.strip()
host = headers.get("host", "")
words = request.split()
body, status = b"not found\n", b"404 Not Found"
if token is None:
    seen = ""
else:
    given = headers.get("x-aws-ec2-metadata-token")
    seen = " token=" + ("missing" if given is None else "ok" if given == token else "wrong")
    ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds", "")
    if words[:2] == ["PUT", "/latest/api/token"]:
        if ttl.isdigit() and 1 <= int(ttl) <= 21600:
            body, status = token.encode() + b"\n", b"200 OK"
            seen += " ttl=" + ttl
        else:
            body, status = b"a ttl of 1 to 21600 s is needed\n", b"400 Bad Request"
        words = []
    elif seen != " token=ok":
        body, status = b"no valid token\n", b"401 Unauthorized"
        words = []
with open(log, "a") as f:
    f.write("%s host=%s%s\n" % (request, host, seen))
path = os.path.normpath(os.path.join(root, words[1].lstrip("/"))) if len(words) == 3 else ""
if words[:1] == ["GET"] and path.startswith(root + "/") and os.path.isfile(path):
    with open(path, "rb") as f:
        body, status = f.read(), b"200 OK"
out.write(b"HTTP/1.0 " + status + b"\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
          b"Connection: close\r\n\r\n" % len(body) + body)
out.flush()
