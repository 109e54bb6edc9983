package io.ditcache.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;
import org.junit.jupiter.api.Test;

class ShapeWarmupTest {
    private static final DiTConfig SMALL = new DiTConfig("small", 3, 64, 4, 2, 4, 8, 10, true, 4);

    /**
     * The warm-up runs on its own one-block model: a model's forward gives the same bits after it as before, at
     * either precision, and the caller's thread count is untouched.
     */
    @Test
    void leavesEveryForwardAsItWas() {
        Tensor x = Tensor.zeros(2, 4, 8, 8);
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) Math.cos(0.7 * i);
        }
        float[] t = {3, 640};
        int[] y = {1, 10};
        for (WeightPrecision p : WeightPrecision.values()) {
            DiT dit = DiT.random(SMALL, 5, p);
            float[] before = Parallel.withThreads(2, () -> dit.forward(x, t, y).data());
            int threads = Parallel.threads();
            ShapeWarmup.run(SMALL, p);
            assertEquals(threads, Parallel.threads());
            assertArrayEquals(before, Parallel.withThreads(2, () -> dit.forward(x, t, y).data()), p.name());
        }
    }
}
