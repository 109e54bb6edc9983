#!/usr/bin/env bash
# fp32 against bf16 weights (--weights): peak resident memory of one DiT-XL/2 `sample` (random weights, 2 DDIM
# steps, 1 image = a batch-2 forward per step) with the launcher's JVM options, with them and the kernel warm-up on
# (-Dditcache.warmup=true, nn.Warmup) and with lean GC options, each REPEATS times; the XL forward's time
# (bench-forward, processes alternating fp32/bf16, ROUNDS rounds; 0 skips it); and the error bf16 costs: the XL
# latents after 2 steps, and the embedded model's samples (N images, same noise) as PSNR of bf16 against fp32.
# Usage: bench/run-weights-precision.sh [ROUNDS=2] [N=100] [THREADS=nproc] [REPEATS=1]; DITCACHE_JAVA or JAVA_HOME pick the
# java, as for the launcher.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
n="${2:-100}"
threads="${3:-$(nproc)}"
repeats="${4:-1}"
mkdir -p bench/results
out="bench/results/weights-precision-$(date -u +%Y-%m-%d-%H%M).md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
launcher=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' ditcache)
lean="${launcher/-XX:MaxNewSize=2g/-XX:MaxNewSize=256m} -XX:GCTimeRatio=4"
./ditcache --version > /dev/null 2>&1 || true   # builds the jar if the sources changed
{
  echo "# fp32 vs bf16 weights"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
       "(family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo "- command: bench/run-weights-precision.sh $rounds $n $threads $repeats; git $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (+ uncommitted changes)')"
  echo "- java: $(./ditcache --version 2>/dev/null | tail -1) (the launcher's choice); launcher JVM options: \`$launcher\`; lean: \`$lean\`"
  echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (peak RSS hardly depends on it; wall times do)"
  echo
  echo "## Peak resident memory, one DiT-XL/2 sample (2 steps, 1 image, $threads threads)"
  echo
  echo "| weights | JVM options | peak RSS | wall | kernel warm-up |"
  echo "|---|---|---|---|---|"
} > "$out"
for r in $(seq "$repeats"); do
  for opts in launcher warmup lean; do
    for w in fp32 bf16; do
      o=$launcher; [ "$opts" = lean ] && o=$lean; [ "$opts" = warmup ] && o="$launcher -Dditcache.warmup=true"
      DITCACHE_JAVA_OPTS="$o" /usr/bin/time -f "%M %e" -o "$tmp/time" ./ditcache sample --model DiT-XL/2 --random-weights \
        --weights "$w" --steps 2 --n 1 --threads "$threads" --out "$tmp/xl-$w.safetensors" > "$tmp/log" 2>&1 \
        || { cat "$tmp/log" >&2; exit 1; }
      read -r kb wall < "$tmp/time"
      warm=$(sed -n 's/^compiling the vector kernels: done in //p' "$tmp/log")
      printf '| %s | %s | %.2f GB | %s s | %s |\n' "$w" "$opts" "$(echo "$kb / 1000000" | bc -l)" "$wall" "${warm:-off}" >> "$out"
    done
  done
done
py_compare() {  # PSNR and max error of B against A (safetensors, key "samples"), over A's range
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, struct, sys, math
def read(p):
    b = open(p, 'rb').read(); h = struct.unpack('<Q', b[:8])[0]; meta = json.loads(b[8:8 + h])
    e = meta['samples']; s, t = e['data_offsets']; d = b[8 + h + s:8 + h + t]
    return struct.unpack('<%df' % (len(d) // 4), d)
a, b = read(sys.argv[1]), read(sys.argv[2])
err = max(abs(x - y) for x, y in zip(a, b)); scale = max(abs(x) for x in a)
mse = sum((x - y) ** 2 for x, y in zip(a, b)) / len(a); rng = max(a) - min(a)
print("max |bf16 - fp32| %.3g (%.2g of the largest |value| %.3g); PSNR over the range %.1f dB" % (err, err / scale, scale,
      10 * math.log10(rng * rng / mse) if mse > 0 else float('inf')))
PY
}
{
  echo
  echo "Error of the XL latents after 2 steps (random weights): $(py_compare "$tmp/xl-fp32.safetensors" "$tmp/xl-bf16.safetensors")"
} >> "$out"
if [ "$rounds" -gt 0 ]; then
  {
    echo
    echo "## DiT-XL/2 forward, batch 2, $threads threads (bench-forward, fp32 and bf16 processes alternating, $rounds rounds)"
    echo
    echo '```'
  } >> "$out"
  for r in $(seq "$rounds"); do
    for w in fp32 bf16; do
      ./ditcache bench-forward --model DiT-XL/2 --random-weights --weights "$w" --threads "$threads" --warmup 2 --repeats 5 2>&1 \
        | grep '^java forward' >> "$out"
    done
  done
  echo '```' >> "$out"
fi
{
  echo
  echo "## Embedded model: $n samples, DDIM-20, fp32 against bf16 weights (same noise)"
  echo
} >> "$out"
for w in fp32 bf16; do
  ./ditcache sample --model default --steps 20 --n "$n" --weights "$w" --threads "$threads" --out "$tmp/fm-$w.safetensors" > /dev/null 2>&1
done
echo "$(py_compare "$tmp/fm-fp32.safetensors" "$tmp/fm-bf16.safetensors") (pixels in [-1, 1])" >> "$out"
echo "wrote $out"
cat "$out"
