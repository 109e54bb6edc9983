package io.ditcache.tensor;

import static io.ditcache.tensor.Reference.assertClose;
import static io.ditcache.tensor.Reference.random;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GroupNorm (and its SiLU) against a two-pass double loop, with channel counts off the vector width. */
class GroupNormTest {
    @ParameterizedTest
    @CsvSource({"2, 37, 32, 4, false", "1, 700, 20, 5, true", "3, 9, 12, 12, true", "2, 300, 64, 32, false"})
    void matchesTheDoubleLoop(int batch, int pixels, int channels, int groups, boolean silu) {
        Random rng = new Random(pixels);
        float[] x = random(rng, batch * pixels * channels);
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 + 2 * x[i];   // an offset mean: the variance must be centred
        }
        float[] gamma = random(rng, channels);
        float[] beta = random(rng, channels);
        int per = channels / groups;
        double[] want = new double[x.length];
        for (int b = 0; b < batch; b++) {
            for (int g = 0; g < groups; g++) {
                double sum = 0;
                double sq = 0;
                for (int p = 0; p < pixels; p++) {
                    for (int c = g * per; c < (g + 1) * per; c++) {
                        sum += x[(b * pixels + p) * channels + c];
                    }
                }
                double mean = sum / (pixels * per);
                for (int p = 0; p < pixels; p++) {
                    for (int c = g * per; c < (g + 1) * per; c++) {
                        double d = x[(b * pixels + p) * channels + c] - mean;
                        sq += d * d;
                    }
                }
                double inv = 1 / Math.sqrt(sq / (pixels * per) + 1e-6);
                for (int p = 0; p < pixels; p++) {
                    for (int c = g * per; c < (g + 1) * per; c++) {
                        int i = (b * pixels + p) * channels + c;
                        double v = (x[i] - mean) * inv * gamma[c] + beta[c];
                        want[i] = silu ? v / (1 + Math.exp(-v)) : v;
                    }
                }
            }
        }
        GroupNorm.forward(x, x, batch, pixels, channels, groups, 1e-6f, gamma, beta, silu);
        assertClose("group norm", want, x, 0, 1e-5);
    }
}
