package io.ditcache.eval;

import java.util.List;
import java.util.OptionalLong;

/**
 * One {@code ditcache eval} run as {@link ParetoSweep} aggregates it: its name (the directory), the sample seed its
 * noise and labels came from when the run's {@code report.csv} records it, and its rows. Two runs of one sample seed
 * evaluate a method on the same noise: its images are the same, so {@link ParetoSweep} counts such a row once.
 */
public record EvalRun(String name, OptionalLong sampleSeed, List<MethodResult> results) {
    public EvalRun {
        results = List.copyOf(results);
    }

    /** A run whose sample seed is unknown: each such run counts as a seed of its own. */
    public static EvalRun unseeded(String name, List<MethodResult> results) {
        return new EvalRun(name, OptionalLong.empty(), results);
    }

    /** The seed's name for replica counting: the seed where known, else the run's own name. */
    String seedKey() {
        return sampleSeed.isPresent() ? "seed " + sampleSeed.getAsLong() : "run " + name;
    }
}
