package io.ditcache.tensor;

/**
 * Patchify and unpatchify between images [batch, channels, size, size] and token rows.
 * {@link #extract} lays a patch out as (channel, row, column), the order of a Conv2d weight [D, C, p, p],
 * so the patch embedding is one GEMM. {@link #unpatchify} reads a token's vector as (row, column, channel),
 * channel fastest, which is DiT's {@code einsum('nhwpqc->nchpwq')}.
 */
public final class Patches {
    private Patches() {
    }

    /** x [batch, c, size, size] to out [batch, (size/p)^2, c*p*p], tokens in row-major grid order. */
    public static void extract(float[] x, int batch, int c, int size, int p, float[] out) {
        int g = size / p;
        int width = c * p * p;
        Parallel.parallelFor(0, batch * g, bi -> {
            int b = bi / g;
            int gi = bi % g;
            for (int gj = 0; gj < g; gj++) {
                int o = ((b * g + gi) * g + gj) * width;
                for (int ch = 0; ch < c; ch++) {
                    for (int py = 0; py < p; py++) {
                        int src = ((b * c + ch) * size + gi * p + py) * size + gj * p;
                        System.arraycopy(x, src, out, o + (ch * p + py) * p, p);
                    }
                }
            }
        });
    }

    /** tokens [batch, (size/p)^2, p*p*c] to out [batch, c, size, size]. */
    public static void unpatchify(float[] tokens, int batch, int c, int size, int p, float[] out) {
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
                            out[((b * c + ch) * size + gi * p + py) * size + gj * p + px] = tokens[t + (py * p + px) * c + ch];
                        }
                    }
                }
            }
        });
    }
}
