#!/usr/bin/env python3
"""Share of JFR execution samples per ditcache method (the innermost io.ditcache frame of each sample).

Usage: jfr print --events jdk.ExecutionSample REC.jfr > samples.txt; python3 bench/jfr_top.py samples.txt [N]
Samples taken while DiT.random builds the random weights (DiT.random, or the per-key lambda DiT.lambda$randomWeights)
are left out (set-up, not the forward).
"""
import collections
import re
import sys

text = open(sys.argv[1]).read()
top = int(sys.argv[2]) if len(sys.argv) > 2 else 14
counts = collections.Counter()
total = 0
for event in text.split('jdk.ExecutionSample {')[1:]:
    m = re.search(r'stackTrace = \[(.*?)\n  \]', event, re.S)
    if not m:
        continue
    frames = [re.sub(r'\s+line:.*', '', f.strip()) for f in m.group(1).strip().split('\n') if f.strip()]
    if any('DiT.random' in f or 'DiT.lambda$randomWeights' in f for f in frames):
        continue
    total += 1
    own = next((f for f in frames if 'io.ditcache' in f), frames[0])
    counts[own.split('(')[0]] += 1
print(f'{total} samples')
for name, n in counts.most_common(top):
    print(f'{n:5d} {100 * n / total:5.1f}% {name}')
