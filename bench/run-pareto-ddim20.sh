#!/usr/bin/env bash
# The DDIM-20 Pareto sweep on the embedded model (issue: learned caching that proves itself).
#   bench/run-pareto-ddim20.sh train SEED       trains the learned routers of one router seed (resumes a killed run)
#   bench/run-pareto-ddim20.sh train-one METHOD U SEED   one of them (harmonica|l2c|harmonica-decided|l2c-decided|
#                                                sdt-decided|harmonica-cumulative-decided, usage in percent;
#                                                -decided adds the decision term, --decide 1000)
#   bench/run-pareto-ddim20.sh eval-base SEED   evaluates the hand-set baselines on sample seed SEED (n = 1000)
#   bench/run-pareto-ddim20.sh eval-learned SEED evaluates every trained router on sample seed SEED (n = 1000)
#   bench/run-pareto-ddim20.sh eval-routers SEED TAG NAME...  evaluates none and routers/NAME.safetensors on sample
#                                                seed SEED into learned-seedSEED-TAG (n = 1000)
#   bench/run-pareto-ddim20.sh report           aggregates every eval into curves with error bars
# One process per seed at 1 thread (the 12-block model is too small for 2 threads to pay); two seeds side by side
# on a 2-core machine. JAR defaults to target/ditcache.jar (copy it elsewhere while you edit the sources).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/ditcache.jar}
OUT=bench/results/pareto-ddim20
R=$OUT/routers
java_run() { DITCACHE_THREADS=1 java --add-modules jdk.incubator.vector -Xmx6g -XX:MaxNewSize=1g -XX:G1HeapRegionSize=32m \
  -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=80 -jar "$JAR" "$@" 2> >(grep -v '^WARNING: Using incubator' >&2); }
USAGES=${USAGES:-"35 45"}
COMMON="--model default --sampler ddim+clip --steps 20 --cfg 1.5"
case "$1" in
  train)
    seed=$2; mkdir -p "$R"
    for u in $USAGES; do
      for m in harmonica l2c; do "$0" train-one "$m" "$u" "$seed"; done
    done ;;
  train-one)
    m=$2; u=$3; seed=$4; mkdir -p "$R"
    out=$R/$m-u$u-s$seed.safetensors
    [ -f "$out" ] && exit 0
    case $m in
      harmonica) args="--method harmonica --proxy paper --lr 0.25 --travel 10.5 --lambda-every 200" ;;
      l2c) args="--method l2c --data fashion-mnist --lr 0.25 --travel 14" ;;
      # decided: the decision term over the last half of the run (HarmoniCa travels further so that half has 30 updates)
      harmonica-decided) args="--method harmonica --proxy paper --lr 0.25 --travel 15 --lambda-every 200 --landing 0.5 --decide 1000" ;;
      l2c-decided) args="--method l2c --data fashion-mnist --lr 0.25 --travel 14 --landing 0.5 --decide 1000" ;;
      # the ablations: SDT alone (no IEPO), and HarmoniCa with the reference code's cumulative IEPO proxy
      sdt-decided) args="--method sdt --lr 0.25 --travel 15 --landing 0.5 --decide 1000" ;;
      harmonica-cumulative-decided) args="--method harmonica --proxy cumulative --lr 0.25 --travel 15 --lambda-every 200 --landing 0.5 --decide 1000" ;;
      *) echo "unknown method $m (harmonica, l2c, harmonica-decided, l2c-decided, sdt-decided, harmonica-cumulative-decided)" >&2; exit 2 ;;
    esac
    resume=""; [ -f "$out.ckpt.safetensors" ] && resume="--resume"
    echo "train-router $COMMON $args --target-usage 0.$u --seed $seed --checkpoint-every 100 --out $out $resume  # $(basename "$JAR")" >> "$R/commands.txt"
    # a resumed run appends to the log, so the log keeps every iteration's line
    log=$R/$m-u$u-s$seed.log; [ -n "$resume" ] || : > "$log"
    java_run train-router $COMMON $args --target-usage 0.$u --seed $seed --checkpoint-every 100 --out "$out" $resume \
      >> "$log" 2>&1 ;;
  eval-base)
    seed=$2
    java_run eval $COMMON --n 1000 --batch 50 --seed "$seed" \
      --methods none,fewer:10,fewer:14,fewer:17,fora:2,fora:3,fora:4,fbcache:0.05,fbcache:0.1,fbcache:0.2,delta-dit \
      --out "$OUT/baselines-seed$seed" ;;
  eval-learned)
    seed=$2
    methods=none$(for f in "$R"/*.safetensors; do case $f in *.ckpt.safetensors) ;; *) printf ',router:%s' "$f";; esac; done)
    java_run eval $COMMON --n 1000 --batch 50 --seed "$seed" --methods "$methods" --out "$OUT/learned-seed$seed" ;;
  eval-routers)
    seed=$2; tag=$3; shift 3
    methods=none$(for n in "$@"; do printf ',router:%s' "$R/$n.safetensors"; done)
    java_run eval $COMMON --n 1000 --batch 50 --seed "$seed" --methods "$methods" --out "$OUT/learned-seed$seed-$tag" ;;
  report)
    java_run pareto $(for d in "$OUT"/baselines-seed* "$OUT"/learned-seed* "$OUT"/previous-seed*; do printf -- '--from %s ' "$d"; done) --out "$OUT" ;;
  *) echo "usage: $0 train|eval-base|eval-learned SEED | train-one METHOD U SEED | eval-routers SEED TAG NAME... | report" >&2; exit 2 ;;
esac
