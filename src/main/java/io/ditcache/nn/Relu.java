package io.ditcache.nn;

/** The rectifier {@code max(x, 0)}, forward and backward; works in place ({@code out == in}). */
public final class Relu {
    private Relu() {
    }

    /** out[i] = max(in[i], 0) for i in [0, n). */
    public static void forward(float[] out, float[] in, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(in[i], 0f);
        }
    }

    /** dIn[i] += dOut[i] where the forward's output was positive (the gradient at 0 is taken as 0, as in PyTorch). */
    public static void backward(float[] dIn, float[] dOut, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            if (out[i] > 0f) {
                dIn[i] += dOut[i];
            }
        }
    }
}
