package io.ditcache.nn;

import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Whether the JIT left the vector kernels boxing, on the shape warm-up's own workload (run by
 * {@code bench/run-jit-flags-probe.sh}): FORWARDS forwards of a random one-block model of MODEL's shape, batch 2, on one
 * thread, printing the MB each allocated (settled: a few MB; boxing softmax and GELU: about 60 MB for DiT-XL/2), then
 * the bytes per call of each of {@link Warmup#forwardKernels} on small inputs (which of them boxes). Arguments:
 * {@code MODEL PRECISION FORWARDS}, e.g. {@code DiT-XL/2 FP32 12}.
 */
public final class OneBlockAllocationProbe {
    private OneBlockAllocationProbe() {
    }

    public static void main(String[] args) {
        DiTConfig cfg = DiTConfig.preset(args[0]).withDepth(1);
        WeightPrecision precision = WeightPrecision.valueOf(args[1]);
        int forwards = Integer.parseInt(args[2]);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Parallel.withThreads(1, () -> {
            DiT dit = DiT.random(cfg, 0, precision);
            Tensor input = Tensor.zeros(2, cfg.inChannels(), cfg.inputSize(), cfg.inputSize());
            float[] t = new float[2];
            int[] y = new int[2];
            StringBuilder mb = new StringBuilder();
            for (int i = 0; i < forwards; i++) {
                t[0] = i % 1000;
                t[1] = (i * 37) % 1000;
                long before = mx.getCurrentThreadAllocatedBytes();
                dit.forward(input, t, y);
                mb.append(String.format(Locale.ROOT, " %.0f", (mx.getCurrentThreadAllocatedBytes() - before) / 1e6));
            }
            List<IntConsumer> kernels = Warmup.forwardKernels();
            StringBuilder perCall = new StringBuilder();
            for (int k = 0; k < kernels.size(); k++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                kernels.get(k).accept(0);
                kernels.get(k).accept(1);
                perCall.append(" k").append(k).append('=').append((mx.getCurrentThreadAllocatedBytes() - before) / 2);
            }
            System.out.printf(Locale.ROOT, "%s %s one block: MB per forward%s | kernel bytes per call%s%n", args[0],
                    precision, mb, perCall);
            return 0;
        });
    }
}
