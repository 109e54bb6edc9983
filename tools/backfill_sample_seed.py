#!/usr/bin/env python3
"""Adds the sample_seed column to report.csv files written by `ditcache eval` before it had one.

The seed is the run's own record: the first line of its report.md ("# ditcache eval: ..., seed N, ..."). Files that
already have the column, or whose report.md names no seed, are left as they are. Usage: backfill_sample_seed.py DIR...
"""
import os
import re
import sys

for d in sys.argv[1:]:
    csv, md = os.path.join(d, "report.csv"), os.path.join(d, "report.md")
    lines = open(csv, encoding="utf-8").read().splitlines()
    if "sample_seed" in lines[0].split(","):
        print(f"{csv}: has sample_seed")
        continue
    m = re.search(r", seed (\d+),", open(md, encoding="utf-8").readline())
    if not m:
        print(f"{csv}: {md} names no seed, left as it is")
        continue
    out = [lines[0] + ",sample_seed"] + [l + "," + m.group(1) for l in lines[1:] if l.strip()]
    tmp = csv + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, csv)
    print(f"{csv}: sample_seed {m.group(1)}")
