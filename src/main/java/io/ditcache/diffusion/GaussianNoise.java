package io.ditcache.diffusion;

import java.util.SplittableRandom;

/**
 * Seeded N(0, 1) noise: Box–Muller over {@link SplittableRandom} doubles, using both values of each pair.
 * {@link StrictMath} keeps the stream identical on every JVM and platform for the same seed.
 * Not thread-safe; give each thread its own instance.
 */
public final class GaussianNoise implements NoiseSource {
    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    public GaussianNoise(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The next N(0, 1) draw in double precision. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u1)); // 1 − u1 ∈ (0, 1], so the log is finite
        double theta = 2.0 * Math.PI * u2;
        spare = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }

    @Override
    public void fill(float[] dst) {
        fill(dst, 0, dst.length);
    }

    /** Fills {@code dst[from, to)} with the next {@code to - from} draws. */
    public void fill(float[] dst, int from, int to) {
        for (int k = from; k < to; k++) {
            dst[k] = (float) nextGaussian();
        }
    }
}
