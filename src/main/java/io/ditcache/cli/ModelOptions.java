package io.ditcache.cli;

import io.ditcache.Models;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.GemmBackend;
import java.io.IOException;
import io.ditcache.tensor.WeightPrecision;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code --model} option shared by every command: the MODEL argument of {@link Models}, with its flags. */
public final class ModelOptions {
    @Option(names = "--model", defaultValue = "default", paramLabel = "MODEL",
            description = "A preset name (DiT-XL/2, DiT-B/4, ...; needs --random-weights), a .pt/.safetensors checkpoint, "
                    + "or 'default' (the embedded Fashion-MNIST model). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--random-weights", description = "With a preset (of --model, or of --vae): use random weights (for timing only; the samples are noise).")
    boolean randomWeights;

    @Option(names = "--heads", paramLabel = "N", description = "Attention heads, when a checkpoint's width matches no preset.")
    Integer heads;

    @Option(names = "--weights", paramLabel = "fp32|bf16", defaultValue = "fp32", converter = PrecisionConverter.class,
            description = "How the model's Linear weights are held: fp32 (default) or bf16 (half the memory; the model "
                    + "then computes, in fp32, with its weights rounded to bfloat16: docs/performance.md gives the error).")
    WeightPrecision weights = WeightPrecision.FP32;

    /** Parses {@code --weights}, naming the flag in its error. */
    static final class PrecisionConverter implements ITypeConverter<WeightPrecision> {
        @Override
        public WeightPrecision convert(String value) {
            try {
                return WeightPrecision.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("--weights " + value + ": expected fp32 or bf16");
            }
        }
    }

    @Option(names = "--input-size", paramLabel = "N", description = "With a preset: latent size (32 = 256x256 images, 64 = 512x512).")
    Integer inputSize;

    /** The config alone (no weights are read for presets). */
    DiTConfig config() throws IOException {
        return models().config();
    }

    /** Whether the model is the embedded default model. */
    boolean isEmbedded() {
        return models().isEmbedded();
    }

    /** Whether the model is a random-weight preset (its samples mean nothing). */
    boolean isRandom() {
        return models().isPreset();
    }

    /** The model, its token-wise weights packed for fast inference; slow phases announced on stderr. */
    DiT load() throws IOException {
        checkRandomWeights();
        return models().weights(weights).load();
    }

    /** The model without packed weights: for callers that change the weights or time the unpacked path. */
    DiT unpacked() throws IOException {
        checkRandomWeights();
        return models().loadUnpacked();
    }

    private Models models() {
        GemmBackend.check();
        Models m = Models.from(model).phases(new Models.Phases() {
            @Override
            public Runnable begin(String what) {
                return Progress.phase(what)::done;
            }

            @Override
            public void warn(String message) {
                System.err.println("warning: " + message);
            }
        });
        m = heads == null ? m : m.heads(heads);
        return inputSize == null ? m : m.inputSize(inputSize);
    }

    /** A preset has only random weights: the command line asks for them to be named, so that nobody mistakes them. */
    private void checkRandomWeights() {
        if (isRandom() && !randomWeights) {
            throw new IllegalArgumentException("--model " + model + " is a preset without weights: pass a checkpoint file"
                    + " (e.g. DiT-XL-2-256x256.pt) or add --random-weights to time it with random weights");
        }
    }
}
