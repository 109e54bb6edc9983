#!/usr/bin/env bash
# Uncached DiT forward, Java (ditcache) vs the PyTorch reference, same machine, same thread count, one run, the two
# sides ALTERNATING: ROUNDS rounds, each one Java process, then one PyTorch process per setting, so that a machine
# whose speed drifts (a shared VM) shifts both sides alike. Each process builds the model (random weights), warms
# up 2 forwards and times REPEATS. Reported: each side's median over all its timed forwards (and min), and the
# ratio of medians. PyTorch gets its best setup: Debian's OpenBLAS (pthreads build), explicit thread count, passive
# OpenMP waiting, with this environment's OPENBLAS_CORETYPE, without it (when it is set), and (on AVX-512 CPUs) with the AVX-512
# kernels forced; the setting with the lowest median is the reference.
# Usage: bench/run-forward-vs-pytorch.sh [MODEL] [THREADS] [ROUNDS] [REPEATS]     (default DiT-XL/2, 2, 3, 3)
# DITCACHE_JAVA_OPTS (the launcher's): JVM options for the Java side.
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-DiT-XL/2}"
threads="${2:-2}"
rounds="${3:-3}"
repeats="${4:-3}"
py=/usr/bin/python3
if ! $py -c 'import torch' 2>/dev/null; then
  echo "run-forward-vs-pytorch: /usr/bin/python3 cannot import torch (apt-get install python3-torch)" >&2
  exit 2
fi
# PyTorch's CPU matmuls go through the libblas.so.3 alternative: Debian's reference BLAS (what python3-torch pulls
# in alone) is tens of times slower than OpenBLAS, which would make any comparison meaningless.
blas_lib=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || echo none)
if [[ "$blas_lib" != *openblas* ]]; then
  echo "run-forward-vs-pytorch: libblas.so.3 is not OpenBLAS ($blas_lib); apt-get install libopenblas0-pthread" >&2
  exit 2
fi
out="bench/results/forward-$(echo "$model" | tr '/' '-')-vs-pytorch-$(date -u +%Y-%m-%d-%H%M).md"
log=$(mktemp)
raw=$(mktemp)
trap 'rm -f "$log" "$raw"' EXIT
settings=("keep")
# Without OpenBLAS settings in the environment, "unset" would rerun "keep" as it is.
[[ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]] && settings+=("unset")
grep -qw avx512f /proc/cpuinfo && settings+=("SkylakeX" "Cooperlake")
{
  echo "# Uncached forward: ditcache (Java) vs PyTorch reference, alternating"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "- cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -oE '\b(avx|avx2|fma|avx512f)\b' | xargs)"
  echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: bench/run-forward-vs-pytorch.sh $model $threads $rounds $repeats (DITCACHE_JAVA_OPTS='${DITCACHE_JAVA_OPTS:-}')"
  echo "- java: $(./ditcache --version 2>/dev/null | tail -1) (the launcher's choice); git: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+uncommitted')"
  echo "- pytorch: $($py -c 'import torch; print(torch.__version__)'); blas: $(ls -l /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed 's/.*-> //')"
  echo
  echo '```'
} > "$log"
for round in $(seq 1 "$rounds"); do
  echo "## round $round" | tee -a "$log"
  java_line=$(./ditcache bench-forward --model "$model" --random-weights --batch 2 \
    --threads "$threads" --warmup 2 --repeats "$repeats" 2>&1 | grep -E '^(gemm|java forward)' | tee -a "$log" | grep '^java forward')
  sed -E 's/.*runs: ([0-9 ]+) ms.*/\1/' <<<"$java_line" | tr ' ' '\n' | sed 's/^/java /' >> "$raw"
  for s in "${settings[@]}"; do
    case "$s" in
      keep) envs=() ;;
      unset) envs=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE) ;;
      *) envs=(-u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$s") ;;
    esac
    line=$(env "${envs[@]}" OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
      $py bench/forward_pytorch.py --model "$model" --threads "$threads" --warmup 2 --repeats "$repeats" | tee -a "$log")
    sed -E 's/.*runs: ([0-9 ]+) ms.*/\1/' <<<"$line" | tr ' ' '\n' | sed "s/^/pytorch-$s /" >> "$raw"
  done
done
echo '```' >> "$log"
# median SIDE: the median of that side's timed forwards.
median() { grep "^$1 " "$raw" | cut -d' ' -f2 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
java_median=$(median java)
best=""; best_median=""
{
  echo
  echo "| side | forwards | median ms | min ms |"
  echo "|---|---:|---:|---:|"
  for side in java $(printf 'pytorch-%s ' "${settings[@]}"); do
    m=$(median "$side")
    echo "| $side | $(grep -c "^$side " "$raw") | $m | $(grep "^$side " "$raw" | cut -d' ' -f2 | sort -g | head -1) |"
    if [[ "$side" != java ]] && { [[ -z "$best" ]] || awk -v a="$m" -v b="$best_median" 'BEGIN{exit !(a<b)}'; }; then
      best=$side; best_median=$m
    fi
  done
  echo
  echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- **PyTorch best ($best) median / Java median: $(awk -v a="$best_median" -v b="$java_median" 'BEGIN { printf "%.2f", a / b }')x** (bar: >= 1, Java no slower)"
} >> "$log"
cp "$log" "$out"
echo "-> $out"
tail -8 "$out"
