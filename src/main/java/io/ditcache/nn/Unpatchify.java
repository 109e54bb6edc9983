package io.ditcache.nn;

import io.ditcache.tensor.Parallel;

/**
 * DiT's unpatchify ({@code einsum('nhwpqc->nchpwq')}): token vectors [batch, tokens, p*p*c], read (row, column,
 * channel) with the channel fastest, to images [batch, c, size, size]. A permutation, so the backward is the inverse
 * gather.
 */
public final class Unpatchify {
    private Unpatchify() {
    }

    /** tokens [batch, (size/p)^2, p*p*c]  ->  out [batch, c, size, size]. */
    public static void forward(float[] tokens, int batch, int c, int size, int p, float[] out) {
        permute(out, tokens, batch, c, size, p, true);
    }

    /** dOut [batch, c, size, size]  ->  dTokens [batch, (size/p)^2, p*p*c] (written). */
    public static void backward(float[] dOut, int batch, int c, int size, int p, float[] dTokens) {
        permute(dOut, dTokens, batch, c, size, p, false);
    }

    /** Copies tokens to images or, when not {@code toImages}, images to tokens. */
    private static void permute(float[] images, float[] tokens, int batch, int c, int size, int p, boolean toImages) {
        int g = size / p;
        int width = p * p * c;
        Parallel.parallelFor(0, batch * g, bi -> {
            int b = bi / g;
            int gi = bi % g;
            for (int gj = 0; gj < g; gj++) {
                int t = ((b * g + gi) * g + gj) * width;
                for (int py = 0; py < p; py++) {
                    for (int px = 0; px < p; px++) {
                        for (int ch = 0; ch < c; ch++) {
                            int image = ((b * c + ch) * size + gi * p + py) * size + gj * p + px;
                            int token = t + (py * p + px) * c + ch;
                            if (toImages) {
                                images[image] = tokens[token];
                            } else {
                                tokens[token] = images[image];
                            }
                        }
                    }
                }
            }
        });
    }
}
