package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row kernels used across packages, on the Vector API: a row bias ({@link Gemm}, the VAE) and a row softmax
 * (attention in {@code nn} and the VAE); the DiT ops' own loops live in {@code io.ditcache.nn}. The softmax's exp
 * runs on {@link VectorMath} for whole vectors and one masked tail vector alike, so results never depend on JIT state
 * or position. (Masked operations are slow on JDK 17, so only tails use them.)
 */
public final class Ops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

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
