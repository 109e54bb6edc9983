#!/usr/bin/env bash
# JFR profile of the uncached DiT-XL/2 forward (batch 2, 2 threads, random weights): where the time goes, by method.
# Usage: bench/profile-forward.sh [OUT.md]   (default bench/results/forward-profile-<commit>.md)
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short HEAD)
out=${1:-bench/results/forward-profile-$commit.md}
rec=$(mktemp --suffix=.jfr)
launcher_opts=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache)
DITCACHE_JAVA_OPTS="$launcher_opts -XX:StartFlightRecording=filename=$rec,settings=profile" \
  ./ditcache bench-forward --model DiT-XL/2 --random-weights --batch 2 --threads 2 --warmup 1 --repeats 6 | grep -v "jfr,startup" > "$rec.bench"
{
  echo "# JFR profile, DiT-XL/2 forward, batch 2, 2 threads (commit $commit)"
  echo
  echo "command: bench/profile-forward.sh; summary by bench/jfr_top.py"
  echo
  echo '```'
  cat "$rec.bench"
  jfr print --events jdk.ExecutionSample "$rec" > "$rec.txt"
  /usr/bin/python3 bench/jfr_top.py "$rec.txt"
  echo '```'
} > "$out"
rm -f "$rec" "$rec.bench" "$rec.txt"
echo "-> $out"
