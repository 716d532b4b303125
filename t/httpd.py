# A small HTTP server for the fetch tests: serves files from a directory,
# redirects, fails once, sends endless or huge bodies, and logs every
# request.  Loopback only; one thread per connection.
#   python3 t/httpd.py DIR PORTFILE LOGFILE
# /files/NAME     the file DIR/NAME (404 if absent)
# /redirect/NAME  302 to /files/NAME
# /flaky/NAME     503 the first time, then the file
# /trickle/NAME   2 KiB a second, forever (no Content-Length)
# /endless/NAME   64 KiB every 10 ms, forever
# /huge/NAME      announces 16 GiB, then trickles
# /fail/ANY       500, always
# /short/ac/NAME  the file DIR/NAME (a cache's record, t/cache.t)
# /short/cas/NAME announces DIR/NAME's size, sends half of it and closes
# /slow/NAME      the file DIR/NAME after a second, logging "at once N":
#                 how many /slow/ requests are being served then
import http.server, os, sys, threading, time

root, portfile, logfile = sys.argv[1:4]
seen = set()
slow = [0]
slow_lock = threading.Lock()

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        with open(logfile, "a") as f:
            f.write(self.path + "\n")
        kind, _, name = self.path.lstrip("/").partition("/")
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", "/files/" + name)
            self.end_headers()
            return
        if kind in ("trickle", "endless", "huge"):
            self.forever(kind)
            return
        if kind == "slow":
            with slow_lock:
                slow[0] += 1
                with open(logfile, "a") as f:
                    f.write("at once %d\n" % slow[0])
            time.sleep(1)
            with slow_lock:
                slow[0] -= 1
        if kind == "fail":
            self.send_error(500)
            return
        if kind == "flaky" and name not in seen:
            seen.add(name)
            self.send_error(503)
            return
        path = os.path.join(root, os.path.basename(name))
        if kind not in ("files", "flaky", "short", "slow") or not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if kind == "short" and name.startswith("cas/"):
            data = data[:len(data) // 2]
            self.close_connection = True
        self.wfile.write(data)

    def forever(self, kind):
        self.send_response(200)
        if kind == "huge":
            self.send_header("Content-Length", str(16 << 30))
        self.end_headers()
        chunk, pause = (b"\0" * 65536, 0.01) if kind == "endless" else (b"\0" * 2048, 1)
        try:
            while True:
                self.wfile.write(chunk)
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass

http.server.ThreadingHTTPServer.daemon_threads = True
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.timeout = 120
s.serve_forever()
