#!/usr/bin/env python3
"""Writes fuzz_strings.json: date-like strings built at random (fixed seed)
from the tokens V8's date parser distinguishes, for a differential check
against Node (record.js records the answers).  Run by hand:
  python3 tests/e2e/dates/gen_fuzz.py && node tests/e2e/dates/record.js > tests/e2e/dates/expected.json"""
import json
import os
import random

random.seed(7)
TOKENS = ['2024', '24', '1', '01', '15', '31', '32', '12', '13', '0', '00', '10', '30', '59', '60', '123', '0530',
          '+', '-', '/', '.', ':', ' ', ' ', ' ', ',', 'T', 't', 'Z', 'z', 'GMT', 'UTC', 'UT', 'EST', 'PDT', 'CET',
          'AM', 'PM', 'am', 'Jan', 'January', 'Febr', 'Sept', 'Mon', 'Monday', '(x)', '(', ')', '  ', '1999',
          '99', '50', '49', '000001', '+002024', '-000001', '24:00', 'T10:30', '12:00:00', '.5', '.123456', '::',
          'at', 'th', 'Ja', 'M', '\u00a0', '\u2028', '\n', '\u3000', 'noon', '(a(b)c)', '+12345']
out = set()
while len(out) < 2000:
    out.add(''.join(random.choice(TOKENS) for _ in range(random.randint(1, 9))))
while len(out) < 3000:
    y = random.choice(['2024', '1999', '0099', '99', '2024', '-000050', '+010000'])
    m = random.choice(['01', '1', '12', '13', '00', 'Jan', 'March', 'dec'])
    d = random.choice(['15', '1', '31', '30', '29', '0', '32'])
    t = random.choice(['', 'T10:30', 'T10:30:00', 'T10:30:00.5', 'T24:00', 'T10:30:00Z', 'T10:30+0100',
                       'T10:30:00-05:00', ' 10:30', ' 10:30 PM', ' 12:00 AM', ' 10:30:00 GMT+0200', ' 10:30:00 +05',
                       ' 10 PM'])
    sep = random.choice(['-', '/', ' ', '.', ', '])
    out.add(sep.join(random.choice([(y, m, d), (m, d, y), (d, m, y)])) + t)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fuzz_strings.json'), 'w') as f:
    json.dump(sorted(out), f, ensure_ascii=True, indent=0)
