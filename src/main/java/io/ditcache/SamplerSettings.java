package io.ditcache;

import io.ditcache.cache.ShippedRouters;
import io.ditcache.diffusion.Samplers;

/**
 * How a pipeline samples: the sampler ({@link Samplers#create}: {@code ddim}, {@code ddpm}, {@code dpm++2m}, each
 * optionally {@code +clip}), the number of steps and the classifier-free guidance scale (<= 1: none). Checked on
 * construction, so a bad value fails before any model is loaded.
 *
 * @param sampler the sampler's name
 * @param steps   sampling steps, 1 to 1000
 * @param cfg     guidance scale, finite
 */
public record SamplerSettings(String sampler, int steps, float cfg) {
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
        try {
            Samplers.create(sampler, steps);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("sampler", "sampler: " + e.getMessage(), e);
        }
    }

    /** The defaults for a model named as {@link Models#load} takes it: {@link #EMBEDDED} for the embedded one. */
    public static SamplerSettings defaultsFor(String model) {
        return Models.EMBEDDED.equals(model) ? EMBEDDED : DEFAULT;
    }

    public SamplerSettings withSampler(String name, int steps) {
        return new SamplerSettings(name, steps, cfg);
    }

    public SamplerSettings withSteps(int steps) {
        return new SamplerSettings(sampler, steps, cfg);
    }

    public SamplerSettings withCfg(double scale) {
        return new SamplerSettings(sampler, steps, (float) scale);
    }
}
