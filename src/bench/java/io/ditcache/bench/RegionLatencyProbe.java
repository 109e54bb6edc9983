package io.ditcache.bench;

import io.ditcache.tensor.Parallel;
import java.util.Locale;

/**
 * How long a parallel region of two 100 us tasks takes on 2 threads, after the helpers were idle for 0, 0.5 or
 * 2 ms: the ideal is 100 us; anything above is the cost of waking a helper. Not a benchmark of kernels; see
 * bench/run-forward-settings.sh.
 */
public final class RegionLatencyProbe {
    private RegionLatencyProbe() {
    }

    public static void main(String[] args) {
        Parallel.setThreads(2);
        for (long idle : new long[]{0, 500_000, 2_000_000}) {
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long total = 0;
                for (int i = 0; i < 200; i++) {
                    spin(idle);
                    long t0 = System.nanoTime();
                    Parallel.parallelFor(0, 2, x -> spin(100_000));
                    total += System.nanoTime() - t0;
                }
                best = Math.min(best, total / 1e3 / 200);
            }
            System.out.printf(Locale.ROOT, "helpers idle %4d us before: region of two 100 us tasks took %.1f us (best of 3 x 200)%n",
                    idle / 1000, best);
        }
    }

    private static void spin(long nanos) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < nanos) {
            Thread.onSpinWait();
        }
    }
}
