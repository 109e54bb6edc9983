package io.ditcache.model;

import io.ditcache.nn.CfgCombine;
import io.ditcache.nn.Embedding;
import io.ditcache.nn.PatchEmbed;
import io.ditcache.nn.Silu;
import io.ditcache.tensor.PackedWeight;
import io.ditcache.tensor.StandardNormal;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A class-conditional Diffusion Transformer, numerically matching facebookresearch/DiT {@code models.py}:
 * PatchEmbed + 2-D sin-cos positions, timestep and label embeddings summed into the conditioning c,
 * adaLN-Zero {@link DiTBlock}s, {@link FinalLayer} and unpatchify.
 * There is one forward ({@code run}): inference keeps only the unit outputs its {@link UnitRunner} keeps (other
 * intermediates live in per-thread scratch arrays), training hands it a {@link Tape} that keeps what its backward
 * needs (the training package's {@code DiTTape}). A forward's state is per call and per thread, so one model may be
 * shared by threads that sample independently.
 * {@link #packWeights()} makes inference faster by packing the token-wise Linear weights once, and keeps only the
 * packed copy; code that changes weights in place (training) calls {@link #unpackWeights()} first.
 */
public final class DiT {
    private final DiTConfig config;
    /** The checkpoint's key order, its metadata, and every tensor but the token-wise Linear weights. */
    private final List<String> keys;
    private final Map<String, String> metadata;
    private final StateDict others = new StateDict();
    /** The token-wise Linears by weight key, each holding its weight plain or packed. */
    private final Map<String, LinearLayer> linears = new java.util.HashMap<>();
    /** pos_embed: the fixed 2-D sin-cos position table [1, tokens, D]. */
    private final Tensor posEmbed;
    /** x_embedder: PatchEmbed, whose proj (a p x p conv with stride p) runs as a Linear over extracted patches. */
    private final LinearLayer xEmbedder;
    /** t_embedder: TimestepEmbedder, sinusoidal frequencies into mlp = [Linear(256, D), SiLU, Linear(D, D)]. */
    private final TimestepEmbedder tEmbedder;
    /** y_embedder: LabelEmbedder's embedding_table [numClasses + 1, D], the last row the null class. */
    private final Tensor yEmbedder;
    private final List<DiTBlock> blocks = new ArrayList<>();
    private final FinalLayer finalLayer;

    /** The Linears of TimestepEmbedder's mlp, at Sequential indices 0 and 2. */
    private record TimestepEmbedder(LinearLayer mlp0, LinearLayer mlp2) {
    }

    /**
     * Binds a state dict to the config. Every expected key must be present with its exact shape and no other key may
     * be present; the error names the offending keys, so nothing is loaded half.
     */
    public DiT(DiTConfig config, StateDict weights) {
        this(config, weights, null);
    }

    /**
     * As {@link #DiT(DiTConfig, StateDict)}, packing each Linear weight at {@code packAs} as soon as it is read
     * ({@link #packWeights(WeightPrecision)}; null: keep them plain). With lazy entries ({@link StateDict#putLazy})
     * the model then never holds more than one float copy of a weight at a time.
     */
    public DiT(DiTConfig config, StateDict weights, WeightPrecision packAs) {
        this.config = config;
        this.keys = List.copyOf(weights.keys());
        this.metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(weights.metadata()));
        Map<String, int[]> layout = ParameterLayout.of(config);
        TreeSet<String> missing = new TreeSet<>(layout.keySet());
        missing.removeAll(weights.keys());
        TreeSet<String> unexpected = new TreeSet<>(weights.keys());
        unexpected.removeAll(layout.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("weights do not fit " + config.name() + " (depth " + config.depth()
                    + ", hidden " + config.hidden() + ", patch " + config.patch() + ", input " + config.inputSize() + "): "
                    + (missing.isEmpty() ? "" : "missing keys " + abbreviate(missing))
                    + (!missing.isEmpty() && !unexpected.isEmpty() ? "; " : "")
                    + (unexpected.isEmpty() ? "" : "unexpected keys " + abbreviate(unexpected)));
        }
        for (Map.Entry<String, int[]> e : layout.entrySet()) {
            weights.checkShape(e.getKey(), e.getValue());
        }
        // Every tensor but the Linear weights, read once (a lazy entry gives a fresh copy on each read).
        for (String k : keys) {
            if (!isLinearWeight(k, layout)) {
                others.put(k, weights.get(k));
            }
        }
        LinearLoader loader = new LinearLoader(weights, others, packAs);
        posEmbed = others.get("pos_embed");
        xEmbedder = loader.linear("x_embedder.proj");
        linears.put("x_embedder.proj.weight", xEmbedder);
        tEmbedder = new TimestepEmbedder(loader.linear("t_embedder.mlp.0"), loader.linear("t_embedder.mlp.2"));
        linears.put("t_embedder.mlp.0.weight", tEmbedder.mlp0());
        linears.put("t_embedder.mlp.2.weight", tEmbedder.mlp2());
        yEmbedder = others.get("y_embedder.embedding_table.weight");
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(new DiTBlock(config, i, loader));
            linears.putAll(blocks.get(i).linears());
        }
        finalLayer = new FinalLayer(config, loader);
        linears.put("final_layer.linear.weight", finalLayer.linear);
        linears.put("final_layer.adaLN_modulation.1.weight", finalLayer.adaLnModulation);
        if (linears.size() + others.size() != keys.size()) {
            throw new IllegalStateException("Linear weights " + linears.keySet() + " do not complete " + others.keys());
        }
    }

    /** Whether {@code key} is the weight of a Linear (a {@code .weight} with a {@code .bias} beside it). */
    private static boolean isLinearWeight(String key, Map<String, int[]> layout) {
        return key.endsWith(".weight") && layout.containsKey(key.substring(0, key.length() - ".weight".length()) + ".bias");
    }

    private static String abbreviate(TreeSet<String> keys) {
        List<String> l = new ArrayList<>(keys);
        return l.size() <= 6 ? l.toString() : l.subList(0, 6) + " and " + (l.size() - 6) + " more";
    }

    /**
     * A model with random weights (normal, std 0.02; biases zero; the fixed sin-cos position table), for timing and
     * tests. Unlike DiT's adaLN-Zero initialisation, nothing is zeroed, so every branch does real work.
     */
    public static DiT random(DiTConfig config, long seed) {
        return random(config, seed, null);
    }

    /**
     * {@link #random(DiTConfig, long)} with each Linear packed at {@code packAs} as it is drawn (null: plain): the
     * weights are drawn tensor by tensor, each key from its own stream (seeded in layout order), so they do not depend
     * on the order they are read in and a packed model never holds its float copy whole.
     */
    public static DiT random(DiTConfig config, long seed, WeightPrecision packAs) {
        return new DiT(config, randomWeights(config, seed), packAs);
    }

    /** The lazy state dict behind {@link #random}: each tensor drawn when read. */
    static StateDict randomWeights(DiTConfig config, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        StateDict sd = new StateDict();
        for (Map.Entry<String, int[]> e : ParameterLayout.of(config).entrySet()) {
            String k = e.getKey();
            int[] shape = e.getValue();
            long keySeed = root.nextLong();
            int n = Math.toIntExact(Tensor.numel(shape));
            sd.putLazy(k, shape, a -> {
                if (k.equals("pos_embed")) {
                    System.arraycopy(Embeddings.posEmbed2d(config.hidden(), config.gridSize()), 0, a, 0, n);
                } else if (k.endsWith(".bias")) {
                    java.util.Arrays.fill(a, 0, n, 0f);
                } else {
                    SplittableRandom rng = new SplittableRandom(keySeed);
                    for (int i = 0; i < n; i++) {
                        a[i] = (float) (StandardNormal.sample(rng) * 0.02);
                    }
                }
            });
        }
        sd.metadata().put("init", "random(seed=" + seed + ")");
        return sd;
    }


    /**
     * Packs the token-wise Linear weights (patch embedding, qkv, proj, fc1, fc2, final linear) once for the GEMM
     * ({@link PackedWeight}): every later forward skips re-packing them, with bit-identical results. The plain copies
     * are let go as each is packed (the model holds them no longer; a caller still holding the state dict it was built
     * from keeps them alive), so for DiT-XL/2 the model holds about 2.7 GB instead of 2.7 GB plus 1.8 GB. Returns
     * this model.
     */
    public synchronized DiT packWeights() {
        return packWeights(WeightPrecision.FP32);
    }

    /**
     * {@link #packWeights()} storing the panels at {@code precision}: {@link WeightPrecision#BF16} halves them
     * (DiT-XL/2: 1.35 GB instead of 2.7 GB) and computes exactly what the fp32 model computes with its Linear
     * weights rounded to bf16. Already packed weights are kept as they are.
     */
    public synchronized DiT packWeights(WeightPrecision precision) {
        linears.values().forEach(l -> l.pack(precision));
        return this;
    }

    /** How the Linear weights are held: fp32 or bf16 when packed, null when plain. */
    public WeightPrecision weightPrecision() {
        return xEmbedder.precision();
    }

    /** Whether {@link #packWeights()} was called (and not undone by {@link #unpackWeights()}). */
    public boolean isPacked() {
        return xEmbedder.isPacked();
    }

    /**
     * Recovers the plain weights from the packs (bit for bit) and lets the packs go: needed before weights are
     * changed in place through {@link #stateDict()}, since changes to a packed model's state dict do not reach it.
     */
    public synchronized void unpackWeights() {
        linears.values().forEach(LinearLayer::unpack);
    }

    public DiTConfig config() {
        return config;
    }

    /** The metadata of the file the weights came from (safetensors {@code __metadata__}; empty for a {@code .pt}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The weights as a state dict with facebookresearch/DiT's keys, in the checkpoint's order. Unpacked, the tensors
     * are the model's own (changes in place reach it); while packed, the token-wise Linear weights are exact copies
     * recovered from the packs (for DiT-XL/2, 1.8 GB: prefer {@link #weight} for a few tensors).
     */
    public StateDict stateDict() {
        StateDict sd = new StateDict();
        for (String k : keys) {
            sd.put(k, weight(k));
        }
        sd.metadata().putAll(metadata);
        return sd;
    }

    /** The tensor under checkpoint key {@code key}, as {@link #stateDict()} would give it. */
    public Tensor weight(String key) {
        LinearLayer l = linears.get(key);
        return l != null ? l.weightTensor() : others.get(key);
    }

    /** Bytes of weights the model holds now (packed weights at their padded panel size). */
    public long weightBytes() {
        long n = 0;
        for (LinearLayer l : linears.values()) {
            n += l.bytes();
        }
        return n + 4L * others.parameterCount();
    }

    /** The uncached forward pass. */
    public Tensor forward(Tensor x, float[] t, int[] y) {
        return forward(x, t, y, UnitRunner.COMPUTE_ALL);
    }

    /**
     * {@code forward(x, t, y)}: x [B, C_in, H, W], t the original timesteps (0..999) as floats, y labels in
     * [0, numClasses] (numClasses is the null class). Returns [B, C_out, H, W].
     */
    public Tensor forward(Tensor x, float[] t, int[] y, UnitRunner units) {
        return forward(x, t, y, units, null);
    }

    /** {@code forward(x, t, y, units)} handing {@code tape} (null: none) what a backward needs. */
    public Tensor forward(Tensor x, float[] t, int[] y, UnitRunner units, Tape tape) {
        return run(x.data(), checkInputs(x, t, y), t, y, units, tape);
    }

    /**
     * Classifier-free guidance as DiT's {@code forward_with_cfg}: runs [x; x] with labels [y; null] in one batch and
     * mixes {@code e_u + s (e_c - e_u)} on the guided channels ({@link DiTConfig#guidedChannels()}), copying the
     * result into both halves; the other channels stay per half. Returns [2B, C_out, H, W].
     */
    public Tensor forwardWithCfg(Tensor x, float[] t, int[] y, float scale, UnitRunner units) {
        return forwardWithCfg(x, t, y, scale, units, null);
    }

    /** {@code forwardWithCfg(x, t, y, scale, units)} handing {@code tape} (null: none) what a backward needs. */
    public Tensor forwardWithCfg(Tensor x, float[] t, int[] y, float scale, UnitRunner units, Tape tape) {
        int batch = checkInputs(x, t, y);
        float[] xx = new float[2 * x.numel()];
        System.arraycopy(x.data(), 0, xx, 0, x.numel());
        System.arraycopy(x.data(), 0, xx, x.numel(), x.numel());
        float[] tt = new float[2 * batch];
        int[] yy = new int[2 * batch];
        for (int b = 0; b < batch; b++) {
            tt[b] = t[b];
            tt[batch + b] = t[b];
            yy[b] = y[b];
            yy[batch + b] = config.numClasses();
        }
        Tensor out = run(xx, 2 * batch, tt, yy, units, tape);
        int hw = config.inputSize() * config.inputSize();
        CfgCombine.forward(out.data(), batch, config.outChannels(), hw, config.guidedChannels(), scale);
        return out;
    }

    /**
     * The one forward pass, for inference and training alike: x [batch, C_in, H, W] flat, unit outputs through
     * {@code units}. With a {@code tape} (training), each step hands the tape what its backward needs, and the tape
     * says which branches to tape; without one, only what {@code units} keeps outlives the call.
     */
    private Tensor run(float[] x, int batch, float[] t, int[] y, UnitRunner units, Tape tape) {
        if (tape != null) {
            tape.begin(x, batch, y);
        }
        float[] residual = embedTokens(x, batch);
        float[] siluC = conditioning(t, y, tape);
        for (DiTBlock block : blocks) {
            float[] mod = block.modulation(siluC, batch);
            if (tape != null) {
                tape.keepModulation(block.index(), mod);
            }
            block.forward(residual, batch, mod, units, tape);
        }
        return finalLayer.forward(residual, batch, siluC, tape);
    }

    /** The batch size of checked inputs x [B, C_in, H, W], t [B], y [B] (labels in [0, numClasses]). */
    private int checkInputs(Tensor x, float[] t, int[] y) {
        int s = config.inputSize();
        if (x.rank() != 4 || x.dim(1) != config.inChannels() || x.dim(2) != s || x.dim(3) != s) {
            throw new IllegalArgumentException("input " + x.shapeString() + " does not fit " + config.name()
                    + ": expected [B, " + config.inChannels() + ", " + s + ", " + s + "]");
        }
        int batch = x.dim(0);
        if (t.length != batch || y.length != batch) {
            throw new IllegalArgumentException("batch " + batch + " but " + t.length + " timesteps and " + y.length + " labels");
        }
        for (int label : y) {
            if (label < 0 || label > config.numClasses()) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + config.numClasses()
                        + "] (" + config.numClasses() + " = null class)");
            }
        }
        return batch;
    }

    /** PatchEmbed (a strided conv, done as one GEMM over extracted patches) plus the position table: [B*T, D]. */
    private float[] embedTokens(float[] x, int batch) {
        int rows = batch * config.tokens();
        float[] patches = PatchEmbed.patches(x, batch, config.inChannels(), config.inputSize(), config.patch());
        float[] h = new float[rows * config.hidden()];
        xEmbedder.forward(patches, rows, h);
        PatchEmbed.addPositions(h, rows, config.hidden(), posEmbed.data());
        return h;
    }

    /** SiLU(c), c = TimestepEmbedder(t) + LabelEmbedder(y), [B, D]; the tape keeps the intermediates. */
    private float[] conditioning(float[] t, int[] y, Tape tape) {
        int batch = t.length;
        int d = config.hidden();
        int fd = Embeddings.FREQUENCY_DIM;
        float[] freq = Embeddings.timestepFrequencies(t, fd);
        float[] tPre = new float[batch * d];
        tEmbedder.mlp0().forward(freq, batch, tPre);
        float[] tHidden = new float[batch * d];
        Silu.forward(tPre, tHidden, tHidden.length);
        float[] c = new float[batch * d];
        tEmbedder.mlp2().forward(tHidden, batch, c);
        Embedding.addInto(yEmbedder.data(), y, d, c);
        float[] siluC = new float[batch * d];
        Silu.forward(c, siluC, siluC.length);
        if (tape != null) {
            tape.keepConditioning(freq, tPre, tHidden, c, siluC);
        }
        return siluC;
    }
}
