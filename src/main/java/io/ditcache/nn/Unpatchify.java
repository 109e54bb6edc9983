package io.ditcache.nn;

import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Patches;

/**
 * DiT's unpatchify: token vectors [batch, tokens, p*p*c], read (row, column, channel) with the channel fastest,
 * to images [batch, c, size, size]. A permutation, so the backward is the inverse gather.
 */
public final class Unpatchify {
    private Unpatchify() {
    }

    /** tokens [batch, (size/p)^2, p*p*c]  ->  out [batch, c, size, size]. */
    public static void forward(float[] tokens, int batch, int c, int size, int p, float[] out) {
        Patches.unpatchify(tokens, batch, c, size, p, out);
    }

    /** dOut [batch, c, size, size]  ->  dTokens [batch, (size/p)^2, p*p*c] (written). */
    public static void backward(float[] dOut, int batch, int c, int size, int p, float[] dTokens) {
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
                            dTokens[t + (py * p + px) * c + ch] = dOut[((b * c + ch) * size + gi * p + py) * size + gj * p + px];
                        }
                    }
                }
            }
        });
    }
}
