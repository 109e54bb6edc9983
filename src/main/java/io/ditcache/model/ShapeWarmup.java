package io.ditcache.model;

import io.ditcache.nn.Warmup;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Warms the forward's kernels on a one-block model of the real model's shape before the real one loads: the same
 * GEMM, softmax and GELU calls at the same sizes, so the JIT compiles them from the profile the real forward will
 * have (a warm-up on small inputs, {@link Warmup#kernels}, left the DiT-XL/2 forward 5-25% slower), while their
 * uncompiled first calls leave their garbage in a heap that holds no weights yet. A full collection then lets the
 * JVM uncommit it. Costs one block's weights (DiT-XL/2: 1/28 of the model) and a few of its forwards.
 */
public final class ShapeWarmup {
    /** A forward batch of 2: one image with classifier-free guidance, the common case. */
    private static final int BATCH = 2;
    /** Forwards in a row that must stay within {@link #allowance}. */
    private static final int WARM_FORWARDS = 2;
    /** Gives up after this long (under {@code -Xint}, or where the JIT keeps boxing). */
    private static final long BUDGET_NANOS = 15_000_000_000L;

    private ShapeWarmup() {
    }

    /**
     * Runs forwards of a one-block random model shaped as {@code config}, packed at {@code packAs}, on the calling
     * thread, until each allocates at most a few of its own activations (the JIT has compiled its kernels);
     * returns whether they got there within the budget.
     */
    public static boolean run(DiTConfig config, WeightPrecision packAs) {
        DiTConfig one = config.withDepth(1);
        boolean warm = Parallel.withThreads(1, () -> {
            DiT dit = DiT.random(one, 0, packAs);
            Tensor input = Tensor.zeros(BATCH, config.inChannels(), config.inputSize(), config.inputSize());
            float[] t = new float[BATCH];
            int[] y = new int[BATCH];
            IntConsumer forward = i -> {
                t[0] = i % 1000;
                t[1] = (i * 37) % 1000;
                dit.forward(input, t, y);
            };
            return Warmup.run(List.of(forward), allowance(config), WARM_FORWARDS, BUDGET_NANOS) == 0;
        });
        System.gc();
        return warm;
    }

    /** Bytes a compiled forward of one block may still allocate: its output and a few activations. */
    static long allowance(DiTConfig c) {
        return 8L * BATCH * c.tokens() * c.hidden() * Float.BYTES;
    }
}
