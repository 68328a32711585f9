# broken_server.py - a misbehaving stand-in for winnow-repository, for
# the rule-set channel tests (test_rules_remote.sh, remote_probe.c).
#
# usage: python3 broken_server.py STATEDIR
#
# Listens on a free port of 127.0.0.1 and prints "PORT DEADPORT": DEADPORT
# is bound but never listened on, so connecting to it is refused for as
# long as this server runs. The first path component of a request picks
# the answer, so one server serves every case and the client's base URL
# is http://127.0.0.1:PORT/MODE:
#
#   meta          200, a good version object naming the requested set
#   meta-other    200, a good version object about another set
#   meta-testing  200, a good version object in stage testing
#   garbage       200, text that is not JSON
#   endless       200, a body that never ends
#   raw           not HTTP at all
#   redirect      302 to /meta/...
#   slow          waits 5 seconds before answering
#   status-NNN    NNN with {"error": "error NNN"}
#   html-NNN      NNN with an HTML body
#   refused       400 with an error and details
#   escape        400 with control characters in the error
#   pkg           200, PACKAGE below
#   publish-NNN   NNN with a version object
#   promote       200 with a version object
#
# Every POST body is saved to STATEDIR/body and its Content-Type to
# STATEDIR/ctype for the test to look at.
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PACKAGE = b"not really a package\n"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
state = sys.argv[1]


def version_object(name, version="1.1.0", stage="stable"):
    return {"name": name, "version": version, "stage": stage,
            "sha256": SHA, "size": 5123, "key_id": "0123456789abcdef",
            "maintainer": "winnow", "published": "2026-11-23T10:00:00Z",
            "rules": 42, "tests": 17,
            "url": "/api/v1/rulesets/%s/%s" % (name, version)}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self):
        parts = self.path.split("?")[0].split("/")
        mode = parts[1] if len(parts) > 1 else ""
        # /MODE/api/v1/rulesets/NAME/...
        name = parts[5] if len(parts) > 5 else "core"
        if mode == "meta":
            return self.answer(200, version_object(name))
        if mode == "meta-other":
            return self.answer(200, version_object("other"))
        if mode == "meta-testing":
            return self.answer(200, version_object(name, stage="testing"))
        if mode == "garbage":
            return self.answer(200, b"this is not JSON {\x01")
        if mode == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            chunk = b"[" * 65536
            try:
                while True:
                    self.wfile.write(chunk)
            except OSError:
                return
        if mode == "raw":
            self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff garbage\r\n")
            return
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "/meta" + self.path[len(mode) + 1:])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "slow":
            time.sleep(5)
            return self.answer(200, version_object(name))
        if mode.startswith("status-"):
            status = int(mode[7:])
            return self.answer(status, {"error": "error %d" % status})
        if mode.startswith("html-"):
            return self.answer(int(mode[5:]),
                               b"<html><body>Conflict</body></html>",
                               "text/html")
        if mode == "refused":
            return self.answer(400, {
                "error": "the set's own tests fail",
                "details": ["tests/spam.eml: BODY_X should hit but did not",
                            "20_body.cf:3: bad regular expression"]})
        if mode == "escape":
            return self.answer(400, {"error": "evil\x1b[2J\r\nsecond line"})
        if mode == "pkg":
            return self.answer(200, PACKAGE, "application/gzip")
        if mode.startswith("publish-"):
            return self.answer(int(mode[8:]),
                               version_object("core", stage="testing"))
        if mode == "promote":
            return self.answer(200, version_object("core"))
        return self.answer(404, {"error": "no mode " + mode})

    def do_GET(self):
        try:
            self.route()
        except OSError:
            pass    # the client gave up: a timeout or a size cap

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(state + "/body", "wb") as f:
            f.write(body)
        with open(state + "/ctype", "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        self.do_GET()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
dead.bind(("127.0.0.1", 0))
print(server.server_address[1], dead.getsockname()[1], flush=True)
server.serve_forever()
