package io.ditcache.model;

import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Memory of the uncached inference forward on a random-weight, packed DiT (run by {@code bench/run-forward-memory.sh}):
 * bytes allocated per forward by all threads (the forward's and the worker pool's), for each of {@code REPEATS}
 * forwards after the first, and the live heap after a full collection once the forwards are done. Arguments:
 * {@code MODEL BATCH REPEATS THREADS}. Uses only API that predates the measured changes, so it compiles against
 * older jars for before/after figures.
 */
public final class ForwardMemoryBench {
    private ForwardMemoryBench() {
    }

    public static void main(String[] args) {
        DiTConfig cfg = DiTConfig.preset(args[0]);
        int batch = Integer.parseInt(args[1]);
        int repeats = Integer.parseInt(args[2]);
        Parallel.setThreads(Integer.parseInt(args[3]));
        DiT model = DiT.random(cfg, 0).packWeights();
        SplittableRandom rng = new SplittableRandom(0);
        Tensor x = Tensor.zeros(batch, cfg.inChannels(), cfg.inputSize(), cfg.inputSize());
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        float[] t = new float[batch];
        int[] y = new int[batch];
        java.util.Arrays.fill(t, 500f);
        for (int b = 0; b < batch; b++) {
            y[b] = b % cfg.numClasses();
        }
        model.forward(x, t, y, UnitRunner.COMPUTE_ALL);
        StringBuilder perForward = new StringBuilder();
        for (int i = 0; i < repeats; i++) {
            long before = allocatedByAllThreads();
            model.forward(x, t, y, UnitRunner.COMPUTE_ALL);
            long bytes = allocatedByAllThreads() - before;
            perForward.append(String.format(Locale.ROOT, "%s%.1f", i == 0 ? "" : " ", bytes / 1e6));
        }
        System.gc();
        long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "%s batch %d threads %d: allocated per steady-state forward %s MB; "
                + "live heap after the forwards and a full GC %.0f MB%n", cfg.name(), batch, Parallel.threads(),
                perForward, live / 1e6);
    }

    /** Bytes allocated so far by every live thread (the worker pool persists, so differences are exact enough). */
    private static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }
}
