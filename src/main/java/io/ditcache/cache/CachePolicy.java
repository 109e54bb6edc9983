package io.ditcache.cache;

import io.ditcache.model.DiT;

/**
 * A rule for which cache units to compute at each sampling step, selected on the command line with
 * {@code --cache} (see {@link CachePolicies#parse}). Static policies compile to a {@link CachePlan}
 * ({@link StaticPolicy}); adaptive ones decide during the forward pass ({@link FirstBlockCache}).
 */
public interface CachePolicy {
    /** The {@code --cache} value that selects this policy, with its parameters resolved where known. */
    String spec();

    /**
     * The number of sampler steps to run when {@code requested} were asked for. Only {@link FewerSteps} changes
     * it: that baseline is a shorter uncached sampler, not a plan.
     */
    default int samplerSteps(int requested) {
        return requested;
    }

    /** Throws a clear {@link IllegalArgumentException} when the policy cannot drive this model at this step count. */
    default void checkFits(DiT model, int steps) {
    }

    /** The decisions for one new trajectory of {@code steps} steps over {@code units} cache units. */
    CacheSchedule start(int steps, int units);
}
