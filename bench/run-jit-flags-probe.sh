#!/usr/bin/env bash
# Whether JVM flags keep the JIT from leaving the vector kernels boxing (issue 13): for each flag set, N processes of
# OneBlockAllocationProbe (a one-block DiT-XL/2 of the shape warm-up, 12 forwards, 1 thread) with the launcher's JVM
# options plus the flags, printing the MB the last forward allocated (settled: about 5; boxing: 35-120).
# Usage: bench/run-jit-flags-probe.sh N "FLAGS" ...   ("" = the launcher's options alone); JAVA= picks the java.
# e.g. JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java bench/run-jit-flags-probe.sh 4 "" "-Xbatch"
set -euo pipefail
cd "$(dirname "$0")/.."
n=$1; shift
java=${JAVA:-java}
mvn -o -q -B -DskipTests package test-compile >&2
opts=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache)
echo "- $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $("$java" -version 2>&1 | head -1); git $(git rev-parse --short HEAD); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for flags in "$@"; do
  last=""
  for _ in $(seq "$n"); do
    # shellcheck disable=SC2086  # options are words
    line=$("$java" --add-modules jdk.incubator.vector $opts $flags -cp target/test-classes:target/ditcache.jar \
      io.ditcache.nn.OneBlockAllocationProbe DiT-XL/2 FP32 12 2>/dev/null | sed 's/ |.*//')
    last="$last ${line##* }"
  done
  echo "[${flags:-launcher options}] MB of the 12th forward:$last"
done
