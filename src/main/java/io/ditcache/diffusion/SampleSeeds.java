package io.ditcache.diffusion;

/**
 * The per-index seed rule: sample {@code i} of a job seeded {@code seed} draws its initial noise and its sampler's
 * step noise (DDPM) from streams seeded by {@code (seed, i)} alone, so a sample's bits do not depend on which batch,
 * shard or machine computed it. The two streams of one index, and the streams of different indices, get distinct
 * 64-bit seeds through SplitMix64's finaliser.
 */
public final class SampleSeeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long INITIAL = 0x1A2B3C4D5E6F7081L;
    private static final long SAMPLER = 0x5DEECE66DA3B9F27L;

    private SampleSeeds() {
    }

    /** The seed of sample {@code index}'s initial noise x_T. */
    public static long initialNoise(long seed, long index) {
        return derive(seed, index, INITIAL);
    }

    /** The seed of sample {@code index}'s step noise (stochastic samplers). */
    public static long samplerNoise(long seed, long index) {
        return derive(seed, index, SAMPLER);
    }

    /** Row r of the result draws from {@code GaussianNoise(samplerNoise(seed, firstIndex + r))}. */
    public static NoiseSource samplerRows(long seed, long firstIndex, int rows) {
        GaussianNoise[] streams = new GaussianNoise[rows];
        for (int r = 0; r < rows; r++) {
            streams[r] = new GaussianNoise(samplerNoise(seed, firstIndex + r));
        }
        return dst -> {
            if (dst.length % rows != 0) {
                throw new IllegalArgumentException(dst.length + " draws do not split into " + rows + " rows");
            }
            int per = dst.length / rows;
            for (int r = 0; r < rows; r++) {
                streams[r].fill(dst, r * per, (r + 1) * per);
            }
        };
    }

    private static long derive(long seed, long index, long stream) {
        return mix(mix(seed ^ stream) + GOLDEN * (index + 1));
    }

    /** SplitMix64's finaliser: a bijection of 64-bit values that scrambles every input bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
