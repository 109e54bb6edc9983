package io.ditcache.nn;

import io.ditcache.tensor.Parallel;

/**
 * The reduction shared by the backward of every per-sample vector broadcast over tokens (adaLN shift, scale, gate):
 * {@code acc[b*stride + off + j] += sum_t g[b,t,j] (* x[b,t,j])}.
 */
final class TokenSums {
    private static final int COLUMN_CHUNK = 128;

    private TokenSums() {
    }

    /**
     * @param g   [batch, tokens, d]
     * @param x   [batch, tokens, d] multiplied in, or null for a plain sum
     * @param acc rows of width {@code stride}, one per sample; the sum lands at column offset {@code off}
     */
    static void accumulate(float[] g, float[] x, int batch, int tokens, int d, float[] acc, int stride, int off) {
        int chunks = (d + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
        Parallel.parallelFor(0, batch * chunks, task -> {
            int b = task / chunks;
            int lo = (task % chunks) * COLUMN_CHUNK;
            int hi = Math.min(d, lo + COLUMN_CHUNK);
            double[] s = new double[hi - lo];
            for (int t = 0; t < tokens; t++) {
                int o = (b * tokens + t) * d;
                if (x == null) {
                    for (int j = lo; j < hi; j++) {
                        s[j - lo] += g[o + j];
                    }
                } else {
                    for (int j = lo; j < hi; j++) {
                        s[j - lo] += g[o + j] * x[o + j];
                    }
                }
            }
            int a = b * stride + off;
            for (int j = lo; j < hi; j++) {
                acc[a + j] += (float) s[j - lo];
            }
        });
    }
}
