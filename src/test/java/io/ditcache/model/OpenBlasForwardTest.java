package io.ditcache.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.GemmBackend;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The DiT forward with the OpenBLAS GEMM backend against the pure-Java one on a small config (64 tokens, batch 2,
 * 2 threads, so that every GEMM is split into blocks): within 1e-4 of the output's largest magnitude (float
 * rounding of differently ordered sums, through two blocks), and pinned weights bit-identical to unpinned.
 * Runs where the bytedeco natives load (they are test dependencies).
 */
class OpenBlasForwardTest {
    private static final DiTConfig SMALL = new DiTConfig("small", 2, 64, 4, 2, 4, 16, 10, true, 4);

    @Test
    void forwardMatchesTheJavaBackend() {
        int threadsBefore = Parallel.threads();
        Parallel.setThreads(2);
        try {
            DiT model = DiT.random(SMALL, 7);
            Tensor x = Tensor.zeros(2, 4, 16, 16);
            for (int i = 0; i < x.numel(); i++) {
                x.data()[i] = (float) Math.sin(0.37 * i);
            }
            float[] t = {500, 20};
            int[] y = {3, 10};
            float[] java = model.forward(x, t, y).data();
            try {
                GemmBackend.use(GemmBackend.OPENBLAS);
            } catch (IllegalStateException e) {
                Assumptions.abort("OpenBLAS does not load here: " + e.getMessage());
            }
            assertTrue(Gemm.settings().startsWith("openblas backend"), Gemm.settings());
            float[] unpinned = model.forward(x, t, y).data();
            float[] pinned = model.packWeights().forward(x, t, y).data();
            assertArrayEquals(unpinned, pinned, "pinned weights give the unpinned product bit for bit");
            double scale = 1;
            double worst = 0;
            for (int i = 0; i < java.length; i++) {
                scale = Math.max(scale, Math.abs(java[i]));
                worst = Math.max(worst, Math.abs(java[i] - pinned[i]));
            }
            assertTrue(worst <= 1e-4 * scale, "max |openblas - java| " + worst + " (scale " + scale + ")");
        } finally {
            GemmBackend.use(GemmBackend.JAVA);
            Parallel.setThreads(threadsBefore);
        }
    }
}
