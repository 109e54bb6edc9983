package io.ditcache.spark;

import io.ditcache.Cache;
import io.ditcache.Method;
import io.ditcache.Models;
import io.ditcache.SamplerSettings;
import io.ditcache.model.DiTConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of every job (a picocli mixin), checked on the driver before any task starts. */
final class JobOptions {
    @Option(names = "--model", defaultValue = Models.EMBEDDED, paramLabel = "MODEL", description = "A .pt/.safetensors"
            + " checkpoint at a path every node can read, 'default' (the embedded Fashion-MNIST model), or a preset"
            + " name with --random-weights. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--random-weights", description = "With a preset --model: random weights (timing only).")
    boolean randomWeights;

    @Option(names = "--n", required = true, description = "Samples (indices 0 to N-1; per method for eval).")
    long n;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory, on storage every node"
            + " can write; a re-run over a job's directory with the same settings resumes it.")
    Path out;

    @Option(names = "--steps", description = "Sampling steps. Default: the model's (20).")
    Integer steps;

    @Option(names = "--sampler", description = "ddim | ddpm | dpm++2m, optionally +clip. Default: the model's.")
    String sampler;

    @Option(names = "--cfg", description = "Classifier-free guidance scale (<= 1: none). Default: the model's (1.5).")
    Float cfg;

    @Option(names = "--seed", defaultValue = "0", description = "The job's seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--shard-size", paramLabel = "S", description = "Indices per task and shard. sample: sampled as one"
            + " batch (so it sets a task's activation memory), default " + SAMPLE_SHARD + "; eval: a multiple of --batch,"
            + " default --batch.")
    Integer shardSize;

    /** sample's default shard size. */
    static final int SAMPLE_SHARD = 32;

    @Option(names = "--threshold", paramLabel = "T", description = "Router threshold (default: each router file's).")
    Double threshold;

    /**
     * The job of these options running {@code methods} in batches of {@code batch} (null: one batch per shard), every
     * value checked (a method's router file read once here).
     */
    JobSpec spec(List<String> methods, String methodsFlag, Integer batch) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("--n must be >= 1, got " + n);
        }
        if (batch != null && batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        int shard = shardSize != null ? shardSize : batch != null ? batch : SAMPLE_SHARD;
        if (shard < 1) {
            throw new IllegalArgumentException("--shard-size must be >= 1, got " + shard);
        }
        if (batch != null && shard % batch != 0) {
            throw new IllegalArgumentException("--shard-size " + shard + " is no multiple of --batch " + batch
                    + ": a shard must hold whole batches");
        }
        checkModel();
        SamplerSettings defaults = SamplerSettings.defaultsFor(model);
        JobSpec spec = new JobSpec(model, sampler == null ? defaults.sampler() : sampler,
                steps == null ? defaults.steps() : steps, cfg == null ? defaults.cfg() : cfg, methods,
                threshold == null ? Double.NaN : threshold, seed, n, shard, batch != null ? batch : shard);
        SamplerSettings settings = spec.settings();
        for (String m : methods) {
            try {
                Method method = Cache.parseMethod(m, spec.threshold());
                settings.withFewerSteps(method.fewerSteps());
            } catch (IllegalArgumentException | IOException e) {
                throw new IllegalArgumentException(methodsFlag + " " + m + ": " + e.getMessage(), e);
            }
        }
        return spec;
    }

    /** A file must be readable here (the driver), as on every node; a preset needs --random-weights. */
    private void checkModel() {
        if (DiTConfig.isPreset(model)) {
            if (!randomWeights) {
                throw new IllegalArgumentException("--model " + model + " is a preset without weights: pass a checkpoint"
                        + " file, or add --random-weights to time it with random weights");
            }
        } else if (!Models.EMBEDDED.equals(model) && !Files.isReadable(Path.of(model))) {
            throw new IllegalArgumentException("--model " + model + ": no readable file at this path (every node reads"
                    + " the model from the same path)");
        }
    }
}
