package io.ditcache.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ditcache.tensor.Reference;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The forwards of {@link GeluTanh} and {@link Silu}. */
class ActivationsTest {
    @Test
    void activationsMatchDoubleReference() {
        Random rng = new Random(2);
        for (int n : new int[] {1, 15, 16, 17, 100_003}) {
            float[] x = Reference.random(rng, n);
            for (int i = 0; i < n; i++) {
                x[i] *= 4f;
            }
            double[] gelu = new double[n];
            double[] silu = new double[n];
            for (int i = 0; i < n; i++) {
                double v = x[i];
                gelu[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                silu[i] = v / (1 + Math.exp(-v));
            }
            float[] out = new float[n];
            GeluTanh.forward(x, out, n);
            Reference.assertClose("gelu n=" + n, gelu, out, 0, 1e-5);
            Silu.forward(x, out, n);
            Reference.assertClose("silu n=" + n, silu, out, 0, 1e-5);
        }
    }

    /** A value's activation is the same bits whether it sits in a full vector or in the masked tail. */
    @Test
    void activationsDoNotDependOnPositionInTheArray() {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        java.util.Random rng = new java.util.Random(11);
        int n = 2 * lanes + 3;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextGaussian() * 3);
        }
        float[] gelu = new float[n];
        float[] silu = new float[n];
        GeluTanh.forward(x, gelu, n);
        Silu.forward(x, silu, n);
        for (int i = 0; i < n; i++) {
            float[] alone = new float[lanes];
            java.util.Arrays.fill(alone, x[i]);
            float[] g = new float[lanes];
            float[] s = new float[lanes];
            GeluTanh.forward(alone, g, lanes);
            Silu.forward(alone, s, lanes);
            assertEquals(g[0], gelu[i], 0f, "gelu at " + i);
            assertEquals(s[0], silu[i], 0f, "silu at " + i);
        }
    }
}
