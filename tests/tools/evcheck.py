#!/usr/bin/env python3
"""evcheck.py SCHEMA FILE... - validate every line of spanwatch JSON-lines
files against the shipped schema (jsonschema, draft 2020-12, with the
ipv4/ipv6 formats checked). Prints one line per file, "FILE: N lines",
and each failure as "FILE:LINE: reason"; exit 1 if any line fails, is
not valid UTF-8 or is not one JSON object."""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1], encoding='utf-8'))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    v = cls(schema, format_checker=cls.FORMAT_CHECKER)
    # the branch an event claims (event.dataset), for a failure worth reading
    branch = {}
    for name in ('detection', 'incident', 'memo'):
        sub = dict(schema)
        sub['oneOf'] = [{'$ref': '#/$defs/' + name}]
        branch['spanwatch.' + name] = cls(sub, format_checker=cls.FORMAT_CHECKER)
    bad = 0
    for path in sys.argv[2:]:
        n = 0
        with open(path, 'rb') as f:
            for i, raw in enumerate(f, 1):
                n += 1
                try:
                    if not raw.endswith(b'\n'):
                        raise ValueError('no newline at the end of the line')
                    obj = json.loads(raw.decode('utf-8', errors='strict'))
                    if not isinstance(obj, dict):
                        raise ValueError('not an object')
                    if not v.is_valid(obj):
                        ds = obj.get('event', {}).get('dataset') \
                            if isinstance(obj.get('event'), dict) else None
                        sub = branch.get(ds)
                        best = jsonschema.exceptions.best_match(
                            (sub or v).iter_errors(obj))
                        if sub and best is not None and best.context:
                            best = jsonschema.exceptions.best_match(best.context)
                        raise ValueError('%s: %s' % (
                            '/'.join(map(str, best.absolute_path)) if best else '',
                            best.message if best else 'invalid'))
                except (ValueError, UnicodeDecodeError) as e:
                    bad += 1
                    print('%s:%d: %s' % (path, i, e))
        print('%s: %d lines' % (path, n))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
