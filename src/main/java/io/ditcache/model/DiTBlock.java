package io.ditcache.model;

import io.ditcache.nn.GatedResidual;
import io.ditcache.nn.GeluTanh;
import io.ditcache.nn.LayerNorm;
import io.ditcache.nn.Modulate;
import io.ditcache.nn.SelfAttention;
import io.ditcache.tensor.Scratch;
import io.ditcache.tensor.Tensor;
import java.util.function.Supplier;

/**
 * One adaLN-Zero DiT block (DiT paper, Figure 3):
 * <pre>
 * [sh_msa, sc_msa, g_msa, sh_mlp, sc_mlp, g_mlp] = Linear_{D->6D}(SiLU(c))
 * a = Attn(modulate(LN(x), sh_msa, sc_msa));  x = x + g_msa * a      (unit 2i)
 * m = MLP (modulate(LN(x), sh_mlp, sc_mlp));  x = x + g_mlp * m      (unit 2i+1)
 * </pre>
 * The branch outputs {@code a} and {@code m} (after the output projection, before the gate) are the cache units;
 * they are obtained through a {@link UnitRunner}, so a cache can reuse them while gates, norms and adaLN always run.
 */
public final class DiTBlock {
    /** {@link Scratch} slots: each holds one size, so neither branch reallocates another's intermediates. */
    private static final int NORMALIZED = 0;
    private static final int QKV = 1;
    private static final int HEADS = 2;
    private static final int FC1 = 3;
    private static final int GELU = 4;
    private static final int OUTPUT = 5;
    private final DiTConfig config;
    private final int index;
    /** attn: timm's Attention, qkv D->3D and the output projection D->D. */
    private final Attn attn;
    /** mlp: timm's Mlp, fc1 D->4D, tanh-GELU, fc2 4D->D. */
    private final Mlp mlp;
    /** adaLN_modulation = [SiLU, Linear]: its Linear, SiLU(c) [batch, D] to the six modulation vectors [batch, 6D]. */
    private final LinearLayer adaLnModulation;

    private record Attn(LinearLayer qkv, LinearLayer proj) {
    }

    private record Mlp(LinearLayer fc1, LinearLayer fc2) {
    }

    DiTBlock(DiTConfig config, int index, LinearLoader w) {
        this.config = config;
        this.index = index;
        String b = "blocks." + index + ".";
        attn = new Attn(w.linear(b + "attn.qkv"), w.linear(b + "attn.proj"));
        mlp = new Mlp(w.linear(b + "mlp.fc1"), w.linear(b + "mlp.fc2"));
        adaLnModulation = w.linear(b + "adaLN_modulation.1");
    }

    public int index() {
        return index;
    }

    /** The block's Linears, keyed as in the checkpoint ({@code blocks.i.attn.qkv.weight}, ...). */
    java.util.Map<String, LinearLayer> linears() {
        String b = "blocks." + index + ".";
        return java.util.Map.of(b + "attn.qkv.weight", attn.qkv(), b + "attn.proj.weight", attn.proj(),
                b + "mlp.fc1.weight", mlp.fc1(), b + "mlp.fc2.weight", mlp.fc2(),
                b + "adaLN_modulation.1.weight", adaLnModulation);
    }

    /** The six modulation vectors for each sample, [batch, 6D], from SiLU(c) [batch, D]. */
    float[] modulation(float[] siluC, int batch) {
        int d = config.hidden();
        float[] mod = new float[batch * 6 * d];
        adaLnModulation.forward(siluC, batch, mod);
        return mod;
    }

    /**
     * Runs the block in place on the residual stream {@code x} [batch, tokens, D], each unit through {@code units}
     * and, with a {@code tape} (training), taping the branches it asks for and handing it each unit's output.
     *
     * @param mod the block's modulation from {@link #modulation}
     */
    void forward(float[] x, int batch, float[] mod, UnitRunner units, Tape tape) {
        int d = config.hidden();
        int t = config.tokens();
        boolean keep = tape != null || units.keepsUnits();
        int attnUnit = 2 * index;
        float[] a = unit(attnUnit, batch, units, tape, () -> attnBranch(attnUnit, x, batch, mod, keep, tape));
        GatedResidual.forward(x, a, batch, t, d, mod, 6 * d, 2 * d); // x = x + g_msa * a
        int mlpUnit = 2 * index + 1;
        float[] m = unit(mlpUnit, batch, units, tape, () -> mlpBranch(mlpUnit, x, batch, mod, keep, tape));
        GatedResidual.forward(x, m, batch, t, d, mod, 6 * d, 5 * d); // x = x + g_mlp * m
    }

