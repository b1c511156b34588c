#!/usr/bin/env python3
"""seeds.py - write the seed corpora of the fuzz harnesses from tests/data.

    seeds.py TOP_SRCDIR OUTDIR [HARNESS...]

Writes OUTDIR/<harness>/<sha1 of the input>, in each harness's input format
(see the comment at the top of each tests/fuzz/fuzz_*.c), from the test
data the repository already has: packets cut from the captures of
tests/data/corpus, whois and RDAP answers, syslog files, configuration
files, mail subjects and bodies. Nothing is copied into the repository:
the corpora are made at run time. Inputs that once crashed a harness are
kept in tests/fuzz/regress/<harness>/ and read beside these.
"""
import glob
import hashlib
import os
import struct
import sys

PACKETS_PER_SEED = 24
SEEDS_PER_CAPTURE = 4


def put(outdir, name, data):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, h), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def pcap_packets(path, limit):
    """The first limit packets of a classic pcap file: (linktype, ts_us, bytes)."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = hdr[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            e = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            e = ">"
        else:
            return
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        linktype = struct.unpack(e + "I", hdr[20:24])[0] & 0xFFFF
        for _ in range(limit):
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, incl, _orig = struct.unpack(e + "IIII", rec)
            data = f.read(incl)
            if len(data) < incl:
                return
            yield linktype, sec * 1000000 + (frac // 1000 if nano else frac), data


# fuzz_packets.c's table of link types
LINKTYPES = {1: 0, 12: 1, 0: 2, 108: 3, 101: 4, 113: 5, 276: 6, 228: 7, 229: 8}


def packet_input(lt_index, pkts, strip=0):
    out = bytearray([lt_index])
    last = None
    for _lt, ts, data in pkts:
        data = data[strip:][:1600]
        step = 0 if last is None else max(0, ts - last) // 1000  # ms
        last = ts
        if step > 0x7FFF:
            step = 0x8000 | min(step // 1000, 0x7FFF)
        out += struct.pack("<HH", len(data), step) + data
    return bytes(out)


def packets(top, outdir):
    for path in sorted(glob.glob(os.path.join(top, "tests/data/corpus/*.pcap"))):
        pkts = list(pcap_packets(path, PACKETS_PER_SEED * SEEDS_PER_CAPTURE))
        if not pkts or pkts[0][0] not in LINKTYPES:
            continue
        lt = LINKTYPES[pkts[0][0]]
        for i in range(0, len(pkts), PACKETS_PER_SEED):
            put(outdir, "fuzz_packets", packet_input(lt, pkts[i:i + PACKETS_PER_SEED]))
        if pkts[0][0] == 1:  # the same as raw IP, without the Ethernet header
            put(outdir, "fuzz_packets", packet_input(LINKTYPES[12], pkts[:PACKETS_PER_SEED], 14))


# fuzz_whois.c's tables of servers and addresses
WHOIS_SERVERS = ["whois.iana.org", "whois.arin.net", "whois.ripe.net", "whois.apnic.net",
                 "whois.lacnic.net", "whois.afrinic.net", "whois.krnic.net", "whois.nic.ad.jp",
                 "whois.registro.br", "rwhois.example.net:4321", "whois.verisign-grs.com", ""]
WHOIS_ADDRS = ["192.0.2.1", "198.51.100.77", "203.0.113.200", "62.239.237.1", "196.11.240.215",
               "200.57.141.161", "210.107.73.73", "2001:db8::1", "2a00:2381:ffff::1",
               "2001:240:10c:1::ca20:9d1d", "::ffff:192.0.2.9", "10.1.2.3"]


def whois_server(name, text):
    low = (name + " " + text[:4000].decode("latin-1")).lower()
    for i, key in [(0, "iana"), (1, "arin"), (2, "ripe"), (3, "apnic"), (4, "lacnic"),
                   (5, "afrinic"), (6, "krnic"), (8, "registro.br"), (10, "verisign")]:
        if key in low:
            return i
    return 11


def whois(top, outdir):
    files = glob.glob(os.path.join(top, "tests/data/whois/**/*"), recursive=True)
    files += glob.glob(os.path.join(top, "tests/data/reporter/*.whois"))
    for path in sorted(files):
        name = os.path.basename(path)
        if not os.path.isfile(path) or name.startswith(("LICENSE", "README")):
            continue
        text = read(path)
        server = whois_server(name, text)
        addr = 0
        for i, a in enumerate(WHOIS_ADDRS):
            if name.startswith(a.replace(":", "_")) or ("-" + a + ".") in name:
                addr = i
        put(outdir, "fuzz_whois", bytes([server, addr]) + text)
    put(outdir, "fuzz_whois", bytes([2, 0]) + b"%ERROR:201: access denied\n")
    put(outdir, "fuzz_whois", bytes([1, 1]) + b"Query rate limit exceeded\n")


# fuzz_asn.c's tables of addresses and AS numbers
ASN_ADDRS = ["192.0.2.60", "198.51.100.30", "203.0.113.200", "216.90.108.31", "2001:db8:51::66",
             "2a00:2381:ffff::1", "10.1.2.3"]
ASN_ASES = [64500, 64501, 2856, 3356, 1, 4294967295, 23456]


def asn(top, outdir):
    syn = os.path.join(top, "tests/data/whois/synthetic")
    for path in sorted(glob.glob(os.path.join(syn, "cymru-*")) +
                       glob.glob(os.path.join(syn, "ripe-autnum-*"))):
        name = os.path.basename(path)
        text = read(path)
        addr = 0
        for i, a in enumerate(ASN_ADDRS):
            if ("-" + a + ".") in name:
                addr = i
        ases = [i for i, n in enumerate(ASN_ASES) if ("AS%d." % n) in name] or [0, 1]
        for k in ases:
            put(outdir, "fuzz_asn", bytes([addr, k]) + text)
    put(outdir, "fuzz_asn", bytes([3, 3]) + b"AS | IP | BGP Prefix | CC | Registry | Allocated"
        b" | AS Name\n23028 | 216.90.108.31 | 216.90.108.0/24 | US | arin | 1998-09-25 |"
        b" TEAMCYMRU - SAUNET, US\n")
    put(outdir, "fuzz_asn", bytes([1, 0]) + b"aut-num: AS64500\nimport: from AS64501 accept ANY\n"
        b"mp-import: afi ipv6.unicast from AS64502 accept ANY\n")


def logline(top, outdir):
    for path in sorted(glob.glob(os.path.join(top, "tests/data/syslog/*"))):
        name = os.path.basename(path)
        if name.startswith("README"):
            continue
        lines = read(path).splitlines(keepends=True)
        for n, i in enumerate(range(0, len(lines), 8)):
            ctx = [0x10, 0x20, 0x11, 0x00, 0x12, 0x40][n % 6]
            put(outdir, "fuzz_logline", bytes([ctx]) + b"".join(lines[i:i + 8]))


def config(top, outdir):
    for rel in ["etc/spanwatch.conf", "tests/data/reporter/reporter.conf"]:
        path = os.path.join(top, rel)
        if not os.path.exists(path):
            continue
        text = read(path)
        for sel in range(3):
            put(outdir, "fuzz_config", bytes([sel]) + text)
        # each section on its own, for each program
        sections = text.split(b"\n[")
        for i, sec in enumerate(sections):
            body = sec if i == 0 else b"[" + sec
            for sel in range(3):
                put(outdir, "fuzz_config", bytes([sel]) + body)


RDAP_URLS = ["arin", "ripe", "apnic", "lacnic", "afrinic", "verisign", "nicbr"]


def rdap(top, outdir):
    for path in sorted(glob.glob(os.path.join(top, "tests/data/rdap/*.json"))):
        name = os.path.basename(path)
        sel = 7
        for i, key in enumerate(RDAP_URLS):
            if key in name:
                sel = i
        if sel == 7 and "-" in name and not name.split("-")[2][0].isdigit():
            sel = 5  # a domain answer
        put(outdir, "fuzz_rdap", bytes([sel]) + read(path))
    put(outdir, "fuzz_rdap", b"\x00" + b'{"errorCode": 404, "title": "Not Found"}')
    put(outdir, "fuzz_rdap", b"\x06" + b'{"objectClassName": "entity", "handle": "X",'
        b' "vcardArray": ["vcard", [["version", {}, "text", "4.0"],'
        b' ["email", {"type": "abuse"}, "text", "Abuse@Example.NET"]]]}')


def rdap_bootstrap(top, outdir):
    for rel in ["tests/data/rdap/bootstrap/ipv4.json", "data/rdap/ipv4.json",
                "tests/data/rdap/bootstrap/ipv6.json"]:
        path = os.path.join(top, rel)
        if os.path.exists(path):
            put(outdir, "fuzz_rdap_bootstrap", read(path))
    put(outdir, "fuzz_rdap_bootstrap",
        b'{"version": "1.0", "publication": "2026-01-01T00:00:00Z", "services": ['
        b'[["192.0.2.0/24", "10.0.0.0/8"], ["http://127.0.0.1:1/", "https://127.0.0.1:2/"]]]}')


def mail_input(fmt, fields):
    return bytes([fmt]) + b"\0".join(f.encode("utf-8") if isinstance(f, str) else f
                                      for f in fields)


def mail(top, outdir):
    seeds = [
        ["Scan from 192.0.2.0/24", "Hello,\n\nwe saw a port scan.\n", "Spanwatch",
         "Abuse Desk", "abuse@example.net", "", "", "192.0.2.0/24", '{"Version": "2"}'],
        ["Über \u00e9t\u00e9 — \u626b\u63cf", "From the sensor:\nFrom here\n.\n" + "x" * 1200,
         "Jörg \"the\" <admin>", "NOC, Team", "noc@example.net", "Cc \u00e9", "cc@example.org",
         "2001:db8::/32", "{}"],
        ["Injected\r\nBcc: victim@example.com", "line\r\nwith CR\rand\x1b[31m escapes\n",
         "a\r\nb", "=?utf-8?q?x?=", "bad address@example.net", "x", "a@b",
         "v\nX-Evil: 1", '{"a": "\u2028"}'],
        [" " * 80 + "word" * 40, "\t\tindented\n\n\n", "", "", "", "", "", "", ""],
    ]
    for fmt in range(4):
        for fields in seeds:
            put(outdir, "fuzz_mail", mail_input(fmt, fields))
    for path in sorted(glob.glob(os.path.join(top, "tests/data/reporter/golden/*.eml")))[:2]:
        text = read(path).decode("utf-8", "replace").replace("\r\n", "\n")
        head, _, body = text.partition("\n\n")
        subject = ""
        for line in head.split("\n"):
            if line.lower().startswith("subject:"):
                subject = line[8:].strip()
        for fmt in range(4):
            put(outdir, "fuzz_mail", mail_input(fmt, [subject, body, "Spanwatch", "Abuse",
                                                      "abuse@example.net"]))


WRITERS = {
    "fuzz_packets": packets, "fuzz_whois": whois, "fuzz_logline": logline,
    "fuzz_config": config, "fuzz_rdap": rdap, "fuzz_rdap_bootstrap": rdap_bootstrap,
    "fuzz_mail": mail, "fuzz_asn": asn,
}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    top, outdir = sys.argv[1], sys.argv[2]
    for name in sys.argv[3:] or sorted(WRITERS):
        if name not in WRITERS:
            sys.exit("seeds.py: no harness " + name)
        WRITERS[name](top, outdir)
        os.makedirs(os.path.join(outdir, name), exist_ok=True)


if __name__ == "__main__":
    main()
