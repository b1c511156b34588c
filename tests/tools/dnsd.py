#!/usr/bin/env python3
"""dnsd.py - a tiny authoritative UDP DNS server for the reverse-DNS tests.

Standard library only. Listens on 127.0.0.1 (or ::1 with --ipv6), port 0
unless --port is given, writes the chosen port to --port-file, answers from
a zone file and exits after --lifetime seconds or on SIGTERM/SIGINT.

Zone file, one rule a line ('#' starts a comment):

    PTR   ADDRESS|NAME  TARGET     reverse name of an address (or a raw name)
    A     NAME          IPV4
    AAAA  NAME          IPV6
    CNAME NAME          TARGET
    SERVFAIL NAME                  answer SERVFAIL for any query of NAME
    DROP  NAME                     never answer queries of NAME
    LOOP  NAME                     answer with a record whose rdata is a
                                   compression pointer to itself
    SHORT NAME                     answer claiming three records, holding one

Names are dot-separated labels; inside a label \\xNN is a raw byte and \\\\
a backslash, so "evil\\x0d\\x0a.example.net" has a label with CR LF in it and
"a\\x2eb.example.net" a label with a dot in it. Names match without regard
to ASCII case. CNAMEs are followed inside the zone (up to 8 links) unless
--no-chase is given. Anything else is NXDOMAIN; a name that exists with no
record of the type asked is NODATA. Each query is logged to --log as one
line: the name (escaped), the type and what was done.
"""

import argparse
import ipaddress
import os
import select
import signal
import socket
import struct
import sys
import time

T_A, T_NS, T_CNAME, T_PTR, T_AAAA = 1, 2, 5, 12, 28
TYPES = {"A": T_A, "CNAME": T_CNAME, "PTR": T_PTR, "AAAA": T_AAAA}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODE_NOERROR, RCODE_FORMERR, RCODE_SERVFAIL, RCODE_NXDOMAIN, RCODE_NOTIMP = 0, 1, 2, 3, 4
TTL = 60


class ZoneError(Exception):
    pass


