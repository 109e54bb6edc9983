package io.ditcache.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of a DiT (facebookresearch/DiT {@code models.py}): one immutable record, with the published presets
 * in one table ({@link #PRESETS}).
 *
 * @param name        display name, e.g. {@code DiT-XL/2}
 * @param depth       number of DiT blocks
 * @param hidden      token width D
 * @param heads       attention heads (head_dim = hidden / heads)
 * @param patch       patch size p
 * @param inChannels  input channels (4 for SD-VAE latents, 1 for the embedded Fashion-MNIST model)
 * @param inputSize   input height = width (latent size: 32 for 256x256 images)
 * @param numClasses  class count; the label embedding has one more row, the null class for guidance
 * @param learnSigma  whether the model also predicts the variance (doubles the output channels)
 * @param mlpRatio    MLP hidden width = mlpRatio * hidden
 */
public record DiTConfig(String name, int depth, int hidden, int heads, int patch, int inChannels, int inputSize,
                        int numClasses, boolean learnSigma, int mlpRatio) {

    /** The facebookresearch/DiT presets, at their default 256x256 (32x32x4 latent), 1000 classes, learn_sigma. */
    public static final Map<String, DiTConfig> PRESETS = presets();

    public DiTConfig {
        check(depth >= 1, "depth must be >= 1, got " + depth);
        check(hidden >= 1 && heads >= 1 && hidden % heads == 0, "hidden (" + hidden + ") must be a multiple of heads (" + heads + ")");
        check(hidden % 4 == 0, "hidden must be a multiple of 4 for the 2-D sin-cos position table, got " + hidden);
        check(patch >= 1 && inputSize % patch == 0, "input size " + inputSize + " must be a multiple of patch " + patch);
        check(inChannels >= 1, "in channels must be >= 1");
        check(numClasses >= 1, "num classes must be >= 1");
        check(mlpRatio >= 1, "mlp ratio must be >= 1");
    }

    private static void check(boolean ok, String msg) {
        if (!ok) {
            throw new IllegalArgumentException("DiTConfig: " + msg);
        }
    }

    private static Map<String, DiTConfig> presets() {
        Map<String, DiTConfig> m = new LinkedHashMap<>();
        Object[][] sizes = {{"XL", 28, 1152, 16}, {"L", 24, 1024, 16}, {"B", 12, 768, 12}, {"S", 12, 384, 6}};
        for (Object[] s : sizes) {
            for (int p : new int[]{2, 4, 8}) {
                String name = "DiT-" + s[0] + "/" + p;
                m.put(name, new DiTConfig(name, (int) s[1], (int) s[2], (int) s[3], p, 4, 32, 1000, true, 4));
            }
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Looks up a preset by name, case-insensitively; {@code DiT-XL-2} is accepted for {@code DiT-XL/2}. */
    public static DiTConfig preset(String name) {
        String key = name.trim().toUpperCase(Locale.ROOT).replace("DIT-", "DiT-");
        if (key.matches("DiT-[A-Z]+-\\d+")) {
            int i = key.lastIndexOf('-');
            key = key.substring(0, i) + "/" + key.substring(i + 1);
        }
        DiTConfig c = PRESETS.get(key);
        if (c == null) {
            throw new IllegalArgumentException("unknown DiT preset '" + name + "'; known: " + String.join(", ", PRESETS.keySet()));
        }
        return c;
    }

    /**
     * The embedded default model's config: a class-conditional pixel-space DiT for Fashion-MNIST (32x32x1, 10 classes),
     * 12 blocks so that layer caching has depth to work with, epsilon-only output (DDIM needs no learned variance).
     */
    public static final DiTConfig FASHION_MNIST = new DiTConfig("DiT-FMNIST", 12, 128, 4, 4, 1, 32, 10, false, 4);

    /** A preset or the embedded default's config by name. */
    public static DiTConfig named(String name) {
        if (name.trim().equalsIgnoreCase(FASHION_MNIST.name())) {
            return FASHION_MNIST;
        }
        return preset(name);
    }

    public static boolean isPreset(String name) {
        try {
            preset(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The same config at another input size (e.g. 64 for 512x512 images). */
    public DiTConfig withInputSize(int size) {
        return new DiTConfig(name, depth, hidden, heads, patch, inChannels, size, numClasses, learnSigma, mlpRatio);
    }

    /** The same config with another number of blocks (a one-block model of the same shape warms the JIT). */
    public DiTConfig withDepth(int blocks) {
        return new DiTConfig(name, blocks, hidden, heads, patch, inChannels, inputSize, numClasses, learnSigma, mlpRatio);
    }

    public int outChannels() {
        return learnSigma ? 2 * inChannels : inChannels;
    }

    public int headDim() {
        return hidden / heads;
    }

    /** Tokens per image, (inputSize / patch)^2. */
    public int tokens() {
        int g = gridSize();
        return g * g;
    }

    public int gridSize() {
        return inputSize / patch;
    }

    public int mlpHidden() {
        return mlpRatio * hidden;
    }

    /** Cache units per step: attention and MLP branch of every block. */
    public int units() {
        return 2 * depth;
    }

    /**
     * Channels classifier-free guidance acts on. DiT guides channels 0..2 of its 4-channel latent output
     * (a reproducibility quirk kept for parity); other models guide all their epsilon channels.
     */
    public int guidedChannels() {
        return inChannels == 4 ? 3 : inChannels;
    }
}
