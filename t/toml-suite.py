#!/usr/bin/env python3
"""The TOML 1.0.0 conformance suite (toml-test's tests/files-toml-1.0.0)
through t/unit/toml-decode: every valid case decodes to its .json
expectation, every invalid case is refused with FILE:LINE:COL.  TAP on
stdout.  Usage: toml-suite.py DECODER SUITE-DIR"""
import json, math, re, subprocess, sys

decoder, suite = sys.argv[1], sys.argv[2]
loc = re.compile(r'^(.*):([0-9]+):([0-9]+): \S')


def norm_datetime(s):
    s = s.upper().replace(' ', 'T').replace('Z', '+00:00')
    m = re.match(r'^([^.+-]*(?:-[0-9]+-[0-9]+)?[^.+-]*)(\.[0-9]+)?(.*)$', s)
    if m and m.group(2):
        frac = m.group(2).rstrip('0')
        s = m.group(1) + ('' if frac == '.' else frac) + m.group(3)
    return s


def same(a, b):
    if isinstance(a, dict) and set(a) == {'type', 'value'} and isinstance(a['value'], str):
        if not (isinstance(b, dict) and b.get('type') == a['type']):
            return False
        t, x, y = a['type'], a['value'], b['value']
        if t == 'float':
            fx, fy = float(x), float(y)
            return (math.isnan(fx) and math.isnan(fy)) or fx == fy
        if t == 'integer':
            return int(x) == int(y)
        if t.startswith('date') or t.startswith('time'):
            return norm_datetime(x) == norm_datetime(y)
        return x == y
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return a == b


cases = [l.strip() for l in open(suite + '/files-toml-1.0.0') if l.strip().endswith('.toml')]
n = 0
failed = 0
for case in cases:
    n += 1
    path = suite + '/' + case
    r = subprocess.run([decoder, path], capture_output=True)
    err = r.stderr.decode('utf-8', 'replace').strip()
    if case.startswith('valid/'):
        want = json.load(open(path[:-5] + '.json', encoding='utf-8'))
        good = r.returncode == 0 and same(want, json.loads(r.stdout.decode('utf-8')))
        why = err or r.stdout.decode('utf-8', 'replace')[:200]
    else:
        m = loc.match(err)
        good = r.returncode == 1 and m is not None and m.group(1) == path and '\n' not in err
        why = 'accepted' if r.returncode == 0 else err
    print(('ok' if good else 'not ok') + ' %d - %s' % (n, case))
    if not good:
        failed += 1
        print('# ' + why.replace('\n', '\n# '))
print('1..%d' % n)
sys.exit(1 if failed else 0)
