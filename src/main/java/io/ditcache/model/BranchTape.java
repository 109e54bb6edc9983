package io.ditcache.model;

import io.ditcache.nn.GeluTanh;
import io.ditcache.nn.LayerNorm;
import io.ditcache.nn.Linear;
import io.ditcache.nn.Modulate;
import io.ditcache.nn.SelfAttention;
import io.ditcache.tensor.Scratch;
import io.ditcache.tensor.StateDict;

/**
 * One cache unit's branch of a {@link DiTBlock} (attention: unit 2i, MLP: unit 2i+1) for training: the forward runs
 * the block's kernels in the block's order (so its output equals the inference path bit for bit) and keeps what its
 * backward needs; the backward turns dL/d(branch output) into dL/d(residual input), plus weight and adaLN gradients
 * when asked.
 * <p>Kept: the residual input x [rows, D] and, for attention, qkv [rows, 3D] (probabilities are recomputed), for the
 * MLP the fc1 pre-activation [rows, 4D]. With weight gradients, attention also keeps its head outputs [rows, D];
 * LN/modulate outputs and the GELU output are recomputed.
 */
final class BranchTape {
    /** {@link Scratch} slots: each holds one size, so neither branch reallocates another's intermediates. */
    private static final int NORMALIZED = 0;
    private static final int QKV = 1;
    private static final int HEADS = 2;
    private static final int FC1 = 3;
    private static final int GELU = 4;
    private static final int OUTPUT = 5;
    private final DiTConfig config;
    private final DiTBlock block;
    private final boolean attention;
    private final int batch;
    private float[] xIn;
    private float[] inner;
    private float[] heads;

    BranchTape(DiTConfig config, DiTBlock block, boolean attention, int batch) {
        this.config = config;
        this.block = block;
        this.attention = attention;
        this.batch = batch;
    }

    private int rows() {
        return batch * config.tokens();
    }

    private int shiftOff() {
        return attention ? 0 : 3 * config.hidden();
    }

    private int scaleOff() {
        return attention ? config.hidden() : 4 * config.hidden();
    }

    /**
     * The branch output [rows, D] for residual x and the block's modulation; {@code keep} tapes for backward.
     * Intermediates that are not taped live in {@link Scratch}; the output is a new array when {@code keepOutput}
     * (caches keep it), else this thread's scratch array, valid until the next branch on this thread.
     */
    float[] forward(float[] x, float[] mod, boolean keep, boolean keepForWeights, boolean keepOutput) {
        int d = config.hidden();
        int rows = rows();
        float[] h = normalizedModulated(x, mod, null, Scratch.get(NORMALIZED, rows * d));
        float[] out = keepOutput ? new float[rows * d] : Scratch.get(OUTPUT, rows * d);
        if (attention) {
            float[] qkv = keep ? new float[rows * 3 * d] : Scratch.get(QKV, rows * 3 * d);
            block.qkv.forward(h, rows, qkv);
            float[] a = keep && keepForWeights ? new float[rows * d] : Scratch.get(HEADS, rows * d);
            SelfAttention.forward(qkv, a, batch, config.tokens(), d, config.heads());
            block.proj.forward(a, rows, out);
            inner = keep ? qkv : null;
            heads = keep && keepForWeights ? a : null;
        } else {
            int hid = config.mlpHidden();
            float[] pre = keep ? new float[rows * hid] : Scratch.get(FC1, rows * hid);
            block.fc1.forward(h, rows, pre);
            float[] g = Scratch.get(GELU, rows * hid);
            GeluTanh.forward(pre, g, g.length);
            block.fc2.forward(g, rows, out);
            inner = keep ? pre : null;
        }
        xIn = keep ? x.clone() : null;
        return out;
    }

    /** modulate(LN(x)) [rows, D] into {@code h}; when {@code normalized} is given it receives LN(x) too. */
    private float[] normalizedModulated(float[] x, float[] mod, float[] normalized, float[] h) {
        int d = config.hidden();
        LayerNorm.forward(x, h, rows(), d);
        if (normalized != null) {
            System.arraycopy(h, 0, normalized, 0, h.length);
        }
        Modulate.forward(h, h, batch, config.tokens(), d, mod, 6 * d, shiftOff(), scaleOff());
        return h;
    }

    boolean taped() {
        return xIn != null;
    }

    long bytes() {
        return 4L * (length(xIn) + length(inner) + length(heads));
    }

    private static long length(float[] a) {
        return a == null ? 0 : a.length;
    }

    /**
     * dOut [rows, D] (dL/d branch output)  ->  dx [rows, D] += dL/d residual input. With {@code grads} (weight mode)
     * the branch's linear weights get their gradients and {@code dMod} [batch, 6D] its shift/scale parts.
     * Frees the tape.
     */
    void backward(float[] dOut, float[] mod, float[] dx, float[] dMod, StateDict grads) {
        int d = config.hidden();
        int t = config.tokens();
        int rows = rows();
        String key = "blocks." + block.index() + ".";
        float[] normalized = grads == null ? null : new float[rows * d];
        float[] h = grads == null ? null : normalizedModulated(xIn, mod, normalized, new float[rows * d]);
        float[] dH = new float[rows * d];
        if (attention) {
            float[] dA = new float[rows * d];
            Linear.backward(dOut, heads, block.proj.weight(), rows, d, d, dA, false,
                    grad(grads, key + "attn.proj.weight"), grad(grads, key + "attn.proj.bias"));
            float[] dQkv = new float[rows * 3 * d];
            SelfAttention.backward(inner, dA, dQkv, batch, t, d, config.heads());
            Linear.backward(dQkv, h, block.qkv.weight(), rows, d, 3 * d, dH, false,
                    grad(grads, key + "attn.qkv.weight"), grad(grads, key + "attn.qkv.bias"));
        } else {
            int hid = config.mlpHidden();
            float[] g = null;
            if (grads != null) {
                g = new float[rows * hid];
                GeluTanh.forward(inner, g, g.length);
            }
            float[] dG = new float[rows * hid];
            Linear.backward(dOut, g, block.fc2.weight(), rows, hid, d, dG, false,
                    grad(grads, key + "mlp.fc2.weight"), grad(grads, key + "mlp.fc2.bias"));
            GeluTanh.backward(dG, inner, dG, dG.length);
            Linear.backward(dG, h, block.fc1.weight(), rows, d, hid, dH, false,
                    grad(grads, key + "mlp.fc1.weight"), grad(grads, key + "mlp.fc1.bias"));
        }
        Modulate.backward(dH, normalized, batch, t, d, mod, 6 * d, shiftOff(), scaleOff(), dH, dMod);
        LayerNorm.backward(dH, xIn, dx, rows, d, true);
        xIn = null;
        inner = null;
        heads = null;
    }

    static float[] grad(StateDict grads, String key) {
        return grads == null ? null : grads.get(key).data();
    }
}
