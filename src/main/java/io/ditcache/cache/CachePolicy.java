package io.ditcache.cache;

import io.ditcache.model.DiT;

/**
 * A rule for which cache units to compute at each sampling step, made by the factories of {@code io.ditcache.Cache} or
 * parsed from its string form ({@code Cache.parse}, what {@code --cache} takes). Static policies compile to a
 * {@link CachePlan} ({@link StaticPolicy}); adaptive ones decide during the forward pass ({@link FirstBlockCache}).
 */
public interface CachePolicy {
    /** The string ({@code Cache.parse}, {@code --cache}) that selects this policy, its parameters resolved where known. */
    String spec();

    /**
     * The policy that runs trajectories of {@code steps} steps: this one, except for sets that hold one policy per
     * step count ({@link ShippedRouterSet}). {@link CachedDenoiser} asks it before anything else.
     */
    default CachePolicy forSteps(int steps) {
        return this;
    }

    /** Throws a clear {@link IllegalArgumentException} when the policy cannot drive this model at this step count. */
    default void checkFits(DiT model, int steps) {
    }

    /** The decisions for one new trajectory of {@code steps} steps over {@code units} cache units. */
    CacheSchedule start(int steps, int units);
}
