package io.ditcache.nn;

import io.ditcache.tensor.Parallel;

/**
 * A stride-1 2-D convolution with zero padding, on channels-last images, forward and backward side by side.
 * It is im2col followed by a {@link Linear} layer over the patch rows (and col2im in the backward):
 * <pre>
 * in      [batch, h, w, inC]                   channels-last input
 * cols    [batch * ho * wo, inC * k * k]       one row per output pixel, patch in (inC, ky, kx) order
 * weight  [outC, inC * k * k]                  = PyTorch's Conv2d weight [outC, inC, k, k], flattened
 * out     [batch, ho, wo, outC] = cols * weight^T + bias      ho = h + 2 pad - k + 1, likewise wo
 * </pre>
 * Because the patch order matches PyTorch's weight layout, weights move to and from PyTorch unchanged.
 */
public final class Conv2d {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int padding;

    public Conv2d(int inChannels, int outChannels, int kernel, int padding) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || padding < 0) {
            throw new IllegalArgumentException("Conv2d: bad geometry in=" + inChannels + " out=" + outChannels
                    + " kernel=" + kernel + " padding=" + padding);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.padding = padding;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    /** Length of one patch row, {@code inC * k * k}: the weight's row length. */
    public int patchSize() {
        return inChannels * kernel * kernel;
    }

    /** Number of weight elements, {@code outC * inC * k * k}. */
    public int weightSize() {
        return outChannels * patchSize();
    }

    /** Output height (or width) for an input height (or width) {@code size}. */
    public int outSize(int size) {
        int o = size + 2 * padding - kernel + 1;
        if (o < 1) {
            throw new IllegalArgumentException("Conv2d: input size " + size + " too small for kernel " + kernel
                    + " with padding " + padding);
        }
        return o;
    }

    /**
     * out[batch, ho, wo, outC] from in[batch, h, w, inC]; {@code cols} [batch*ho*wo, patchSize] is filled with the
     * patches and must be kept for {@link #backward}. Overwrites {@code out}.
     */
    public void forward(float[] out, float[] cols, float[] in, float[] weight, float[] bias, int batch, int h, int w) {
        int rows = batch * outSize(h) * outSize(w);
        im2col(cols, in, batch, h, w);
        Linear.forward(cols, rows, patchSize(), weight, bias, outChannels, out);
    }

    /**
     * Gradients of {@link #forward}, ADDED into dIn[batch, h, w, inC] (skipped when null, e.g. for the first layer),
     * dWeight and dBias, from dOut[batch, ho, wo, outC] and the forward's {@code cols}.
     */
    public void backward(float[] dIn, float[] dWeight, float[] dBias, float[] dOut, float[] cols, float[] weight,
                         int batch, int h, int w) {
        int rows = batch * outSize(h) * outSize(w);
        float[] dCols = dIn == null ? null : new float[rows * patchSize()];
        Linear.backward(dOut, cols, weight, rows, patchSize(), outChannels, dCols, false, dWeight, dBias);
        if (dIn != null) {
            col2im(dIn, dCols, batch, h, w);
        }
    }

    /** cols[(b, oy, ox), (ci, ky, kx)] = in[b, oy + ky - pad, ox + kx - pad, ci], zero outside the image. */
    void im2col(float[] cols, float[] in, int batch, int h, int w) {
        int ho = outSize(h);
        int wo = outSize(w);
        int p = patchSize();
        Parallel.parallelFor(0, batch * ho, row -> {
            int b = row / ho;
            int oy = row % ho;
            for (int ox = 0; ox < wo; ox++) {
                int c = (row * wo + ox) * p;
                for (int ci = 0; ci < inChannels; ci++) {
                    for (int ky = 0; ky < kernel; ky++) {
                        int iy = oy + ky - padding;
                        for (int kx = 0; kx < kernel; kx++) {
                            int ix = ox + kx - padding;
                            boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                            cols[c++] = inside ? in[((b * h + iy) * w + ix) * inChannels + ci] : 0f;
                        }
                    }
                }
            }
        });
    }

    /** The adjoint of {@link #im2col}: dIn[b, iy, ix, ci] += every dCols entry that was copied from there. */
    void col2im(float[] dIn, float[] dCols, int batch, int h, int w) {
        int ho = outSize(h);
        int wo = outSize(w);
        int p = patchSize();
        // One image per task: patches of different images never touch the same input pixel.
        Parallel.parallelFor(0, batch, b -> {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    int c = ((b * ho + oy) * wo + ox) * p;
                    for (int ci = 0; ci < inChannels; ci++) {
                        for (int ky = 0; ky < kernel; ky++) {
                            int iy = oy + ky - padding;
                            for (int kx = 0; kx < kernel; kx++, c++) {
                                int ix = ox + kx - padding;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    dIn[((b * h + iy) * w + ix) * inChannels + ci] += dCols[c];
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}
