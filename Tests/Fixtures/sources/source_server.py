#!/usr/bin/env python3
"""A local HTTP server for the snapshot source tests; nothing here reaches the internet.

Serves the files of ROOT (argv[1]) on 127.0.0.1 at a free port, which it prints on its first
line. Paths:
  /files/NAME      the file, with ETag (from its SHA-256) and Last-Modified; 304 on a matching
                   If-None-Match or a not-older If-Modified-Since
  /truncated/NAME  the file's full Content-Length, then only half its bytes, then the connection closes
  /cut/NAME        half the file without a Content-Length (the connection closes): a cut stream
  /slow/NAME       waits 30 seconds before answering
  /error/NAME      500
Every request is appended to ROOT/requests.log as "METHOD PATH IF-NONE-MATCH".
"""
import email.utils, hashlib, http.server, os, sys, time

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(os.path.join(ROOT, "requests.log"), "a") as log:
            log.write(f"GET {self.path} {self.headers.get('If-None-Match', '-')}\n")
        parts = self.path.split("/", 2)
        if len(parts) != 3:
            return self.plain(404, b"not found")
        mode, name = parts[1], parts[2]
        path = os.path.join(ROOT, os.path.basename(name))
        if mode == "error":
            return self.plain(500, b"broken on purpose")
        if not os.path.isfile(path):
            return self.plain(404, b"not found")
        data = open(path, "rb").read()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        modified = os.path.getmtime(path)
        if mode == "slow":
            time.sleep(30)
        if mode == "files":
            since = self.headers.get("If-Modified-Since")
            if self.headers.get("If-None-Match") == etag or (
                since and self.headers.get("If-None-Match") is None and email.utils.parsedate_to_datetime(since).timestamp() >= int(modified)
            ):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
        if mode == "cut":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if mode == "truncated":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    def plain(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
