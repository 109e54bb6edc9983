#!/usr/bin/env bash
# Whether the JIT leaves the Vector API kernels boxing (allocating every vector) in a process: ROUNDS rounds of one
# JVM per java binary given, taking turns, each running ForwardMemoryBench on DiT-S/2 (random weights, packed,
# batch 2, 1 thread; 6 forwards after the first) and printing the bytes allocated per forward. A process whose
# kernels all compiled to intrinsics settles at about 2 MB per forward; one with boxed softmax and GELU at 300 MB.
# Small and quick (about 15 s per JVM), so that many processes can be counted (bench/results/vector-boxing-*.md).
# Usage: bench/run-vector-boxing-probe.sh ROUNDS JAVA...   e.g. 5 /usr/lib/jvm/java-17-openjdk-amd64/bin/java java
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1; shift
[ $# -gt 0 ] || { echo "usage: $0 ROUNDS JAVA..." >&2; exit 2; }
mvn -o -q -B -DskipTests package test-compile >&2
opts=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache)
echo "- $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; git $(git rev-parse --short HEAD);" \
  "JVM options: $opts; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$rounds"); do
  for j in "$@"; do
    line=$("$j" --add-modules jdk.incubator.vector $opts -cp target/test-classes:target/ditcache.jar \
      io.ditcache.model.ForwardMemoryBench DiT-S/2 2 6 1 2>/dev/null | sed 's/.*allocated per steady-state forward //; s/;.*//')
    echo "round $i | $("$j" -version 2>&1 | head -1) | $line"
  done
done
