package io.ditcache.nn;

import io.ditcache.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The adaLN-Zero gated residual {@code x += g u}, gate g per sample broadcast over tokens, read from rows of width
 * {@code stride} at column offset {@code gateOff}. The residual path is the identity, so dL/dx passes through.
 */
public final class GatedResidual {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private GatedResidual() {
    }

    /** x, u [batch, tokens, d], mod [batch, stride]: x += g u in place. */
    public static void forward(float[] x, float[] u, int batch, int tokens, int d, float[] mod, int stride, int gateOff) {
        Parallel.parallelFor(0, batch * tokens, r -> {
            int o = r * d;
            int g = (r / tokens) * stride + gateOff;
            int j = 0;
            for (; j <= d - L; j += L) {
                FloatVector.fromArray(S, mod, g + j).fma(FloatVector.fromArray(S, u, o + j), FloatVector.fromArray(S, x, o + j))
                        .intoArray(x, o + j);
            }
            for (; j < d; j++) {
                x[o + j] += mod[g + j] * u[o + j];
            }
        });
    }

    /**
     * dX [batch, tokens, d], the gradient of the updated x (and so of the x before it)  ->  dU = g dX (written);
     * when dMod is not null also dGate += sum_t dX u into dMod at {@code gateOff} (u is only read then).
     */
    public static void backward(float[] dX, float[] u, int batch, int tokens, int d, float[] mod, int stride,
                                int gateOff, float[] dU, float[] dMod) {
        if (dMod != null) {
            TokenSums.accumulate(dX, u, batch, tokens, d, dMod, stride, gateOff);
        }
        Parallel.parallelFor(0, batch * tokens, r -> {
            int o = r * d;
            int g = (r / tokens) * stride + gateOff;
            for (int j = 0; j < d; j++) {
                dU[o + j] = mod[g + j] * dX[o + j];
            }
        });
    }
}
