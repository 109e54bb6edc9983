package io.ditcache.nn;

import io.ditcache.tensor.Ops;

/** SiLU {@code x sigmoid(x)} (the conditioning path and the timestep MLP), forward and backward. */
public final class Silu {
    private Silu() {
    }

    /** x [n]  ->  out [n]; out may be x. */
    public static void forward(float[] x, float[] out, int n) {
        Ops.silu(x, out, n);
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
