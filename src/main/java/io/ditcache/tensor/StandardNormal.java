package io.ditcache.tensor;

import java.util.SplittableRandom;

/** Standard normal draws by Box-Muller from a {@link SplittableRandom}: seeded, reproducible, no shared state. */
public final class StandardNormal {
    private StandardNormal() {
    }

    public static double sample(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
