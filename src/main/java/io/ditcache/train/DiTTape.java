package io.ditcache.train;

import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.Embeddings;
import io.ditcache.model.ParameterLayout;
import io.ditcache.model.Tape;
import io.ditcache.model.UnitRunner;
import io.ditcache.nn.CfgCombine;
import io.ditcache.nn.Embedding;
import io.ditcache.nn.GatedResidual;
import io.ditcache.nn.LayerNorm;
import io.ditcache.nn.Linear;
import io.ditcache.nn.Modulate;
import io.ditcache.nn.PatchEmbed;
import io.ditcache.nn.Silu;
import io.ditcache.nn.Unpatchify;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Map;

/**
 * The tape of a training-mode {@link DiT} forward: the model's one forward hands it, as its {@link Tape}, the
 * activations its hand-written backward needs (llm.c style). With {@link UnitMix#NONE} its output equals
 * {@link DiT#forward} / {@link DiT#forwardWithCfg} bit for bit (the same code). Units may be mixed
 * {@code u = w fresh + (1 - w) cached} (the L2C/HarmoniCa relaxation); {@link #backward} then returns dL/dw per mixed
 * unit and, if requested at forward time, weight and input gradients.
 * <p>What is kept: with {@link GradientRequest#ROUTER} (frozen model) only what lies downstream of the first mixed
 * unit k0: every later unit's branch tape ({@link BranchTape}), each mixed unit's {@code fresh - cached}, the adaLN
 * outputs [B, 6D] per block and the final layer's input [B*T, D]. Nothing before k0 and no weight-gradient
 * inputs. With weight or input gradients every unit is taped, plus the unit outputs (for the gate gradients) and the
 * conditioning path. The backward frees each unit's tape as it passes it.
 * <p>One forward, then one backward; not thread-safe (use one tape per thread; the model may be shared).
 */
public final class DiTTape implements Tape {
    private static final int DOT_CHUNK = 1 << 14;

    private final DiT model;
    private final DiTConfig config;

    // What the forward under way was asked for (read by begin).
    private UnitMix pendingMix;
    private GradientRequest pendingRequest;

    // State of the last forward.
    private boolean ready;
    private GradientRequest want;
    private int batch;
    private int cfgHalf;
    private float cfgScale;
    private float[] image;
    private int[] labels;
    private float[] freq;
    private float[] tPre;
    private float[] tHidden;
    private float[] cond;
    private float[] siluC;
    private float[][] mods;
    private float[] finalMod;
    private float[] finalIn;
    private BranchTape[] branches;
    private float[][] diffs;
    private float[][] unitOutputs;
    private float[] mixWeights;
    private int[] outShape;
    private boolean anyBackward;
    private int tapeFrom;

    public DiTTape(DiT model) {
        this.model = model;
        this.config = model.config();
    }

    public DiT model() {
        return model;
    }

    /** Training-mode {@code forward(x, t, y)} (labels as given: apply label dropout beforehand, see {@link #dropLabels}). */
    public Tensor forward(Tensor x, float[] t, int[] y, UnitMix mix, GradientRequest request) {
        Tensor out = model.forward(x, t, y, mixing(mix, request), this);
        return finish(out, 0, 0f);
    }

    /**
     * Training-mode {@code forwardWithCfg}: runs [x; x] with labels [y; null] and combines the guided channels with
     * {@code scale}; returns [2B, C_out, H, W]. Mixed units' cached tensors cover the 2B batch.
     */
    public Tensor forwardWithCfg(Tensor x, float[] t, int[] y, float scale, UnitMix mix, GradientRequest request) {
        Tensor out = model.forwardWithCfg(x, t, y, scale, mixing(mix, request), this);
        return finish(out, t.length, scale);
    }

    /** DiT's training-time label dropout: each label becomes the null class with probability {@code p}. */
    public static int[] dropLabels(int[] y, double p, java.util.SplittableRandom rng, int numClasses) {
        int[] out = y.clone();
        for (int i = 0; i < out.length; i++) {
            if (rng.nextDouble() < p) {
                out[i] = numClasses;
            }
        }
        return out;
    }

    /** The unit runner of a forward with this tape: each unit mixed as {@code mix} says. */
    private UnitRunner mixing(UnitMix mix, GradientRequest request) {
        UnitMix m = mix == null ? UnitMix.NONE : mix;
        pendingMix = m;
        pendingRequest = request;
        return (k, fresh) -> {
            Tensor u = Tensor.of(mixUnit(k, fresh.get().data(), m), batch, config.tokens(), config.hidden());
            if (m.observer() != null) {
                m.observer().accept(k, u);
            }
            return u;
        };
    }

