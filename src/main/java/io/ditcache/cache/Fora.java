package io.ditcache.cache;

/**
 * {@code fora:N} (FORA, Selvaraju et al. 2024): every unit is recomputed at every N-th step counting from the first
 * sampling step (sampling positions 0, N, 2N, ..., i.e. spaced indices {@code steps-1}, {@code steps-1-N}, ...)
 * and reused at the steps between. {@code fora:1} computes everything.
 *
 * @param interval N, at least 1
 */
public record Fora(int interval) implements StaticPolicy {
    public Fora {
        if (interval < 1) {
            throw new IllegalArgumentException("fora:N needs N >= 1, got " + interval);
        }
    }

    @Override
    public String spec() {
        return "fora:" + interval;
    }

    @Override
    public CachePlan plan(int steps, int units) {
        boolean[][] compute = new boolean[steps][units];
        for (int step = 0; step < steps; step++) {
            java.util.Arrays.fill(compute[step], (steps - 1 - step) % interval == 0);
        }
        return CachePlan.of(compute);
    }
}
