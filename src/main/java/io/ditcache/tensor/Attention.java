package io.ditcache.tensor;

/**
 * Multi-head self-attention core: from the packed qkv projection to the concatenated heads, before the output
 * projection. Layout as timm's Attention: a token's qkv row holds q[0:D), k[D:2D), v[2D:3D); head h owns
 * dims [h*hd, (h+1)*hd) inside each.
 */
public final class Attention {
    private Attention() {
    }

    /**
     * @param qkv [batch, tokens, 3*d]
     * @param out [batch, tokens, d], softmax(q k^T / sqrt(hd)) v per head
     */
    public static void forward(float[] qkv, float[] out, int batch, int tokens, int d, int heads) {
        int hd = d / heads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        int row = 3 * d;
        Parallel.parallelFor(0, batch * heads, bh -> {
            int b = bh / heads;
            int h = bh % heads;
            float[] scores = new float[tokens];
            int base = b * tokens * row;
            for (int i = 0; i < tokens; i++) {
                int qo = base + i * row + h * hd;
                for (int j = 0; j < tokens; j++) {
                    int ko = base + j * row + d + h * hd;
                    float s = 0f;
                    for (int e = 0; e < hd; e++) {
                        s += qkv[qo + e] * qkv[ko + e];
                    }
                    scores[j] = s * scale;
                }
                Ops.softmaxRows(scores, 0, 1, tokens);
                int oo = (b * tokens + i) * d + h * hd;
                for (int e = 0; e < hd; e++) {
                    out[oo + e] = 0f;
                }
                for (int j = 0; j < tokens; j++) {
                    int vo = base + j * row + 2 * d + h * hd;
                    float p = scores[j];
                    for (int e = 0; e < hd; e++) {
                        out[oo + e] += p * qkv[vo + e];
                    }
                }
            }
        });
    }
}
