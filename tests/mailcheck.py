#!/usr/bin/env python3
"""mailcheck.py - takes apart the messages tests/mimerender wrote (see
tests/integration/mime.sh) with Python's own email and mailbox packages
and checks what a receiving mail system would see: exactly the header
fields we meant (nothing injected), the decoded subject and recipients,
the body byte for byte, CRLF line ends in eml, lines of at most 998 bytes,
a consistent multipart boundary, X-ARF JSON parts that parse and validate
against the schemas, mboxrd escaping, a terminal-safe text rendering, and
the PGP/MIME structure of signed messages (the signed part and signature
are written out for gpg --verify).

usage: mailcheck.py DIR SCHEMADIR [--signed]
       mailcheck.py --validate SCHEMADIR FILE.json...   (exit 1 if invalid)
Standard library only, plus the jsonschema module when installed.
"""
import datetime
import email
import email.policy
import email.utils
import json
import mailbox
import os
import re
import sys

FAILED = []
CHECKS = [0]
INSTANT = 1795798181  # the seconds of 1795798181508835 us

EML_HEADERS = ['From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID',
               'X-Spanwatch-Netblock', 'MIME-Version', 'Content-Type',
               'Content-Transfer-Encoding']
XARF_HEADERS = EML_HEADERS[:-1]
SIGNED_HEADERS = EML_HEADERS[:-1]

TO = [('AbuseBcc: evil@example.com', 'abuse@example.net'),
      ('\u00dcn\u00efc\u00f6d\u00e9 Name, Inc.', 'noc@example.net'),
      ('Quote "me" \\ back', 'q@example.com'),
      ('', 'plain@example.com')]
CC = [('host ]0;pwned .example.net', 'security@example.net'),
      ('A very long display name that will not fit on one header line with '
       'the address', 'long@example.net')]
FROM = [('Jane "The Operator" Doe (ExampleBcc: x@y)', 'jane@example.org')]


def check(what, ok, detail=''):
    CHECKS[0] += 1
    if ok:
        print('ok: ' + what)
    else:
        print('FAIL: %s %s' % (what, detail))
        FAILED.append(what)


def read(d, name):
    with open(os.path.join(d, name), 'rb') as f:
        return f.read()


def cleaned(raw):
    """What a header value becomes (mime.c): CR/LF removed, other control
    characters a space, white space runs one space, trimmed."""
    s = raw.replace(b'\r', b'').replace(b'\n', b'').decode('utf-8', 'replace')
    s = ''.join(' ' if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 else c for c in s)
    return ' '.join(w for w in s.split(' ') if w)


# ---- JSON schema -----------------------------------------------------------

def load_validator(schemadir):
    """A Draft 2020-12 validator for the master schema with the copied
    schemas as the only place $refs resolve to (never the network).
    Works with jsonschema 4.10 (Debian 12: RefResolver) and 4.18+
    (referencing). None if jsonschema is not installed."""
    try:
        import jsonschema
    except ImportError:
        return None
    store = {}
    for root, _, files in os.walk(schemadir):
        for f in files:
            if f.endswith('.json'):
                with open(os.path.join(root, f), encoding='utf-8') as fh:
                    s = json.load(fh)
                store[s['$id']] = s
    master = store['https://xarf.org/schemas/v4/xarf-v4-master.json']
    cls = jsonschema.Draft202012Validator
    fmt = getattr(cls, 'FORMAT_CHECKER', None) or jsonschema.FormatChecker()
    try:
        import referencing
        import referencing.jsonschema

        def offline(uri):
            raise referencing.exceptions.NoSuchResource(ref=uri)
        reg = referencing.Registry(retrieve=offline).with_resources(
            (uri, referencing.Resource.from_contents(
                s, default_specification=referencing.jsonschema.DRAFT202012))
            for uri, s in store.items())
        return cls(master, registry=reg, format_checker=fmt)
    except ImportError:
        def offline(uri):
            raise jsonschema.RefResolutionError('not copied: ' + uri)
        res = jsonschema.RefResolver.from_schema(
            master, store=store, handlers={'http': offline, 'https': offline})
        return cls(master, resolver=res, format_checker=fmt)


def errors_of(validator, doc):
    return sorted(e.message for e in validator.iter_errors(doc))


# ---- raw message checks -----------------------------------------------------

