package io.ditcache.cache;

import java.util.Arrays;

/**
 * A static caching schedule: {@code compute[step][unit]} is true where the unit is computed and false where its
 * stored value is reused. Steps are spaced indices (0 = least noisy, {@code steps - 1} = first sampling step);
 * unit {@code 2i} is the attention branch of block i, {@code 2i+1} its MLP branch. A plan is a request: the
 * {@link CachedDenoiser} computes a unit whose slot is still empty whatever the plan says.
 */
public final class CachePlan {
    private final boolean[][] compute;

    private CachePlan(boolean[][] compute) {
        this.compute = compute;
    }

    /** A plan from a matrix {@code [steps][units]} (copied). */
    public static CachePlan of(boolean[][] compute) {
        if (compute.length == 0 || compute[0].length == 0) {
            throw new IllegalArgumentException("a cache plan needs at least one step and one unit");
        }
        boolean[][] c = new boolean[compute.length][];
        for (int s = 0; s < compute.length; s++) {
            if (compute[s].length != compute[0].length) {
                throw new IllegalArgumentException("cache plan row " + s + " has " + compute[s].length
                        + " units, row 0 has " + compute[0].length);
            }
            c[s] = compute[s].clone();
        }
        return new CachePlan(c);
    }

    /** Every unit computed at every step: the uncached forward. */
    public static CachePlan computeAll(int steps, int units) {
        boolean[][] c = new boolean[steps][units];
        for (boolean[] row : c) {
            Arrays.fill(row, true);
        }
        return of(c);
    }

    public int steps() {
        return compute.length;
    }

    public int units() {
        return compute[0].length;
    }

    public boolean compute(int step, int unit) {
        return compute[step][unit];
    }

    /** A copy of one step's row. */
    public boolean[] row(int step) {
        return compute[step].clone();
    }

    /** Units computed at {@code step}. */
    public int computeCount(int step) {
        int n = 0;
        for (boolean b : compute[step]) {
            n += b ? 1 : 0;
        }
        return n;
    }

    public int computeCount() {
        int n = 0;
        for (int s = 0; s < steps(); s++) {
            n += computeCount(s);
        }
        return n;
    }

    public int reuseCount() {
        return steps() * units() - computeCount();
    }

    /** Reused unit executions / all unit executions, as planned (before the empty-slot rule). */
    public double usageRatio() {
        return reuseCount() / (double) (steps() * units());
    }

    /**
     * A compact text map, one row per step, noisy first: {@code #} = compute, {@code .} = reuse, a space between
     * blocks, e.g. {@code "step  3  ## #. .."} for 3 blocks.
     */
    public String toMap() {
        return map(compute);
    }

    static String map(boolean[][] compute) {
        int width = String.valueOf(compute.length - 1).length();
        StringBuilder b = new StringBuilder();
        for (int s = compute.length - 1; s >= 0; s--) {
            b.append("step ").append(String.format("%" + width + "d", s)).append(' ');
            for (int u = 0; u < compute[s].length; u++) {
                if (u % 2 == 0) {
                    b.append(' ');
                }
                b.append(compute[s][u] ? '#' : '.');
            }
            b.append('\n');
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CachePlan && Arrays.deepEquals(compute, ((CachePlan) o).compute);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(compute);
    }

    @Override
    public String toString() {
        return "CachePlan[" + steps() + " steps x " + units() + " units, " + computeCount() + " computed]\n" + toMap();
    }
}
