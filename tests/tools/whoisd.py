#!/usr/bin/env python3
"""whoisd.py - a whois server (RFC 3912) on loopback for the test suite.

    whoisd.py --config FILE --port-file PATH [--log PATH] [--lifetime SECONDS]

FILE is JSON:

    {"servers": [
       {"names": ["whois.apnic.net"],          # registry names it answers as
        "behaviour": "normal",                 # normal | trickle | silent | close |
                                               # ratelimit-once | ratelimit | unreachable
        "ratelimit_file": "refusal.txt",       # for ratelimit-once and ratelimit
        "rules": [{"match": "210\\.107\\.", "file": "210.107.73.73.whois"},
                  {"match": "loop", "behaviour": "trickle"}],
        "default": "fallback.txt"}             # optional: answer when no rule matches
    ]}

Each server listens on 127.0.0.1 on a port of its own chosen by the kernel
(port 0, so tests never collide). Once all listen, PATH is written (atomically)
in the --whois-hosts format, one "NAME 127.0.0.1:PORT" line per name, so the
reporter can use it as is. "unreachable" servers get a port that was bound
and closed again: connecting to it is refused.

A rule's "match" is a Python regular expression searched in the query line
(without CR LF); the first matching rule answers. Relative file names are
relative to the configuration file. Behaviours:
  trickle         a never-ending answer, a few bytes every 50 ms
  silent          accept and read the query, never answer, never close
  close           read the query and close without answering
  ratelimit-once  the server's first query gets ratelimit_file, later ones
                  the normal answer
  ratelimit       every query gets ratelimit_file
Every query is logged to --log as one line "NAME<TAB>QUERY<TAB>EOL" (NAME the
server's first name, QUERY with non-printable bytes as \\xNN, EOL one of
CRLF, LF, EOF) so tests can count the queries and check their form.

It exits on its own after --lifetime seconds (default 120) and on SIGTERM.
Standard library only.
"""
import argparse
import json
import os
import re
import signal
import socket
import sys
import threading
import time

LOCK = threading.Lock()
LOG = None
STOP = threading.Event()
BEHAVIOURS = ("normal", "trickle", "silent", "close", "ratelimit-once", "ratelimit",
              "unreachable")


def printable(raw):
    out = []
    for b in raw:
        if 0x20 <= b < 0x7F and b != 0x5C:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


def log_query(name, query, eol):
    if LOG is None:
        return
    with LOCK:
        LOG.write("%s\t%s\t%s\n" % (name, printable(query), eol))
        LOG.flush()


def read_query(conn):
    """The first line the client sends: (bytes without EOL, EOL kind)."""
    data = b""
    conn.settimeout(10)
    while b"\n" not in data and len(data) < 4096:
        try:
            chunk = conn.recv(1024)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    if b"\n" in data:
        line = data.split(b"\n", 1)[0]
        if line.endswith(b"\r"):
            return line[:-1], "CRLF"
        return line, "LF"
    return data, "EOF"


class Server:
    def __init__(self, spec, base):
        self.names = spec["names"]
        self.name = self.names[0]
        self.behaviour = spec.get("behaviour", "normal")
        if self.behaviour not in BEHAVIOURS:
            raise ValueError("%s: unknown behaviour %r" % (self.name, self.behaviour))
        self.rules = []
        for rule in spec.get("rules", []):
            b = rule.get("behaviour", "normal")
            if b not in BEHAVIOURS:
                raise ValueError("%s: unknown behaviour %r" % (self.name, b))
            f = rule.get("file")
            self.rules.append((re.compile(rule["match"]), self.path(base, f), b))
        self.default = self.path(base, spec.get("default"))
        self.ratelimit_file = self.path(base, spec.get("ratelimit_file"))
        self.queries = 0
        self.sock = None
        self.port = None

    @staticmethod
    def path(base, f):
        if f is None:
            return None
        return f if os.path.isabs(f) else os.path.join(base, f)

    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        if self.behaviour == "unreachable":
            s.close()  # connection refused from now on
            return
        s.listen(16)
        s.settimeout(0.2)
        self.sock = s
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while not STOP.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def answer_for(self, query):
        """(behaviour, file) for one query."""
        with LOCK:
            self.queries += 1
            first = self.queries == 1
        if (self.behaviour == "ratelimit-once" and first) or self.behaviour == "ratelimit":
            return "normal", self.ratelimit_file
        if self.behaviour not in ("normal", "ratelimit-once"):
            return self.behaviour, None
        text = query.decode("latin-1")
        for rx, f, b in self.rules:
            if rx.search(text):
                return b, f
        return "normal", self.default

    def serve(self, conn):
        try:
            query, eol = read_query(conn)
            log_query(self.name, query, eol)
            behaviour, f = self.answer_for(query)
            if behaviour == "trickle":
                n = 0
                while not STOP.is_set():
                    conn.sendall(b"remarks: trickle %d\n" % n)
                    n += 1
                    time.sleep(0.05)
            elif behaviour == "silent":
                conn.settimeout(0.5)
                while not STOP.is_set():
                    try:
                        if not conn.recv(1024):
                            break
                    except socket.timeout:
                        continue
            elif behaviour == "close":
                pass
            elif f is None:
                conn.sendall(b"% No entries found for the selected source(s).\n")
            else:
                with open(f, "rb") as fp:
                    conn.sendall(fp.read())
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass


def main():
    global LOG
    ap = argparse.ArgumentParser(description="whois server on loopback for tests")
    ap.add_argument("--config", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=120.0)
    args = ap.parse_args()

    with open(args.config) as fp:
        conf = json.load(fp)
    base = os.path.dirname(os.path.abspath(args.config))
    servers = [Server(s, base) for s in conf["servers"]]
    if args.log:
        LOG = open(args.log, "a")

    def stop(signum, frame):
        STOP.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    for s in servers:
        s.listen()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as fp:
        fp.write("# written by whoisd.py: registry name -> loopback port\n")
        for s in servers:
            for name in s.names:
                fp.write("%s 127.0.0.1:%d\n" % (name, s.port))
    os.rename(tmp, args.port_file)

    deadline = time.monotonic() + args.lifetime
    while not STOP.is_set() and time.monotonic() < deadline:
        STOP.wait(0.2)
    STOP.set()
    if LOG is not None:
        LOG.flush()
    # daemon threads may sit in sendall/sleep: leave without waiting for them
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
