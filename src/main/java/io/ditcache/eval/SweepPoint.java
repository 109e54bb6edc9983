package io.ditcache.eval;

import java.util.Map;

/**
 * One operating point of a {@link ParetoSweep} (a family and its point, e.g. {@code harmonica} at {@code u35}, or
 * {@code fora} at {@code fora:2}) aggregated over its replicas: every row of it in every eval run, one per router
 * seed for learned routers.
 *
 * @param replicas    rows aggregated
 * @param sampleSeeds distinct eval runs (sample seeds) the rows come from
 * @param routerSeeds distinct router seeds among the rows (0 for baselines)
 */
public record SweepPoint(String family, String point, boolean learned, int targetUsage, int replicas, int sampleSeeds,
                         int routerSeeds, Map<SweepMetric, MeanSd> stats) {
    public SweepPoint {
        stats = Map.copyOf(stats);
    }

    public MeanSd get(SweepMetric m) {
        MeanSd s = stats.get(m);
        if (s == null) {
            throw new IllegalArgumentException("no " + m + " for " + name());
        }
        return s;
    }

    public double mean(SweepMetric m) {
        return get(m).mean();
    }

    /** "harmonica u35"; just the point when it starts with the family's name already ("fora:2", "none"). */
    public String name() {
        return point.equals(family) || point.startsWith(family + ":") ? point : family + " " + point;
    }

    public boolean uncached() {
        return !learned && point.equals("none");
    }
}
