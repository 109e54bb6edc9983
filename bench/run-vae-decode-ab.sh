#!/usr/bin/env bash
# VAE decode, one ditcache jar against another (e.g. before and after a change), random weights, batch 1 and 8 latents
# of SIZE x SIZE x 4: ROUNDS rounds, each a process of each jar per batch, alternated (A B, then B A), each timing
# REPEATS decodes after one untimed warm-up. Checks that both jars write the same pixels (8-bit PNG), else reports how
# many differ and by how many levels (max, mean), as another float rounding does (Winograd against im2col). Writes
# bench/results/vae-decode-ab-VAE-SIZExSIZE-<date>.md with the command, CPU, each run's median and the A / B ratios.
# Usage: bench/run-vae-decode-ab.sh JAR_A JAR_B [VAE=taesd] [SIZE=32] [ROUNDS=5] [REPEATS=3] [THREADS=nproc]
set -euo pipefail
cd "$(dirname "$0")/.."
jar_a="${1:?jar A}"
jar_b="${2:?jar B}"
vae="${3:-taesd}"
size="${4:-32}"
rounds="${5:-5}"
repeats="${6:-3}"
threads="${7:-$(nproc)}"
opts="-Xmx12g -XX:MaxNewSize=2g -XX:G1HeapRegionSize=32m -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=80"
mkdir -p bench/results
out="bench/results/vae-decode-ab-$vae-${size}x${size}-$(date -u +%Y-%m-%d-%H%M).md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"
for batch in 1 8; do
  /usr/bin/python3 - "$tmp/z$batch.safetensors" "$batch" "$size" <<'PY'
import sys
sys.path.insert(0, "tools/reference")
import numpy as np, safetensors_io
path, b, s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
safetensors_io.write(path, {"samples": np.random.default_rng(0).standard_normal((b, 4, s, s)).astype(np.float32)})
PY
done
decode() { # LABEL JAR BATCH
  java --add-modules jdk.incubator.vector $opts -jar "$2" decode --vae "$vae" --random-weights \
    --latents "$tmp/z$3.safetensors" --out "$tmp/$1-$3.png" --threads "$threads" --repeats "$repeats" 2>/dev/null \
    | grep "^java decode batch" | sed "s/^/$1 /" | tee -a "$log"
}
for round in $(seq 1 "$rounds"); do
  for batch in 1 8; do
    if (( round % 2 )); then decode A "$jar_a" "$batch"; decode B "$jar_b" "$batch"; else decode B "$jar_b" "$batch"; decode A "$jar_a" "$batch"; fi
  done
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo "# VAE decode ($vae, latents ${size}x${size}x4): ditcache jar A vs jar B, alternating processes"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cpus"
  echo "- command: bench/run-vae-decode-ab.sh $jar_a $jar_b $vae $size $rounds $repeats $threads"
  echo "- A: $jar_a ($(sha256sum "$jar_a" | cut -c1-12)); B: $jar_b ($(sha256sum "$jar_b" | cut -c1-12)); java: $(java -version 2>&1 | head -1); JVM options: $opts"
  for batch in 1 8; do
    same=$(/usr/bin/python3 - "$tmp/A-$batch.png" "$tmp/B-$batch.png" <<'PY'
import sys
import numpy as np
from PIL import Image
a, b = (np.asarray(Image.open(p).convert("RGB"), dtype=np.int16) for p in sys.argv[1:3])
if a.shape != b.shape:
    print(f"DIFFERENT sizes {a.shape} and {b.shape}")
elif (a == b).all():
    print("the same pixels")
else:  # e.g. another float rounding (Winograd against im2col): how far apart, in 8-bit levels
    d = np.abs(a - b)
    print(f"DIFFERENT pixels: {int((d.max(axis=2) > 0).sum())} of {d.shape[0] * d.shape[1]} pixels differ,"
          f" max |diff| {int(d.max())} levels, mean |diff| {d.mean():.2g} levels over all {d.size} values")
PY
)
    echo "- batch $batch: A and B wrote PNGs of $same (8-bit)"
  done
  echo
  echo '```'
  cat "$log"
  echo '```'
  echo
  for batch in 1 8; do
    a=$(grep "^A java decode batch $batch:" "$log" | sed -E 's/.*median ([0-9.]+) ms.*/\1/' | median)
    b=$(grep "^B java decode batch $batch:" "$log" | sed -E 's/.*median ([0-9.]+) ms.*/\1/' | median)
    # Each round's A and B ran back to back: the ratio within a round is what the drift leaves alone.
    r=$(paste <(grep "^A java decode batch $batch:" "$log" | sed -E 's/.*median ([0-9.]+) ms.*/\1/') \
      <(grep "^B java decode batch $batch:" "$log" | sed -E 's/.*median ([0-9.]+) ms.*/\1/') | awk '{ printf "%.2f\n", $1 / $2 }')
    echo "- batch $batch: median of the runs' medians A ${a} ms, B ${b} ms ($(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')x);" \
      "A / B within each round: $(echo $r | tr ' ' ','), median **$(echo "$r" | median)x**"
  done
} > "$out"
cat "$out"
echo "-> $out"
