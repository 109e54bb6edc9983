#!/usr/bin/env bash
# Two JVMs side by side on the same jar (a copy, so that rebuilding during the run changes nothing), processes
# alternating, ROUNDS rounds, the launcher's JVM options: one DiT-XL/2 `sample` per weight precision (random weights,
# 2 steps, 1 image: wall clock, peak RSS, and whether the shape warm-up ran out of its budget, i.e. the JIT left the
# vector kernels boxing), then the XL forward (bench-forward, batch 2, 5 timed after 2 warm-up forwards).
# Usage: bench/run-jdk-ab.sh JAVA_A JAVA_B [ROUNDS=3] [THREADS=nproc] [WEIGHTS="fp32 bf16"]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 JAVA_A JAVA_B [ROUNDS] [THREADS] [WEIGHTS]" >&2; exit 2; }
javas=("$1" "$2")
rounds="${3:-3}"
threads="${4:-$(nproc)}"
weights="${5:-fp32 bf16}"
mkdir -p bench/results
stamp=$(date -u +%Y-%m-%d-%H%M)
out="bench/results/jdk-ab-$stamp.md"
[ -e "$out" ] && { echo "$out exists (two runs in one minute); wait a minute" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./ditcache --version > /dev/null 2>&1 || true   # builds the jar if the sources changed
cp target/ditcache.jar "$tmp/ditcache.jar"
opts=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache)
# shellcheck disable=SC2206  # the options are words
launch=(--add-modules jdk.incubator.vector $opts -jar "$tmp/ditcache.jar")   # the launcher's, on the copied jar
versions=()   # each JVM's version string, read once
for j in "${javas[@]}"; do
  versions+=("$("$j" -version 2>&1 | head -1 | cut -d'"' -f2)")
done
{
  echo "# JVM A/B: ${versions[0]} (${javas[0]}) against ${versions[1]} (${javas[1]})"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "- command: bench/run-jdk-ab.sh ${javas[*]} $rounds $threads \"$weights\"; git $(git rev-parse --short HEAD)$(git diff --quiet -- src pom.xml || echo ' (+ uncommitted changes)')"
  echo "- JVM options (the launcher's): \`$opts\`; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## One DiT-XL/2 sample (random weights, 2 steps, 1 image, $threads threads), processes alternating"
  echo
  echo "| round | weights | java | wall | peak RSS | shape warm-up |"
  echo "|---|---|---|---|---|---|"
} > "$out"
for r in $(seq "$rounds"); do
  for w in $weights; do
    for i in 0 1; do
      /usr/bin/time -f "%M %e" -o "$tmp/time" "${javas[$i]}" "${launch[@]}" sample \
        --model DiT-XL/2 --random-weights --weights "$w" --steps 2 --n 1 --threads "$threads" --out "$tmp/xl.safetensors" \
        > "$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
      read -r kb wall < "$tmp/time"
      warm=warm; grep -q "still allocate" "$tmp/log" && warm="**out of budget**"
      printf '| %s | %s | %s | %s s | %.2f GB | %s |\n' "$r" "$w" "${versions[$i]}" \
        "$wall" "$(echo "$kb / 1000000" | bc -l)" "$warm" >> "$out"
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
    for i in 0 1; do
      echo "${versions[$i]} $w: $("${javas[$i]}" "${launch[@]}" bench-forward --model DiT-XL/2 --random-weights \
        --weights "$w" --threads "$threads" --warmup 2 --repeats 5 2>&1 | grep '^java forward')" >> "$out"
    done
  done
done
echo '```' >> "$out"
echo "wrote $out"
cat "$out"
