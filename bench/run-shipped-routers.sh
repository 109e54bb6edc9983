#!/usr/bin/env bash
# Decided routers for the shipped DDIM-10 and DDIM-50 set (the DDIM-20 ones come from the Pareto sweep,
# bench/run-pareto-ddim20.sh): the decision term (--landing 0.5 --decide 1000), 35% target usage, router seed 0.
#   bench/run-shipped-routers.sh train METHOD STEPS   harmonica|l2c, 10|50 (resumes a killed run)
#   bench/run-shipped-routers.sh eval STEPS            none, the shipped router and the new one of each method (n = 500)
# One process at 1 thread; JAR defaults to target/ditcache.jar (copy it elsewhere while you edit the sources).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/ditcache.jar}
OUT=bench/results/shipped-routers
java_run() { DITCACHE_THREADS=1 java --add-modules jdk.incubator.vector -Xmx6g -XX:MaxNewSize=1g -jar "$JAR" "$@" \
  2> >(grep -v '^WARNING: Using incubator' >&2); }
COMMON="--model default --sampler ddim+clip --cfg 1.5"
mkdir -p "$OUT"
case "${1:-}" in
  train)
    m=$2; n=$3
    out=$OUT/$m-decided-ddim$n-u35-s0.safetensors
    [ -f "$out" ] && exit 0
    # IEPO's refresh costs N generations of N steps: at 50 steps every 1000 iterations, not 200
    case $m in
      harmonica) args="--method harmonica --proxy paper --lr 0.25 --travel 15 --lambda-every $([ "$n" -ge 50 ] && echo 1000 || echo 200)" ;;
      # L2C updates routers drawn at random: at 50 steps travel 14 left one router at 9.75 (< 10), so 20 there
      l2c) args="--method l2c --data fashion-mnist --lr 0.25 --travel $([ "$n" -ge 50 ] && echo 20 || echo 14)" ;;
      *) echo "unknown method $m (harmonica, l2c)" >&2; exit 2 ;;
    esac
    resume=""; [ -f "$out.ckpt.safetensors" ] && resume="--resume"
    line="train-router $COMMON --steps $n $args --landing 0.5 --decide 1000 --target-usage 0.35 --seed 0 --checkpoint-every 100 --out $out $resume"
    echo "$line  # $(basename "$JAR")" >> "$OUT/commands.txt"
    java_run $line > "${out%.safetensors}.log" 2>&1 ;;
  eval)
    n=$2
    methods=none
    for m in harmonica l2c; do methods="$methods,router:dit-fmnist-$m-ddim$n,router:$OUT/$m-decided-ddim$n-u35-s0.safetensors"; done
    echo "eval $COMMON --steps $n --n 500 --batch 50 --seed 0 --methods $methods --out $OUT/eval-ddim$n  # $(basename "$JAR")" >> "$OUT/commands.txt"
    java_run eval $COMMON --steps "$n" --n 500 --batch 50 --seed 0 --methods "$methods" --out "$OUT/eval-ddim$n" ;;
  *) echo "usage: $0 train METHOD STEPS | eval STEPS" >&2; exit 2 ;;
esac
