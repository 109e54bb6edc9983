#!/usr/bin/env bash
# Memory of the uncached DiT-XL/2 inference forward (random weights, packed, batch 2, 2 threads): bytes allocated per
# steady-state forward by all threads, the live heap after a full GC, and the process's peak resident set.
# Usage: bench/run-forward-memory.sh [HEAP]   (default 12g, the launcher's; a smaller one shows what the model needs)
# DITCACHE_JAVA picks the java binary, as for the launcher.
set -euo pipefail
cd "$(dirname "$0")/.."
heap=${1:-12g}
mvn -o -q -B -DskipTests package test-compile >&2
opts=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache | sed "s/-Xmx[^ ]*/-Xmx$heap/")
java_bin="${DITCACHE_JAVA:-java}"
grep -m1 'model name' /proc/cpuinfo
"$java_bin" -version 2>&1 | head -1
echo "JVM options: $opts"
/usr/bin/time -f "peak resident set %M kB, exit %x" "$java_bin" --add-modules jdk.incubator.vector $opts \
  -cp target/test-classes:target/ditcache.jar io.ditcache.model.ForwardMemoryBench DiT-XL/2 2 3 2 \
  2> >(grep -v '^WARNING: Using incubator modules' >&2)
