#!/usr/bin/env bash
# VAE decode, Java (ditcache decode) vs the PyTorch reference (tools/reference/vae_reference.py), random weights,
# batch 1 and 8 latents of SIZE x SIZE x 4, at the machine's thread count; ROUNDS rounds, each a Java process then a
# PyTorch one per batch (interleaved), each timing REPEATS decodes after one untimed warm-up. Reports peak memory.
# Usage: bench/run-vae-decode.sh [VAE=sd-vae|taesd] [SIZE=32] [ROUNDS=3] [REPEATS=3] [THREADS=nproc]
# (a quick check of the script itself: bench/run-vae-decode.sh taesd 4 1 2)
set -euo pipefail
cd "$(dirname "$0")/.."
vae="${1:-sd-vae}"
size="${2:-32}"
rounds="${3:-3}"
repeats="${4:-3}"
threads="${5:-$(nproc)}"
mkdir -p bench/results
out="bench/results/vae-decode-$vae-${size}x${size}-$(date -u +%Y-%m-%d-%H%M).md"
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log.md"
{
  echo "# VAE decode ($vae, latents ${size}x${size}x4): ditcache (Java) vs PyTorch reference"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: bench/run-vae-decode.sh $vae $size $rounds $repeats $threads (DITCACHE_JAVA_OPTS='${DITCACHE_JAVA_OPTS:-}', empty: the launcher's)"
  echo "- java: $(./ditcache --version 2>/dev/null | tail -1) (the launcher's choice); random weights on both sides (timing only)"
  echo
  echo '```'
} > "$log"
for batch in 1 8; do
  $py - "$tmp/z$batch.safetensors" "$batch" "$size" <<'PY'
import sys
sys.path.insert(0, "tools/reference")
import numpy as np, safetensors_io
path, b, s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
safetensors_io.write(path, {"samples": np.random.default_rng(0).standard_normal((b, 4, s, s)).astype(np.float32)})
PY
done
for round in $(seq 1 "$rounds"); do
  for batch in 1 8; do
    /usr/bin/time -f "java peak RSS %M KiB" ./ditcache decode --vae "$vae" --random-weights --latents "$tmp/z$batch.safetensors" \
      --out "$tmp/out.png" --threads "$threads" --repeats "$repeats" 2>>"$log.err" | grep -v '^wrote' | tee -a "$log"
    tail -1 "$log.err" | tee -a "$log"
    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
      $py bench/vae_decode_pytorch.py --vae "$vae" --batch "$batch" --size "$size" --threads "$threads" \
      --repeats "$repeats" | tee -a "$log"
  done
done
echo '```' >> "$log"
{
  echo
  echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  for batch in 1 8; do
    j=$(grep "^java decode batch $batch:" "$log" | sed -E 's/.*median ([0-9.]+) ms.*/\1/' | sort -g | head -1)
    t=$(grep "^pytorch decode batch $batch:" "$log" | sed -E 's/.*median ([0-9.]+) ms.*/\1/' | sort -g | head -1)
    echo "- batch $batch: best median Java ${j} ms, PyTorch ${t} ms: **$(awk -v a="$t" -v b="$j" 'BEGIN { printf "%.2f", a / b }')x** (PyTorch / Java; bar >= 1)"
  done
} >> "$log"
mv "$log" "$out"
echo "-> $out"
