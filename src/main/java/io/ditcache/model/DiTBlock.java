package io.ditcache.model;

import io.ditcache.nn.GatedResidual;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;

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
    private final DiTConfig config;
    private final int index;
    final LinearLayer qkv;
    final LinearLayer proj;
    final LinearLayer fc1;
    final LinearLayer fc2;
    /** adaLN_modulation.1: SiLU(c) [batch, D] to the six modulation vectors [batch, 6D]. */
    final LinearLayer ada;

    DiTBlock(DiTConfig config, int index, StateDict w) {
        this.config = config;
        this.index = index;
        int d = config.hidden();
        int h = config.mlpHidden();
        String b = "blocks." + index + ".";
        qkv = new LinearLayer(w.get(b + "attn.qkv.weight", 3 * d, d), w.get(b + "attn.qkv.bias", 3 * d));
        proj = new LinearLayer(w.get(b + "attn.proj.weight", d, d), w.get(b + "attn.proj.bias", d));
        fc1 = new LinearLayer(w.get(b + "mlp.fc1.weight", h, d), w.get(b + "mlp.fc1.bias", h));
        fc2 = new LinearLayer(w.get(b + "mlp.fc2.weight", d, h), w.get(b + "mlp.fc2.bias", d));
        ada = new LinearLayer(w.get(b + "adaLN_modulation.1.weight", 6 * d, d), w.get(b + "adaLN_modulation.1.bias", 6 * d));
    }

    public int index() {
        return index;
    }

    /** The block's Linears, keyed as in the checkpoint ({@code blocks.i.attn.qkv.weight}, ...). */
    java.util.Map<String, LinearLayer> linears() {
        String b = "blocks." + index + ".";
        return java.util.Map.of(b + "attn.qkv.weight", qkv, b + "attn.proj.weight", proj,
                b + "mlp.fc1.weight", fc1, b + "mlp.fc2.weight", fc2, b + "adaLN_modulation.1.weight", ada);
    }

    /** The six modulation vectors for each sample, [batch, 6D], from SiLU(c) [batch, D]. */
    float[] modulation(float[] siluC, int batch) {
        int d = config.hidden();
        float[] mod = new float[batch * 6 * d];
        ada.forward(siluC, batch, mod);
        return mod;
    }

    /**
     * Runs the block in place on the residual stream {@code x} [batch, tokens, D], each unit through {@code units}
     * and, with a {@code tape} (training), taping the branches it asks for and handing it each unit's output.
     *
     * @param mod the block's modulation from {@link #modulation}
     */
    void forward(float[] x, int batch, float[] mod, UnitRunner units, DiTTape tape) {
        int d = config.hidden();
        boolean keep = tape != null || units.keepsUnits();
        for (int unit = 2 * index; unit <= 2 * index + 1; unit++) {
            boolean attention = unit == 2 * index;
            int k = unit;
            Tensor u = units.run(unit, () -> branch(k, attention, x, batch, mod, keep, tape));
            checkUnit(u, batch, unit);
            if (tape != null) {
                tape.keepUnit(unit, u.data());
            }
            GatedResidual.forward(x, u.data(), batch, config.tokens(), d, mod, 6 * d, attention ? 2 * d : 5 * d);
        }
    }

    private void checkUnit(Tensor u, int batch, int unit) {
        if (u.numel() != batch * config.tokens() * config.hidden()) {
            throw new IllegalStateException("unit " + unit + " returned " + u.shapeString() + ", expected ["
                    + batch + ", " + config.tokens() + ", " + config.hidden() + "]");
        }
    }

    /**
     * Unit 2i ({@code attention}): {@code proj(Attn(modulate(LN(x), sh_msa, sc_msa)))}; unit 2i+1:
     * {@code fc2(GELU(fc1(modulate(LN(x), sh_mlp, sc_mlp))))}; [batch, tokens, D], by {@link BranchTape}, which a
     * tape keeps when it asks for the unit. With {@code keep} false the output is a scratch buffer that the next
     * branch on this thread overwrites.
     */
    private Tensor branch(int unit, boolean attention, float[] x, int batch, float[] mod, boolean keep, DiTTape tape) {
        BranchTape branch = new BranchTape(config, this, attention, batch);
        boolean taped = tape != null && tape.tapes(unit);
        float[] out = branch.forward(x, mod, taped, taped && tape.keepsWeightInputs(), keep);
        if (taped) {
            tape.keepBranch(unit, branch);
        }
        return Tensor.of(out, batch, config.tokens(), config.hidden());
    }
}
