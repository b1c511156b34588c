"""pcapwrite.py - crafted packets and a classic pcap writer for the
integration tests that need a capture no real tool makes (hundreds of
scanners at once, fragments split at chosen offsets). Checksums are right,
so the sensor sees what it would on the wire."""
import struct


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def a4(a):
    return bytes(int(x) for x in a.split('.'))


def a6(last):
    """2001:db8::LAST"""
    return bytes.fromhex('20010db8' + '0' * 20) + bytes([last >> 8, last & 0xff])


def tcp(src, dst, sport, dport, seq, ack, flags, opts=b''):
    hl = 20 + len(opts)
    t = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, (hl // 4) << 4, flags,
                    1024, 0, 0) + opts
    proto = struct.pack('!BBH', 0, 6, len(t)) if len(src) == 4 else \
        struct.pack('!IxxxB', len(t), 6)
    c = csum(src + dst + proto + t)
    return t[:16] + struct.pack('!H', c) + t[18:]


def udp(src, dst, sport, dport, payload):
    u = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack('!BBH', 0, 17, len(u)) + u)
    return u[:6] + struct.pack('!H', c) + u[8:]


def ip4(src, dst, proto, ipid, ttl, frag, data):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(data), ipid, frag, ttl,
                    proto, 0, src, dst)
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + data


def ip6(src, dst, nh, data):
    return struct.pack('!IHBB', 6 << 28, len(data), nh, 64) + src + dst + data


def eth(payload, v6=False):
    return b'\x02' * 6 + b'\x04' * 6 + (b'\x86\xdd' if v6 else b'\x08\x00') + payload


def write_pcap(path, frames, step_us=1000, t0_us=1795800000 * 1000000):
    """frames: Ethernet frames, or (gap_us, frame) pairs to set the time
    before a frame; otherwise each comes step_us after the last."""
    us = t0_us
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for f in frames:
            gap, b = f if isinstance(f, tuple) else (step_us, f)
            us += gap
            out.write(struct.pack('<IIII', us // 1000000, us % 1000000, len(b), len(b)) + b)
