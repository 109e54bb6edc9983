package io.ditcache.cache;

import io.ditcache.diffusion.SampleListener;
import io.ditcache.diffusion.Sampler;
import io.ditcache.diffusion.Samplers;
import io.ditcache.model.DiT;
import io.ditcache.tensor.Tensor;

/**
 * One call from "policy + sampler name" to samples and statistics, what {@code ditcache sample} does:
 * resolves {@code fewer:K} to a K-step sampler, wraps the model in a {@link CachedDenoiser} and runs the sampler;
 * optionally runs the uncached sampler on the same noise to fill {@code wall_ms_uncached} (after an untimed
 * uncached warm-up trajectory, so that JIT compilation is charged to neither timed run).
 */
public final class CachedSampling {
    private CachedSampling() {
    }

    /** The samples x0 [B, C, H, W] and what caching did. */
    public record Result(Tensor samples, CacheStats stats) {
    }

    /**
     * @param sampler   sampler name ({@link Samplers#NAMES})
     * @param steps     requested steps N (the uncached baseline; {@code fewer:K} runs K)
     * @param seed      the sampler's own noise seed (DDPM)
     * @param cfg       guidance scale (<= 1: none)
     * @param xT        initial noise [B, C, H, W], one row per label
     * @param measureUncached also time the uncached run (same noise, same sampler seed)
     */
    public static Result sample(DiT model, CachePolicy policy, String sampler, int steps, long seed, int[] labels,
                                float cfg, Tensor xT, boolean measureUncached, SampleListener listener) {
        int run = policy.samplerSteps(steps);
        if (measureUncached) {
            // One untimed uncached trajectory first, so neither timed run pays for JIT warm-up.
            uncached(model, sampler, steps, seed, labels, cfg, xT);
        }
        CachedDenoiser denoiser = new CachedDenoiser(model, labels, cfg, policy, run, steps);
        Tensor x0 = Samplers.create(sampler, run, seed).sample(denoiser, xT, listener);
        if (measureUncached) {
            denoiser.stats().setWallMsUncached(uncached(model, sampler, steps, seed, labels, cfg, xT).wallMs());
        }
        return new Result(x0, denoiser.stats());
    }

    private static CacheStats uncached(DiT model, String sampler, int steps, long seed, int[] labels, float cfg, Tensor xT) {
        CachedDenoiser plain = new CachedDenoiser(model, labels, cfg, new NoCache(), steps);
        Sampler reference = Samplers.create(sampler, steps, seed);
        reference.sample(plain, xT, SampleListener.NONE);
        return plain.stats();
    }
}
