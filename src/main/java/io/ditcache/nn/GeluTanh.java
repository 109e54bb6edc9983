package io.ditcache.nn;

import io.ditcache.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU with the tanh approximation (the DiT MLP's {@code approximate="tanh"}), forward and backward. The forward's
 * tanh runs on {@link VectorMath} for full vectors and the one masked tail vector alike, as {@link Silu}'s exp.
 */
public final class GeluTanh {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final float C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float A = 0.044715f;

    private GeluTanh() {
    }

    /** x [n]  ->  out [n] = 0.5 x (1 + tanh(c (x + a x^3))); out may be x. */
    public static void forward(float[] x, float[] out, int n) {
        Elementwise.forEachChunk(n, (lo, end) -> {
            int i = lo;
            FloatVector half = FloatVector.broadcast(S, 0.5f);
            FloatVector one = FloatVector.broadcast(S, 1f);
            FloatVector k0 = FloatVector.broadcast(S, C);
            FloatVector k1 = FloatVector.broadcast(S, A * C);
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

    /** dOut, x (the pre-activation) [n]  ->  dX [n] = dOut * gelu'(x); dX may alias dOut. */
    public static void backward(float[] dOut, float[] x, float[] dX, int n) {
        Elementwise.forEachChunk(n, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float v = x[i];
                float th = (float) Math.tanh(C * (v + A * v * v * v));
                float grad = 0.5f * (1f + th) + 0.5f * v * (1f - th * th) * C * (1f + 3f * A * v * v);
                dX[i] = dOut[i] * grad;
            }
        });
    }
}
