package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OpsTest {
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
            Ops.layerNorm(x, out, rows, d, 1e-6f);
            Reference.assertClose("layerNorm d=" + d, want, out, 0, 1e-5);
            Ops.layerNorm(x, x, rows, d, 1e-6f);
            Reference.assertClose("layerNorm in place d=" + d, want, x, 0, 1e-5);
        }
    }

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
            Ops.geluTanh(x, out, n);
            Reference.assertClose("gelu n=" + n, gelu, out, 0, 1e-5);
            Ops.silu(x, out, n);
            Reference.assertClose("silu n=" + n, silu, out, 0, 1e-5);
        }
    }

    @Test
    void modulateGatedAddAndBias() {
        Random rng = new Random(3);
        int batch = 2;
        int tokens = 3;
        for (int d : WIDTHS) {
            int stride = 3 * d + 5;
            float[] x = Reference.random(rng, batch * tokens * d);
            float[] y = Reference.random(rng, batch * tokens * d);
            float[] mod = Reference.random(rng, batch * stride);
            double[] mWant = new double[x.length];
            double[] gWant = new double[x.length];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < tokens; t++) {
                    for (int j = 0; j < d; j++) {
                        int i = (b * tokens + t) * d + j;
                        mWant[i] = x[i] * (1.0 + mod[b * stride + 2 + d + j]) + mod[b * stride + 2 + j];
                        gWant[i] = x[i] + (double) mod[b * stride + 5 + 2 * d + j] * y[i];
                    }
                }
            }
            float[] out = new float[x.length];
            Ops.modulate(x, out, batch, tokens, d, mod, stride, 2, 2 + d);
            Reference.assertClose("modulate d=" + d, mWant, out, 0, 1e-6);
            Ops.gatedAdd(x, y, batch, tokens, d, mod, stride, 5 + 2 * d);
            Reference.assertClose("gatedAdd d=" + d, gWant, x, 0, 1e-6);

            float[] bias = Reference.random(rng, d);
            double[] bWant = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                bWant[i] = y[i] + (double) bias[i % d];
            }
            Ops.addRowBias(y, batch * tokens, d, bias);
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
        Ops.geluTanh(x, gelu, n);
        Ops.silu(x, silu, n);
        for (int i = 0; i < n; i++) {
            float[] alone = new float[lanes];
            java.util.Arrays.fill(alone, x[i]);
            float[] g = new float[lanes];
            float[] s = new float[lanes];
            Ops.geluTanh(alone, g, lanes);
            Ops.silu(alone, s, lanes);
            assertEquals(g[0], gelu[i], 0f, "gelu at " + i);
            assertEquals(s[0], silu[i], 0f, "silu at " + i);
        }
    }
}
