package io.ditcache.nn;

import io.ditcache.tensor.Parallel;

/**
 * DiT's PatchEmbed (a Conv2d with kernel = stride = p, done as one GEMM over extracted patches) plus the fixed
 * position table. A patch row is laid out (channel, row, column), the order of the conv weight [D, C, p, p].
 */
public final class PatchEmbed {
    private PatchEmbed() {
    }

    /**
     * x [batch, c, size, size], w [d, c*p*p], bias [d], pos [tokens, d]  ->  h [batch*tokens, d] = patches W^T + b + pos.
     * Returns the extracted patches [batch*tokens, c*p*p] (the GEMM input).
     */
    public static float[] forward(float[] x, int batch, int c, int size, int p, float[] w, float[] bias, int d,
                                  float[] pos, float[] h) {
        int rows = batch * (size / p) * (size / p);
        float[] patches = patches(x, batch, c, size, p);
        Linear.forward(patches, rows, c * p * p, w, bias, d, h);
        addPositions(h, rows, d, pos);
        return patches;
    }

    /** x [batch, c, size, size]  ->  its patches [batch*tokens, c*p*p], the GEMM input. */
    public static float[] patches(float[] x, int batch, int c, int size, int p) {
        float[] patches = new float[batch * (size / p) * (size / p) * c * p * p];
        extract(x, batch, c, size, p, patches);
        return patches;
    }

    /** x [batch, c, size, size]  ->  out [batch, (size/p)^2, c*p*p], tokens in row-major grid order. */
    static void extract(float[] x, int batch, int c, int size, int p, float[] out) {
        copyPatches(x, out, batch, c, size, p, true);
    }

    /** h [rows, d] += the position table pos [tokens, d], repeated for every sample. */
    public static void addPositions(float[] h, int rows, int d, float[] pos) {
        int per = pos.length;
        for (int o = 0; o < rows * d; o += per) {
            for (int i = 0; i < per; i++) {
                h[o + i] += pos[i];
            }
        }
    }

    /**
     * dH [batch*tokens, d]  ->  dX [batch, c, size, size] (written, may be null), dW [d, c*p*p] and dBias [d]
     * accumulated (may be null; the patches of x are re-extracted for dW). The position table is a buffer, no grad.
     */
    public static void backward(float[] dH, float[] x, int batch, int c, int size, int p, float[] w, int d,
                                float[] dX, float[] dW, float[] dBias) {
        int tokens = (size / p) * (size / p);
        int width = c * p * p;
        int rows = batch * tokens;
        float[] patches = null;
        if (dW != null) {
            patches = new float[rows * width];
            extract(x, batch, c, size, p, patches);
        }
        float[] dPatches = dX == null ? null : new float[rows * width];
        Linear.backward(dH, patches, w, rows, width, d, dPatches, false, dW, dBias);
        if (dX != null) {
            fold(dPatches, batch, c, size, p, dX);
        }
    }

    /** The inverse of {@link #extract}: patches [batch, tokens, c*p*p] back to images [batch, c, size, size]. */
    static void fold(float[] patches, int batch, int c, int size, int p, float[] out) {
        copyPatches(out, patches, batch, c, size, p, false);
    }

    /** Copies images [batch, c, size, size] to patches [batch, tokens, c*p*p] or back, one patch row of p at a time. */
    private static void copyPatches(float[] images, float[] patches, int batch, int c, int size, int p,
                                    boolean toPatches) {
        int g = size / p;
        int width = c * p * p;
        Parallel.parallelFor(0, batch * g, bi -> {
            int b = bi / g;
            int gi = bi % g;
            for (int gj = 0; gj < g; gj++) {
                int o = ((b * g + gi) * g + gj) * width;
                for (int ch = 0; ch < c; ch++) {
                    for (int py = 0; py < p; py++) {
                        int image = ((b * c + ch) * size + gi * p + py) * size + gj * p;
                        int patch = o + (ch * p + py) * p;
                        if (toPatches) {
                            System.arraycopy(images, image, patches, patch, p);
                        } else {
                            System.arraycopy(patches, patch, images, image, p);
                        }
                    }
                }
            }
        });
    }
}