    /**
     * The forward starts on checked inputs (the CFG batch for a guided forward): checks the mix, resets the tape.
     * Only a forward started by this tape's {@link #forward} or {@link #forwardWithCfg} may call it.
     */
    @Override
    public void begin(float[] x, int b, int[] y) {
        UnitMix m = pendingMix;
        GradientRequest request = pendingRequest;
        if (m == null) {
            throw new IllegalStateException("DiTTape: run the forward through DiTTape.forward or forwardWithCfg");
        }
        pendingMix = null;
        pendingRequest = null;
        int units = config.units();
        m.check(units, b * config.tokens() * config.hidden());
        want = request;
        batch = b;
        int first = m.firstMixed(units);
        anyBackward = request.reachesEmbeddings() || first < units;
        tapeFrom = request.reachesEmbeddings() ? 0 : first + 1;
        mods = new float[config.depth()][];
        branches = new BranchTape[units];
        diffs = new float[units][];
        unitOutputs = new float[units][];
        mixWeights = new float[units];
        image = request.reachesEmbeddings() ? x.clone() : null;
        labels = y.clone();
    }

    private Tensor finish(Tensor out, int cfgBatch, float scale) {
        cfgHalf = cfgBatch;
        cfgScale = scale;
        outShape = out.shape();
        ready = true;
        return out;
    }

    /** Whether the forward tapes unit {@code unit}'s branch (every unit downstream of what the backward reaches). */
    @Override
    public boolean tapes(int unit) {
        return unit >= tapeFrom;
    }

    /** Whether taped branches keep the inputs of their weight gradients too. */
    @Override
    public boolean keepsWeightInputs() {
        return want.weights();
    }

    /** The conditioning path's intermediates: kept for weight gradients, SiLU(c) always. */
    @Override
    public void keepConditioning(float[] freq, float[] tPre, float[] tHidden, float[] cond, float[] siluC) {
        boolean weights = want.weights();
        this.freq = weights ? freq : null;
        this.tPre = weights ? tPre : null;
        this.tHidden = weights ? tHidden : null;
        this.cond = weights ? cond : null;
        this.siluC = siluC;
    }

    @Override
    public void keepModulation(int block, float[] mod) {
        mods[block] = mod;
    }

    @Override
    public void keepAttention(int unit, float[] x, float[] qkv, float[] heads) {
        branches[unit] = new BranchTape.Attention(model, unit / 2, batch, x, qkv, heads);
    }

    @Override
    public void keepMlp(int unit, float[] x, float[] fc1) {
        branches[unit] = new BranchTape.Mlp(model, unit / 2, batch, x, fc1);
    }

    /** The unit's output as the gate saw it (for the gate's weight gradient). */
    @Override
    public void keepUnit(int unit, float[] u) {
        unitOutputs[unit] = want.weights() ? u : null;
    }

    /** The final layer's adaLN output and its input, the residual stream after the last block. */
    @Override
    public void keepFinalLayer(float[] mod, float[] input) {
        finalMod = mod;
        finalIn = anyBackward ? input : null;
    }

    /** u = w fresh + (1 - w) cached for a mixed unit (keeping fresh - cached for dL/dw), else fresh. */
    private float[] mixUnit(int k, float[] fresh, UnitMix m) {
        if (!m.isMixed(k)) {
            mixWeights[k] = Float.NaN;
            return fresh;
        }
        float wk = m.weights()[k];
        float om = 1f - wk;
        float[] c = m.cached()[k].data();
        float[] diff = new float[fresh.length];
        float[] u = new float[fresh.length];
        for (int i = 0; i < u.length; i++) {
            u[i] = wk * fresh[i] + om * c[i];
            diff[i] = fresh[i] - c[i];
        }
        mixWeights[k] = wk;
        diffs[k] = diff;
        return u;
    }

    /** Bytes of activations the tape holds now (after a forward; shrinks to the small vectors during backward). */
    public long keptBytes() {
        long n = 0;
        for (float[][] group : new float[][][]{mods, diffs, unitOutputs}) {
            if (group != null) {
                for (float[] a : group) {
                    n += a == null ? 0 : 4L * a.length;
                }
            }
        }
        if (branches != null) {
            for (BranchTape bt : branches) {
                n += bt == null ? 0 : bt.bytes();
            }
        }
        for (float[] a : new float[][]{image, freq, tPre, tHidden, cond, siluC, finalMod, finalIn}) {
            n += a == null ? 0 : 4L * a.length;
        }
        return n;
    }