def raw_lines(raw, crlf):
    check('line ends are %s only' % ('CRLF' if crlf else 'LF'),
          (raw.count(b'\n') == raw.count(b'\r\n') and raw.endswith(b'\r\n'))
          if crlf else b'\r\n' not in raw,
          '(%d LF, %d CRLF)' % (raw.count(b'\n'), raw.count(b'\r\n')))
    lines = raw.split(b'\r\n' if crlf else b'\n')
    longest = max(len(l) for l in lines)
    check('every line at most 998 bytes', longest <= 998, '(%d)' % longest)
    head = raw.split(b'\r\n\r\n' if crlf else b'\n\n', 1)[0]
    hl = head.split(b'\r\n' if crlf else b'\n')
    if not crlf and hl[0].startswith(b'From '):
        hl = hl[1:]
    longest = max(len(l) for l in hl)
    check('header lines at most 78 columns', longest <= 78, '(%d)' % longest)
    check('header is 7-bit', all(b < 0x80 for b in head))
    for l in hl:
        m = re.search(rb'=\?[^?]*\?[BbQq]\?[^?]*\?=', l)
        for ew in re.findall(rb'=\?[^? ]*\?[BbQq]\?[^? ]*\?=', l):
            if len(ew) > 75:
                check('encoded-word at most 75 chars', False, ew)
        del m
    bad = [l for l in hl if re.match(rb'(?i)bcc\s*:', l)]
    check('no Bcc header line', not bad, bad)


def header_names(msg):
    return [k for k in msg.keys()]


def check_headers(msg, expected, subject_raw):
    print('--- headers as decoded text')
    for k, v in msg.items():
        print('%s: %s' % (k, str(v).encode('unicode_escape').decode('ascii')))
    check('header fields exactly %s' % ','.join(expected),
          header_names(msg) == expected, header_names(msg))
    want = cleaned(subject_raw)
    got = str(msg['Subject'])
    check('decoded Subject is the intended text', got == want,
          '\n got  %r\n want %r' % (got, want))
    for field, boxes in (('From', FROM), ('To', TO), ('Cc', CC)):
        got = [(a.display_name, a.addr_spec) for a in msg[field].addresses]
        check('%s mailboxes' % field, got == boxes, '\n got  %r\n want %r' % (got, boxes))
    when = email.utils.parsedate_to_datetime(str(msg['Date']))
    check('Date is the instant', int(when.timestamp()) == INSTANT, str(msg['Date']))
    check('Date offset is the zone\'s',
          str(msg['Date']).endswith(os.environ.get('MAILCHECK_OFFSET', str(msg['Date'])[-5:])),
          str(msg['Date']))
    check('Message-ID as given',
          str(msg['Message-ID']) == '<20261127164941.abc@example.org>')
    check('extra header kept on one line',
          str(msg['X-Spanwatch-Netblock']) == '198.51.100.0/24Bcc: evil@example.com')
    check('no defects', not any(p.defects for p in msg.walk()),
          [p.defects for p in msg.walk()])


def text_of(part):
    return part.get_content().replace('\r\n', '\n')


def body_expected(d, name='body.raw'):
    return read(d, name).decode('utf-8', 'surrogateescape')


def check_text_part(part, d, name='body.raw'):
    check('text part is text/plain utf-8',
          part.get_content_type() == 'text/plain' and part.get_content_charset() == 'utf-8')
    raw = part.get_payload(decode=True)
    want = read(d, name)
    check('body bytes survive exactly', raw.replace(b'\r\n', b'\n') == want,
          '\n got  %r\n want %r' % (raw[:200], want[:200]))


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.strict)


def boundary_consistent(raw, msg):
    b = msg.get_boundary()
    check('boundary present', bool(b))
    if not b:
        return
    body = raw.split(b'\r\n\r\n', 1)[1]
    delims = [l for l in body.split(b'\r\n') if l.startswith(b'--' + b.encode())]
    n = len(msg.get_payload())
    check('delimiters match the parts',
          delims == [b'--' + b.encode()] * n + [b'--' + b.encode() + b'--'], delims)
    for p in msg.get_payload():
        check('boundary not inside a part', b.encode() not in p.as_bytes())


def check_xarf(d, name, validator):
    raw = read(d, name)
    print('=== ' + name)
    raw_lines(raw, True)
    msg = parse(raw)
    check_headers(msg, XARF_HEADERS, read(d, 'subject.raw'))
    check('multipart/mixed', msg.get_content_type() == 'multipart/mixed')
    parts = msg.get_payload()
    check('three parts: memo and two reports', len(parts) == 3, len(parts))
    boundary_consistent(raw, msg)
    check_text_part(parts[0], d)
    for i, p in enumerate(parts[1:], 1):
        check('part %d is application/json' % i, p.get_content_type() == 'application/json')
        check('part %d attachment xarf-%d.json' % (i, i),
              p.get_content_disposition() == 'attachment' and
              p.get_filename() == 'xarf-%d.json' % i, p.get_filename())
        data = p.get_payload(decode=True)
        doc = json.loads(data.decode('utf-8'))
        check('part %d is the report written' % i,
              doc == json.loads(read(d, 'xarf-%d.json' % i).decode('utf-8')))
        if validator:
            errs = errors_of(validator, doc)
            check('part %d validates against the X-ARF schema' % i, not errs, errs)


