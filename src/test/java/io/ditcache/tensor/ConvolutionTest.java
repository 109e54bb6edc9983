package io.ditcache.tensor;

import static io.ditcache.tensor.Reference.assertClose;
import static io.ditcache.tensor.Reference.random;

import io.ditcache.tensor.Convolution.Activation;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packed convolution against a direct loop over PyTorch's weight layout: upsampling, residual, activation, and
 * (the last case) two im2col bands.
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
        Convolution.of(wt, b, out, in, k).forward(x, batch, h, w, up, y, accumulate, act);
        assertClose("conv k" + k + " " + in + "->" + out, want, y, 0, 1e-5 * Math.sqrt(in * k * k));
    }
}
