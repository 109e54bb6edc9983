package io.ditcache.nn;

import io.ditcache.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * adaLN modulation {@code out = x (1 + scale) + shift}, shift and scale per sample, broadcast over tokens, read from
 * rows of width {@code stride} at column offsets {@code shiftOff} and {@code scaleOff} (the chunked adaLN output).
 */
public final class Modulate {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Modulate() {
    }

    /** x [batch, tokens, d], mod [batch, stride]  ->  out [batch, tokens, d]; out may be x. */
    public static void forward(float[] x, float[] out, int batch, int tokens, int d,
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

    /**
     * dOut, x [batch, tokens, d]  ->  dX = dOut (1 + scale) (dX may alias dOut); when dMod is not null also
     * dShift += sum_t dOut and dScale += sum_t dOut x into dMod [batch, stride] at the same offsets (x is only read then).
     */
    public static void backward(float[] dOut, float[] x, int batch, int tokens, int d, float[] mod, int stride,
                                int shiftOff, int scaleOff, float[] dX, float[] dMod) {
        if (dMod != null) {
            TokenSums.accumulate(dOut, null, batch, tokens, d, dMod, stride, shiftOff);
            TokenSums.accumulate(dOut, x, batch, tokens, d, dMod, stride, scaleOff);
        }
        Parallel.parallelFor(0, batch * tokens, r -> {
            int o = r * d;
            int s = (r / tokens) * stride + scaleOff;
            for (int j = 0; j < d; j++) {
                dX[o + j] = dOut[o + j] * (1f + mod[s + j]);
            }
        });
    }
}