def check_collide(d, validator):
    raw = read(d, 'collide.xarf')
    print('=== collide.xarf')
    msg = parse(raw)
    old = read(d, 'collide-boundary.txt').decode()
    check('boundary changed when the body holds it', msg.get_boundary() != old,
          msg.get_boundary())
    boundary_consistent(raw, msg)
    parts = msg.get_payload()
    check('still three parts', len(parts) == 3, len(parts))
    check_text_part(parts[0], d, 'collide-body.raw')


def check_eml(d):
    raw = read(d, 'message.eml')
    print('=== message.eml')
    raw_lines(raw, True)
    msg = parse(raw)
    check_headers(msg, EML_HEADERS, read(d, 'subject.raw'))
    check('not multipart', not msg.is_multipart())
    check('MIME-Version 1.0', str(msg['MIME-Version']) == '1.0')
    cte = str(msg['Content-Transfer-Encoding'])
    check('non-ASCII body is quoted-printable', cte == 'quoted-printable', cte)
    check_text_part(msg, d)


def check_mbox(d, name, body_name, signed=False):
    print('=== ' + name)
    raw = read(d, name)
    raw_lines(raw, False)
    check('ends with a blank line', raw.endswith(b'\n\n'))
    first = raw.split(b'\n', 1)[0]
    check('From_ line: sender and asctime date',
          re.fullmatch(rb'From jane@example\.org (Mon|Tue|Wed|Thu|Fri|Sat|Sun) '
                       rb'(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9]\d '
                       rb'\d\d:\d\d:\d\d \d{4}', first) is not None, first)
    froms = [l for l in raw.split(b'\n') if l.startswith(b'From ')]
    check('only the separator starts with "From "', froms == [first], froms)
    box = mailbox.mbox(os.path.join(d, name), create=False)
    msgs = list(box)
    check('one message in the mbox', len(msgs) == 1, len(msgs))
    box.close()
    # the message, without the separator line and the blank line after it
    inner = raw.split(b'\n', 1)[1][:-1]
    if not signed and body_name == 'plain-body.raw':
        # mboxrd: one more '>' on ^>*From  lines; undo it and the body is back
        unq = re.sub(rb'(?m)^>(>*From )', rb'\1', inner)
        msg = parse(unq.replace(b'\n', b'\r\n'))
        check('mboxrd quoting undone gives the body',
              msg.get_payload(decode=True).replace(b'\r\n', b'\n') ==
              read(d, body_name))
        check('>From lines quoted once more',
              b'\n>From here\n>>From there\n>>>From everywhere\n From indented\n' in inner)
    else:
        msg = parse(inner.replace(b'\n', b'\r\n'))
        if not signed:
            check_headers(msg, EML_HEADERS, read(d, 'subject.raw'))
            check_text_part(msg, d, body_name)
    return inner


