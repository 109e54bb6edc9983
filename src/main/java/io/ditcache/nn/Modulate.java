package io.ditcache.nn;

import io.ditcache.tensor.Ops;
import io.ditcache.tensor.Parallel;

/**
 * adaLN modulation {@code out = x (1 + scale) + shift}, shift and scale per sample, broadcast over tokens, read from
 * rows of width {@code stride} at column offsets {@code shiftOff} and {@code scaleOff} (the chunked adaLN output).
 */
public final class Modulate {
    private Modulate() {
    }

    /** x [batch, tokens, d], mod [batch, stride]  ->  out [batch, tokens, d]; out may be x. */
    public static void forward(float[] x, float[] out, int batch, int tokens, int d,
                               float[] mod, int stride, int shiftOff, int scaleOff) {
        Ops.modulate(x, out, batch, tokens, d, mod, stride, shiftOff, scaleOff);
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
