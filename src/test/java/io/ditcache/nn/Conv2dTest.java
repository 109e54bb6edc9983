package io.ditcache.nn;

import static io.ditcache.nn.CnnGradCheck.assertGradientClose;
import static io.ditcache.nn.CnnGradCheck.dot;
import static io.ditcache.nn.CnnGradCheck.numericGradient;
import static io.ditcache.nn.CnnGradCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Conv2dTest {
    private static final int BATCH = 2;
    private static final int H = 5;
    private static final int W = 4;
    private static final int IN_C = 2;
    private static final int OUT_C = 3;

    /** Direct convolution with PyTorch's weight layout [outC, inC, k, k] on channels-last images. */
    private static double naive(float[] x, float[] wt, float[] bias, int k, int pad, int b, int oy, int ox, int co) {
        double s = bias[co];
        for (int ci = 0; ci < IN_C; ci++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int iy = oy + ky - pad;
                    int ix = ox + kx - pad;
                    if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                        s += (double) x[((b * H + iy) * W + ix) * IN_C + ci] * wt[((co * IN_C + ci) * k + ky) * k + kx];
                    }
                }
            }
        }
        return s;
    }

    @ParameterizedTest
    @CsvSource({"3, 1", "3, 0", "2, 1", "1, 0"})
    void forwardMatchesDirectConvolution(int k, int pad) {
        Conv2d conv = new Conv2d(IN_C, OUT_C, k, pad);
        SplittableRandom rng = new SplittableRandom(10 + k);
        float[] x = random(rng, BATCH * H * W * IN_C, 1);
        float[] wt = random(rng, conv.weightSize(), 1);
        float[] bias = random(rng, OUT_C, 1);
        int ho = conv.outSize(H);
        int wo = conv.outSize(W);
        assertEquals(H + 2 * pad - k + 1, ho);
        float[] out = new float[BATCH * ho * wo * OUT_C];
        conv.forward(out, new float[BATCH * ho * wo * conv.patchSize()], x, wt, bias, BATCH, H, W);
        for (int b = 0; b < BATCH; b++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    for (int co = 0; co < OUT_C; co++) {
                        assertEquals(naive(x, wt, bias, k, pad, b, oy, ox, co),
                                out[((b * ho + oy) * wo + ox) * OUT_C + co], 1e-5, "at " + b + "," + oy + "," + ox + "," + co);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 1", "2, 0"})
    void gradientsMatchFiniteDifferences(int k, int pad) {
        Conv2d conv = new Conv2d(IN_C, OUT_C, k, pad);
        SplittableRandom rng = new SplittableRandom(20 + k);
        int ho = conv.outSize(H);
        int wo = conv.outSize(W);
        float[] x = random(rng, BATCH * H * W * IN_C, 1);
        float[] wt = random(rng, conv.weightSize(), 1);
        float[] bias = random(rng, OUT_C, 1);
        float[] r = random(rng, BATCH * ho * wo * OUT_C, 1);
        float[] out = new float[r.length];
        float[] cols = new float[BATCH * ho * wo * conv.patchSize()];
        DoubleSupplier loss = () -> {
            conv.forward(out, cols, x, wt, bias, BATCH, H, W);
            return dot(out, r);
        };
        loss.getAsDouble();
        float[] dx = new float[x.length];
        float[] dw = new float[wt.length];
        float[] db = new float[bias.length];
        conv.backward(dx, dw, db, r, cols, wt, BATCH, H, W);
        assertGradientClose("dIn", dx, numericGradient(x, loss, 1e-2f), 1e-3);
        assertGradientClose("dWeight", dw, numericGradient(wt, loss, 1e-2f), 1e-3);
        assertGradientClose("dBias", db, numericGradient(bias, loss, 1e-2f), 1e-3);

        // Without an input gradient (the first layer) the weight gradients are the same.
        float[] dw2 = new float[wt.length];
        float[] db2 = new float[bias.length];
        conv.backward(null, dw2, db2, r, cols, wt, BATCH, H, W);
        assertArrayEquals(dw, dw2, 0f);
        assertArrayEquals(db, db2, 0f);
    }

    @Test
    void rejectsBadGeometry() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 1, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 5, 0).outSize(3));
    }
}
