#!/bin/sh
# Cache speedup benchmark: wall-clock speedup / MACs speedup for plans reusing 0-75% of units (bar >= 0.9).
# Run on a quiet machine (takes a few minutes on 2 cores with the defaults). Options: see CacheSpeedupBench.
# Writes bench/results/cache-speedup.md and .csv.
set -e
cd "$(dirname "$0")/.."
mvn -B -q -Pbench test-compile
exec java --add-modules jdk.incubator.vector -Xmx4g -cp target/classes:target/test-classes \
    io.ditcache.bench.CacheSpeedupBench "$@"
