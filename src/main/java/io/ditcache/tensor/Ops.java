package io.ditcache.tensor;

/**
 * Element-wise and row-wise kernels of the DiT forward pass. Shapes are given explicitly;
 * tokens are rows of width {@code d}, grouped into {@code batch} samples of {@code tokens} rows.
 */
public final class Ops {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private Ops() {
    }

    /** {@code y[r, :] += bias} for each of {@code rows} rows of width {@code n}. */
    public static void addRowBias(float[] y, int rows, int n, float[] bias) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            for (int j = 0; j < n; j++) {
                y[o + j] += bias[j];
            }
        }
    }

    /** LayerNorm without affine parameters over rows of width {@code d}: {@code out = (x - mean) / sqrt(var + eps)}. */
    public static void layerNorm(float[] x, float[] out, int rows, int d, float eps) {
        Parallel.parallelFor(0, rows, r -> {
            int o = r * d;
            double mean = 0;
            for (int j = 0; j < d; j++) {
                mean += x[o + j];
            }
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = x[o + j] - mean;
                var += c * c;
            }
            var /= d;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            float m = (float) mean;
            for (int j = 0; j < d; j++) {
                out[o + j] = (x[o + j] - m) * inv;
            }
        });
    }

    /** GELU with the tanh approximation, in place allowed ({@code out == x}). */
    public static void geluTanh(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            out[i] = 0.5f * v * (1f + (float) Math.tanh(SQRT_2_OVER_PI * (v + 0.044715f * v * v * v)));
        }
    }

    /** SiLU {@code x * sigmoid(x)}, in place allowed. */
    public static void silu(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            out[i] = v / (1f + (float) Math.exp(-v));
        }
    }

    /**
     * adaLN modulation, {@code out = x * (1 + scale) + shift}, broadcast over tokens.
     * x and out are [batch, tokens, d]; shift and scale are read from rows of width {@code stride} at
     * column offsets {@code shiftOff} and {@code scaleOff} (the chunked adaLN output).
     */
    public static void modulate(float[] x, float[] out, int batch, int tokens, int d,
                                float[] mod, int stride, int shiftOff, int scaleOff) {
        Parallel.parallelFor(0, batch * tokens, r -> {
            int b = r / tokens;
            int o = r * d;
            int mb = b * stride;
            for (int j = 0; j < d; j++) {
                out[o + j] = x[o + j] * (1f + mod[mb + scaleOff + j]) + mod[mb + shiftOff + j];
            }
        });
    }

    /** Gated residual add, {@code x += gate * y}, gate broadcast over tokens, read like {@link #modulate}. */
    public static void gatedAdd(float[] x, float[] y, int batch, int tokens, int d,
                                float[] mod, int stride, int gateOff) {
        Parallel.parallelFor(0, batch * tokens, r -> {
            int b = r / tokens;
            int o = r * d;
            int mb = b * stride + gateOff;
            for (int j = 0; j < d; j++) {
                x[o + j] += mod[mb + j] * y[o + j];
            }
        });
    }

    /** Numerically stable softmax over each row of width {@code n}, in place. */
    public static void softmaxRows(float[] x, int off, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, x[o + j]);
            }
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(x[o + j] - max);
                x[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < n; j++) {
                x[o + j] *= inv;
            }
        }
    }
}
