package io.ditcache.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The probes' timing: each run's time slice in turn, round by round, so that a machine whose speed drifts (a shared
 * VM) shifts every run alike.
 */
final class Slices {
    private Slices() {
    }

    /** A probe's arguments {@code ROUNDS SLICE_MS THREADS SETTINGS SHAPE...} (SETTINGS comma-separated). */
    record Args(int rounds, long sliceNs, String[] settings, String[] shapes) {
        /** Parses them and sets {@link Parallel}'s threads. */
        static Args of(String[] args) {
            Parallel.setThreads(Integer.parseInt(args[2]));
            return new Args(Integer.parseInt(args[0]), Long.parseLong(args[1]) * 1_000_000L, args[3].split(","),
                    Arrays.copyOfRange(args, 4, args.length));
        }
    }

    /**
     * Seconds per call of run t in round r, {@code [t][r]}, from slices of {@code sliceNs} after 2 untimed rounds;
     * after a slice of a run that {@code pauseAfter} names, sleeps 100 ms (OpenBLAS's threads spin after a call and
     * would slow down whatever runs next).
     */
    static double[][] secondsPerCall(List<Runnable> runs, int rounds, long sliceNs, IntPredicate pauseAfter)
            throws InterruptedException {
        double[][] seconds = new double[runs.size()][rounds];
        for (int round = -2; round < rounds; round++) {
            for (int t = 0; t < runs.size(); t++) {
                long t0 = System.nanoTime();
                int calls = 0;
                while (System.nanoTime() - t0 < sliceNs) {
                    runs.get(t).run();
                    calls++;
                }
                if (round >= 0) {
                    seconds[t][round] = (System.nanoTime() - t0) / 1e9 / calls;
                }
                if (pauseAfter.test(t)) {
                    Thread.sleep(100);
                }
            }
        }
        return seconds;
    }

    static double median(double[] values) {
        double[] x = values.clone();
        Arrays.sort(x);
        int h = x.length / 2;
        return x.length % 2 == 1 ? x[h] : (x[h - 1] + x[h]) / 2;
    }
}
