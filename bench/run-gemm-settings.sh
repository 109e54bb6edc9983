#!/usr/bin/env bash
# GEMM settings side by side in one JVM (GemmSettingsProbe): each setting's time slices alternate round by round,
# so a drifting machine shifts all alike. Writes bench/results/gemm-settings-<date>.md with the command, the CPU
# model and flags, and a table of median GFLOP/s (range) and the ratio to the first setting.
# Usage: bench/run-gemm-settings.sh THREADS SETTINGS [ROUNDS] [SLICE_MS]
#   SETTINGS: comma-separated TILE[:KC[:MC[:NC]]][/inplace|/packed] or openblas, e.g. "openblas,6x2,6x2:256:252:8192"
#   (/inplace or /packed forces how a packed weight's GEMM reads A; without it Gemm decides)
# SHAPES (env): the M x K x N shapes, default the four DiT-XL/2 ones.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:?threads}
settings=${2:?settings}
rounds=${3:-15}
slice=${4:-200}
shapes=${SHAPES:-512x1152x1152 512x1152x4608 512x4608x1152 256x1152x3456}

mvn -B -q -Pbench test-compile
mvn -B -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
stamp=$(date +%Y-%m-%d-%H%M)
[ -e "bench/results/gemm-settings-$stamp.md" ] && stamp=$(date +%Y-%m-%d-%H%M%S)  # two runs in one minute
out=bench/results/gemm-settings-$stamp.md
export OPENBLAS_NUM_THREADS=$threads
{
  echo "# GEMM settings side by side, $threads thread(s), $stamp"
  echo
  echo "- command: \`bench/run-gemm-settings.sh $threads $settings $rounds $slice\` (SHAPES='$shapes')"
  echo "- cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cpus"
  echo "- cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -oE '\b(avx|avx2|fma|avx512[a-z0-9_]*)\b' | xargs)"
  echo "- java: $(java -version 2>&1 | head -1); git: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+uncommitted')"
  echo "- $rounds rounds of $slice ms slices per setting after 2 warm-up rounds; OPENBLAS_NUM_THREADS=$threads, OPENBLAS_CORETYPE='${OPENBLAS_CORETYPE:-}' (unset: OpenBLAS detects the core)"
  echo
  java --add-modules jdk.incubator.vector -cp "$cp" io.ditcache.tensor.GemmSettingsProbe "$rounds" "$slice" "$threads" \
    "$settings" $shapes 2>&1 | grep -v '^WARNING' | sed 's/^defaults:/- defaults:/' | {
      read -r first; echo "$first"; echo
      echo "GFLOP/s, median (range), ratio to the first setting:"
      echo
      echo "| M x K -> N | ${settings//,/ | } |"
      echo "|---|$(printf -- '---:|%.0s' $(seq 1 $(tr ',' '\n' <<<"$settings" | wc -l)))"
      cat
    }
} | tee "$out"
echo "wrote $out"