    /** Unit {@code unit}'s output [batch, tokens, D] through {@code units}, handed to the tape. */
    private float[] unit(int unit, int batch, UnitRunner units, Tape tape, Supplier<float[]> branch) {
        Tensor u = units.run(unit, () -> Tensor.of(branch.get(), batch, config.tokens(), config.hidden()));
        if (u.numel() != batch * config.tokens() * config.hidden()) {
            throw new IllegalStateException("unit " + unit + " returned " + u.shapeString() + ", expected ["
                    + batch + ", " + config.tokens() + ", " + config.hidden() + "]");
        }
        if (tape != null) {
            tape.keepUnit(unit, u.data());
        }
        return u.data();
    }

    /**
     * Unit 2i, {@code proj(Attn(modulate(LN(x), sh_msa, sc_msa)))} [batch, tokens, D]. Intermediates live in
     * {@link Scratch} unless the tape asks for them; the output is a new array when {@code keepOutput} (caches keep
     * it), else this thread's scratch array, valid until the next branch on this thread.
     */
    private float[] attnBranch(int unit, float[] x, int batch, float[] mod, boolean keepOutput, Tape tape) {
        int d = config.hidden();
        int rows = batch * config.tokens();
        boolean taped = tape != null && tape.tapes(unit);
        boolean heads = taped && tape.keepsWeightInputs();
        float[] h = modulatedNorm(x, batch, mod, 0, d);
        float[] qkvOut = taped ? new float[rows * 3 * d] : Scratch.get(QKV, rows * 3 * d);
        attn.qkv().forward(h, rows, qkvOut);
        float[] a = heads ? new float[rows * d] : Scratch.get(HEADS, rows * d);
        SelfAttention.forward(qkvOut, a, batch, config.tokens(), d, config.heads());
        float[] out = output(rows * d, keepOutput);
        attn.proj().forward(a, rows, out);
        if (taped) {
            tape.keepAttention(unit, x.clone(), qkvOut, heads ? a : null);
        }
        return out;
    }

    /** Unit 2i+1, {@code fc2(GELU(fc1(modulate(LN(x), sh_mlp, sc_mlp))))} [batch, tokens, D], as {@link #attnBranch}. */
    private float[] mlpBranch(int unit, float[] x, int batch, float[] mod, boolean keepOutput, Tape tape) {
        int d = config.hidden();
        int rows = batch * config.tokens();
        int hid = config.mlpHidden();
        boolean taped = tape != null && tape.tapes(unit);
        float[] h = modulatedNorm(x, batch, mod, 3 * d, 4 * d);
        float[] pre = taped ? new float[rows * hid] : Scratch.get(FC1, rows * hid);
        mlp.fc1().forward(h, rows, pre);
        float[] g = Scratch.get(GELU, rows * hid);
        GeluTanh.forward(pre, g, g.length);
        float[] out = output(rows * d, keepOutput);
        mlp.fc2().forward(g, rows, out);
        if (taped) {
            tape.keepMlp(unit, x.clone(), pre);
        }
        return out;
    }

    /** modulate(LN(x), shift, scale) [batch*tokens, D] in this thread's scratch, shift and scale at these offsets. */
    private float[] modulatedNorm(float[] x, int batch, float[] mod, int shiftOff, int scaleOff) {
        int d = config.hidden();
        float[] h = Scratch.get(NORMALIZED, batch * config.tokens() * d);
        LayerNorm.forward(x, h, batch * config.tokens(), d);
        Modulate.forward(h, h, batch, config.tokens(), d, mod, 6 * d, shiftOff, scaleOff);
        return h;
    }

    private static float[] output(int n, boolean keep) {
        return keep ? new float[n] : Scratch.get(OUTPUT, n);
    }
}
