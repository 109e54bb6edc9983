package io.ditcache.nn;

import io.ditcache.tensor.Reference;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The forwards of {@link Modulate} and {@link GatedResidual}, reading the chunked adaLN rows at offsets. */
class AdaLnTest {
    private static final int[] WIDTHS = {1, 7, 16, 37, 72, 1152};

    @Test
    void modulateAndGatedResidual() {
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
            Modulate.forward(x, out, batch, tokens, d, mod, stride, 2, 2 + d);
            Reference.assertClose("modulate d=" + d, mWant, out, 0, 1e-6);
            GatedResidual.forward(x, y, batch, tokens, d, mod, stride, 5 + 2 * d);
            Reference.assertClose("gated residual d=" + d, gWant, x, 0, 1e-6);
        }
    }
}
