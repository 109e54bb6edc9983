package io.ditcache.nn;

import io.ditcache.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * SiLU {@code x sigmoid(x)} (the conditioning path and the timestep MLP), forward and backward. The forward's exp runs
 * on {@link VectorMath} for full vectors and the one masked tail vector alike, so a value's result does not depend on
 * its position in the array.
 */
public final class Silu {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Silu() {
    }

    /** x [n]  ->  out [n]; out may be x. */
    public static void forward(float[] x, float[] out, int n) {
        Elementwise.forEachChunk(n, (lo, end) -> {
            int i = lo;
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

    /** dOut, x (the pre-activation) [n]  ->  dX [n] = dOut * s (1 + x (1 - s)), s = sigmoid(x); dX may alias dOut. */
    public static void backward(float[] dOut, float[] x, float[] dX, int n) {
        Elementwise.forEachChunk(n, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float v = x[i];
                float s = 1f / (1f + (float) Math.exp(-v));
                dX[i] = dOut[i] * s * (1f + v * (1f - s));
            }
        });
    }
}
