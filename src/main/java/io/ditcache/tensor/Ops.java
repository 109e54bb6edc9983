package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and row-wise kernels of the DiT forward pass, on the Vector API. Shapes are given explicitly;
 * tokens are rows of width {@code d}, grouped into {@code batch} samples of {@code tokens} rows.
 * Each loop runs full vectors and finishes the tail with the same formula in scalar code; exp and tanh run on
 * {@link VectorMath} for whole vectors and one masked tail vector alike, so results never depend on JIT state or
 * position. (Masked operations are slow on JDK 17, so only tails use them.)
 */
public final class Ops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    /** Elements per parallel chunk of the element-wise kernels. */
    private static final int CHUNK = 1 << 14;

    private Ops() {
    }

    /** {@code y[r, :] += bias} for each of {@code rows} rows of width {@code n}. */
    public static void addRowBias(float[] y, int rows, int n, float[] bias) {
        Parallel.parallelFor(0, rows, r -> {
            int o = r * n;
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector.fromArray(S, y, o + j).add(FloatVector.fromArray(S, bias, j)).intoArray(y, o + j);
            }
            for (; j < n; j++) {
                y[o + j] += bias[j];
            }
        });
    }

    /**
     * LayerNorm without affine parameters over rows of width {@code d}: {@code out = (x - mean) / sqrt(var + eps)}.
     * Two passes (mean, then centred variance) keep the variance accurate; in place allowed.
     */
    public static void layerNorm(float[] x, float[] out, int rows, int d, float eps) {
        Parallel.parallelFor(0, rows, r -> {
            int o = r * d;
            int j = 0;
            FloatVector acc = FloatVector.zero(S);
            for (; j <= d - L; j += L) {
                acc = acc.add(FloatVector.fromArray(S, x, o + j));
            }
            float sum = VectorMath.sum(acc);
            for (; j < d; j++) {
                sum += x[o + j];
            }
            float mean = sum / d;
            FloatVector m = FloatVector.broadcast(S, mean);
            acc = FloatVector.zero(S);
            for (j = 0; j <= d - L; j += L) {
                FloatVector c = FloatVector.fromArray(S, x, o + j).sub(m);
                acc = c.fma(c, acc);
            }
            float var = VectorMath.sum(acc);
            for (; j < d; j++) {
                float c = x[o + j] - mean;
                var += c * c;
            }
            float inv = (float) (1.0 / Math.sqrt(var / d + eps));
            FloatVector vinv = FloatVector.broadcast(S, inv);
            for (j = 0; j <= d - L; j += L) {
                FloatVector.fromArray(S, x, o + j).sub(m).mul(vinv).intoArray(out, o + j);
            }
            for (; j < d; j++) {
                out[o + j] = (x[o + j] - mean) * inv;
            }
        });
    }

    /** GELU with the tanh approximation, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}; in place allowed. */
    public static void geluTanh(float[] x, float[] out, int n) {
        Parallel.parallelFor(0, (n + CHUNK - 1) / CHUNK, ch -> {
            int i = ch * CHUNK;
            int end = Math.min(n, i + CHUNK);
            FloatVector half = FloatVector.broadcast(S, 0.5f);
            FloatVector one = FloatVector.broadcast(S, 1f);
            FloatVector k0 = FloatVector.broadcast(S, SQRT_2_OVER_PI);
            FloatVector k1 = FloatVector.broadcast(S, 0.044715f * SQRT_2_OVER_PI);
            for (; i <= end - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                FloatVector u = v.mul(v).fma(k1, k0).mul(v);
                v.mul(half).mul(VectorMath.tanh(u).add(one)).intoArray(out, i);
            }
            if (i < end) {
                VectorMask<Float> m = S.indexInRange(i, end);
                FloatVector v = FloatVector.fromArray(S, x, i, m);
                FloatVector u = v.mul(v).fma(k1, k0).mul(v);
                v.mul(half).mul(VectorMath.tanh(u).add(one)).intoArray(out, i, m);
            }
        });
    }

    /** SiLU {@code x * sigmoid(x)}, in place allowed. */
    public static void silu(float[] x, float[] out, int n) {
        Parallel.parallelFor(0, (n + CHUNK - 1) / CHUNK, ch -> {
            int i = ch * CHUNK;
            int end = Math.min(n, i + CHUNK);
            FloatVector one = FloatVector.broadcast(S, 1f);
            for (; i <= end - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                v.div(VectorMath.exp(v.neg()).add(one)).intoArray(out, i);
            }
            if (i < end) {
                VectorMask<Float> m = S.indexInRange(i, end);
                FloatVector v = FloatVector.fromArray(S, x, i, m);
                v.div(VectorMath.exp(v.neg()).add(one)).intoArray(out, i, m);
            }
        });
    }

    /**
     * adaLN modulation, {@code out = x * (1 + scale) + shift}, broadcast over tokens.
     * x and out are [batch, tokens, d]; shift and scale are read from rows of width {@code stride} at
     * column offsets {@code shiftOff} and {@code scaleOff} (the chunked adaLN output).
     */
    public static void modulate(float[] x, float[] out, int batch, int tokens, int d,
                                float[] mod, int stride, int shiftOff, int scaleOff) {
        Parallel.parallelFor(0, batch * tokens, r -> {
            int o = r * d;
            int sh = (r / tokens) * stride + shiftOff;
            int sc = (r / tokens) * stride + scaleOff;
            int j = 0;
            for (; j <= d - L; j += L) {
                FloatVector scale = FloatVector.fromArray(S, mod, sc + j).add(1f);
                FloatVector.fromArray(S, x, o + j).fma(scale, FloatVector.fromArray(S, mod, sh + j)).intoArray(out, o + j);
            }
            for (; j < d; j++) {
                out[o + j] = x[o + j] * (1f + mod[sc + j]) + mod[sh + j];
            }
        });
    }

    /** Gated residual add, {@code x += gate * y}, gate broadcast over tokens, read like {@link #modulate}. */
    public static void gatedAdd(float[] x, float[] y, int batch, int tokens, int d,
                                float[] mod, int stride, int gateOff) {
        Parallel.parallelFor(0, batch * tokens, r -> {
            int o = r * d;
            int g = (r / tokens) * stride + gateOff;
            int j = 0;
            for (; j <= d - L; j += L) {
                FloatVector.fromArray(S, mod, g + j).fma(FloatVector.fromArray(S, y, o + j), FloatVector.fromArray(S, x, o + j))
                        .intoArray(x, o + j);
            }
            for (; j < d; j++) {
                x[o + j] += mod[g + j] * y[o + j];
            }
        });
    }

    /** Numerically stable softmax over each row of width {@code n}, in place. */
    public static void softmaxRows(float[] x, int off, int rows, int n) {
        softmaxRows(x, off, rows, n, 1f);
    }

    /**
     * {@code x[r, :] = softmax(scale * x[r, :])} over rows of width {@code n}, in place, on the calling thread
     * (attention calls it per head from its own parallel loop).
     */
    public static void softmaxRows(float[] x, int off, int rows, int n, float scale) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * n;
            int j = 0;
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; j <= n - L; j += L) {
                vmax = vmax.max(FloatVector.fromArray(S, x, o + j));
            }
            float max = vmax.reduceLanes(VectorOperators.MAX);
            for (; j < n; j++) {
                max = Math.max(max, x[o + j]);
            }
            float shift = -max * scale;
            FloatVector vs = FloatVector.broadcast(S, scale);
            FloatVector vshift = FloatVector.broadcast(S, shift);
            FloatVector acc = FloatVector.zero(S);
            for (j = 0; j <= n - L; j += L) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, o + j).fma(vs, vshift));
                e.intoArray(x, o + j);
                acc = acc.add(e);
            }
            if (j < n) {
                VectorMask<Float> m = S.indexInRange(o + j, o + n);
                FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, o + j, m).fma(vs, vshift));
                e.intoArray(x, o + j, m);
                acc = acc.add(e, m);
            }
            float sum = VectorMath.sum(acc);
            float inv = 1f / sum;
            FloatVector vinv = FloatVector.broadcast(S, inv);
            for (j = 0; j <= n - L; j += L) {
                FloatVector.fromArray(S, x, o + j).mul(vinv).intoArray(x, o + j);
            }
            for (; j < n; j++) {
                x[o + j] *= inv;
            }
        }
    }
}
