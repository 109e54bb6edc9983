package io.ditcache.cli;

import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
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

    /** Whether the model is a random-weight preset (its samples mean nothing). */
    boolean isRandom() {
        return DiTConfig.isPreset(model);
    }

    /** The model, its token-wise weights packed for fast inference ({@link DiT#packWeights()}). */
    DiT load() throws java.io.IOException {
        return unpacked().packWeights();
    }

    /** The model without packed weights: for callers that change the weights or time the unpacked path. */
    DiT unpacked() throws java.io.IOException {
        if (DiTConfig.isPreset(model)) {
            if (!randomWeights) {
                throw new IllegalArgumentException("--model " + model + " is a preset without weights: pass a checkpoint file"
                        + " (e.g. DiT-XL-2-256x256.pt) or add --random-weights to time it with random weights");
            }
            DiTConfig c = inputSize == null ? DiTConfig.preset(model) : DiTConfig.preset(model).withInputSize(inputSize);
            return DiT.random(c, 0);
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
        StateDict sd = WeightsFiles.load(p);
        DiTConfig c = ConfigInference.infer(sd, p.getFileName().toString(), heads);
        return new DiT(c, sd);
    }
}
