package io.ditcache.nn;

import io.ditcache.tensor.Ops;

/** GELU with the tanh approximation (the DiT MLP's {@code approximate="tanh"}), forward and backward. */
public final class GeluTanh {
    private static final float C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float A = 0.044715f;

    private GeluTanh() {
    }

    /** x [n]  ->  out [n] = 0.5 x (1 + tanh(c (x + a x^3))); out may be x. */
    public static void forward(float[] x, float[] out, int n) {
        Ops.geluTanh(x, out, n);
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
