package io.ditcache.train;

import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.nn.GeluTanh;
import io.ditcache.nn.LayerNorm;
import io.ditcache.nn.Linear;
import io.ditcache.nn.Modulate;
import io.ditcache.nn.SelfAttention;
import io.ditcache.tensor.StateDict;

/**
 * What a taped branch of a DiT block kept in the forward ({@code DiTBlock}, which hands it over through
 * {@link io.ditcache.model.Tape}), and its backward: dL/d(branch output) to dL/d(residual input), plus weight and adaLN
 * gradients when asked. Two kinds: {@link Attention} (unit 2i) and {@link Mlp} (unit 2i+1).
 * <p>Kept: the residual input x [rows, D] and, for attention, qkv [rows, 3D] (probabilities are recomputed), for the
 * MLP the fc1 pre-activation [rows, 4D]. With weight gradients, attention also keeps its head outputs [rows, D];
 * LN/modulate outputs and the GELU output are recomputed.
 */
abstract sealed class BranchTape permits BranchTape.Attention, BranchTape.Mlp {
    final DiT model;
    final DiTConfig config;
    /** "blocks.i.", the prefix of the block's checkpoint keys. */
    final String key;
    final int batch;
    private final int shiftOff;
    private final int scaleOff;
    private float[] xIn;

    private BranchTape(DiT model, int block, int batch, int shiftOff, int scaleOff, float[] xIn) {
        this.model = model;
        this.config = model.config();
        this.key = "blocks." + block + ".";
        this.batch = batch;
        this.shiftOff = shiftOff;
        this.scaleOff = scaleOff;
        this.xIn = xIn;
    }

    final int rows() {
        return batch * config.tokens();
    }

    long bytes() {
        return 4L * length(xIn);
    }

    static long length(float[] a) {
        return a == null ? 0 : a.length;
    }

    /**
     * dOut [rows, D] (dL/d branch output)  ->  dx [rows, D] += dL/d residual input. With {@code grads} (weight mode)
     * the branch's linear weights get their gradients and {@code dMod} [batch, 6D] its shift/scale parts.
     * Frees the tape.
     */
    final void backward(float[] dOut, float[] mod, float[] dx, float[] dMod, StateDict grads) {
        int d = config.hidden();
        int rows = rows();
        float[] normalized = null;
        float[] h = null;
        if (grads != null) {
            normalized = new float[rows * d];
            LayerNorm.forward(xIn, normalized, rows, d);
            h = new float[rows * d];
            Modulate.forward(normalized, h, batch, config.tokens(), d, mod, 6 * d, shiftOff, scaleOff);
        }
        float[] dH = new float[rows * d];
        inner(dOut, h, dH, grads);
        Modulate.backward(dH, normalized, batch, config.tokens(), d, mod, 6 * d, shiftOff, scaleOff, dH, dMod);
        LayerNorm.backward(dH, xIn, dx, rows, d, true);
        xIn = null;
    }

    /** dOut [rows, D]  ->  dH [rows, D], the gradient of the modulated norm h (h is null without weight gradients). */
    abstract void inner(float[] dOut, float[] h, float[] dH, StateDict grads);

    final float[] weight(String name) {
        return model.weight(key + name).data();
    }

    final float[] grad(StateDict grads, String name) {
        return DiTTape.grad(grads, key + name);
    }

    /** {@code proj(Attn(qkv(h)))}: keeps qkv [rows, 3D] and, for weight gradients, the heads [rows, D]. */
    static final class Attention extends BranchTape {
        private float[] qkv;
        private float[] heads;

        Attention(DiT model, int block, int batch, float[] xIn, float[] qkv, float[] heads) {
            super(model, block, batch, 0, model.config().hidden(), xIn);
            this.qkv = qkv;
            this.heads = heads;
        }

        @Override
        long bytes() {
            return super.bytes() + 4L * (length(qkv) + length(heads));
        }

        @Override
        void inner(float[] dOut, float[] h, float[] dH, StateDict grads) {
            int d = config.hidden();
            int rows = rows();
            float[] dA = new float[rows * d];
            Linear.backward(dOut, heads, weight("attn.proj.weight"), rows, d, d, dA, false,
                    grad(grads, "attn.proj.weight"), grad(grads, "attn.proj.bias"));
            float[] dQkv = new float[rows * 3 * d];
            SelfAttention.backward(qkv, dA, dQkv, batch, config.tokens(), d, config.heads());
            Linear.backward(dQkv, h, weight("attn.qkv.weight"), rows, d, 3 * d, dH, false,
                    grad(grads, "attn.qkv.weight"), grad(grads, "attn.qkv.bias"));
            qkv = null;
            heads = null;
        }
    }

    /** {@code fc2(GELU(fc1(h)))}: keeps fc1's output [rows, 4D]; the GELU output is recomputed. */
    static final class Mlp extends BranchTape {
        private float[] fc1;

        Mlp(DiT model, int block, int batch, float[] xIn, float[] fc1) {
            super(model, block, batch, 3 * model.config().hidden(), 4 * model.config().hidden(), xIn);
            this.fc1 = fc1;
        }

        @Override
        long bytes() {
            return super.bytes() + 4L * length(fc1);
        }

        @Override
        void inner(float[] dOut, float[] h, float[] dH, StateDict grads) {
            int d = config.hidden();
            int rows = rows();
            int hid = config.mlpHidden();
            float[] g = null;
            if (grads != null) {
                g = new float[rows * hid];
                GeluTanh.forward(fc1, g, g.length);
            }
            float[] dG = new float[rows * hid];
            Linear.backward(dOut, g, weight("mlp.fc2.weight"), rows, hid, d, dG, false,
                    grad(grads, "mlp.fc2.weight"), grad(grads, "mlp.fc2.bias"));
            GeluTanh.backward(dG, fc1, dG, dG.length);
            Linear.backward(dG, h, weight("mlp.fc1.weight"), rows, d, hid, dH, false,
                    grad(grads, "mlp.fc1.weight"), grad(grads, "mlp.fc1.bias"));
            fc1 = null;
        }
    }
}
