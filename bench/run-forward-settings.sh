#!/usr/bin/env bash
# What each forward-pass setting buys, DiT-XL/2 batch 2, 2 threads, random weights, one run:
# packed vs unpacked weights; the launcher's G1 settings vs the JVM's default G1 (with GC counts); and the cost of
# waking parallel-region helpers (RegionLatencyProbe). Writes bench/results/forward-settings.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/forward-settings.md
log=$(mktemp)
mvn -B -q -Pbench test-compile
mvn -B -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
launcher_opts=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache)
read -r _ u1 n1 s1 i1 w1 _ < /proc/stat; sleep 3; read -r _ u2 n2 s2 i2 w2 _ < /proc/stat
{
  echo "# Forward-pass settings, DiT-XL/2 batch 2, 2 threads"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; cpu idle over the 3 s before: $(( 100 * (i2 + w2 - i1 - w1) / (u2 + n2 + s2 + i2 + w2 - u1 - n1 - s1 - i1 - w1) ))%"
  echo "- command: bench/run-forward-settings.sh; launcher JVM options: \`$launcher_opts\`"
  echo
  echo '```'
} > "$log"
run() { # label, JVM options, bench-forward flags
  local label=$1 opts=$2
  shift 2
  DITCACHE_JAVA_OPTS="$opts -Xlog:gc:file=/tmp/ditcache-gc.log" ./ditcache bench-forward --model DiT-XL/2 --random-weights \
    --batch 2 --threads 2 --warmup 2 --repeats 6 "$@" | sed "s/^/[$label] /" | tee -a "$log"
  echo "[$label] GC pauses: $(grep -c 'Pause' /tmp/ditcache-gc.log), concurrent mark cycles: $(grep -c 'Concurrent Mark Cycle' /tmp/ditcache-gc.log)" | tee -a "$log"
}
run "launcher G1 settings, packed weights" "$launcher_opts"
run "launcher G1 settings, unpacked weights" "$launcher_opts" --unpacked
run "JVM default G1 (-Xmx12g only), packed weights" "-Xmx12g"
java --add-modules jdk.incubator.vector -cp "$cp" io.ditcache.bench.RegionLatencyProbe 2>/dev/null | tee -a "$log"
echo '```' >> "$log"
mv "$log" "$out"
echo "-> $out"
