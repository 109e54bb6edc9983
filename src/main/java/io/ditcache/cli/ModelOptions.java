package io.ditcache.cli;

import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.ParameterLayout;
import io.ditcache.io.WeightsFiles;
import io.ditcache.tensor.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model} option shared by every command, and how a MODEL argument becomes a {@link DiT}. */
public final class ModelOptions {
    @Option(names = "--model", defaultValue = "default", paramLabel = "MODEL",
            description = "A preset name (DiT-XL/2, DiT-B/4, ...; needs --random-weights), a .pt/.safetensors checkpoint, "
                    + "or 'default' (the embedded Fashion-MNIST model). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--random-weights", description = "With a preset: use random weights (for timing only; the samples are noise).")
    boolean randomWeights;

    @Option(names = "--heads", paramLabel = "N", description = "Attention heads, when a checkpoint's width matches no preset.")
    Integer heads;

    @Option(names = "--input-size", paramLabel = "N", description = "With a preset: latent size (32 = 256x256 images, 64 = 512x512).")
    Integer inputSize;

    /** The config alone (no weights are read for presets). */
    DiTConfig config() throws java.io.IOException {
        if (DiTConfig.isPreset(model)) {
            DiTConfig c = DiTConfig.preset(model);
            return inputSize == null ? c : c.withInputSize(inputSize);
        }
        return load().config();
    }

    /** Whether the model is the embedded default model. */
    boolean isEmbedded() {
        return model.equals("default");
    }

    /** Whether the model is a random-weight preset (its samples mean nothing). */
    boolean isRandom() {
        return DiTConfig.isPreset(model);
    }

    /** Models above this many parameters announce their silent set-up phases (DiT-XL/2: about 50 s on 2 cores). */
    static final long ANNOUNCE_PARAMETERS = 20_000_000L;
    /** Weight files above this size announce their reading. */
    static final long ANNOUNCE_BYTES = 50_000_000L;

    /** The model, its token-wise weights packed for fast inference ({@link DiT#packWeights()}). */
    DiT load() throws java.io.IOException {
        DiT dit = unpacked();
        long params = ParameterLayout.count(dit.config());
        if (params < ANNOUNCE_PARAMETERS) {
            return dit.packWeights();
        }
        Progress.Phase phase = Progress.phase(String.format(java.util.Locale.ROOT,
                "%s: packing %,d weights for fast inference", dit.config().name(), params));
        dit.packWeights();
        phase.done();
        return dit;
    }

    /** The model without packed weights: for callers that change the weights or time the unpacked path. */
    DiT unpacked() throws java.io.IOException {
        if (DiTConfig.isPreset(model)) {
            if (!randomWeights) {
                throw new IllegalArgumentException("--model " + model + " is a preset without weights: pass a checkpoint file"
                        + " (e.g. DiT-XL-2-256x256.pt) or add --random-weights to time it with random weights");
            }
            DiTConfig c = inputSize == null ? DiTConfig.preset(model) : DiTConfig.preset(model).withInputSize(inputSize);
            Progress.Phase phase = Progress.phase(String.format(java.util.Locale.ROOT,
                    "%s: drawing %,d random weights", c.name(), ParameterLayout.count(c)));
            DiT dit = DiT.random(c, 0);
            phase.done();
            return dit;
        }
        if (model.equals("default")) {
            return EmbeddedModel.load();
        }
        Path p = Path.of(model);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("--model " + model + ": no such file, and not a preset ("
                    + String.join(", ", DiTConfig.PRESETS.keySet()) + ") or 'default'");
        }
        if (Files.isDirectory(p)) {
            throw new IllegalArgumentException("--model " + model + " is a directory, not a weights file (.safetensors, "
                    + ".pt, .pth or .bin)");
        }
        long bytes = Files.size(p);
        Progress.Phase phase = bytes < ANNOUNCE_BYTES ? null : Progress.phase(String.format(java.util.Locale.ROOT,
                "reading %s (%.0f MB)", p, bytes / 1e6));
        StateDict sd = WeightsFiles.load(p);
        DiTConfig c = ConfigInference.infer(sd, p.getFileName().toString(), heads);
        DiT dit = new DiT(c, sd);
        if (phase != null) {
            phase.done();
        }
        return dit;
    }
}
