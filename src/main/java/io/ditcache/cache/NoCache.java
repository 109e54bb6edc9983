package io.ditcache.cache;

/** {@code none}: every unit computed at every step, the uncached forward. */
public record NoCache() implements StaticPolicy {
    @Override
    public String spec() {
        return "none";
    }

    @Override
    public CachePlan plan(int steps, int units) {
        return CachePlan.computeAll(steps, units);
    }
}
