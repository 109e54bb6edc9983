package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * GroupNorm with affine parameters on channels-last images, optionally followed by SiLU (as every GroupNorm of the
 * SD-VAE decoder but the attention's is):
 * <pre>
 * x, y  [batch, pixels, channels]; group g holds channels [g*C/G, (g+1)*C/G)
 * y = (x - mean_bg) / sqrt(var_bg + eps) * gamma_c + beta_c       mean and (biased) variance over pixels x group
 * </pre>
 * Two passes (mean, then centred variance) over fixed chunks of pixels: per-channel float sums within a chunk,
 * double across chunks, so the result does not depend on the thread count. In place allowed.
 */
public final class GroupNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Pixels per partial sum. */
    private static final int CHUNK = 256;

    private GroupNorm() {
    }

    public static void forward(float[] x, float[] y, int batch, int pixels, int channels, int groups, float eps,
                               float[] gamma, float[] beta, boolean silu) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("group norm: " + channels + " channels do not split into " + groups + " groups");
        }
        int chunks = (pixels + CHUNK - 1) / CHUNK;
        double count = (double) pixels * (channels / groups);
        float[] mean = new float[batch * channels];
        double[] partial = new double[batch * chunks * channels];
        channelSums(x, batch, pixels, channels, chunks, null, partial);
        double[] groupMean = groupTotals(partial, batch, chunks, channels, groups, count);
        spread(groupMean, batch, channels, groups, mean);
        channelSums(x, batch, pixels, channels, chunks, mean, partial);
        double[] groupVar = groupTotals(partial, batch, chunks, channels, groups, count);
        // y = x * a_c + b_c with a_c = gamma_c / sqrt(var + eps), b_c = beta_c - mean * a_c.
        float[] a = new float[batch * channels];
        float[] b = new float[batch * channels];
        int per = channels / groups;
        for (int bc = 0; bc < batch * channels; bc++) {
            int g = (bc / channels) * groups + (bc % channels) / per;
            double inv = 1.0 / Math.sqrt(groupVar[g] + eps);
            a[bc] = (float) (gamma[bc % channels] * inv);
            b[bc] = (float) (beta[bc % channels] - groupMean[g] * gamma[bc % channels] * inv);
        }
        Parallel.parallelFor(0, batch * pixels, r -> apply(x, y, r, channels, a, b, (r / pixels) * channels, silu));
    }

    /** partial[b, chunk, c] = sum over the chunk's pixels of x, or of (x - centre[b, c])^2 where centre is given. */
    private static void channelSums(float[] x, int batch, int pixels, int channels, int chunks, float[] centre,
                                    double[] partial) {
        boolean squared = centre != null;
        Parallel.parallelFor(0, batch * chunks, task -> {
            int b = task / chunks;
            int p0 = (task % chunks) * CHUNK;
            int p1 = Math.min(pixels, p0 + CHUNK);
            float[] acc = new float[channels];
            int m = b * channels;
            for (int p = p0; p < p1; p++) {
                int o = (b * pixels + p) * channels;
                int j = 0;
                for (; j <= channels - L; j += L) {
                    FloatVector v = FloatVector.fromArray(S, x, o + j);
                    FloatVector s = FloatVector.fromArray(S, acc, j);
                    if (squared) {
                        v = v.sub(FloatVector.fromArray(S, centre, m + j));
                        s = v.fma(v, s);
                    } else {
                        s = s.add(v);
                    }
                    s.intoArray(acc, j);
                }
                for (; j < channels; j++) {
                    float v = x[o + j];
                    if (squared) {
                        v -= centre[m + j];
                        acc[j] += v * v;
                    } else {
                        acc[j] += v;
                    }
                }
            }
            int dst = task * channels;
            for (int c = 0; c < channels; c++) {
                partial[dst + c] = acc[c];
            }
        });
    }

    /** Per (batch, group): the sum of the partials over chunks and the group's channels, divided by count. */
    private static double[] groupTotals(double[] partial, int batch, int chunks, int channels, int groups, double count) {
        double[] total = new double[batch * groups];
        int per = channels / groups;
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < chunks; ch++) {
                int o = (b * chunks + ch) * channels;
                for (int c = 0; c < channels; c++) {
                    total[b * groups + c / per] += partial[o + c];
                }
            }
        }
        for (int i = 0; i < total.length; i++) {
            total[i] /= count;
        }
        return total;
    }

    private static void spread(double[] perGroup, int batch, int channels, int groups, float[] perChannel) {
        int per = channels / groups;
        for (int bc = 0; bc < batch * channels; bc++) {
            perChannel[bc] = (float) perGroup[(bc / channels) * groups + (bc % channels) / per];
        }
    }

    /** One pixel row: y = x * a + b, then SiLU if asked. */
    private static void apply(float[] x, float[] y, int r, int channels, float[] a, float[] b, int ab, boolean silu) {
        int o = r * channels;
        int j = 0;
        for (; j <= channels - L; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, o + j)
                    .fma(FloatVector.fromArray(S, a, ab + j), FloatVector.fromArray(S, b, ab + j));
            if (silu) {
                v = v.div(VectorMath.exp(v.neg()).add(1f));
            }
            v.intoArray(y, o + j);
        }
        if (j < channels) {
            VectorMask<Float> m = S.indexInRange(j, channels);
            FloatVector v = FloatVector.fromArray(S, x, o + j, m)
                    .fma(FloatVector.fromArray(S, a, ab + j, m), FloatVector.fromArray(S, b, ab + j, m));
            if (silu) {
                v = v.div(VectorMath.exp(v.neg()).add(1f));
            }
            v.intoArray(y, o + j, m);
        }
    }
}
