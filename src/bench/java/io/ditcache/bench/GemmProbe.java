package io.ditcache.bench;

import io.ditcache.tensor.Gemm;
import java.util.Random;

/** Quick GFLOP/s probe for development: {@code GemmProbe M K N [reps] [flags]}, transB=true by default;
 * flags: A = transpose A, b = B not transposed, P = B packed once (PackedWeight). Not a benchmark. */
public final class GemmProbe {
    private GemmProbe() {
    }

    public static void main(String[] args) {
        int m = Integer.parseInt(args[0]);
        int k = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        boolean ta = args.length > 4 && args[4].contains("A");
        boolean tb = !(args.length > 4 && args[4].contains("b"));
        boolean packedB = args.length > 4 && args[4].contains("P");
        System.out.println("gemm: " + Gemm.settings());
        Random rng = new Random(1);
        float[] a = new float[m * k];
        float[] b = new float[n * k];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rng.nextFloat();
        }
        // Single-threaded runs stay on this thread: its CPU time is robust on a shared machine.
        boolean cpu = io.ditcache.tensor.Parallel.threads() == 1;
        io.ditcache.tensor.PackedWeight packed = packedB ? io.ditcache.tensor.PackedWeight.of(b, n, k) : null;
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        double[] times = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = cpu ? mx.getCurrentThreadCpuTime() : System.nanoTime();
            if (packed != null) {
                Gemm.matmul(a, 0, packed, c, 0, m, false);
            } else {
                Gemm.matmul(a, 0, b, 0, c, 0, m, n, k, ta, tb, false);
            }
            times[r] = ((cpu ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0) / 1e6;
            best = Math.min(best, times[r]);
        }
        java.util.Arrays.sort(times);
        double flop = 2.0 * m * n * k;
        System.out.printf((cpu ? "[cpu time] " : "") + "%dx%d->%d transA=%b transB=%b: best %.2f ms (%.1f GFLOP/s), median %.2f ms (%.1f GFLOP/s)%n",
                m, k, n, ta, tb, best, flop / best / 1e6, times[reps / 2], flop / times[reps / 2] / 1e6);
    }
}
