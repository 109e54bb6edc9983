package io.ditcache.diffusion;

import java.util.Locale;

/** Creates samplers by name, for the command line and configuration files. */
public final class Samplers {
    /** The accepted names, one per sampler (aliases are listed in {@link #create}). */
    public static final String NAMES = "ddim, ddpm, dpm++2m";

    private Samplers() {
    }

    /** {@link #create(String, int, long)} with seed 0 for DDPM's noise. */
    public static Sampler create(String name, int steps) {
        return create(name, steps, 0L);
    }

    /**
     * {@link #create(String, int, long, long)} for a batch whose first sample has index 0.
     */
    public static Sampler create(String name, int steps, long seed) {
        return create(name, steps, seed, 0);
    }

    /**
     * A sampler by name: {@code ddim}; {@code ddpm} (each row's step noise from its own stream, seeded by
     * {@link SampleSeeds#samplerNoise}{@code (seed, firstIndex + row)}); {@code dpm++2m}, also
     * spelled {@code dpmpp2m}, {@code dpm-solver++} or {@code dpmsolver++}. Case-insensitive. A {@code +clip} suffix
     * (e.g. {@code ddim+clip}) clamps every predicted x0 to [-1, 1], as pixel-space models are usually sampled;
     * without it the samplers are DiT's (no clipping, right for latents).
     *
     * @throws IllegalArgumentException for an unknown name or a step count outside 1..1000
     */
    public static Sampler create(String name, int steps, long seed, long firstIndex) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        boolean clip = key.endsWith(SpacedSampler.CLIP);
        if (clip) {
            key = key.substring(0, key.length() - SpacedSampler.CLIP.length());
        }
        SpacedSampler s;
        switch (key) {
            case "ddim":
                s = new DdimSampler(steps);
                break;
            case "ddpm":
                s = new DdpmSampler(steps, seed, firstIndex);
                break;
            case "dpm++2m":
            case "dpmpp2m":
            case "dpm-solver++":
            case "dpmsolver++":
                s = new DpmSolverPP2M(steps);
                break;
            default:
                throw new IllegalArgumentException("unknown sampler '" + name + "'; expected one of " + NAMES
                        + ", optionally with +clip");
        }
        return clip ? s.clipDenoised() : s;
    }
}
