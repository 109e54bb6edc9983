package io.ditcache.cache;

/**
 * {@code fewer:K}: the trivial baseline, a plain K-step sampler without caching. It is not a plan: the sampling
 * driver asks {@link #samplerSteps} and builds a K-step sampler; the K steps then compute everything.
 *
 * @param steps K, at least 1 and at most the requested steps N ({@code fewer:N} equals {@code none})
 */
public record FewerSteps(int steps) implements StaticPolicy {
    public FewerSteps {
        if (steps < 1) {
            throw new IllegalArgumentException("fewer:K needs K >= 1, got " + steps);
        }
    }

    @Override
    public String spec() {
        return "fewer:" + steps;
    }

    /** K; refuses K greater than the {@code requested} steps N (fewer:N is the uncached N-step sampler). */
    @Override
    public int samplerSteps(int requested) {
        if (steps > requested) {
            throw new IllegalArgumentException("fewer:" + steps + " runs more steps than the " + requested
                    + " requested; fewer:K needs K <= " + requested);
        }
        return steps;
    }

    @Override
    public CachePlan plan(int steps, int units) {
        return CachePlan.computeAll(steps, units);
    }
}
