# A small HTTP server for the fetch tests: serves files from a directory,
# redirects, fails once, and logs every request.  Loopback only.
#   python3 t/httpd.py DIR PORTFILE LOGFILE
# /files/NAME     the file DIR/NAME (404 if absent)
# /redirect/NAME  302 to /files/NAME
# /flaky/NAME     503 the first time, then the file
import http.server, os, sys

root, portfile, logfile = sys.argv[1:4]
seen = set()

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
        if kind == "flaky" and name not in seen:
            seen.add(name)
            self.send_error(503)
            return
        path = os.path.join(root, os.path.basename(name))
        if kind not in ("files", "flaky") or not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.timeout = 120
s.serve_forever()
