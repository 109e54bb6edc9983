package io.ditcache.cli;

import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.Macs;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.GemmBackend;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache bench-forward}: times the uncached DiT forward (the figure compared with PyTorch). */
@Command(name = "bench-forward", mixinStandardHelpOptions = true,
        description = {"Time the uncached DiT forward pass (min and median of repeats).",
                "Example: ditcache bench-forward --model DiT-XL/2 --random-weights --batch 2 --threads 2"})
final class BenchForwardCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--batch", defaultValue = "2", description = "Forward batch (2 = one image with CFG). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Mixin
    ThreadOptions threads = new ThreadOptions();

    @Option(names = "--unpacked", description = "Do not pre-pack the weights (packs them inside every GEMM, as before"
            + " pre-packing existed): shows what packing once per model saves.")
    boolean unpacked;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || repeats < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --repeats must be >= 1 and --warmup >= 0");
        }
        threads.apply();
        System.out.println("gemm: " + Gemm.settings());
        DiT dit = unpacked ? model.unpacked() : model.load();
        DiTConfig c = dit.config();
        SplittableRandom rng = new SplittableRandom(0);
        Tensor x = Tensor.zeros(batch, c.inChannels(), c.inputSize(), c.inputSize());
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        float[] t = new float[batch];
        int[] y = new int[batch];
        Arrays.fill(t, 500f);
        for (int b = 0; b < batch; b++) {
            y[b] = b % c.numClasses();
        }
        for (int i = 0; i < warmup; i++) {
            dit.forward(x, t, y, UnitRunner.COMPUTE_ALL);
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            dit.forward(x, t, y, UnitRunner.COMPUTE_ALL);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        String runs = Arrays.stream(ms).mapToObj(v -> String.format(Locale.ROOT, "%.0f", v))
                .collect(java.util.stream.Collectors.joining(" "));
        Arrays.sort(ms);
        double median = repeats % 2 == 1 ? ms[repeats / 2] : (ms[repeats / 2 - 1] + ms[repeats / 2]) / 2;
        double gflops = 2.0 * Macs.forward(c) * batch / (ms[0] / 1e3) / 1e9;
        System.out.printf(Locale.ROOT, "java forward %s%s batch %d threads %d: min %.1f ms, median %.1f ms (%d runs: %s ms), %.0f GFLOP/s at min%n",
                c.name(), (unpacked ? " (unpacked weights)" : dit.weightPrecision() == WeightPrecision.BF16 ? " (bf16 weights)" : "")
                        + (GemmBackend.name().equals(GemmBackend.JAVA) ? ""
                        : " (" + GemmBackend.name() + " GEMM)"), batch, Parallel.threads(), ms[0], median, repeats, runs, gflops);
        return 0;
    }
}
