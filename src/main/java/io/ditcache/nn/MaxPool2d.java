package io.ditcache.nn;

import io.ditcache.tensor.Parallel;

/**
 * 2x2 max pooling with stride 2 on channels-last images [batch, h, w, c] (h and w even), forward and backward.
 * The forward records where each maximum came from, so the backward routes each gradient to that one input.
 */
public final class MaxPool2d {
    private MaxPool2d() {
    }

    /**
     * out[batch, h/2, w/2, c] = max over each 2x2 window of in[batch, h, w, c]; argmax[same size as out] gets the
     * flat index into {@code in} of the chosen element (the first maximum in row-major window order on ties).
     */
    public static void forward(float[] out, int[] argmax, float[] in, int batch, int h, int w, int c) {
        if ((h & 1) != 0 || (w & 1) != 0) {
            throw new IllegalArgumentException("MaxPool2d needs even height and width, got " + h + "x" + w);
        }
        int ho = h / 2;
        int wo = w / 2;
        Parallel.parallelFor(0, batch * ho, row -> {
            int b = row / ho;
            int oy = row % ho;
            for (int ox = 0; ox < wo; ox++) {
                int o = ((b * ho + oy) * wo + ox) * c;
                int topLeft = ((b * h + 2 * oy) * w + 2 * ox) * c;
                for (int ch = 0; ch < c; ch++) {
                    int best = topLeft + ch;
                    for (int k = 1; k < 4; k++) {
                        int i = topLeft + ((k >> 1) * w + (k & 1)) * c + ch;
                        if (in[i] > in[best]) {
                            best = i;
                        }
                    }
                    out[o + ch] = in[best];
                    argmax[o + ch] = best;
                }
            }
        });
    }

    /** dIn[argmax[i]] += dOut[i] for each of the {@code n} pooled outputs (windows do not overlap). */
    public static void backward(float[] dIn, float[] dOut, int[] argmax, int n) {
        for (int i = 0; i < n; i++) {
            dIn[argmax[i]] += dOut[i];
        }
    }
}
