package io.ditcache.train;

import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Parallel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * Router-training throughput and peak heap for one method on a random-weight DiT (run by
 * {@code bench/run-router-training.sh}, one JVM per method so the peaks are separate). Arguments:
 * {@code METHOD MODEL STEPS ROWS ITERS} with ROWS the forward batch (L2C: ROWS images; HarmoniCa/SDT: ROWS/2
 * conditional + ROWS/2 null rows, the papers' equal global batch). Prints one Markdown table row.
 * HarmoniCa's rate is split into the SDT iterations and the IEPO λ refresh (N generations every C iterations;
 * timed as N times one generation), amortised at C = 500.
 */
public final class RouterTrainingBench {
    private RouterTrainingBench() {
    }

    public static void main(String[] args) {
        RouterTrainingMethod method = RouterTrainingMethod.parse(args[0]);
        DiTConfig cfg = DiTConfig.preset(args[1]);
        int steps = Integer.parseInt(args[2]);
        int rows = Integer.parseInt(args[3]);
        int iters = Integer.parseInt(args[4]);
        DiT model = DiT.random(cfg, 0);
        int batch = method.stepWise() ? Math.max(1, rows / 2) : rows;
        RouterTrainingConfig c = RouterTrainingConfig.defaults(method, steps, iters).withBatch(batch, 1);
        int s = cfg.inputSize();
        int n = 64;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % cfg.numClasses();
        }
        TrainingImages latents = new TrainingImages("random-latents", new GaussianNoise(1).next(n, cfg.inChannels(), s, s),
                labels, false);
        TrainableRouter router = TrainableRouter.initial(method, steps, cfg.units(), 0);
        resetPeaks();
        double lambdaSeconds = 0;
        long t0;
        double seconds;
        if (method.stepWise()) {
            float[] lambda = new float[steps];
            java.util.Arrays.fill(lambda, 1f);
            SdtIteration sdt = new SdtIteration(model, c.withIepo(c.proxy(), Long.MAX_VALUE / 4), router, lambda);
            sdt.run(0, true); // warm-up: first step (full forward) of trajectory 0
            sdt.run(1, true);
            t0 = System.nanoTime();
            for (long it = 2; it < 2 + iters; it++) {
                sdt.run(it, true);
            }
            seconds = (System.nanoTime() - t0) / 1e9;
            if (method == RouterTrainingMethod.HARMONICA) {
                MixedRollout rollout = new MixedRollout(model, new io.ditcache.diffusion.DdimSampler(steps),
                        (float) c.cfg(), c.tau());
                int[] y = java.util.Arrays.copyOf(labels, batch);
                float[][] w = new float[steps][];
                for (int i = 0; i < steps; i++) {
                    w[i] = TrainableRouter.sigmoid(router.row(i));
                }
                long l0 = System.nanoTime();
                rollout.generate(new GaussianNoise(2).next(batch, cfg.inChannels(), s, s), y, w);
                lambdaSeconds = steps * (System.nanoTime() - l0) / 1e9; // a refresh is N generations (both proxies)
            }
        } else {
            L2cIteration l2c = new L2cIteration(model, c, latents, router);
            l2c.run(0, true);
            t0 = System.nanoTime();
            for (long it = 1; it <= iters; it++) {
                l2c.run(it, true);
            }
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        double rate = iters / seconds;
        double amortised = method == RouterTrainingMethod.HARMONICA
                ? 1.0 / (1.0 / rate + lambdaSeconds / 500.0) : rate;
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %.3f | %s | %.3f | %.0f |%n", method.id(), cfg.name(), steps,
                rows, iters, rate, method == RouterTrainingMethod.HARMONICA ? String.format(Locale.ROOT, "%.1f", lambdaSeconds) : "-",
                amortised, peakHeapMiB());
        System.out.printf(Locale.ROOT, "(threads %d)%n", Parallel.threads());
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
    }

    /** Sum of the heap pools' peaks (an upper bound on the peak heap in use). */
    private static double peakHeapMiB() {
        long b = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                b += p.getPeakUsage().getUsed();
            }
        }
        return b / 1048576.0;
    }
}
