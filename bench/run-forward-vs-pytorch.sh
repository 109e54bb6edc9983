#!/usr/bin/env bash
# Uncached DiT forward, Java (ditcache) vs the PyTorch reference, same machine, same thread count, one run.
# PyTorch gets its best setup: Debian's OpenBLAS (pthreads build), explicit thread count, passive OpenMP waiting,
# with this environment's OPENBLAS_CORETYPE, without it, and (on AVX-512 CPUs) with the AVX-512 kernels forced;
# the fastest is the reference.
# Usage: bench/run-forward-vs-pytorch.sh [MODEL] [THREADS]     (default DiT-XL/2, 2)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-DiT-XL/2}"
threads="${2:-2}"
out="bench/results/forward-$(echo "$model" | tr '/' '-')-vs-pytorch-$(date -u +%Y-%m-%d).md"
py=/usr/bin/python3
log=$(mktemp)
{
  echo "# Uncached forward: ditcache (Java) vs PyTorch reference"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  read -r _ u1 n1 s1 i1 w1 _ < /proc/stat; sleep 3; read -r _ u2 n2 s2 i2 w2 _ < /proc/stat
  echo "- cpu idle over the 3 s before the run: $(( 100 * (i2 + w2 - i1 - w1) / (u2 + n2 + s2 + i2 + w2 - u1 - n1 - s1 - i1 - w1) ))%"
  echo "- command: bench/run-forward-vs-pytorch.sh $model $threads"
  echo "- java: $(java -version 2>&1 | head -1)"
  echo
  echo '```'
} > "$log"
./ditcache bench-forward --model "$model" --random-weights --batch 2 --threads "$threads" --warmup 2 --repeats 5 | tee -a "$log"
# reference [ENV-ARGS...]: one PyTorch run with env(1) arguments for OpenBLAS, and the shared thread settings.
reference() {
  env "$@" OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
    $py bench/forward_pytorch.py --model "$model" --threads "$threads" | tee -a "$log"
}
reference
reference -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
# An OpenBLAS older than the CPU may not detect its AVX-512 (Debian 12's 0.3.21 on AMD Zen 5 picks AVX2 kernels):
# then the AVX-512 kernels are forced too, and the fastest setting is the reference.
if grep -qw avx512f /proc/cpuinfo; then
  for coretype in SkylakeX Cooperlake; do
    reference -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$coretype"
  done
fi
echo '```' >> "$log"
java_min=$(grep '^java forward' "$log" | sed -E 's/.*min ([0-9.]+) ms.*/\1/')
torch_best=$(grep '^pytorch' "$log" | sed -E 's/.*min ([0-9.]+) ms.*/\1/' | sort -g | head -1)
ratio=$(awk -v a="$torch_best" -v b="$java_min" 'BEGIN { printf "%.2f", a / b }')
{
  echo
  echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- **speedup (PyTorch best min / Java min): ${ratio}x** (bar: >= 1.5x)"
} >> "$log"
mv "$log" "$out"
echo "-> $out (speedup ${ratio}x)"
