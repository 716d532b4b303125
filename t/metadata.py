#!/usr/bin/env python3
"""A cloud metadata server for one connection on stdin and stdout, as QEMU's
guestfwd=...-cmd: runs it: python3 t/metadata.py DIR LOG.  It reads one
HTTP request, answers GET PATH with the file DIR/PATH (200, text/plain),
else 404, and closes; each request line and its Host header are appended
to LOG."""
import os
import sys

root, log = sys.argv[1], sys.argv[2]
inp, out = sys.stdin.buffer, sys.stdout.buffer
request = inp.readline().decode("latin-1").strip()
host = ""
while True:
    line = inp.readline()
    if line in (b"", b"\r\n", b"\n"):
        break
    name, _, value = line.decode("latin-1").partition(":")
    if name.strip().lower() == "host":
        host = value.strip()
with open(log, "a") as f:
    f.write("%s host=%s\n" % (request, host))
words = request.split()
path = os.path.normpath(os.path.join(root, words[1].lstrip("/"))) if len(words) == 3 else ""
if words[:1] == ["GET"] and path.startswith(root + "/") and os.path.isfile(path):
    with open(path, "rb") as f:
        body, status = f.read(), b"200 OK"
else:
    body, status = b"not found\n", b"404 Not Found"
out.write(b"HTTP/1.0 " + status + b"\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
          b"Connection: close\r\n\r\n" % len(body) + body)
out.flush()
