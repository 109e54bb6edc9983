package io.ditcache.cli;

import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.CachedSampling;
import io.ditcache.cache.ShippedRouters;
import io.ditcache.diffusion.Samplers;
import io.ditcache.model.DiT;
import io.ditcache.tensor.Tensor;
import picocli.CommandLine.Option;

/** Sampler options shared by sample, eval and demo, and the progress-bar-wrapped sampling call. */
final class SamplingOptions {
    @Option(names = "--steps", defaultValue = "20", description = "Sampling steps N. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--sampler", description = "ddim | ddpm | dpm++2m, optionally with +clip (clamp the"
            + " predicted x0 to [-1, 1] at every step, for pixel-space models; DiT samples latents without). Default: the"
            + " model's: " + ShippedRouters.SAMPLER + " for --model default (as its routers were trained), ddim otherwise.")
    String sampler;

    @Option(names = "--cfg", description = "Classifier-free guidance scale (<= 1: none). Default: 1.5 (also the embedded"
            + " model's and its routers').")
    Float cfgOption;

    /** The guidance scale in effect (set by {@link #defaultsFor}). */
    float cfg = DEFAULT_CFG;

    static final float DEFAULT_CFG = 1.5f;

    /** Fills in what the user left out with the defaults of {@code model}: the embedded model's own sampler and cfg. */
    SamplingOptions defaultsFor(ModelOptions model) {
        boolean embedded = model.isEmbedded();
        if (sampler == null) {
            sampler = embedded ? ShippedRouters.SAMPLER : "ddim";
        }
        cfg = cfgOption != null ? cfgOption : embedded ? ShippedRouters.CFG : DEFAULT_CFG;
        return this;
    }

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial noise and the sampler's noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    void validate() {
        if (sampler == null) {
            throw new IllegalStateException("SamplingOptions.defaultsFor was not called");
        }
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
        // With the comparison: an untimed uncached warm-up, the cached run, the timed uncached run.
        long total = runSteps + (compareUncached ? 2L * steps : 0);
        long[] done = {0};
        try (Progress bar = new Progress(task, total, "step")) {
            return CachedSampling.sample(dit, policy, sampler, steps, seed, labels, cfg, xT, compareUncached,
                    (stepIndex, stepsDone, totalSteps) -> bar.stepTo(++done[0], null));
        }
    }
}
