package io.ditcache.model;

import io.ditcache.tensor.StateDict;
import java.util.Arrays;

/**
 * Recovers a {@link DiTConfig} from a state dict's shapes, so a checkpoint file alone is enough to build a model.
 * Everything but the head count is visible in the shapes; heads come from the file's metadata
 * ({@code ditcache.heads}), an explicit override, or the preset with the same width (1152/1024 -> 16, 768 -> 12,
 * 384 -> 6).
 */
public final class ConfigInference {
    /** Metadata keys written into ditcache's own safetensors files. */
    public static final String META_NAME = "ditcache.config.name";
    public static final String META_HEADS = "ditcache.config.heads";

    private ConfigInference() {
    }

    public static DiTConfig infer(StateDict sd, String source, Integer headsOverride) {
        int[] patch = require(sd, "x_embedder.proj.weight", source);
        if (patch.length != 4) {
            throw new IllegalArgumentException(source + ": x_embedder.proj.weight has shape " + Arrays.toString(patch)
                    + ", expected [hidden, in_channels, p, p]");
        }
        int hidden = patch[0];
        int inChannels = patch[1];
        int p = patch[2];
        int[] pos = require(sd, "pos_embed", source);
        if (pos.length < 2) {
            throw new IllegalArgumentException(source + ": pos_embed has shape " + Arrays.toString(pos)
                    + ", expected [1, tokens, hidden]");
        }
        int tokens = pos[1];
        int grid = (int) Math.round(Math.sqrt(tokens));
        if (grid * grid != tokens) {
            throw new IllegalArgumentException(source + ": pos_embed has " + tokens + " tokens, not a square grid");
        }
        int depth = 0;
        while (sd.contains("blocks." + depth + ".attn.qkv.weight")) {
            depth++;
        }
        if (depth == 0) {
            throw new IllegalArgumentException(source + ": no 'blocks.0.attn.qkv.weight': not a DiT checkpoint");
        }
        int numClasses = require(sd, "y_embedder.embedding_table.weight", source)[0] - 1;
        int outDim = require(sd, "final_layer.linear.weight", source)[0];
        int outChannels = outDim / (p * p);
        boolean learnSigma = outChannels == 2 * inChannels;
        if (!learnSigma && outChannels != inChannels) {
            throw new IllegalArgumentException(source + ": final_layer.linear.weight gives " + outChannels
                    + " output channels for " + inChannels + " input channels (expected equal or double)");
        }
        int mlpHidden = require(sd, "blocks.0.mlp.fc1.weight", source)[0];
        int heads = headsOverride != null ? headsOverride : headsFor(sd, hidden, source);
        String name = sd.metadata().getOrDefault(META_NAME, presetName(hidden, depth, p, source));
        return new DiTConfig(name, depth, hidden, heads, p, inChannels, grid * p, numClasses, learnSigma, mlpHidden / hidden);
    }

    /**
     * Whether {@link #infer} can tell the head count without an override: from the metadata or a preset of the same
     * width (true also when the shapes are not a DiT's, which {@link #infer} then reports).
     */
    public static boolean knowsHeads(StateDict sd) {
        return sd.metadata().containsKey(META_HEADS) || !sd.contains("x_embedder.proj.weight")
                || presetHeads(sd.shape("x_embedder.proj.weight")[0]) != null;
    }

    private static int headsFor(StateDict sd, int hidden, String source) {
        String m = sd.metadata().get(META_HEADS);
        if (m != null) {
            return Integer.parseInt(m.trim());
        }
        Integer preset = presetHeads(hidden);
        if (preset == null) {
            throw new IllegalArgumentException(source + ": cannot tell the number of attention heads for hidden size "
                    + hidden + "; give the head count");
        }
        return preset;
    }

    /** The head count of the presets of width {@code hidden}, or null if none has it. */
    private static Integer presetHeads(int hidden) {
        for (DiTConfig c : DiTConfig.PRESETS.values()) {
            if (c.hidden() == hidden) {
                return c.heads();
            }
        }
        return null;
    }

    private static String presetName(int hidden, int depth, int p, String source) {
        for (DiTConfig c : DiTConfig.PRESETS.values()) {
            if (c.hidden() == hidden && c.depth() == depth && c.patch() == p) {
                return c.name();
            }
        }
        return "DiT(" + source + ")";
    }

    /** The shape under {@code key} (nothing is read). */
    private static int[] require(StateDict sd, String key, String source) {
        if (!sd.contains(key)) {
            throw new IllegalArgumentException(source + ": missing key '" + key + "': not a DiT checkpoint?");
        }
        return sd.shape(key);
    }
}
