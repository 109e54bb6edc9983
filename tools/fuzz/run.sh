#!/bin/sh
# Fuzzes one target, time-boxed, with Jazzer's coverage instrumentation and bug detectors:
#   tools/fuzz/run.sh CLASS#METHOD [SECONDS]     e.g. tools/fuzz/run.sh JsonFuzzTest#parse 60
# The generated corpus goes to .cifuzz-corpus/ (not committed); a crashing input is written next to the target's
# committed seeds (src/test/resources/.../CLASSInputs/METHOD/crash-*), where `mvn verify` replays it from then on.
set -eu
cd "$(dirname "$0")/../.."
target=${1:?usage: tools/fuzz/run.sh CLASS#METHOD [SECONDS]}
seconds=${2:-60}
JAZZER_FUZZ=1 exec nice -n 10 mvn -B -o test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.hooks=true -Djazzer.internal.arg.0=fuzz "-Djazzer.internal.arg.1=-max_total_time=$seconds"
