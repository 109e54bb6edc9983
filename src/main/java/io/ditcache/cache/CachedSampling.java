package io.ditcache.cache;

import io.ditcache.diffusion.SampleListener;
import io.ditcache.diffusion.Sampler;
import io.ditcache.diffusion.Samplers;
import io.ditcache.model.DiT;
import io.ditcache.tensor.Tensor;

/**
 * One call from "policy + sampler name" to samples and statistics, under {@code io.ditcache.Pipeline} (the library's
 * front door, which {@code ditcache sample} uses):
 * wraps the model in a {@link CachedDenoiser} and runs the sampler (for {@code fewer:K}, a K-step one);
 * optionally runs the uncached sampler on the same noise to fill {@code wall_ms_uncached} (after an untimed
 * uncached warm-up trajectory, so that JIT compilation is charged to neither timed run).
 */
public final class CachedSampling {
    private CachedSampling() {
    }

    /**
     * The samples x0 [B, C, H, W] and what caching did; {@code uncached} holds the uncached samples from the same
     * noise when they were drawn ({@code measureUncached}), else null.
     */
    public record Result(Tensor samples, CacheStats stats, Tensor uncached) {
        public Result(Tensor samples, CacheStats stats) {
            this(samples, stats, null);
        }
    }

    /**
     * @param sampler   sampler name ({@link Samplers#NAMES})
     * @param steps     requested steps N (the uncached baseline)
     * @param runSteps  steps run, 1 to N (K for {@code fewer:K})
     * @param seed      the sampler's own noise seed (DDPM)
     * @param cfg       guidance scale (<= 1: none)
     * @param xT        initial noise [B, C, H, W], one row per label
     * @param measureUncached also run the uncached sampler on the same noise (same sampler seed): its time fills
     *                  {@code wall_ms_uncached}, its samples are returned in {@link Result#uncached}
     * @param listener  hears every step of every trajectory run: with {@code measureUncached}, the untimed uncached
     *                  warm-up (N steps), the cached run (run steps) and the uncached run (N), in that order
     */
    public static Result sample(DiT model, CachePolicy policy, String sampler, int steps, int runSteps, long seed,
                                int[] labels, float cfg, Tensor xT, boolean measureUncached, SampleListener listener) {
        return sample(model, policy, sampler, steps, runSteps, seed, 0, labels, cfg, xT, measureUncached, listener);
    }

    /**
     * As {@link #sample(DiT, CachePolicy, String, int, int, long, int[], float, Tensor, boolean, SampleListener)}
     * for a batch whose rows are samples {@code firstIndex, firstIndex + 1, ...} of a job (their step noise follows
     * {@link io.ditcache.diffusion.SampleSeeds}).
     */
    public static Result sample(DiT model, CachePolicy policy, String sampler, int steps, int runSteps, long seed,
                                long firstIndex, int[] labels, float cfg, Tensor xT, boolean measureUncached,
                                SampleListener listener) {
        if (runSteps < 1 || runSteps > steps) {
            throw new IllegalArgumentException("runs " + runSteps + " steps of " + steps + ": needs 1 to " + steps);
        }
        if (measureUncached) {
            // One untimed uncached trajectory first, so neither timed run pays for JIT warm-up.
            uncached(model, sampler, steps, seed, firstIndex, labels, cfg, xT, listener);
        }
        CachedDenoiser denoiser = new CachedDenoiser(model, labels, cfg, policy, runSteps, steps);
        denoiser.stats().setRun(sampler, seed, cfg, thresholdOf(denoiser.policy()));
        Tensor x0 = Samplers.create(sampler, runSteps, seed, firstIndex).sample(denoiser, xT, listener);
        Tensor reference = null;
        if (measureUncached) {
            Result plain = uncached(model, sampler, steps, seed, firstIndex, labels, cfg, xT, listener);
            reference = plain.samples();
            denoiser.stats().setWallMsUncached(plain.stats().wallMs());
        }
        return new Result(x0, denoiser.stats(), reference);
    }

    /** The policy's threshold where it has one (a router's effective threshold, fbcache's T), else NaN. */
    static double thresholdOf(CachePolicy policy) {
        if (policy instanceof RouterPolicy r) {
            return r.effectiveThreshold();
        }
        if (policy instanceof FirstBlockCache f) {
            return f.threshold();
        }
        return Double.NaN;
    }

    private static Result uncached(DiT model, String sampler, int steps, long seed, long firstIndex, int[] labels,
                                   float cfg, Tensor xT, SampleListener listener) {
        CachedDenoiser plain = new CachedDenoiser(model, labels, cfg, new NoCache(), steps);
        Sampler reference = Samplers.create(sampler, steps, seed, firstIndex);
        Tensor x0 = reference.sample(plain, xT, listener);
        return new Result(x0, plain.stats());
    }
}