def parse_label(text, lineno):
    """One label of the zone file's text to raw bytes."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            if text[i + 1:i + 2] == "\\":
                out.append(0x5C)
                i += 2
            elif text[i + 1:i + 2] == "x" and len(text) >= i + 4:
                try:
                    out.append(int(text[i + 2:i + 4], 16))
                except ValueError:
                    raise ZoneError("line %d: bad \\x escape" % lineno)
                i += 4
            else:
                raise ZoneError("line %d: bad escape" % lineno)
        else:
            out += c.encode("ascii")
            i += 1
    if not 0 < len(out) <= 63:
        raise ZoneError("line %d: label of %d bytes" % (lineno, len(out)))
    return bytes(out)


def parse_name(text, lineno):
    """Zone text to a tuple of raw labels (no root label)."""
    text = text[:-1] if text.endswith(".") else text
    if text == "":
        return ()
    labels = tuple(parse_label(t, lineno) for t in text.split("."))
    if sum(len(l) + 1 for l in labels) + 1 > 255:
        raise ZoneError("line %d: name too long" % lineno)
    return labels


def reverse_labels(addr):
    """The in-addr.arpa / ip6.arpa labels of an address."""
    ip = ipaddress.ip_address(addr)
    return tuple(l.encode("ascii") for l in ip.reverse_pointer.split("."))


def key(labels):
    return tuple(l.lower() for l in labels)


class Zone:
    def __init__(self):
        self.records = {}     # key -> list of (type, owner labels, rdata bytes)
        self.servfail = set()
        self.drop = set()
        self.loop = set()
        self.short = set()

    def add(self, owner, rtype, rdata):
        self.records.setdefault(key(owner), []).append((rtype, owner, rdata))

    @classmethod
    def load(cls, path):
        zone = cls()
        with open(path, encoding="ascii") as f:
            for lineno, line in enumerate(f, 1):
                fields = line.split("#", 1)[0].split()
                if not fields:
                    continue
                kind = fields[0].upper()
                if kind in ("SERVFAIL", "DROP", "LOOP", "SHORT") and len(fields) == 2:
                    target = {"SERVFAIL": zone.servfail, "DROP": zone.drop,
                              "LOOP": zone.loop, "SHORT": zone.short}[kind]
                    target.add(key(zone.owner(fields[1], lineno)))
                elif kind in TYPES and len(fields) == 3:
                    zone.rule(kind, fields[1], fields[2], lineno)
                else:
                    raise ZoneError("line %d: cannot read %r" % (lineno, line.strip()))
        return zone

    @staticmethod
    def owner(text, lineno):
        """An address stands for its reverse name; anything else is a name."""
        try:
            return reverse_labels(text)
        except ValueError:
            return parse_name(text, lineno)

    def rule(self, kind, owner_text, value, lineno):
        if kind == "PTR":
            self.add(self.owner(owner_text, lineno), T_PTR,
                     encode_name(parse_name(value, lineno)))
        elif kind == "CNAME":
            self.add(parse_name(owner_text, lineno), T_CNAME,
                     encode_name(parse_name(value, lineno)))
        elif kind == "A":
            self.add(parse_name(owner_text, lineno), T_A,
                     ipaddress.IPv4Address(value).packed)
        elif kind == "AAAA":
            self.add(parse_name(owner_text, lineno), T_AAAA,
                     ipaddress.IPv6Address(value).packed)


def encode_name(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def decode_question(msg):
    """(id, flags, labels, qtype, qclass) of a query; ValueError if bad."""
    if len(msg) < 12:
        raise ValueError("short header")
    qid, flags, qd, _an, _ns, _ar = struct.unpack("!HHHHHH", msg[:12])
    if flags & 0x8000 or qd != 1:
        raise ValueError("not one question")
    pos, labels = 12, []
    while True:
        if pos >= len(msg):
            raise ValueError("name runs off the end")
        n = msg[pos]
        pos += 1
        if n == 0:
            break
        if n > 63 or pos + n > len(msg):
            raise ValueError("bad label")
        labels.append(bytes(msg[pos:pos + n]))
        pos += n
    if pos + 4 > len(msg):
        raise ValueError("short question")
    qtype, qclass = struct.unpack("!HH", msg[pos:pos + 4])
    return qid, flags, tuple(labels), qtype, qclass, msg[12:pos + 4]


def show(labels):
    """Printable text of raw labels for the log."""
    out = []
    for l in labels:
        out.append("".join(chr(b) if 0x21 <= b < 0x7F and b not in (0x2E, 0x5C)
                           else "\\x%02x" % b for b in l))
    return ".".join(out) or "."


def answer(zone, msg, chase=True):
    """(response bytes or None, log text)."""
    try:
        qid, flags, labels, qtype, qclass, question = decode_question(msg)
    except ValueError as e:
        return None, "malformed query (%s)" % e
    what = "%s %s" % (show(labels), TYPE_NAMES.get(qtype, str(qtype)))
    if key(labels) in zone.drop:
        return None, what + " DROP"
    rd = flags & 0x0100
    opcode = (flags >> 11) & 0xF

    def reply(rcode, rrs=()):
        hflags = 0x8000 | 0x0400 | rd | rcode    # QR, AA
        head = struct.pack("!HHHHHH", qid, hflags, 1, len(rrs), 0, 0)
        body = b"".join(encode_name(o) + struct.pack("!HHIH", t, 1, TTL, len(d)) + d
                        for t, o, d in rrs)
        return head + question + body

    if opcode != 0:
        return reply(RCODE_NOTIMP), what + " NOTIMP"
    if qclass != 1:
        return reply(RCODE_NXDOMAIN), what + " NXDOMAIN (class)"
    if key(labels) in zone.servfail:
        return reply(RCODE_SERVFAIL), what + " SERVFAIL"
    if key(labels) in zone.loop:
        # the rdata starts right after owner, type, class, ttl, rdlength
        off = 12 + len(question) + len(encode_name(labels)) + 10
        rdata = bytes([0xC0 | (off >> 8), off & 0xFF])
        return reply(RCODE_NOERROR, [(qtype, labels, rdata)]), what + " LOOP"
    if key(labels) in zone.short:
        resp = bytearray(reply(RCODE_NOERROR, [(qtype, labels, encode_name(labels))]))
        resp[6:8] = struct.pack("!H", 3)
        return bytes(resp), what + " SHORT"

    rrs, name, seen = [], labels, set()
    for _ in range(9):
        recs = zone.records.get(key(name))
        if recs is None:
            break
        hits = [r for r in recs if r[0] == qtype]
        if hits:
            rrs += hits
            break
        cnames = [r for r in recs if r[0] == T_CNAME]
        if not cnames or qtype == T_CNAME:
            break
        rrs.append(cnames[0])
        target = decode_wire(cnames[0][2])
        if not chase or key(target) in seen:
            break
        seen.add(key(name))
        name = target
    if not rrs and key(labels) not in zone.records:
        return reply(RCODE_NXDOMAIN), what + " NXDOMAIN"
    return reply(RCODE_NOERROR, rrs), what + " NOERROR %d" % len(rrs)


def decode_wire(wire):
    labels, pos = [], 0
    while wire[pos]:
        n = wire[pos]
        labels.append(wire[pos + 1:pos + 1 + n])
        pos += 1 + n
    return tuple(labels)


def main():
    ap = argparse.ArgumentParser(description="loopback DNS server for tests")
    ap.add_argument("--zone", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=30.0)
    ap.add_argument("--ipv6", action="store_true", help="listen on ::1")
    ap.add_argument("--no-chase", action="store_true", help="do not follow CNAMEs")
    args = ap.parse_args()

    try:
        zone = Zone.load(args.zone)
    except (OSError, ZoneError, ValueError) as e:
        print("dnsd.py: %s: %s" % (args.zone, e), file=sys.stderr)
        return 2

    family, host = (socket.AF_INET6, "::1") if args.ipv6 else (socket.AF_INET, "127.0.0.1")
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((host, args.port))
    port = sock.getsockname()[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)    # readers never see half a number

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    log = open(args.log, "a", buffering=1) if args.log else None
    deadline = time.monotonic() + args.lifetime
    while not stop:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            ready, _, _ = select.select([sock], [], [], min(left, 0.5))
        except InterruptedError:
            continue
        if not ready:
            continue
        msg, peer = sock.recvfrom(4096)
        resp, what = answer(zone, msg, chase=not args.no_chase)
        if log:
            log.write(what + "\n")
        if resp is not None:
            sock.sendto(resp, peer)
    sock.close()
    if log:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
