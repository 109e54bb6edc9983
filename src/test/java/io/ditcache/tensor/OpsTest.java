package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OpsTest {
    private static final int[] WIDTHS = {1, 7, 16, 37, 72, 1152};

    @Test
    void addRowBiasMatchesDoubleReference() {
        Random rng = new Random(3);
        int rows = 6;
        for (int d : WIDTHS) {
            float[] y = Reference.random(rng, rows * d);
            float[] bias = Reference.random(rng, d);
            double[] bWant = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                bWant[i] = y[i] + (double) bias[i % d];
            }
            Ops.addRowBias(y, rows, d, bias);
            Reference.assertClose("addRowBias d=" + d, bWant, y, 0, 1e-6);
        }
    }

    @Test
    void softmaxRowsMatchesDoubleReference() {
        Random rng = new Random(4);
        for (int n : WIDTHS) {
            int rows = 4;
            float[] x = Reference.random(rng, 3 + rows * n);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 20f; // large logits exercise the max shift
            }
            float scale = 0.3f;
            double[] want = new double[rows * n];
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, x[3 + r * n + j] * (double) scale);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    want[r * n + j] = Math.exp(x[3 + r * n + j] * (double) scale - max);
                    sum += want[r * n + j];
                }
                for (int j = 0; j < n; j++) {
                    want[r * n + j] /= sum;
                }
            }
            float first = x[0];
            Ops.softmaxRows(x, 3, rows, n, scale);
            assertEquals(first, x[0], "element before the offset touched");
            Reference.assertClose("softmax n=" + n, want, x, 3, 1e-5);
        }
    }
}
