#!/usr/bin/env bash
# One-command GEMM benchmark: ditcache's Vector API GEMM against EJML and OpenBLAS (bytedeco) at DiT-XL/2
# shapes, C = A[M,K] * B[N,K]^T, THREADS threads each (default 2). Writes bench/results/gemm-<date>.txt (raw JMH
# output and machine notes: CPU model and flags, our GEMM's tile, vector width and block sizes) and gemm-<date>.md
# (GFLOP/s table, ratio ours/best).
# QUICK=1: short development run. JMH_EXTRA: more JMH options, e.g. JMH_EXTRA="-p shape=512x1152x1152".
# GEMM_OPTS: JVM options for our GEMM, passed to the benchmark JVMs (JMH's forks inherit them), e.g.
# GEMM_OPTS="-Dditcache.gemm.tile=12x2" to force a register tile, or -Dditcache.gemm.kc=, .mc=, .nc= for blocking.
# GEMM_OPTS="-Dditcache.gemm.backend=openblas" runs ours / ours_packed through ditcache's OpenBLAS backend (1-thread
# cblas_sgemm calls on blocks of C over ditcache's threads, weights pinned unpacked); the header's gemm line says which.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=${THREADS:-2}
if [[ "${QUICK:-0}" == 1 ]]; then
  jmh_time=(-wi 2 -i 3 -w 1 -r 1 -f 1)
else
  jmh_time=(-wi 5 -i 10 -w 1 -r 1 -f 1)
fi

mvn -B -q -Pbench test-compile
mvn -B -q -Pbench dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"

stamp=$(date +%Y-%m-%d-%H%M)
[ -e "bench/results/gemm-$stamp.md" ] && stamp=$(date +%Y-%m-%d-%H%M%S)  # two runs in one minute
mkdir -p bench/results
txt=bench/results/gemm-$stamp.txt
md=bench/results/gemm-$stamp.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# jmh CORETYPE ARGS...: runs GemmBenchmark (forks inherit the environment); empty CORETYPE = unset.
jmh() {
  local coretype=$1
  shift
  local envs=(env -u OPENBLAS_CORETYPE)
  [[ -n "$coretype" ]] && envs=(env OPENBLAS_CORETYPE="$coretype")
  "${envs[@]}" java ${GEMM_OPTS:-} --add-modules jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main GemmBenchmark \
    -t 1 -p threads="$threads" "${jmh_time[@]}" ${JMH_EXTRA:-} "$@"
}

export OPENBLAS_NUM_THREADS=$threads
env_coretype=${OPENBLAS_CORETYPE:-}
{
  echo "# GEMM benchmark $stamp"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cpus"
  echo "cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -oE '\b(avx|avx2|fma|avx512[a-z0-9_]*|amx[a-z0-9_]*)\b' | xargs)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "threads: $threads; GEMM_OPTS: '${GEMM_OPTS:-}'"
  java ${GEMM_OPTS:-} --add-modules jdk.incubator.vector -cp "$cp" io.ditcache.cli.Main info --model DiT-XL/2 \
    | sed -n 's/^gemm  *\(.*\)/gemm: \1/p'
  echo "OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE in the calling environment: '${env_coretype}'"
  echo "uptime before: $(uptime)"
  # CPU idle over 3 s right before the run (load averages lag by minutes).
  read -r _ u1 n1 s1 i1 w1 _ < /proc/stat; sleep 3; read -r _ u2 n2 s2 i2 w2 _ < /proc/stat
  echo "cpu idle before: $(( 100 * (i2 + w2 - i1 - w1) / (u2 + n2 + s2 + i2 + w2 - u1 - n1 - s1 - i1 - w1) ))%"
  echo
  echo "## run 1: all implementations, OPENBLAS_CORETYPE unset (OpenBLAS detects the core)"
} | tee "$txt"
jmh "" -rf csv -rff "$tmp/default.csv" 2>&1 | tee -a "$txt"
echo "## run 2: OpenBLAS with OPENBLAS_CORETYPE=Haswell (as this environment forces)" | tee -a "$txt"
jmh Haswell -p impl=openblas -rf csv -rff "$tmp/haswell.csv" 2>&1 | tee -a "$txt"
echo "uptime after: $(uptime)" | tee -a "$txt"

java -cp "$cp" io.ditcache.bench.GemmSummary "$tmp/default.csv" "$tmp/haswell.csv" "$txt" "$threads" > "$md.tmp"
mv "$md.tmp" "$md"
cat "$md"
echo "wrote $txt and $md"