    /** The backward of the last forward, returning fresh gradients. */
    public Gradients backward(Tensor dOut) {
        return backward(dOut, want.weights() ? zeroGradients() : null);
    }

    /** Zero weight gradients under the checkpoint keys, for accumulating over several backward calls. */
    public StateDict zeroGradients() {
        StateDict g = new StateDict();
        for (Map.Entry<String, int[]> e : ParameterLayout.of(config).entrySet()) {
            if (!e.getKey().equals("pos_embed")) {
                g.put(e.getKey(), Tensor.zeros(e.getValue()));
            }
        }
        return g;
    }

    /**
     * Backpropagates dL/d(output) (the shape the forward returned). Weight gradients, when the forward requested
     * them, are added into {@code grads} (from {@link #zeroGradients}), which is returned in the result.
     */
    public Gradients backward(Tensor dOut, StateDict grads) {
        if (!ready) {
            throw new IllegalStateException("DiTTape.backward: no forward to backpropagate (one backward per forward)");
        }
        if (!java.util.Arrays.equals(dOut.shape(), outShape)) {
            throw new IllegalArgumentException("DiTTape.backward: dOut " + dOut.shapeString() + " but the forward returned "
                    + java.util.Arrays.toString(outShape));
        }
        if (want.weights() && grads == null) {
            throw new IllegalArgumentException("DiTTape.backward: weight gradients were requested; pass zeroGradients()");
        }
        ready = false;
        StateDict g = want.weights() ? grads : null;
        int d = config.hidden();
        int tokens = config.tokens();
        int rows = batch * tokens;
        int units = config.units();
        float[] dw = new float[units];
        if (finalIn == null) {
            release();
            return new Gradients(dw, g, null);
        }
        float[] dFinalMod = g == null ? null : new float[batch * 2 * d];
        float[] dx = finalLayerBackward(dOut.data().clone(), dFinalMod, g);
        float[][] dMods = new float[config.depth()][];
        float[] dU = new float[rows * d];
        for (int k = units - 1; k >= 0; k--) {
            boolean mixed = !Float.isNaN(mixWeights[k]);
            if (branches[k] == null && !mixed && g == null && !want.input()) {
                break;
            }
            int i = k / 2;
            if (g != null && dMods[i] == null) {
                dMods[i] = new float[batch * 6 * d];
            }
            GatedResidual.backward(dx, unitOutputs[k], batch, tokens, d, mods[i], 6 * d, k % 2 == 0 ? 2 * d : 5 * d,
                    dU, dMods[i]);
            if (mixed) {
                dw[k] = dot(dU, diffs[k]);
                scale(dU, mixWeights[k]);
            }
            if (branches[k] != null && mixWeights[k] != 0f) {
                branches[k].backward(dU, mods[i], dx, dMods[i], g);
            }
            branches[k] = null;
            diffs[k] = null;
            unitOutputs[k] = null;
        }
        Tensor dInput = null;
        if (want.reachesEmbeddings()) {
            if (g != null) {
                conditioningBackward(dMods, dFinalMod, g);
            }
            dInput = embeddingBackward(dx, g);
        }
        release();
        return new Gradients(dw, g, dInput);
    }

    /** dL/d(output) through CFG combine, unpatchify and FinalLayer to dL/d(residual stream), [rows, D]. */
    private float[] finalLayerBackward(float[] dOut, float[] dMod, StateDict g) {
        int d = config.hidden();
        int tokens = config.tokens();
        int rows = batch * tokens;
        int p = config.patch();
        int outC = config.outChannels();
        int size = config.inputSize();
        if (cfgHalf > 0) {
            CfgCombine.backward(dOut, cfgHalf, outC, size * size, config.guidedChannels(), cfgScale);
        }
        int outDim = p * p * outC;
        float[] dTok = new float[rows * outDim];
        Unpatchify.backward(dOut, batch, outC, size, p, dTok);
        float[] normalized = null;
        float[] h = null;
        if (g != null) {
            normalized = new float[rows * d];
            LayerNorm.forward(finalIn, normalized, rows, d);
            h = new float[rows * d];
            Modulate.forward(normalized, h, batch, tokens, d, finalMod, 2 * d, 0, d);
        }
        float[] dH = new float[rows * d];
        Linear.backward(dTok, h, model.weight("final_layer.linear.weight").data(), rows, d, outDim, dH, false,
                grad(g, "final_layer.linear.weight"), grad(g, "final_layer.linear.bias"));
        Modulate.backward(dH, normalized, batch, tokens, d, finalMod, 2 * d, 0, d, dH, dMod);
        float[] dx = new float[rows * d];
        LayerNorm.backward(dH, finalIn, dx, rows, d, false);
        finalIn = null;
        return dx;
    }

