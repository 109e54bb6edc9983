package io.ditcache.nn;

/**
 * DiT's {@code forward_with_cfg} combine on [2B, C_out, H, W] model output (conditional half first): on the guided
 * channels {@code e = e_u + s (e_c - e_u)} is written into both halves; the other channels stay per half.
 */
public final class CfgCombine {
    private CfgCombine() {
    }

    /** In place on o [2*batch, outC, hw]; channels [0, guided) are guided. */
    public static void forward(float[] o, int batch, int outC, int hw, int guided, float scale) {
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < guided; ch++) {
                int c0 = (b * outC + ch) * hw;
                int u0 = ((batch + b) * outC + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    float e = o[u0 + i] + scale * (o[c0 + i] - o[u0 + i]);
                    o[c0 + i] = e;
                    o[u0 + i] = e;
                }
            }
        }
    }

    /**
     * In place: dOut [2*batch, outC, hw] (gradient of the combined output) becomes the gradient of the raw model
     * output. On guided channels, with g = dOut_c + dOut_u (e feeds both halves): d e_c = s g, d e_u = (1 - s) g.
     */
    public static void backward(float[] d, int batch, int outC, int hw, int guided, float scale) {
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < guided; ch++) {
                int c0 = (b * outC + ch) * hw;
                int u0 = ((batch + b) * outC + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    float g = d[c0 + i] + d[u0 + i];
                    d[c0 + i] = scale * g;
                    d[u0 + i] = (1f - scale) * g;
                }
            }
        }
    }
}
