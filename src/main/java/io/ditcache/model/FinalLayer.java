package io.ditcache.model;

import io.ditcache.nn.LayerNorm;
import io.ditcache.nn.Modulate;
import io.ditcache.nn.Unpatchify;
import io.ditcache.tensor.Tensor;

/**
 * DiT's FinalLayer plus unpatchify: {@code [shift, scale] = Linear_{D->2D}(SiLU(c))},
 * {@code Linear_{D->p*p*C_out}(modulate(LN(x), shift, scale))}, then tokens back to [batch, C_out, H, W].
 */
public final class FinalLayer {
    private final DiTConfig config;
    /** adaLN_modulation = [SiLU, Linear]: its Linear, SiLU(c) [batch, D] to [shift, scale] [batch, 2D]. */
    final LinearLayer adaLnModulation;
    /** linear: D to p*p*C_out per token. */
    final LinearLayer linear;

    FinalLayer(DiTConfig config, LinearLoader w) {
        this.config = config;
        adaLnModulation = w.linear("final_layer.adaLN_modulation.1");
        linear = w.linear("final_layer.linear");
    }

    /** The output [batch, C_out, H, W] from the residual stream x [batch*tokens, D]; the tape keeps the adaLN output. */
    Tensor forward(float[] x, int batch, float[] siluC, Tape tape) {
        int d = config.hidden();
        int t = config.tokens();
        int rows = batch * t;
        int p = config.patch();
        int outC = config.outChannels();
        float[] mod = new float[batch * 2 * d];
        adaLnModulation.forward(siluC, batch, mod);
        float[] h = new float[rows * d];
        LayerNorm.forward(x, h, rows, d);
        Modulate.forward(h, h, batch, t, d, mod, 2 * d, 0, d);
        float[] tokens = new float[rows * linear.out()];
        linear.forward(h, rows, tokens);
        int size = config.inputSize();
        Tensor out = Tensor.zeros(batch, outC, size, size);
        Unpatchify.forward(tokens, batch, outC, size, p, out.data());
        if (tape != null) {
            tape.keepFinalLayer(mod, x);
        }
        return out;
    }
}
