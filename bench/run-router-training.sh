#!/bin/sh
# Router-training throughput and peak heap, L2C vs HarmoniCa (and SDT) side by side, on a random-weight DiT.
# Usage: bench/run-router-training.sh [MODEL] [STEPS] [ROWS] [ITERS]   (defaults: DiT-B/2 10 2 6)
# ROWS is the forward batch: L2C ROWS images, HarmoniCa/SDT ROWS/2 conditional + ROWS/2 null rows (equal work per
# forward, like the papers' equal global batch). One JVM per method. Writes bench/results/router-training-throughput.md.
# Run on a quiet machine; a few minutes on 2 cores with the defaults.
set -e
cd "$(dirname "$0")/.."
model=${1:-DiT-B/2}; steps=${2:-10}; rows=${3:-2}; iters=${4:-6}
mvn -B -q test-compile
out=bench/results/router-training-throughput.md
{
  echo "# Router training throughput: $model, N=$steps, forward batch $rows, $iters timed iterations"
  echo
  echo "Machine: $(nproc) cores, $(java -version 2>&1 | head -1). Random weights; L2C on random latents."
  echo "it/s: one iteration = one router update (L2C: full forward + teacher + mixed forward/backward;"
  echo "SDT: teacher + mixed forward/backward on its own trajectory). HarmoniCa adds an IEPO lambda refresh"
  echo "(N generations) every C iterations: amortised at C = 500. Peak heap: sum of heap-pool peaks (MiB)."
  echo
  echo "| method | model | N | rows | iters | it/s | lambda refresh s | it/s amortised | peak heap MiB |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for m in ${METHODS:-l2c harmonica sdt}; do
    java --add-modules jdk.incubator.vector -Xmx8g -cp target/classes:target/test-classes \
      io.ditcache.train.RouterTrainingBench "$m" "$model" "$steps" "$rows" "$iters" 2>/dev/null | grep '^|'
  done
} > "$out"
cat "$out"
