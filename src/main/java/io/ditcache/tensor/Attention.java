package io.ditcache.tensor;

/**
 * Multi-head self-attention core: from the packed qkv projection to the concatenated heads, before the output
 * projection. Layout as timm's Attention: a token's qkv row holds q[0:D), k[D:2D), v[2D:3D); head h owns
 * dims [h*hd, (h+1)*hd) inside each. Each (sample, head) is one task: {@code S = Q K^T} and {@code O = P V} are
 * strided {@link Gemm} calls straight on the qkv rows, with the softmax in between.
 */
public final class Attention {
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    private Attention() {
    }

    /**
     * @param qkv [batch, tokens, 3*d]
     * @param out [batch, tokens, d], softmax(q k^T / sqrt(hd)) v per head
     */
    public static void forward(float[] qkv, float[] out, int batch, int tokens, int d, int heads) {
        forward(qkv, out, null, batch, tokens, d, heads);
    }

    /**
     * As {@link #forward(float[], float[], int, int, int, int)}, also keeping the attention probabilities
     * (needed by the backward pass).
     *
     * @param probs [batch, heads, tokens, tokens] softmax probabilities, written when non-null
     */
    public static void forward(float[] qkv, float[] out, float[] probs, int batch, int tokens, int d, int heads) {
        if (d % heads != 0) {
            throw new IllegalArgumentException("attention: width " + d + " is not divisible by heads " + heads);
        }
        int hd = d / heads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        int row = 3 * d;
        int tt = tokens * tokens;
        Parallel.parallelFor(0, batch * heads, bh -> {
            int b = bh / heads;
            int h = bh % heads;
            float[] p;
            int pOff;
            if (probs != null) {
                p = probs;
                pOff = bh * tt;
            } else {
                p = SCORES.get();
                if (p.length < tt) {
                    p = new float[tt];
                    SCORES.set(p);
                }
                pOff = 0;
            }
            int q = b * tokens * row + h * hd;
            // S = Q K^T: Q rows and K rows are head slices of the qkv rows (stride 3d).
            Gemm.matmul(qkv, q, row, qkv, q + d, row, p, pOff, tokens, tokens, tokens, hd, false, true, false);
            Ops.softmaxRows(p, pOff, tokens, tokens, scale);
            // O = P V, written into this head's columns of out.
            Gemm.matmul(p, pOff, tokens, qkv, q + 2 * d, row, out, b * tokens * d + h * hd, d,
                    tokens, hd, tokens, false, false, false);
        });
    }
}
