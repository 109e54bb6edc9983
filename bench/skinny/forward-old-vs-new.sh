#!/usr/bin/env bash
# Old (93d79fe, dot-product skinny GEMM) vs new (0d2352c, KC-chunked skinny GEMM, packed adaLN) uncached forward, alternated.
for round in 1 2 3 4; do
  for side in old new; do
    jar=/tmp/ditcache-s9.jar; [ $side = new ] && jar=/tmp/ditcache-s9d.jar
    for model in "DiT-XL/2 --random-weights" "default"; do
      echo "== round $round $side $model"
      java --add-modules jdk.incubator.vector -jar $jar bench-forward --model $model --batch 2 --threads 1 --repeats 5 --warmup 2 2>&1 | grep -v -E "WARN|incubat" | tail -3
    done
  done
done