    /** adaLN linears of every block and the final layer, SiLU(c), label table and timestep MLP (weight mode). */
    private void conditioningBackward(float[][] dMods, float[] dFinalMod, StateDict g) {
        int d = config.hidden();
        float[] dSiluC = new float[batch * d];
        Linear.backward(dFinalMod, siluC, model.weight("final_layer.adaLN_modulation.1.weight").data(), batch, d, 2 * d,
                dSiluC, true, g.get("final_layer.adaLN_modulation.1.weight").data(),
                g.get("final_layer.adaLN_modulation.1.bias").data());
        for (int i = 0; i < config.depth(); i++) {
            if (dMods[i] != null) {
                String key = "blocks." + i + ".adaLN_modulation.1.";
                Linear.backward(dMods[i], siluC, model.weight(key + "weight").data(), batch, d, 6 * d, dSiluC, true,
                        grad(g, key + "weight"), grad(g, key + "bias"));
            }
        }
        float[] dC = new float[batch * d];
        Silu.backward(dSiluC, cond, dC, dC.length);
        Embedding.backward(dC, labels, d, g.get("y_embedder.embedding_table.weight").data());
        float[] dHidden = new float[batch * d];
        Linear.backward(dC, tHidden, model.weight("t_embedder.mlp.2.weight").data(), batch, d, d, dHidden, false,
                g.get("t_embedder.mlp.2.weight").data(), g.get("t_embedder.mlp.2.bias").data());
        Silu.backward(dHidden, tPre, dHidden, dHidden.length);
        Linear.backward(dHidden, freq, model.weight("t_embedder.mlp.0.weight").data(), batch, Embeddings.FREQUENCY_DIM, d,
                null, false, g.get("t_embedder.mlp.0.weight").data(), g.get("t_embedder.mlp.0.bias").data());
    }

    /** PatchEmbed backward from dL/d(embedded tokens); returns dL/dx (CFG halves summed) when requested. */
    private Tensor embeddingBackward(float[] dx, StateDict g) {
        int c = config.inChannels();
        int size = config.inputSize();
        float[] dImage = want.input() ? new float[batch * c * size * size] : null;
        PatchEmbed.backward(dx, image, batch, c, size, config.patch(), model.weight("x_embedder.proj.weight").data(),
                config.hidden(), dImage, grad(g, "x_embedder.proj.weight"), grad(g, "x_embedder.proj.bias"));
        if (dImage == null) {
            return null;
        }
        if (cfgHalf == 0) {
            return Tensor.of(dImage, batch, c, size, size);
        }
        int half = dImage.length / 2;
        float[] sum = new float[half];
        for (int i = 0; i < half; i++) {
            sum[i] = dImage[i] + dImage[half + i];
        }
        return Tensor.of(sum, cfgHalf, c, size, size);
    }

    /** The gradient array under {@code key}, or null without weight gradients. */
    static float[] grad(StateDict grads, String key) {
        return grads == null ? null : grads.get(key).data();
    }

    private void release() {
        image = null;
        freq = null;
        tPre = null;
        tHidden = null;
        cond = null;
        siluC = null;
        mods = null;
        finalMod = null;
        finalIn = null;
        branches = null;
        diffs = null;
        unitOutputs = null;
    }

    /** sum a*b in double, chunked over the worker pool with partial sums added in chunk order (deterministic). */
    private static float dot(float[] a, float[] b) {
        int chunks = (a.length + DOT_CHUNK - 1) / DOT_CHUNK;
        double[] partial = new double[chunks];
        Parallel.parallelFor(0, chunks, c -> {
            double s = 0;
            for (int i = c * DOT_CHUNK, end = Math.min(a.length, (c + 1) * DOT_CHUNK); i < end; i++) {
                s += (double) a[i] * b[i];
            }
            partial[c] = s;
        });
        double s = 0;
        for (double v : partial) {
            s += v;
        }
        return (float) s;
    }

    private static void scale(float[] a, float s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }
}
