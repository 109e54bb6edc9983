package io.ditcache.nn;

import io.ditcache.tensor.Reference;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerNormTest {
    private static final int[] WIDTHS = {1, 7, 16, 37, 72, 1152};

    @Test
    void layerNormMatchesDoubleReference() {
        Random rng = new Random(1);
        for (int d : WIDTHS) {
            int rows = 5;
            float[] x = Reference.random(rng, rows * d);
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * 3f + 10f; // offset mean stresses the variance computation
            }
            double[] want = new double[rows * d];
            for (int r = 0; r < rows; r++) {
                double mean = 0;
                for (int j = 0; j < d; j++) {
                    mean += x[r * d + j];
                }
                mean /= d;
                double var = 0;
                for (int j = 0; j < d; j++) {
                    var += (x[r * d + j] - mean) * (x[r * d + j] - mean);
                }
                var /= d;
                for (int j = 0; j < d; j++) {
                    want[r * d + j] = (x[r * d + j] - mean) / Math.sqrt(var + 1e-6);
                }
            }
            float[] out = new float[rows * d];
            LayerNorm.forward(x, out, rows, d);
            Reference.assertClose("layerNorm d=" + d, want, out, 0, 1e-5);
            LayerNorm.forward(x, x, rows, d);
            Reference.assertClose("layerNorm in place d=" + d, want, x, 0, 1e-5);
        }
    }
}
