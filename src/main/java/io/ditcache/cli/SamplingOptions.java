package io.ditcache.cli;

import io.ditcache.SamplerSettings;
import io.ditcache.cache.ShippedRouters;
import picocli.CommandLine.Option;

/** Sampler options shared by sample and eval: the library's {@link SamplerSettings}, defaults following the model. */
final class SamplingOptions {
    @Option(names = "--steps", defaultValue = "20", description = "Sampling steps N. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--sampler", description = "ddim | ddpm | dpm++2m, optionally with +clip (clamp the"
            + " predicted x0 to [-1, 1] at every step, for pixel-space models; DiT samples latents without). Default: the"
            + " model's: " + ShippedRouters.SAMPLER + " for --model default (as its routers were trained), ddim otherwise.")
    String sampler;

    @Option(names = "--cfg", description = "Classifier-free guidance scale (<= 1: none). Default: 1.5 (also the embedded"
            + " model's and its routers').")
    Float cfg;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the noise: sample i's initial noise and (ddpm)"
            + " step noise come from (seed, i) alone, whatever the batch or --shard it runs in. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The settings asked for, what is left out taken from the defaults of {@code model} ({@link SamplerSettings#defaultsFor}). */
    SamplerSettings settingsFor(ModelOptions model) {
        SamplerSettings defaults = SamplerSettings.defaultsFor(model.model);
        return new SamplerSettings(sampler == null ? defaults.sampler() : sampler, steps,
                cfg == null ? defaults.cfg() : cfg);
    }
}
