package io.ditcache.cache;

/**
 * A given plan as a policy, for experiments, benchmarks and tests (not selectable with {@code --cache}).
 *
 * @param plan the plan; trajectories must have its step and unit counts
 * @param name what {@link #spec()} reports
 */
public record FixedPlan(CachePlan plan, String name) implements StaticPolicy {
    @Override
    public String spec() {
        return name;
    }

    @Override
    public CachePlan plan(int steps, int units) {
        if (steps != plan.steps() || units != plan.units()) {
            throw new IllegalArgumentException("plan '" + name + "' is " + plan.steps() + " steps x " + plan.units()
                    + " units, asked for " + steps + " x " + units);
        }
        return plan;
    }
}
