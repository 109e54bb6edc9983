#!/usr/bin/env bash
# A warm-up before a big model loads on against off (-Dditcache.warmup=false), processes
# alternating, ROUNDS rounds, the launcher's JVM options otherwise: one DiT-XL/2 `sample` (random weights, 2 steps,
# 1 image) per weight precision (wall clock, which includes the warm-up, and peak RSS), and the XL forward
# (bench-forward, batch 2: forwards timed after 2 warm-up forwards, so this checks the compiled kernels' speed).
# MODE: true (nn.Warmup, the kernels on small inputs) or shapes (model.ShapeWarmup, one block of the model's shape).
# Usage: bench/run-warmup-ab.sh [ROUNDS=2] [THREADS=nproc] [WEIGHTS="fp32 bf16"] [MODE=true]; DITCACHE_JAVA or
# JAVA_HOME pick the java, as for the launcher.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
threads="${2:-$(nproc)}"
weights="${3:-fp32 bf16}"
mode="${4:-true}"
mkdir -p bench/results
out="bench/results/warmup-ab-$(date -u +%Y-%m-%d-%H%M).md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
launcher=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache)
./ditcache --version > /dev/null 2>&1 || true   # builds the jar if the sources changed
{
  echo "# Warm-up ($mode) on vs off"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "- command: bench/run-warmup-ab.sh $rounds $threads \"$weights\" $mode; git $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (+ uncommitted changes)')"
  echo "- java: $(./ditcache --version 2>/dev/null | tail -1) (the launcher's choice); launcher JVM options: \`$launcher\`; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## One DiT-XL/2 sample (2 steps, 1 image, $threads threads), processes alternating"
  echo
  echo "| round | weights | warm-up | wall | peak RSS |"
  echo "|---|---|---|---|---|"
} > "$out"
for r in $(seq "$rounds"); do
  for w in $weights; do
    for warm in $mode false; do
      DITCACHE_JAVA_OPTS="$launcher -Dditcache.warmup=$warm" /usr/bin/time -f "%M %e" -o "$tmp/time" ./ditcache sample \
        --model DiT-XL/2 --random-weights --weights "$w" --steps 2 --n 1 --threads "$threads" --out "$tmp/xl.safetensors" \
        > "$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
      read -r kb wall < "$tmp/time"
      printf '| %s | %s | %s | %s s | %.2f GB |\n' "$r" "$w" "$warm" "$wall" "$(echo "$kb / 1000000" | bc -l)" >> "$out"
    done
  done
done
{
  echo
  echo "## DiT-XL/2 forward, batch 2, $threads threads (bench-forward --warmup 2 --repeats 5), processes alternating"
  echo
  echo '```'
} >> "$out"
for r in $(seq "$rounds"); do
  for w in $weights; do
    for warm in $mode false; do
      echo "warm-up $warm: $(DITCACHE_JAVA_OPTS="$launcher -Dditcache.warmup=$warm" ./ditcache bench-forward --model DiT-XL/2 \
        --random-weights --weights "$w" --threads "$threads" --warmup 2 --repeats 5 2>&1 | grep '^java forward')" >> "$out"
    done
  done
done
echo '```' >> "$out"
echo "wrote $out"
cat "$out"
