#!/usr/bin/env bash
# What Spark costs: the same N samples (--model default, STEPS steps, no cache, seed 0) drawn by a plain process
# (`ditcache sample --threads 2`, one batch) and by the Spark job in local[2] (two shards of N/2 at once, one thread
# each: spark.task.cpus=1), each a whole process timed from start to exit (JVM start, model load, sampling, writing),
# the two sides alternating, ROUNDS rounds. Run it on an otherwise idle machine with 2 cores or more.
# Usage: bench/run-spark-overhead.sh [N=200] [STEPS=20] [ROUNDS=5]   (a quick check of the script: ... 8 2 1)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
steps="${2:-20}"
rounds="${3:-5}"
mvn -B -q install -DskipTests
mvn -B -q -f spark/pom.xml package -DskipTests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -f spark/pom.xml dependency:build-classpath -Dmdep.includeScope=provided -Dmdep.outputFile="$tmp/cp.txt"
# The JVM flags Spark needs on Java 17 (spark/pom.xml), and the heap settings of the ditcache launcher for both sides.
flags=$(sed -n '/<spark.java.flags>/,/<\/spark.java.flags>/p' spark/pom.xml | sed 's/<[^>]*>//g' | tr '\n' ' ')
heap="-Xmx12g -XX:MaxNewSize=2g -XX:G1HeapRegionSize=32m -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=80"
mkdir -p bench/results
out="bench/results/spark-overhead-$(date -u +%Y-%m-%d).md"
log="$tmp/log.md"
{
  echo "# Spark local[2] vs a plain process: $n samples of --model default, $steps steps, no cache"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: bench/run-spark-overhead.sh $n $steps $rounds; git $(git rev-parse --short HEAD)"
  echo "- java: $(java -version 2>&1 | head -1)"
  echo
  echo '```'
} > "$log"
for round in $(seq 1 "$rounds"); do
  rm -rf "$tmp/spark" "$tmp/plain.safetensors"
  /usr/bin/time -f "plain %e s" -a -o "$log" env DITCACHE_JAVA="$(command -v java)" DITCACHE_JAVA_OPTS="$heap" ./ditcache sample --model default \
    --n "$n" --steps "$steps" --cache none --seed 0 --threads 2 --out "$tmp/plain.safetensors" >/dev/null
  /usr/bin/time -f "spark %e s" -a -o "$log" java $flags $heap -cp "$(cat "$tmp/cp.txt")" \
    org.apache.spark.deploy.SparkSubmit --master 'local[2]' --conf spark.task.cpus=1 --conf spark.ui.enabled=false \
    --class io.ditcache.spark.DitcacheJob spark/target/ditcache-spark.jar sample --model default --n "$n" \
    --steps "$steps" --cache none --seed 0 --shard-size $(( (n + 1) / 2 )) --out "$tmp/spark" >/dev/null 2>&1
  tail -2 "$log"
done
echo '```' >> "$log"
median() { grep "^$1 " "$log" | awk '{print $2}' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
p=$(median plain)
s=$(median spark)
{
  echo
  echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- median wall time: plain ${p} s, Spark local[2] ${s} s: overhead ratio **$(awk -v a="$s" -v b="$p" 'BEGIN { printf "%.2f", a / b }')x** (Spark / plain)"
} >> "$log"
mv "$log" "$out"
echo "-> $out"
