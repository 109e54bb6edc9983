package io.ditcache.tensor;

import static io.ditcache.tensor.Reference.assertClose;
import static io.ditcache.tensor.Reference.random;
import static io.ditcache.tensor.Reference.withConvolution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.Convolution.Activation;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packed convolution, im2col and Winograd, against a direct loop over PyTorch's weight layout: upsampling,
 * residual, activation, (the last im2col case) two im2col bands, odd sizes and bands of a few Winograd tiles; and
 * the choice between the two.
 */
class ConvolutionTest {
    /** y[b, oy, ox, co] of conv(upsample?(x)) + bias (+ y0), then the activation, in double. */
    private static double[] naive(float[] x, float[] wt, float[] bias, float[] y0, int batch, int h, int w, int in,
                                  int out, int k, boolean up, Activation act) {
        int pad = k / 2;
        int sh = up ? h / 2 : h;
        int sw = up ? w / 2 : w;
        double[] y = new double[batch * h * w * out];
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < h; oy++) {
                for (int ox = 0; ox < w; ox++) {
                    for (int co = 0; co < out; co++) {
                        int o = ((b * h + oy) * w + ox) * out + co;
                        double s = (bias == null ? 0 : bias[co]) + (y0 == null ? 0 : y0[o]);
                        for (int ci = 0; ci < in; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy + ky - pad;
                                    int ix = ox + kx - pad;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    int sy = up ? iy / 2 : iy;
                                    int sx = up ? ix / 2 : ix;
                                    s += (double) x[((b * sh + sy) * sw + sx) * in + ci] * wt[((co * in + ci) * k + ky) * k + kx];
                                }
                            }
                        }
                        y[o] = act == Activation.RELU ? Math.max(0, s) : s;
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @CsvSource({"3, 3, 5, 2, 4, 6, false, false, NONE, true", "3, 19, 33, 1, 3, 5, false, true, RELU, true",
            "3, 17, 6, 4, 10, 8, true, false, NONE, true", "1, 21, 7, 3, 5, 7, false, true, NONE, true",
            "1, 5, 7, 8, 6, 4, true, true, RELU, false", "3, 64, 16, 2, 64, 64, false, true, RELU, false"})
    void matchesTheDirectLoop(int k, int in, int out, int batch, int h, int w, boolean up, boolean accumulate,
                              Activation act, boolean bias) {
        Random rng = new Random(31L * in + out);
        float[] wt = random(rng, out * in * k * k);
        float[] b = bias ? random(rng, out) : null;
        int sh = up ? h / 2 : h;
        int sw = up ? w / 2 : w;
        float[] x = random(rng, batch * sh * sw * in);
        float[] y = random(rng, batch * h * w * out);
        double[] want = naive(x, wt, b, accumulate ? y.clone() : null, batch, h, w, in, out, k, up, act);
        Convolution c = withConvolution("im2col", () -> Convolution.of(wt, b, out, in, k));
        c.forward(x, batch, h, w, up, y, accumulate, act);
        assertClose("conv k" + k + " " + in + "->" + out, want, y, 0, 1e-5 * Math.sqrt(in * k * k));
    }

    /**
     * Winograd F(2x2, 3x3): odd sizes (tiles past the edge), upsampling, residual, bias, ReLU, channels that are not
     * a multiple of the vector length, batches; {@code band} tiles per band (0: the default), so that bands end
     * inside an image row and inside a batch. The bound is im2col's, 1e-5 sqrt(9 in) of the output's scale; measured
     * (in = out = 19 to 512, random normal x and weights) Winograd's max error is 1.4e-7 to 7.9e-7 of the scale, below
     * im2col's 3.2e-7 to 1.7e-6 (its sums over 9 in terms are longer than the 16 of in terms).
     */
    @ParameterizedTest
    @CsvSource({"3, 5, 2, 4, 6, false, false, NONE, true, 0", "19, 33, 1, 7, 5, false, true, RELU, true, 3",
            "17, 6, 3, 10, 8, true, false, NONE, true, 5", "21, 7, 2, 9, 11, false, true, NONE, false, 1",
            "8, 16, 2, 6, 10, true, true, RELU, false, 7", "64, 64, 2, 13, 17, false, true, RELU, true, 0",
            "64, 64, 1, 16, 12, true, false, RELU, false, 4", "1, 1, 1, 1, 1, false, false, NONE, true, 0",
            "40, 24, 3, 3, 1, false, true, RELU, true, 2"})
    void winogradMatchesTheDirectLoop(int in, int out, int batch, int h, int w, boolean up, boolean accumulate,
                                      Activation act, boolean bias, int band) {
        Random rng = new Random(17L * in + out + h);
        float[] wt = random(rng, out * in * 9);
        float[] b = bias ? random(rng, out) : null;
        float[] x = random(rng, batch * (up ? h / 2 : h) * (up ? w / 2 : w) * in);
        float[] y = random(rng, batch * h * w * out);
        double[] want = naive(x, wt, b, accumulate ? y.clone() : null, batch, h, w, in, out, 3, up, act);
        WinogradConvolution c = band == 0 ? WinogradConvolution.of(wt, b, out, in)
                : WinogradConvolution.of(wt, b, out, in, band);
        c.forward(x, batch, h, w, up, y, accumulate, act);
        assertClose("winograd " + in + "->" + out + " " + h + "x" + w, want, y, 0, 1e-5 * Math.sqrt(in * 9));
    }

    @Test
    void winogradGivesTheSameBitsAtAnyThreadCountAndBandSize() {
        Random rng = new Random(5);
        int in = 64;
        int out = 64;
        int h = 37;
        int w = 30;
        float[] wt = random(rng, out * in * 9);
        float[] b = random(rng, out);
        float[] x = random(rng, 2 * h * w * in);
        float[] y0 = random(rng, 2 * h * w * out);
        float[][] ys = new float[4][];
        int[] threads = {1, 2, 3, 2};
        int[] bands = {0, 0, 0, 5};
        for (int r = 0; r < ys.length; r++) {
            WinogradConvolution c = bands[r] == 0 ? WinogradConvolution.of(wt, b, out, in)
                    : WinogradConvolution.of(wt, b, out, in, bands[r]);
            float[] y = y0.clone();
            Parallel.withThreads(threads[r], () -> {
                c.forward(x, 2, h, w, false, y, true, Activation.RELU);
                return null;
            });
            ys[r] = y;
        }
        for (int r = 1; r < ys.length; r++) {
            assertArrayEquals(ys[0], ys[r], threads[r] + " threads, band " + bands[r]);
        }
    }

    @Test
    void thePropertyChoosesTheAlgorithm() {
        float[] wt = random(new Random(1), 64 * 64 * 9);
        assertEquals(Convolution.winogradPays(64),
                withConvolution("auto", () -> Convolution.of(wt, null, 64, 64, 3)).winograd());
        assertFalse(withConvolution("auto", () -> Convolution.of(wt, null, 64 * 16, 4, 3)).winograd(), "4 inputs");
        assertTrue(withConvolution("winograd", () -> Convolution.of(wt, null, 64, 64, 3)).winograd());
        assertFalse(withConvolution("im2col", () -> Convolution.of(wt, null, 64, 64, 3)).winograd());
        assertFalse(withConvolution("winograd", () -> Convolution.of(wt, null, 64 * 9, 64, 1)).winograd(), "1x1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withConvolution("fft", () -> Convolution.of(wt, null, 64, 64, 3)));
        assertTrue(e.getMessage().contains("auto, im2col, winograd"), e.getMessage());
    }
}
