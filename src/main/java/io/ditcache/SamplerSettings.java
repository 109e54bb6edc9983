package io.ditcache;

import io.ditcache.cache.ShippedRouters;
import io.ditcache.diffusion.Samplers;

/**
 * How a pipeline samples: the sampler ({@link Samplers#create}: {@code ddim}, {@code ddpm}, {@code dpm++2m}, each
 * optionally {@code +clip}), the number of steps, the classifier-free guidance scale (<= 1: none) and optionally
 * fewer steps run than asked for ({@code fewer:K}, the simplest baseline of caching: K steps, measured against the
 * uncached N-step sampler). Checked on construction, so a bad value fails before any model is loaded.
 *
 * @param sampler    the sampler's name
 * @param steps      sampling steps N, 1 to 1000: what the samples and statistics are compared with
 * @param cfg        guidance scale, finite
 * @param fewerSteps K in [1, N]: the steps actually run ({@link #runSteps}); 0: all N
 */
public record SamplerSettings(String sampler, int steps, float cfg, int fewerSteps) {
    /** For any model: DDIM, 20 steps, guidance 1.5. */
    public static final SamplerSettings DEFAULT = new SamplerSettings("ddim", 20, 1.5f);
    /**
     * For the embedded model: what it and its shipped routers were made for ({@code ddim+clip}: pixel-space samples
     * with x0 clamped to [-1, 1]), 20 steps, guidance 1.5.
     */
    public static final SamplerSettings EMBEDDED = new SamplerSettings(ShippedRouters.SAMPLER, 20, ShippedRouters.CFG);

    public SamplerSettings {
        if (steps < 1 || steps > 1000) {
            throw new InvalidSettingException("steps", "steps must be in [1, 1000], got " + steps);
        }
        if (!Float.isFinite(cfg)) {
            throw new InvalidSettingException("cfg", "cfg (the guidance scale) must be a finite number, got " + cfg);
        }
        if (fewerSteps < 0 || fewerSteps > steps) {
            throw new InvalidSettingException("fewer steps", "fewer steps must be in [1, " + steps + "] (at most the "
                    + steps + " steps asked for), got " + fewerSteps);
        }
        try {
            Samplers.create(sampler, steps);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("sampler", "sampler: " + e.getMessage(), e);
        }
    }

    /** All {@code steps} run. */
    public SamplerSettings(String sampler, int steps, float cfg) {
        this(sampler, steps, cfg, 0);
    }

    /** The steps a trajectory runs: {@link #fewerSteps} where set, else {@link #steps}. */
    public int runSteps() {
        return fewerSteps == 0 ? steps : fewerSteps;
    }

    /** The defaults for a model named as {@link Models#load} takes it: {@link #EMBEDDED} for the embedded one. */
    public static SamplerSettings defaultsFor(String model) {
        return Models.EMBEDDED.equals(model) ? EMBEDDED : DEFAULT;
    }

    public SamplerSettings withSampler(String name, int steps) {
        return new SamplerSettings(name, steps, cfg, fewerSteps);
    }

    public SamplerSettings withSteps(int steps) {
        return new SamplerSettings(sampler, steps, cfg, fewerSteps);
    }

    public SamplerSettings withCfg(double scale) {
        return new SamplerSettings(sampler, steps, (float) scale, fewerSteps);
    }

    /** Runs {@code k} of the {@link #steps} (k in [1, steps]; 0: all), nothing else changed. */
    public SamplerSettings withFewerSteps(int k) {
        return new SamplerSettings(sampler, steps, cfg, k);
    }
}
