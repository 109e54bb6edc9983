package io.ditcache.cli;

import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.CachedSampling;
import io.ditcache.diffusion.Samplers;
import io.ditcache.model.DiT;
import io.ditcache.tensor.Tensor;
import picocli.CommandLine.Option;

/** Sampler options shared by sample, eval and demo, and the progress-bar-wrapped sampling call. */
final class SamplingOptions {
    @Option(names = "--steps", defaultValue = "20", description = "Sampling steps N. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--sampler", defaultValue = "ddim", description = "ddim | ddpm | dpm++2m, optionally with +clip (clamp the"
            + " predicted x0 to [-1, 1] at every step, for pixel-space models; DiT samples latents without). Default: ${DEFAULT-VALUE}.")
    String sampler;

    @Option(names = "--cfg", defaultValue = "1.5", description = "Classifier-free guidance scale (<= 1: none). Default: ${DEFAULT-VALUE}.")
    float cfg;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial noise and the sampler's noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    void validate() {
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("--steps must be in [1, 1000], got " + steps);
        }
        if (!Float.isFinite(cfg)) {
            throw new IllegalArgumentException("--cfg must be a finite number, got " + cfg);
        }
        Samplers.create(sampler, steps, seed);
    }

    /** Samples with a progress bar over the steps (and over the uncached comparison run, if asked). */
    CachedSampling.Result run(DiT dit, CachePolicy policy, int[] labels, Tensor xT, boolean compareUncached, String task) {
        validate();
        int runSteps = policy.samplerSteps(steps);
        long total = runSteps + (compareUncached ? steps : 0);
        long[] done = {0};
        try (Progress bar = new Progress(task, total, "step")) {
            return CachedSampling.sample(dit, policy, sampler, steps, seed, labels, cfg, xT, compareUncached,
                    (stepIndex, stepsDone, totalSteps) -> bar.stepTo(++done[0], null));
        }
    }
}
