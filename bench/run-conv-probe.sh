#!/usr/bin/env bash
# 3x3 convolutions, im2col against Winograd F(2x2, 3x3), side by side in one JVM per shape (ConvolutionProbe): each
# setting's time slices alternate round by round. Writes bench/results/conv-probe-<date>.md with the command, the CPU
# model and a table of median ms per call (range) and the speedup over the first setting.
# Usage: bench/run-conv-probe.sh THREADS SETTINGS [ROUNDS] [SLICE_MS]
#   SETTINGS: comma-separated im2col, winograd or winograd/TILES (tiles per band), e.g. "im2col,winograd,winograd/64"
# SHAPES (env): IN:OUT:SIZE[:up] (output SIZE x SIZE, batch 1), default TAESD's layers at 32x32 latents and the
# SD-VAE's at reduced sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:?threads}
settings=${2:?settings}
rounds=${3:-7}
slice=${4:-150}
shapes=${SHAPES:-4:64:32 64:64:32 64:64:64 64:64:128 64:64:256 64:64:64:up 64:64:128:up 64:64:256:up 64:3:256 \
4:512:32 512:512:32 512:512:64 512:512:64:up 512:256:64 256:256:64 256:128:64 128:128:128 128:3:128}

mvn -B -q -o -Pbench test-compile
mvn -B -q -o -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
out=bench/results/conv-probe-$(date -u +%Y-%m-%d-%H%M).md
{
  echo "# 3x3 convolutions, im2col vs Winograd F(2x2, 3x3), $threads thread(s)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); command: \`bench/run-conv-probe.sh $threads $settings $rounds $slice\` (SHAPES='$shapes')"
  echo "- cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cpus; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- java: $(java -version 2>&1 | head -1); git: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+uncommitted')"
  echo "- $rounds rounds of $slice ms slices per setting after 2 warm-up rounds; batch 1; bias and ReLU except upsampled (TAESD's)"
  echo
  echo "ms per call, median (range), speedup over the first setting (first / this):"
  echo
  echo "| IN -> OUT, output | ${settings//,/ | } |"
  echo "|---|$(printf -- '---:|%.0s' $(seq 1 $(tr ',' '\n' <<<"$settings" | wc -l)))"
  for shape in $shapes; do # a JVM per shape: the JIT's profile of one shape does not shape another's code
    java --add-modules jdk.incubator.vector -Xmx4g -cp "$cp" io.ditcache.tensor.ConvolutionProbe "$rounds" "$slice" \
      "$threads" "$settings" "$shape" 2>&1 | grep -v '^WARNING'
  done
} > "$out"
cat "$out"
echo "-> $out"
