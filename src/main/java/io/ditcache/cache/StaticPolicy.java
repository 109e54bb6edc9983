package io.ditcache.cache;

/** A policy decided before sampling: it compiles to a {@link CachePlan} and makes no run-time decisions. */
public interface StaticPolicy extends CachePolicy {
    /** The plan for a trajectory of {@code steps} steps over {@code units} units. */
    CachePlan plan(int steps, int units);

    @Override
    default CacheSchedule start(int steps, int units) {
        CachePlan plan = plan(steps, units);
        return plan::compute;
    }
}
