#!/usr/bin/env python3
"""rdapd.py - an RDAP server (HTTPS, RFC 9082/9083) on loopback for the test suite.

    rdapd.py --config FILE --port-file PATH [--tls-dir DIR | --plain]
             [--log PATH] [--lifetime SECONDS]

With --tls-dir, a throwaway CA and a server certificate for 127.0.0.1 are
made there with the openssl command (DIR/ca.pem is what the client trusts)
and the server speaks HTTPS; --plain serves HTTP (the client allows that to
loopback only). The server listens on 127.0.0.1, port 0 (the kernel's
choice); once it listens, PATH gets the port (written atomically).

FILE is JSON:

    {"rules": [
       {"match": "^/apnic/ip/210\\\\.107\\\\.", "file": "10-apnic-210.107.73.73.json"},
       {"match": "^/arin/ip/200\\\\.", "status": 301,
        "location": "{base}/lacnic/ip/200.57.141.161"},
       {"match": "^/busy/", "status": 429, "retry_after": 1, "times": 1},
       {"match": "^/slow/", "delay": 5, "file": "..."},
       {"match": "^/gone/", "behaviour": "close"},
       {"match": "^/big/", "bytes": 300000}
    ]}

A rule's "match" is a Python regular expression searched in the request
path (percent-decoded); the first matching rule that is not used up
("times": how often it applies; then the next rule matching takes over)
answers. No rule: 404 with an RDAP error object. "{base}" in a location is
https://127.0.0.1:PORT (http:// with --plain). A served file is
rewritten so that every absolute http(s) URL in it points back here
(https://rdap.example.net/x becomes {base}/rdap.example.net/x; loopback
URLs stay as they are): recorded
answers can never send the client to a real registry. Relative file names
are relative to the configuration file.

Every request is logged to --log as "METHOD<TAB>PATH<TAB>ACCEPT<TAB>USER-AGENT".
It exits on its own after --lifetime seconds (default 120) and on SIGTERM.
Standard library (and the openssl command) only.
"""
import argparse
import http.server
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

LOCK = threading.Lock()
STOP = threading.Event()
URL_RX = re.compile(rb"https?://([A-Za-z0-9.-]+)(?::[0-9]+)?/")


def make_certs(d):
    """A CA and a server certificate for 127.0.0.1 signed by it, in d."""
    os.makedirs(d, exist_ok=True)

    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, cwd=d,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=spanwatch test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "server.ext"), "w") as fp:
        fp.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                 "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")


class Rule:
    def __init__(self, spec, base_dir):
        self.rx = re.compile(spec["match"])
        f = spec.get("file")
        self.file = None if f is None else (f if os.path.isabs(f) else os.path.join(base_dir, f))
        self.status = int(spec.get("status", 200))
        self.location = spec.get("location")
        self.retry_after = spec.get("retry_after")
        self.times = spec.get("times")
        self.delay = float(spec.get("delay", 0))
        self.behaviour = spec.get("behaviour", "normal")
        self.bytes = spec.get("bytes")
        self.used = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    rules = []
    base = ""
    log_fp = None

    def log_message(self, fmt, *args):  # no stderr chatter
        pass

    def pick(self, path):
        with LOCK:
            for r in self.rules:
                if r.rx.search(path) and (r.times is None or r.used < r.times):
                    r.used += 1
                    return r
        return None

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def to_here(self, m):
        """An absolute URL of a served file, pointed back at this server."""
        if m.group(1) in (b"127.0.0.1", b"localhost"):
            return m.group(0)
        return self.base.encode() + b"/" + m.group(1) + b"/"

    def do_GET(self):
        path = urllib.parse.unquote(self.path)
        if self.log_fp is not None:
            with LOCK:
                self.log_fp.write("%s\t%s\t%s\t%s\n" % (
                    self.command, path, self.headers.get("Accept", ""),
                    self.headers.get("User-Agent", "")))
                self.log_fp.flush()
        r = self.pick(path)
        if r is None:
            self.send(404, b'{"errorCode": 404, "title": "Not Found"}')
            return
        if r.delay:
            end = time.monotonic() + r.delay
            while time.monotonic() < end and not STOP.is_set():
                time.sleep(0.05)
        if r.behaviour == "close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        headers = []
        if r.location is not None:
            headers.append(("Location", r.location.replace("{base}", self.base)))
        if r.retry_after is not None:
            headers.append(("Retry-After", str(r.retry_after)))
        body = b""
        if r.bytes is not None:
            body = b'{"objectClassName": "ip network", "remarks": "' + \
                b"x" * int(r.bytes) + b'"}'
        elif r.file is not None:
            with open(r.file, "rb") as fp:
                body = URL_RX.sub(self.to_here, fp.read())
        elif r.status >= 400:
            body = b'{"errorCode": %d}' % r.status
        self.send(r.status, body, headers)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that aborts (the size cap, a timeout) is part of the tests


def main():
    ap = argparse.ArgumentParser(description="RDAP server on loopback for tests")
    ap.add_argument("--config", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls-dir")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=120.0)
    args = ap.parse_args()
    if bool(args.tls_dir) == args.plain:
        ap.error("give one of --tls-dir DIR and --plain")

    with open(args.config) as fp:
        conf = json.load(fp)
    base_dir = os.path.dirname(os.path.abspath(args.config))
    Handler.rules = [Rule(r, base_dir) for r in conf.get("rules", [])]
    if args.log:
        Handler.log_fp = open(args.log, "a")

    httpd = Server(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    if args.tls_dir:
        make_certs(args.tls_dir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(args.tls_dir, "server.pem"),
                            os.path.join(args.tls_dir, "server.key"))
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        Handler.base = "https://127.0.0.1:%d" % port
    else:
        Handler.base = "http://127.0.0.1:%d" % port

    def stop(signum, frame):
        STOP.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as fp:
        fp.write("%d\n" % port)
    os.rename(tmp, args.port_file)

    deadline = time.monotonic() + args.lifetime
    while not STOP.is_set() and time.monotonic() < deadline:
        STOP.wait(0.2)
    STOP.set()
    if Handler.log_fp is not None:
        Handler.log_fp.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