def check_text(d):
    print('=== message.txt')
    raw = read(d, 'message.txt')
    try:
        s = raw.decode('utf-8')
        check('text is valid UTF-8', True)
    except UnicodeDecodeError as e:
        check('text is valid UTF-8', False, e)
        return
    bad = [hex(ord(c)) for c in s if (ord(c) < 0x20 and c not in '\n\t') or
           0x7f <= ord(c) < 0xa0 or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
    check('no control characters but LF and TAB', not bad, bad)
    check('LF line ends', '\r' not in s)
    lines = s.split('\n')
    for h in ('From: ', 'To: ', 'Cc: ', 'Subject: ', 'Date: '):
        check('has a %s line' % h.strip(), any(l.startswith(h) for l in lines))
    check('no injected line', not any(l.lower().startswith('bcc') for l in lines))
    check('escape shown as text', '\\x1b]0;pwned\\x07' in s)
    check('dropped addresses absent', 'evil@c' not in s and 'x@example.com' not in s)
    check('body follows a blank line', '\n\nHello,\n' in s)


def check_signed(d, name, validator):
    print('=== ' + name)
    raw = read(d, name)
    if name.endswith('.mbox'):
        raw = raw.split(b'\n', 1)[1].rstrip(b'\n').replace(b'\n', b'\r\n') + b'\r\n'
    else:
        raw_lines(raw, True)
    msg = parse(raw)
    check_headers(msg, SIGNED_HEADERS, read(d, 'subject.raw'))
    check('multipart/signed', msg.get_content_type() == 'multipart/signed')
    check('micalg=pgp-sha256', msg.get_param('micalg') == 'pgp-sha256', msg.get_param('micalg'))
    armor = msg.get_payload()[1].get_payload(decode=True)
    algo = signature_hash(armor)
    check('micalg names the hash the signature used',
          msg.get_param('micalg') == 'pgp-' + str(algo), algo)
    check('protocol', msg.get_param('protocol') == 'application/pgp-signature')
    parts = msg.get_payload()
    check('two parts', len(parts) == 2, len(parts))
    boundary_consistent(raw, msg)
    b = msg.get_boundary().encode()
    body = raw.split(b'\r\n\r\n', 1)[1]
    start = body.index(b'--' + b + b'\r\n') + len(b) + 4
    end = body.index(b'\r\n--' + b + b'\r\n', start)
    signed = body[start:end]
    check('signed part is 7-bit', all(c < 0x80 for c in signed))
    sl = signed.split(b'\r\n')
    check('signed part: no trailing white space',
          not any(l.endswith((b' ', b'\t')) for l in sl))
    check('signed part: no "From " line', not any(l.startswith(b'From ') for l in sl))
    check('signed part: no line over 76', max(len(l) for l in sl) <= 76)
    sig = parts[1]
    check('signature part type', sig.get_content_type() == 'application/pgp-signature')
    armor = sig.get_payload(decode=True)
    check('armored signature', armor.startswith(b'-----BEGIN PGP SIGNATURE-----'))
    base = name.replace('.', '-')
    with open(os.path.join(d, base + '.part'), 'wb') as f:
        f.write(signed)
    with open(os.path.join(d, base + '.asc'), 'wb') as f:
        f.write(armor)
    inner = parts[0]
    if inner.get_content_type() == 'text/plain':
        check_text_part(inner, d)
    else:
        check('signed xarf is multipart/mixed', inner.get_content_type() == 'multipart/mixed')
        check_text_part(inner.get_payload()[0], d)
        for i, p in enumerate(inner.get_payload()[1:], 1):
            doc = json.loads(p.get_payload(decode=True).decode('utf-8'))
            check('signed report %d intact' % i,
                  doc == json.loads(read(d, 'xarf-%d.json' % i).decode('utf-8')))
            if validator:
                errs = errors_of(validator, doc)
                check('signed report %d validates' % i, not errs, errs)


def signature_hash(armor):
    """The hash algorithm of the first signature packet in an ASCII-armored
    OpenPGP signature (RFC 4880 5.2.3 / RFC 9580), as a micalg name."""
    import base64
    lines = armor.decode('ascii').replace('\r', '').split('\n')
    body = lines[lines.index('') + 1:]
    b64 = ''.join(l for l in body if l and not l.startswith(('=', '-----')))
    pkt = base64.b64decode(b64)
    tag = pkt[0]
    if tag & 0x40:                      # new format: tag in the low 6 bits
        kind, n = tag & 0x3f, pkt[1]
        hdr = 2 if n < 192 else 3 if n < 224 else 6
    else:                               # old format
        kind, hdr = (tag >> 2) & 0x0f, 1 + (1, 2, 4, 0)[tag & 3]
    if kind != 2 or pkt[hdr] not in (4, 5, 6):
        return None
    names = {2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224'}
    return names.get(pkt[hdr + 3])


def validate_files(schemadir, files):
    v = load_validator(schemadir)
    if v is None:
        print('SKIP: python3 jsonschema module not installed')
        return 77
    bad = 0
    for f in files:
        with open(f, encoding='utf-8') as fh:
            errs = errors_of(v, json.load(fh))
        print('%s: %s' % (f, 'valid' if not errs else 'INVALID: ' + '; '.join(errs)))
        bad += bool(errs)
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == '--validate':
        return validate_files(argv[2], argv[3:])
    if len(argv) not in (3, 4):
        print(__doc__)
        return 2
    d, schemadir = argv[1], argv[2]
    validator = load_validator(schemadir)
    if validator is None:
        print('note: python3 jsonschema module not installed: JSON parts parsed, not validated')
    check_eml(d)
    check_xarf(d, 'message.xarf', validator)
    check_collide(d, validator)
    check_mbox(d, 'message.mbox', 'body.raw')
    check_mbox(d, 'plain.mbox', 'plain-body.raw')
    check_text(d)
    if len(argv) == 4 and argv[3] == '--signed':
        check_signed(d, 'signed.eml', validator)
        check_signed(d, 'signed.xarf', validator)
        check_mbox(d, 'signed.mbox', None, signed=True)
        check_signed(d, 'signed.mbox', validator)
    print('%d checks, %d failed' % (CHECKS[0], len(FAILED)))
    return 1 if FAILED else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
