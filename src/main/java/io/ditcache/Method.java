package io.ditcache;

import io.ditcache.cache.CachePolicy;

/**
 * A way of sampling faster, as {@code --cache} and eval's {@code --methods} name it ({@link Cache#parseMethod}): a
 * cache policy, or {@code fewer:K}, which is not a policy but the sampler setting {@link SamplerSettings#fewerSteps}
 * (K steps, nothing cached). {@link Pipeline#method} samples with it.
 *
 * @param cache      the cache policy ({@link Cache#none()} for {@code fewer:K})
 * @param fewerSteps K for {@code fewer:K}, else 0 (all steps)
 */
public record Method(CachePolicy cache, int fewerSteps) {
    public Method {
        if (cache == null) {
            throw new NullPointerException("cache");
        }
        if (fewerSteps < 0) {
            throw new InvalidSettingException("fewer steps", "fewer steps must be >= 1, got " + fewerSteps);
        }
    }

    /** The policy {@code cache} at all steps. */
    public static Method of(CachePolicy cache) {
        return new Method(cache, 0);
    }

    /** The steps a trajectory of this method runs when {@code steps} are asked for. */
    public int runSteps(int steps) {
        return fewerSteps == 0 ? steps : fewerSteps;
    }
}
